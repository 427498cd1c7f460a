// Pure helpers of the flow table: columns, sorting, detail grouping, export file name.

import { formatTime } from './format';
import type { ColumnDef, FlowRecord, FrontendConfig } from './types';

export function visibleColumns(config: FrontendConfig, cols: string[] | null): ColumnDef[] {
  const all = config.columns ?? [];
  if (cols === null) return all.filter((c) => c.default);
  return all.filter((c) => cols.includes(c.id));
}

export function compareValues(a: unknown, b: unknown): number {
  const absent = (v: unknown) => v === undefined || v === null || v === '';
  if (absent(a) && absent(b)) return 0;
  if (absent(a)) return 1;
  if (absent(b)) return -1;
  const na = Number(a);
  const nb = Number(b);
  if (typeof a !== 'object' && typeof b !== 'object' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/** sortRecords sorts a copy; records whose field is absent go last in both directions. */
export function sortRecords(records: FlowRecord[], field: string, desc: boolean): FlowRecord[] {
  const absent = (v: unknown) => v === undefined || v === null || v === '';
  return records
    .map((r, i) => ({ r, i }))
    .sort((x, y) => {
      const a = x.r[field];
      const b = y.r[field];
      if (absent(a) || absent(b)) return compareValues(a, b) || x.i - y.i;
      const c = compareValues(a, b);
      return (desc ? -c : c) || x.i - y.i;
    })
    .map((x) => x.r);
}

/** csvName: flows-20260102-1504.csv, from the range's start in local time. */
export function csvName(startSec: number): string {
  const t = formatTime(startSec * 1000);
  return `flows-${t.slice(0, 10).replace(/-/g, '')}-${t.slice(11, 16).replace(':', '')}.csv`;
}

export type FieldGroup = 'source' | 'destination' | 'common';

export function fieldGroup(field: string): FieldGroup {
  if (/^(Src|XlatSrc)/.test(field)) return 'source';
  if (/^(Dst|XlatDst)/.test(field)) return 'destination';
  return 'common';
}

