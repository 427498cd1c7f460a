// The topology graph built from metric series: each series is an edge between two ends.

import { endKey, endName, endOf, endSubtitle, isUnknown, type End } from './scopes';
import type { Scope, Series } from './types';

export interface TopoMetric {
  id: string;
  name: string;
  type: string;
  fn: string;
  feature?: string;
}

export const TOPO_METRICS: TopoMetric[] = [
  { id: 'bytes', name: 'Bytes rate', type: 'Bytes', fn: 'rate' },
  { id: 'packets', name: 'Packets rate', type: 'Packets', fn: 'rate' },
  { id: 'drops', name: 'Dropped packets rate', type: 'PktDropPackets', fn: 'rate', feature: 'pktDrop' },
  { id: 'rtt', name: 'RTT (avg)', type: 'TimeFlowRttNs', fn: 'avg', feature: 'flowRTT' },
  { id: 'rtt_p99', name: 'RTT (p99)', type: 'TimeFlowRttNs', fn: 'p99', feature: 'flowRTT' },
  { id: 'dns', name: 'DNS latency (avg)', type: 'DnsLatencyMs', fn: 'avg', feature: 'dnsTracking' },
  { id: 'dns_p99', name: 'DNS latency (p99)', type: 'DnsLatencyMs', fn: 'p99', feature: 'dnsTracking' },
];

export interface TopoNode {
  id: string;
  end: End;
  name: string;
  subtitle: string;
  unknown: boolean;
  kind: string;
  parent?: string;
  /** Sum of the edge values into and out of the node (counters only make sense summed). */
  in: number;
  out: number;
}

export interface TopoGroup {
  id: string;
  name: string;
}

export interface TopoEdge {
  id: string;
  source: string;
  target: string;
  series: Series;
  value: number;
}

export interface TopoModel {
  nodes: TopoNode[];
  edges: TopoEdge[];
  groups: TopoGroup[];
  maxValue: number;
}

function kindOf(scope: Scope, end: End): string {
  if (isUnknown(end)) return 'unknown';
  if (scope.id === 'resource') {
    if (end.K8S_Type) return end.K8S_Type.toLowerCase();
    return 'external';
  }
  if (scope.id === 'owner' && !end.K8S_OwnerName) return 'external';
  if (scope.id === 'owner' && end.K8S_OwnerType === 'Service') return 'service';
  return scope.id;
}

/** buildModel turns series into nodes (one per distinct end) and edges; groupField adds parents. */
export function buildModel(scope: Scope, series: Series[], groupField: string): TopoModel {
  const nodes = new Map<string, TopoNode>();
  const groups = new Map<string, TopoGroup>();
  const edges: TopoEdge[] = [];
  const nodeFor = (end: End): TopoNode => {
    const key = endKey(end);
    let n = nodes.get(key);
    if (!n) {
      n = {
        id: `n:${key}`,
        end,
        name: endName(scope, end),
        subtitle: endSubtitle(scope, end),
        unknown: isUnknown(end),
        kind: kindOf(scope, end),
        in: 0,
        out: 0,
      };
      const g = groupField ? end[groupField] : '';
      if (g) {
        let grp = groups.get(g);
        if (!grp) {
          grp = { id: `g:${g}`, name: g };
          groups.set(g, grp);
        }
        n.parent = grp.id;
      }
      nodes.set(key, n);
    }
    return n;
  };
  let maxValue = 0;
  series.forEach((s, i) => {
    const src = nodeFor(endOf(scope, s.labels, 'Src'));
    const dst = nodeFor(endOf(scope, s.labels, 'Dst'));
    const value = Number.isFinite(s.total) ? s.total : 0;
    src.out += value;
    dst.in += value;
    maxValue = Math.max(maxValue, value);
    let id = `e:${src.id}>${dst.id}`;
    if (edges.some((e) => e.id === id)) id += `:${i}`;
    edges.push({ id, source: src.id, target: dst.id, series: s, value });
  });
  // Same names at one scope (the Deployment cart and the Service cart): add the kind.
  const all = [...nodes.values()];
  const count = new Map<string, number>();
  for (const n of all) count.set(n.name, (count.get(n.name) ?? 0) + 1);
  for (const n of all) {
    const kind = n.end.K8S_OwnerType || n.end.K8S_Type;
    if ((count.get(n.name) ?? 0) > 1 && kind) n.name = `${n.name} (${kind})`;
  }
  return { nodes: all, edges, groups: [...groups.values()], maxValue };
}

/** edgeWidth: 1 to 9 px, by the square root of the value's share of the largest edge. */
export function edgeWidth(value: number, max: number): number {
  if (!(max > 0) || !(value > 0)) return 1;
  return 1 + 8 * Math.sqrt(value / max);
}
