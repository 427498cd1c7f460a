import { getJSON } from '../api';
import type { AppState, Window } from '../state';
import type { FrontendConfig, MetricsResponse, Scope } from '../types';

/** currentScope: the state's scope when the config has it, else the config's default. */
export function currentScope(config: FrontendConfig, state: AppState): Scope {
  const scopes = config.scopes ?? [];
  return (
    scopes.find((s) => s.id === state.scope) ??
    scopes.find((s) => s.id === config.defaultScope) ??
    scopes[0] ?? { id: 'namespace', name: 'Namespace', labels: ['SrcK8S_Namespace', 'DstK8S_Namespace'] }
  );
}

export interface MetricQuery {
  type: string;
  fn: string;
  scope: string;
  limit: number;
  step: number;
  filters: string;
  window: Window;
}

export function fetchMetrics(q: MetricQuery, signal: AbortSignal): Promise<MetricsResponse> {
  return getJSON<MetricsResponse>(
    'api/flow/metrics',
    {
      type: q.type,
      function: q.fn,
      aggregateBy: q.scope,
      limit: q.limit,
      step: q.step,
      startTime: q.window.start,
      endTime: q.window.end,
      filters: q.filters,
    },
    signal,
  ).then((r) => ({ metrics: r.metrics ?? [], total: r.total ?? { labels: {}, values: [], total: 0 }, stats: r.stats }));
}

export function hasFeature(config: FrontendConfig, f: string): boolean {
  return (config.features ?? []).includes(f);
}
