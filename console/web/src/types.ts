// Shapes of the console API (docs/console-api.md).

export interface Scope {
  id: string;
  name: string;
  labels: string[];
  stepInto?: string;
}

export interface QuickFilter {
  name: string;
  filter: Record<string, string>;
  default?: boolean;
}

/** 'either' is added by the UI: ids without side (namespace, port...) that match either end. */
export type FilterCategory = 'source' | 'destination' | 'common' | 'either';

export interface FilterDef {
  id: string;
  name: string;
  category: FilterCategory;
  field?: string;
  autocomplete?: boolean;
  hint?: string;
}

export interface ColumnDef {
  id: string;
  name: string;
  field: string;
  default?: boolean;
  format?: string;
  /** Source or Destination for the columns of one end (not in docs/console-api.md; sent by the server). */
  group?: string;
}

export interface PortNaming {
  enable: boolean;
  portNames?: Record<string, string>;
}

export interface FrontendConfig {
  mode: 'host' | 'cluster' | string;
  defaultScope: string;
  scopes: Scope[];
  quickFilters: QuickFilter[];
  filters: FilterDef[];
  columns: ColumnDef[];
  features: string[];
  portNaming?: PortNaming;
  recordsLimits: number[];
  topOptions: number[];
  backends?: { records?: boolean; metrics?: boolean };
}

export type FlowRecord = Record<string, unknown>;

export interface QueryStats {
  dataSource?: string;
  limitReached?: boolean;
  durationMs?: number;
  /** Why a preferred backend did not answer (sent by the server; not in docs/console-api.md). */
  fallback?: string;
}

export interface RecordsResponse {
  records: FlowRecord[];
  stats?: QueryStats;
}

export type Point = [number, number];

export interface Series {
  labels: Record<string, string>;
  values: Point[];
  total: number;
}

export interface MetricsResponse {
  metrics: Series[];
  total: Series;
  stats?: QueryStats;
}

export interface Role {
  role: string;
  user?: string;
}
