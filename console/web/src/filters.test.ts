import { describe, expect, it } from 'vitest';
import {
  andFilters,
  buildFilters,
  chipsFromURL,
  chipsToURL,
  mergeGroup,
  parseFilters,
  parseMatch,
  quickFilterMatches,
  splitOutside,
  valuesFromInput,
  withEitherEnd,
  type Match,
} from './filters';
import type { FilterDef } from './types';

const m = (key: string, op: Match['op'], ...values: string[]): Match => ({ key, op, values });

describe('parseMatch', () => {
  it('reads each operator, the longest at a position', () => {
    expect(parseMatch('a=1')).toEqual(m('a', '=', '1'));
    expect(parseMatch('a!=1')).toEqual(m('a', '!=', '1'));
    expect(parseMatch('a~x.*')).toEqual(m('a', '~', 'x.*'));
    expect(parseMatch('a!~x')).toEqual(m('a', '!~', 'x'));
    expect(parseMatch('a>=10')).toEqual(m('a', '>=', '10'));
  });
  it('splits values on commas outside quotes', () => {
    expect(parseMatch('ns="a,b",c')).toEqual(m('ns', '=', '"a,b"', 'c'));
  });
  it('keeps a regular expression whole', () => {
    expect(parseMatch('name~a,b')).toEqual(m('name', '~', 'a,b'));
  });
  it('ignores operators inside quotes', () => {
    expect(parseMatch('k="x=y"')).toEqual(m('k', '=', '"x=y"'));
  });
  it('refuses text without key or operator', () => {
    expect(parseMatch('nothing')).toBeNull();
    expect(parseMatch('=v')).toBeNull();
  });
});

describe('parseFilters', () => {
  it('reads groups and filters', () => {
    expect(parseFilters('a=1&b!=2|c~x')).toEqual([[m('a', '=', '1'), m('b', '!=', '2')], [m('c', '~', 'x')]]);
  });
  it('keeps separators inside quotes', () => {
    expect(parseFilters('a="x|y&z"')).toEqual([[m('a', '=', '"x|y&z"')]]);
    expect(splitOutside('a="x\\"|y"|b', '|')).toEqual(['a="x\\"|y"', 'b']);
  });
  it('returns nothing for an empty string', () => {
    expect(parseFilters('  ')).toEqual([]);
  });
});

describe('buildFilters', () => {
  const ns = m('namespace', '=', '"payments"');
  const port = m('dst_port', '=', '5432');
  it('match all: one group, same-key equals merged', () => {
    expect(buildFilters([ns, port], 'all')).toBe('namespace="payments"&dst_port=5432');
    expect(buildFilters([ns, m('namespace', '=', '"shop"')], 'all')).toBe('namespace="payments","shop"');
  });
  it('match any: a group per chip', () => {
    expect(buildFilters([ns, port], 'any')).toBe('namespace="payments"|dst_port=5432');
  });
  it('adds quick filter matches to every group', () => {
    const q = quickFilterMatches({ name: 'Applications', filter: { flow_layer: '"app"' } });
    expect(buildFilters([ns, port], 'any', q)).toBe('namespace="payments"&flow_layer="app"|dst_port=5432&flow_layer="app"');
    expect(buildFilters([], 'all', q)).toBe('flow_layer="app"');
    expect(buildFilters([], 'all')).toBe('');
  });
  it('does not merge not-equal filters into an any-of', () => {
    expect(mergeGroup([m('a', '!=', '1'), m('a', '!=', '2')])).toEqual([m('a', '!=', '1'), m('a', '!=', '2')]);
  });
});

describe('quickFilterMatches', () => {
  it('reads a key ending in ! as not equal, and value lists', () => {
    expect(quickFilterMatches({ name: 'x', filter: { 'src_address!': '127.0.0.0/8', src_subnet_label: '"",EXT:' } })).toEqual([
      m('src_address', '!=', '127.0.0.0/8'),
      m('src_subnet_label', '=', '""', 'EXT:'),
    ]);
  });
});

describe('andFilters', () => {
  it('adds matches to each group, or makes one group', () => {
    const extra = [m('DstK8S_Namespace', '=', '"shop"')];
    expect(andFilters('a=1|b=2', extra)).toBe('a=1&DstK8S_Namespace="shop"|b=2&DstK8S_Namespace="shop"');
    expect(andFilters('', extra)).toBe('DstK8S_Namespace="shop"');
  });
});

describe('valuesFromInput', () => {
  it('splits typed values on commas for equality', () => {
    expect(valuesFromInput('shop, payments', '=')).toEqual(['shop', 'payments']);
  });
  it('keeps quoted text and regular expressions whole', () => {
    expect(valuesFromInput('"a,b"', '=')).toEqual(['"a,b"']);
    expect(valuesFromInput('a|b', '~')).toEqual(['"a|b"']);
    expect(valuesFromInput('^web-', '~')).toEqual(['^web-']);
  });
  it('quotes a value holding a separator', () => {
    expect(valuesFromInput('x&y', '!=')).toEqual(['"x&y"']);
    expect(valuesFromInput('   ', '=')).toEqual([]);
  });
});

describe('chips in the URL', () => {
  it('round-trips', () => {
    const chips = [m('namespace', '=', '"pay&ments"'), m('dst_port', '>=', '1024'), m('name', '~', 'a|b')];
    const s = chipsToURL([chips[0], chips[1]]);
    expect(chipsFromURL(s)).toEqual([chips[0], chips[1]]);
    expect(chipsFromURL('')).toEqual([]);
  });
});

describe('withEitherEnd', () => {
  it('adds either-end filters for src/dst pairs only', () => {
    const defs: FilterDef[] = [
      { id: 'src_namespace', name: 'Namespace', category: 'source', field: 'SrcK8S_Namespace', autocomplete: true },
      { id: 'dst_namespace', name: 'Namespace', category: 'destination', field: 'DstK8S_Namespace' },
      { id: 'src_only', name: 'Only', category: 'source' },
      { id: 'protocol', name: 'Protocol', category: 'common', field: 'Proto' },
    ];
    const out = withEitherEnd(defs);
    expect(out[0]).toEqual({ id: 'namespace', name: 'Namespace', category: 'either', autocomplete: true, hint: undefined });
    expect(out.filter((f) => f.category === 'either')).toHaveLength(1);
    expect(withEitherEnd([...defs, { id: 'namespace', name: 'NS', category: 'common' }]).filter((f) => f.id === 'namespace')).toHaveLength(1);
  });
});
