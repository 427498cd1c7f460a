import { describe, expect, it } from 'vitest';
import { endKey, endMatches, endName, endOf, groupOptions, seriesLabel, stepIntoMatches } from './scopes';
import { buildModel, edgeWidth } from './topology';
import type { Scope } from './types';

const namespace: Scope = { id: 'namespace', name: 'Namespace', labels: ['SrcK8S_Namespace', 'DstK8S_Namespace'], stepInto: 'owner' };
const owner: Scope = {
  id: 'owner',
  name: 'Owner',
  labels: ['SrcK8S_OwnerName', 'SrcK8S_OwnerType', 'SrcK8S_Namespace', 'SrcSubnetLabel', 'DstK8S_OwnerName', 'DstK8S_OwnerType', 'DstK8S_Namespace', 'DstSubnetLabel'],
  stepInto: 'resource',
};
const resource: Scope = {
  id: 'resource',
  name: 'Resource',
  labels: ['SrcK8S_Name', 'SrcK8S_Type', 'SrcK8S_Namespace', 'SrcAddr', 'SrcK8S_HostName', 'DstK8S_Name', 'DstK8S_Type', 'DstK8S_Namespace', 'DstAddr', 'DstK8S_HostName'],
};
const cluster: Scope = { id: 'cluster', name: 'Cluster', labels: ['K8S_ClusterName'], stepInto: 'zone' };

describe('ends of a series', () => {
  it('splits labels per end and names them', () => {
    const labels = { SrcK8S_Namespace: 'shop', DstK8S_Namespace: 'payments' };
    expect(endOf(namespace, labels, 'Src')).toEqual({ K8S_Namespace: 'shop' });
    expect(seriesLabel(namespace, { labels, values: [], total: 0 })).toBe('shop → payments');
    expect(endName(namespace, { K8S_Namespace: '' })).toBe('(no namespace)');
  });
  it('names owners, external subnets and resources by address', () => {
    expect(endName(owner, { K8S_OwnerName: '', K8S_OwnerType: '', K8S_Namespace: '', SubnetLabel: 'EXT:203.0.113.0/24' })).toBe('EXT:203.0.113.0/24');
    expect(endName(resource, { K8S_Name: '', K8S_Type: '', K8S_Namespace: '', Addr: '203.0.113.10', K8S_HostName: '' })).toBe('203.0.113.10');
  });
  it('labels a scope without sides by its one end', () => {
    expect(seriesLabel(cluster, { labels: { K8S_ClusterName: 'prod' }, values: [], total: 0 })).toBe('prod');
    expect(endMatches({ K8S_ClusterName: 'prod' }, 'Dst')).toEqual([{ key: 'K8S_ClusterName', op: '=', values: ['"prod"'] }]);
  });
  it('filters one end exactly, empty fields included', () => {
    expect(endMatches({ K8S_Namespace: 'shop', K8S_OwnerName: '' }, 'Src')).toEqual([
      { key: 'SrcK8S_Namespace', op: '=', values: ['"shop"'] },
      { key: 'SrcK8S_OwnerName', op: '=', values: ['""'] },
    ]);
  });
  it('steps into a node with either-end filters', () => {
    expect(stepIntoMatches(namespace, { K8S_Namespace: 'shop' })).toEqual([{ key: 'namespace', op: '=', values: ['"shop"'] }]);
    expect(stepIntoMatches(owner, { K8S_OwnerName: 'web', K8S_OwnerType: 'Deployment', K8S_Namespace: 'shop', SubnetLabel: '' })).toEqual([
      { key: 'namespace', op: '=', values: ['"shop"'] },
      { key: 'owner_name', op: '=', values: ['"web"'] },
    ]);
    expect(stepIntoMatches(namespace, { K8S_Namespace: '' })).toEqual([]);
  });
  it('offers grouping by the fields the scope carries', () => {
    expect(groupOptions(namespace)).toEqual([]);
    expect(groupOptions(owner).map((g) => g.field)).toEqual(['K8S_Namespace']);
    expect(groupOptions(resource).map((g) => g.field)).toEqual(['K8S_HostName', 'K8S_Namespace']);
  });
});

describe('topology model', () => {
  const s = (src: string, dst: string, total: number) => ({ labels: { SrcK8S_Namespace: src, DstK8S_Namespace: dst }, values: [], total });
  it('makes one node per end and one edge per series', () => {
    const m = buildModel(namespace, [s('shop', 'payments', 10), s('payments', 'shop', 4), s('', 'ingress', 20)], '');
    expect(m.nodes.map((n) => n.name).sort()).toEqual(['(no namespace)', 'ingress', 'payments', 'shop']);
    expect(m.edges).toHaveLength(3);
    expect(m.maxValue).toBe(20);
    const shop = m.nodes.find((n) => n.name === 'shop')!;
    expect([shop.in, shop.out]).toEqual([4, 10]);
    expect(m.nodes.find((n) => n.name === '(no namespace)')!.unknown).toBe(true);
    // Ids are stable across refreshes.
    expect(buildModel(namespace, [s('payments', 'shop', 1)], '').nodes.map((n) => n.id).sort()).toEqual(
      m.nodes.filter((n) => n.name === 'payments' || n.name === 'shop').map((n) => n.id).sort(),
    );
  });
  it('groups nodes into parents', () => {
    const labels = (o: string, ns: string) => ({ K8S_OwnerName: o, K8S_OwnerType: 'Deployment', K8S_Namespace: ns, SubnetLabel: '' });
    const series = [
      {
        labels: Object.fromEntries([
          ...Object.entries(labels('web', 'shop')).map(([k, v]) => ['Src' + k, v]),
          ...Object.entries(labels('payments-api', 'payments')).map(([k, v]) => ['Dst' + k, v]),
        ]),
        values: [],
        total: 1,
      },
    ];
    const m = buildModel(owner, series, 'K8S_Namespace');
    expect(m.groups.map((g) => g.name).sort()).toEqual(['payments', 'shop']);
    expect(m.nodes.every((n) => n.parent)).toBe(true);
    expect(endKey(m.nodes[0].end)).toContain('K8S_OwnerName=web');
  });
  it('scales edge widths', () => {
    expect(edgeWidth(0, 10)).toBe(1);
    expect(edgeWidth(10, 10)).toBe(9);
    expect(edgeWidth(2.5, 10)).toBe(5);
  });
});
