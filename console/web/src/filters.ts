// Filters in NetObserv's syntax (docs/console-api.md): groups joined by | match if any matches;
// filters in a group joined by & must all match; a filter is key=v1,v2 | key!=v | key~re |
// key!~re | key>=n; "quoted" values are exact, unquoted ones are case-insensitive substrings.

import type { FilterDef, QuickFilter } from './types';

export type Op = '=' | '!=' | '~' | '!~' | '>=';

export const OPS: { op: Op; label: string; title: string }[] = [
  { op: '=', label: '=', title: 'equals (any of the values)' },
  { op: '!=', label: '≠', title: 'not equal' },
  { op: '~', label: '~', title: 'matches the regular expression' },
  { op: '!~', label: '!~', title: 'does not match the regular expression' },
  { op: '>=', label: '≥', title: 'greater than or equal (numbers)' },
];

/** One filter: a key (filter id or NetObserv field), a comparison and its raw values. */
export interface Match {
  key: string;
  op: Op;
  /** Values as written in the filter string: "quoted" (exact) or bare (substring). */
  values: string[];
}

export type Group = Match[];

export type Mode = 'all' | 'any';

/** splitOutside splits s on sep, ignoring separators inside "double quotes" (\" escapes). */
export function splitOutside(s: string, sep: string): string[] {
  const out: string[] = [];
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && inQuote) {
      i++;
    } else if (c === '"') {
      inQuote = !inQuote;
    } else if (c === sep && !inQuote) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function indexOutside(s: string, tok: string): number {
  let inQuote = false;
  for (let i = 0; i + tok.length <= s.length; i++) {
    if (s[i] === '\\' && inQuote) {
      i++;
      continue;
    }
    if (s[i] === '"') inQuote = !inQuote;
    if (!inQuote && s.startsWith(tok, i)) return i;
  }
  return -1;
}

const OP_TOKENS: Op[] = ['!~', '!=', '>=', '~', '='];

/** parseMatch reads one key<op>values filter; null when there is no operator or key. */
export function parseMatch(s: string): Match | null {
  let best: Op | null = null;
  let at = s.length;
  for (const op of OP_TOKENS) {
    const i = indexOutside(s, op);
    if (i > 0 && (i < at || (i === at && best !== null && op.length > best.length))) {
      best = op;
      at = i;
    }
  }
  if (best === null) return null;
  const key = s.slice(0, at).trim();
  if (!key) return null;
  const rest = s.slice(at + best.length);
  const values = best === '~' || best === '!~' ? [rest.trim()] : splitOutside(rest, ',').map((v) => v.trim());
  return { key, op: best, values: values.filter((v) => v !== '') };
}

/** parseFilters reads a full filter string into groups (empty string: no group). */
export function parseFilters(s: string): Group[] {
  const out: Group[] = [];
  if (!s.trim()) return out;
  for (const gs of splitOutside(s, '|')) {
    const g: Group = [];
    for (const fs of splitOutside(gs, '&')) {
      if (!fs.trim()) continue;
      const m = parseMatch(fs.trim());
      if (m && m.values.length) g.push(m);
    }
    if (g.length) out.push(g);
  }
  return out;
}

export function matchString(m: Match): string {
  return m.key + m.op + m.values.join(',');
}

export function groupString(g: Group): string {
  return g.map(matchString).join('&');
}

export function filtersString(gs: Group[]): string {
  return gs.filter((g) => g.length).map(groupString).join('|');
}

/** quote makes an exact value: "text" with JSON escapes (the server unquotes with Go rules). */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** isQuoted tells whether a raw value is an exact "quoted" value. */
export function isQuoted(v: string): boolean {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"');
}

/** unquote returns the text of a raw value, without quotes. */
export function unquote(v: string): string {
  if (!isQuoted(v)) return v;
  try {
    return JSON.parse(v) as string;
  } catch {
    return v.slice(1, -1);
  }
}

/**
 * valuesFromInput turns what a person typed into raw values: for = and != a comma separates
 * values (any of them); text holding a separator of the syntax (& | ,) or spaces at its ends is
 * quoted, which makes it exact.
 */
export function valuesFromInput(text: string, op: Op): string[] {
  const t = text.trim();
  if (!t) return [];
  const safe = (v: string) => (isQuoted(v) || !/[&|,]|^\s|\s$/.test(v) ? v : quote(v));
  if (op === '~' || op === '!~' || op === '>=') return [safe(t)];
  if (isQuoted(t)) return [t];
  return splitOutside(t, ',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(safe);
}

/** mergeGroup joins = filters of the same key into one (any of the values), as NetObserv does. */
export function mergeGroup(g: Group): Group {
  const out: Group = [];
  for (const m of g) {
    const same = m.op === '=' ? out.find((o) => o.key === m.key && o.op === '=') : undefined;
    if (same) {
      for (const v of m.values) if (!same.values.includes(v)) same.values.push(v);
    } else {
      out.push({ key: m.key, op: m.op, values: [...m.values] });
    }
  }
  return out;
}

/** quickFilterMatches reads a quick filter's {key: value} object; a key ending in ! is "not equal". */
export function quickFilterMatches(q: QuickFilter): Match[] {
  const out: Match[] = [];
  for (const [rawKey, rawValue] of Object.entries(q.filter ?? {})) {
    let key = rawKey.trim();
    let op: Op = '=';
    if (key.endsWith('!')) {
      key = key.slice(0, -1);
      op = '!=';
    }
    const parsed = parseMatch(key + op + rawValue);
    if (parsed) out.push(parsed);
  }
  return out;
}

/**
 * buildFilters makes the query's filter string from the chips (the person's filters), the match
 * mode and the extra matches every group must also satisfy (quick filters, a topology node).
 * Match all: one group with every chip, same-key = filters merged. Match any: one group per chip.
 */
export function buildFilters(chips: Match[], mode: Mode, extra: Match[] = []): string {
  let groups: Group[];
  if (!chips.length) groups = [[]];
  else if (mode === 'any') groups = chips.map((c) => [c]);
  else groups = [mergeGroup(chips)];
  return filtersString(groups.map((g) => mergeGroup([...g, ...extra])));
}

/** andFilters adds matches to every group of a filter string ("" means match everything). */
export function andFilters(filters: string, extra: Match[]): string {
  const gs = parseFilters(filters);
  if (!gs.length) return filtersString([extra]);
  return filtersString(gs.map((g) => [...g, ...extra]));
}

/** chipsToURL keeps chips in the URL as one filter string joined by &. */
export function chipsToURL(chips: Match[]): string {
  return chips.map(matchString).join('&');
}

export function chipsFromURL(s: string | null): Match[] {
  if (!s) return [];
  const out: Match[] = [];
  for (const part of splitOutside(s, '&')) {
    const m = parseMatch(part.trim());
    if (m && m.values.length) out.push(m);
  }
  return out;
}

export function sameMatch(a: Match, b: Match): boolean {
  return a.key === b.key && a.op === b.op && a.values.join(',') === b.values.join(',');
}

/**
 * withEitherEnd adds, for each src_X filter with a dst_X twin, the filter X matching either end
 * (docs/console-api.md: ids without a side match either end), unless the config has it already.
 */
export function withEitherEnd(filters: FilterDef[]): FilterDef[] {
  const ids = new Set(filters.map((f) => f.id));
  const either: FilterDef[] = [];
  for (const f of filters) {
    if (f.category !== 'source' || !f.id.startsWith('src_')) continue;
    const id = f.id.slice(4);
    if (ids.has(id) || !ids.has(`dst_${id}`)) continue;
    either.push({ id, name: f.name, category: 'either', autocomplete: f.autocomplete, hint: f.hint });
  }
  return [...either, ...filters];
}
