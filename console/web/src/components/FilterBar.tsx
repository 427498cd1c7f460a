import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJSON, isAbort } from '../api';
import { OPS, quote, unquote, valuesFromInput, type Match, type Mode, type Op } from '../filters';
import type { FilterDef, FrontendConfig } from '../types';
import type { Window } from '../state';

const CATEGORY_NAMES: Record<string, string> = { either: 'Source or destination', source: 'Source', destination: 'Destination', common: 'Common' };

/** keyLabel names a filter key for a chip: "Source Namespace", "Port", or the raw key. */
export function keyLabel(filters: FilterDef[], key: string): string {
  const def = filters.find((f) => f.id === key) ?? filters.find((f) => f.field === key);
  if (!def) return key;
  const prefix = { source: 'Source ', destination: 'Destination ', either: 'Src or Dst ' }[def.category as string] ?? '';
  return prefix + def.name;
}

export function chipText(filters: FilterDef[], m: Match): string {
  const op = OPS.find((o) => o.op === m.op)?.label ?? m.op;
  return `${keyLabel(filters, m.key)} ${op} ${m.values.join(', ')}`;
}

interface Props {
  config: FrontendConfig;
  chips: Match[];
  match: Mode;
  window: Window;
  onChange: (chips: Match[], match: Mode) => void;
}

function defaultFilter(filters: FilterDef[], mode: string): string {
  const first = mode === 'host' ? ['address', 'port'] : ['namespace'];
  return (
    first.map((id) => filters.find((f) => f.id === id)?.id).find(Boolean) ??
    filters.find((f) => f.category === 'common')?.id ??
    filters[0]?.id ??
    ''
  );
}

/** FilterBar: pick a filter, type a value (with suggestions), Enter adds a chip. */
export function FilterBar({ config, chips, match, window, onChange }: Props) {
  const filters = config.filters ?? [];
  const [filterId, setFilterId] = useState(() => defaultFilter(filters, config.mode));
  const [op, setOp] = useState<Op>('=');
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const [problem, setProblem] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const def = filters.find((f) => f.id === filterId);

  const grouped = useMemo(() => {
    const out: [string, FilterDef[]][] = [];
    for (const cat of ['either', 'source', 'destination', 'common']) {
      const fs = filters.filter((f) => f.category === cat);
      if (fs.length) out.push([cat, fs]);
    }
    const other = filters.filter((f) => !CATEGORY_NAMES[f.category]);
    if (other.length) out.push(['other', other]);
    return out;
  }, [filters]);

  // Suggestions follow the typed prefix, debounced.
  useEffect(() => {
    if (!open || !def?.autocomplete || op === '>=') {
      setSuggestions([]);
      return;
    }
    const ctl = new AbortController();
    const prefix = unquote(text.trim());
    const timer = setTimeout(() => {
      getJSON<{ values: string[] }>(
        'api/resources/values',
        { field: def.id, prefix, startTime: window.start, endTime: window.end, limit: 50 },
        ctl.signal,
      ).then(
        (r) => {
          const vs = (r.values ?? []).filter((v) => v !== '' && v.toLowerCase().includes(prefix.toLowerCase()));
          setSuggestions(vs.slice(0, 50));
          setActive(-1);
        },
        (e) => {
          if (!isAbort(e)) setSuggestions([]);
        },
      );
    }, 120);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [open, text, filterId, op, window.start, window.end]);

  const add = (values: string[]) => {
    if (!def || !values.length) return;
    if (op === '>=' && values.some((v) => !Number.isFinite(Number(unquote(v))))) {
      setProblem(`${def.name}: ≥ needs a number`);
      return;
    }
    if ((op === '~' || op === '!~') && values.some((v) => !validRegex(unquote(v)))) {
      setProblem(`${def.name}: not a valid regular expression`);
      return;
    }
    setProblem('');
    onChange([...chips, { key: def.id, op, values }], match);
    setText('');
    setSuggestions([]);
    setActive(-1);
    input.current?.focus();
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setOpen(true);
      setActive((a) => Math.min(a + 1, suggestions.length - 1));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, -1));
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (active >= 0 && active < suggestions.length) add([quote(suggestions[active])]);
      else add(valuesFromInput(text, op));
    } else if (e.key === 'Escape') {
      setOpen(false);
      setActive(-1);
    } else if (e.key === 'Backspace' && text === '' && chips.length) {
      onChange(chips.slice(0, -1), match);
    }
  };

  const listId = 'filter-suggestions';
  const showList = open && suggestions.length > 0;
  return (
    <div class="filter-bar" data-testid="filter-bar">
      <div class="filter-input-row">
        <label class="field field-bare">
          <span class="sr-only">Filter on</span>
          <select
            data-testid="filter-field"
            value={filterId}
            onChange={(e) => {
              setFilterId((e.currentTarget as HTMLSelectElement).value);
              setProblem('');
              input.current?.focus();
            }}
          >
            {grouped.map(([cat, fs]) => (
              <optgroup key={cat} label={CATEGORY_NAMES[cat] ?? 'Other'}>
                {fs.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <label class="field field-bare">
          <span class="sr-only">Comparison</span>
          <select
            class="op-select"
            data-testid="filter-op"
            value={op}
            onChange={(e) => setOp((e.currentTarget as HTMLSelectElement).value as Op)}
          >
            {OPS.map((o) => (
              <option key={o.op} value={o.op} title={o.title}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <div class="combo">
          <input
            ref={input}
            type="text"
            data-testid="filter-value"
            role="combobox"
            aria-label={`Value of ${def ? keyLabel(filters, def.id) : 'the filter'}`}
            aria-expanded={showList}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={showList && active >= 0 ? `${listId}-${active}` : undefined}
            placeholder={def?.hint ?? (def ? `Filter by ${def.name.toLowerCase()}…` : 'No filter available')}
            title={def?.hint}
            value={text}
            onInput={(e) => {
              setText((e.currentTarget as HTMLInputElement).value);
              setOpen(true);
              setProblem('');
            }}
            onFocus={() => setOpen(true)}
            onBlur={() => setTimeout(() => setOpen(false), 150)}
            onKeyDown={onKey}
          />
          {showList && (
            <ul id={listId} class="suggestions" role="listbox" data-testid="filter-suggestions">
              {suggestions.map((s, i) => (
                <li
                  key={s}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === active}
                  class={i === active ? 'active' : ''}
                  data-testid="filter-suggestion"
                  onMouseDown={(e) => {
                    e.preventDefault();
                    add([quote(s)]);
                  }}
                >
                  {s}
                </li>
              ))}
            </ul>
          )}
        </div>
        <button type="button" class="btn" data-testid="filter-add" onClick={() => add(valuesFromInput(text, op))} disabled={!text.trim()}>
          Add
        </button>
        <div class="seg" role="group" aria-label="How filters combine">
          <button
            type="button"
            data-testid="match-all"
            aria-pressed={match === 'all'}
            title="A flow must match every filter"
            onClick={() => onChange(chips, 'all')}
          >
            Match all
          </button>
          <button
            type="button"
            data-testid="match-any"
            aria-pressed={match === 'any'}
            title="A flow must match at least one filter"
            onClick={() => onChange(chips, 'any')}
          >
            Match any
          </button>
        </div>
      </div>
      {problem && (
        <div class="filter-problem" role="alert">
          {problem}
        </div>
      )}
      {chips.length > 0 && (
        <ul class="chips" aria-label="Active filters">
          {chips.map((c, i) => (
            <li key={i} class="chip" data-testid="filter-chip" data-key={c.key}>
              <span class="chip-text">{chipText(filters, c)}</span>
              <button
                type="button"
                class="chip-x"
                aria-label={`Remove filter ${chipText(filters, c)}`}
                onClick={() => onChange(chips.filter((_, j) => j !== i), match)}
              >
                ×
              </button>
            </li>
          ))}
          <li>
            <button type="button" class="link-btn" data-testid="filter-clear" onClick={() => onChange([], match)}>
              Clear all
            </button>
          </li>
        </ul>
      )}
    </div>
  );
}

function validRegex(s: string): boolean {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}

