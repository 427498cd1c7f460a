// The view's state, kept in the URL query so a link reproduces what is on screen.

import { chipsFromURL, chipsToURL, type Match, type Mode } from './filters';

export type ViewId = 'overview' | 'table' | 'topology';

export const VIEWS: { id: ViewId; name: string }[] = [
  { id: 'overview', name: 'Overview' },
  { id: 'table', name: 'Traffic flows' },
  { id: 'topology', name: 'Topology' },
];

export const RANGES: { seconds: number; name: string }[] = [
  { seconds: 300, name: 'Last 5 minutes' },
  { seconds: 900, name: 'Last 15 minutes' },
  { seconds: 3600, name: 'Last 1 hour' },
  { seconds: 21600, name: 'Last 6 hours' },
  { seconds: 86400, name: 'Last 1 day' },
  { seconds: 604800, name: 'Last 1 week' },
];

export const REFRESHES: { seconds: number; name: string }[] = [
  { seconds: 0, name: 'Off' },
  { seconds: 15, name: '15 seconds' },
  { seconds: 30, name: '30 seconds' },
  { seconds: 60, name: '1 minute' },
  { seconds: 300, name: '5 minutes' },
];

export interface AppState {
  view: ViewId;
  /** The person's filters (chips). */
  filters: Match[];
  match: Mode;
  /** Names of the quick filters that are on; null: the config's defaults. */
  quick: string[] | null;
  /** Relative range in seconds; 0 with start/end: a custom range. */
  range: number;
  start: number;
  end: number;
  /** Auto-refresh period in seconds, 0 off. */
  refresh: number;
  /** Scope of the overview and topology; '' : the config's default. */
  scope: string;
  /** Top N of the overview. */
  top: number;
  /** Topology: metric id, edge limit, grouping field, layout. */
  metric: string;
  edges: number;
  group: string;
  layout: string;
  /** Table: records limit, visible column ids (null: defaults), sort column and direction. */
  limit: number;
  cols: string[] | null;
  sort: string;
  desc: boolean;
}

export const DEFAULT_STATE: AppState = {
  view: 'overview',
  filters: [],
  match: 'all',
  quick: null,
  range: 300,
  start: 0,
  end: 0,
  refresh: 0,
  scope: '',
  top: 5,
  metric: 'bytes',
  edges: 15,
  group: '',
  layout: 'cose',
  limit: 100,
  cols: null,
  sort: '',
  desc: true,
};

function num(v: string | null, def: number): number {
  if (v === null || v === '') return def;
  const n = Number(v);
  return Number.isFinite(n) ? n : def;
}

export function stateFromQuery(search: string): AppState {
  const q = new URLSearchParams(search);
  const s: AppState = { ...DEFAULT_STATE };
  const view = q.get('view');
  if (view && VIEWS.some((v) => v.id === view)) s.view = view as ViewId;
  s.filters = chipsFromURL(q.get('filters'));
  s.match = q.get('match') === 'any' ? 'any' : 'all';
  if (q.has('quick')) s.quick = (q.get('quick') ?? '').split(',').filter(Boolean);
  s.start = num(q.get('startTime'), 0);
  s.end = num(q.get('endTime'), 0);
  s.range = s.start && s.end && s.end > s.start ? 0 : num(q.get('timeRange'), DEFAULT_STATE.range);
  if (s.range <= 0 && !(s.start && s.end)) s.range = DEFAULT_STATE.range;
  s.refresh = num(q.get('refresh'), 0);
  s.scope = q.get('scope') ?? '';
  s.top = num(q.get('top'), DEFAULT_STATE.top);
  s.metric = q.get('metric') ?? DEFAULT_STATE.metric;
  s.edges = num(q.get('edges'), DEFAULT_STATE.edges);
  s.group = q.get('group') ?? '';
  s.layout = q.get('layout') ?? DEFAULT_STATE.layout;
  s.limit = num(q.get('limit'), DEFAULT_STATE.limit);
  s.cols = q.has('cols') ? (q.get('cols') ?? '').split(',').filter(Boolean) : null;
  s.sort = q.get('sort') ?? '';
  s.desc = q.get('dir') !== 'asc';
  return s;
}

/** stateToQuery writes only what differs from the defaults, so links stay short. */
export function stateToQuery(s: AppState): string {
  const q = new URLSearchParams();
  const d = DEFAULT_STATE;
  q.set('view', s.view);
  if (s.filters.length) q.set('filters', chipsToURL(s.filters));
  if (s.match !== d.match) q.set('match', s.match);
  if (s.quick !== null) q.set('quick', s.quick.join(','));
  if (s.range > 0) {
    if (s.range !== d.range) q.set('timeRange', String(s.range));
  } else {
    q.set('startTime', String(s.start));
    q.set('endTime', String(s.end));
  }
  if (s.refresh) q.set('refresh', String(s.refresh));
  if (s.scope) q.set('scope', s.scope);
  if (s.top !== d.top) q.set('top', String(s.top));
  if (s.metric !== d.metric) q.set('metric', s.metric);
  if (s.edges !== d.edges) q.set('edges', String(s.edges));
  if (s.group) q.set('group', s.group);
  if (s.layout !== d.layout) q.set('layout', s.layout);
  if (s.limit !== d.limit) q.set('limit', String(s.limit));
  if (s.cols !== null) q.set('cols', s.cols.join(','));
  if (s.sort) {
    q.set('sort', s.sort);
    q.set('dir', s.desc ? 'desc' : 'asc');
  }
  return q.toString();
}

/** The absolute window of a query, unix seconds. */
export interface Window {
  start: number;
  end: number;
}

export function windowOf(s: AppState, nowMs: number): Window {
  if (s.range > 0) {
    const end = Math.floor(nowMs / 1000);
    return { start: end - s.range, end };
  }
  return { start: s.start, end: s.end };
}

/** stepFor picks a metrics step: about 60 points over the window, at least 15 s, a round value. */
export function stepFor(w: Window): number {
  const raw = Math.max(15, (w.end - w.start) / 60);
  const nice = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  return nice.find((n) => n >= raw) ?? Math.ceil(raw);
}

export function rangeName(s: AppState): string {
  return RANGES.find((r) => r.seconds === s.range)?.name ?? (s.range > 0 ? `Last ${s.range} s` : 'Custom');
}
