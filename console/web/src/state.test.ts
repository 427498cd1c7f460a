import { describe, expect, it } from 'vitest';
import { DEFAULT_STATE, stateFromQuery, stateToQuery, stepFor, windowOf } from './state';
import { alignValues, timeAxis } from './components/TimeChart';
import { compareValues, csvName, fieldGroup, sortRecords, visibleColumns } from './table';

describe('URL state', () => {
  it('round-trips every field', () => {
    const s = {
      ...DEFAULT_STATE,
      view: 'topology' as const,
      filters: [{ key: 'namespace', op: '=' as const, values: ['"shop"'] }],
      match: 'any' as const,
      quick: [],
      range: 0,
      start: 1000,
      end: 2000,
      refresh: 30,
      scope: 'owner',
      top: 10,
      metric: 'rtt',
      edges: 25,
      group: 'K8S_Namespace',
      layout: 'grid',
      limit: 500,
      cols: ['EndTime', 'Bytes'],
      sort: 'Bytes',
      desc: false,
    };
    expect(stateFromQuery('?' + stateToQuery(s))).toEqual(s);
  });
  it('keeps links short and reads defaults', () => {
    expect(stateToQuery(DEFAULT_STATE)).toBe('view=overview');
    expect(stateFromQuery('')).toEqual(DEFAULT_STATE);
    expect(stateFromQuery('?view=nope&timeRange=x').view).toBe('overview');
  });
  it('tells quick filters off from defaults', () => {
    expect(stateFromQuery('?quick=').quick).toEqual([]);
    expect(stateFromQuery('?quick=A,B').quick).toEqual(['A', 'B']);
    expect(stateFromQuery('?view=table').quick).toBeNull();
  });
});

describe('time', () => {
  it('computes windows and steps', () => {
    expect(windowOf({ ...DEFAULT_STATE, range: 300 }, 1_000_000_000)).toEqual({ start: 999_700, end: 1_000_000 });
    expect(windowOf({ ...DEFAULT_STATE, range: 0, start: 5, end: 9 }, 0)).toEqual({ start: 5, end: 9 });
    expect(stepFor({ start: 0, end: 300 })).toBe(15);
    expect(stepFor({ start: 0, end: 3600 })).toBe(60);
    expect(stepFor({ start: 0, end: 604800 })).toBe(10800);
  });
  it('aligns series on the axis', () => {
    const axis = timeAxis(100, 160, 30);
    expect(axis).toEqual([90, 120, 150]);
    expect(alignValues(axis, [[120, 5]], 0)).toEqual([0, 5, 0]);
    expect(alignValues(axis, [[152, 7]], null)).toEqual([null, null, 7]);
  });
});

describe('table', () => {
  it('sorts numbers and text, absent values last', () => {
    const recs = [{ B: 5 }, { B: 100 }, {}, { B: 20 }];
    expect(sortRecords(recs, 'B', true).map((r) => r.B)).toEqual([100, 20, 5, undefined]);
    expect(sortRecords(recs, 'B', false).map((r) => r.B)).toEqual([5, 20, 100, undefined]);
    expect(compareValues('node-10', 'node-9')).toBeGreaterThan(0);
  });
  it('shows default columns unless chosen', () => {
    const config = { columns: [{ id: 'A', name: 'A', field: 'a', default: true }, { id: 'B', name: 'B', field: 'b' }] } as never;
    expect(visibleColumns(config, null).map((c) => c.id)).toEqual(['A']);
    expect(visibleColumns(config, ['B']).map((c) => c.id)).toEqual(['B']);
  });
  it('groups detail fields by end', () => {
    expect(fieldGroup('SrcAddr')).toBe('source');
    expect(fieldGroup('XlatDstPort')).toBe('destination');
    expect(fieldGroup('Bytes')).toBe('common');
    expect(csvName(new Date(2026, 0, 2, 15, 4).getTime() / 1000)).toBe('flows-20260102-1504.csv');
  });
});
