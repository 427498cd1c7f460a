// Ends of metric series: a series' labels hold the scope's fields of both ends (SrcK8S_Namespace,
// DstK8S_Namespace...). These helpers split them per end, name an end and filter on it.

import { quote, type Match } from './filters';
import type { Scope, Series } from './types';

export type Side = 'Src' | 'Dst';

/** base strips the side prefix: SrcK8S_Namespace -> K8S_Namespace; fields without side stay. */
export function base(field: string): string {
  return /^(Src|Dst)/.test(field) ? field.slice(3) : field;
}

function sideOf(field: string): Side | null {
  if (field.startsWith('Src')) return 'Src';
  if (field.startsWith('Dst')) return 'Dst';
  return null;
}

/** sideFields: the scope's fields of one end, as base name -> NetObserv field. */
export function sideFields(scope: Scope, side: Side): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of scope.labels) {
    const s = sideOf(f);
    if (s === null || s === side) out[base(f)] = f;
  }
  return out;
}

/** An end of a series: the values of its scope fields, keyed by base name. */
export type End = Record<string, string>;

export function endOf(scope: Scope, labels: Record<string, string>, side: Side): End {
  const out: End = {};
  for (const [b, f] of Object.entries(sideFields(scope, side))) out[b] = labels[f] ?? '';
  return out;
}

/** endKey identifies an end (every field of the scope, so same names in two namespaces differ). */
export function endKey(end: End): string {
  return Object.keys(end)
    .sort()
    .map((k) => `${k}=${end[k]}`)
    .join('\u0001');
}

/** The field that names an end at each scope; the first non-empty one wins. */
const NAME_FIELDS: Record<string, string[]> = {
  cluster: ['K8S_ClusterName'],
  zone: ['K8S_Zone'],
  host: ['K8S_HostName'],
  namespace: ['K8S_Namespace'],
  owner: ['K8S_OwnerName', 'SubnetLabel'],
  resource: ['K8S_Name', 'Addr'],
};

/** endName is a node's label: a namespace name, an owner, a resource name or its address. */
export function endName(scope: Scope, end: End): string {
  const fields = NAME_FIELDS[scope.id] ?? Object.keys(end);
  for (const f of fields) if (end[f]) return end[f];
  for (const f of ['K8S_Name', 'K8S_OwnerName', 'SubnetLabel', 'Addr', 'K8S_HostName', 'K8S_Namespace']) {
    if (end[f]) return end[f];
  }
  return `(no ${scope.name.toLowerCase()})`;
}

/** isUnknown: no field of the end has a value (traffic from outside the scope's world). */
export function isUnknown(end: End): boolean {
  return Object.values(end).every((v) => !v);
}

/** endSubtitle: a second line for owners and resources (namespace, kind). */
export function endSubtitle(scope: Scope, end: End): string {
  const parts: string[] = [];
  if ((scope.id === 'owner' || scope.id === 'resource') && end.K8S_Namespace) parts.push(end.K8S_Namespace);
  if (scope.id === 'resource' && end.K8S_Type) parts.push(end.K8S_Type);
  if (scope.id === 'owner' && end.K8S_OwnerType) parts.push(end.K8S_OwnerType);
  if (scope.id === 'resource' && end.K8S_Name && end.Addr) parts.push(end.Addr);
  return parts.join(' · ');
}

export function seriesLabel(scope: Scope, s: Series): string {
  const src = endName(scope, endOf(scope, s.labels, 'Src'));
  if (!scope.labels.some((f) => sideOf(f) !== null)) return src;
  const dst = endName(scope, endOf(scope, s.labels, 'Dst'));
  return `${src} → ${dst}`;
}

/** Field names of one end as NetObserv fields (K8S_Namespace on Src -> SrcK8S_Namespace). */
export function sideField(b: string, side: Side): string {
  return b === 'K8S_ClusterName' ? b : side + b;
}

/** endMatches: exact filters that select one end as the given side of a flow. */
export function endMatches(end: End, side: Side): Match[] {
  return Object.keys(end)
    .sort()
    .map((b) => ({ key: sideField(b, side), op: '=' as const, values: [quote(end[b])] }));
}

/** Either-end filter ids (NetObserv's endpoint filters) of the fields that name a node. */
const EITHER_END_IDS: Record<string, string> = {
  K8S_Namespace: 'namespace',
  K8S_OwnerName: 'owner_name',
  K8S_Name: 'name',
  K8S_HostName: 'host_name',
  K8S_Zone: 'zone',
  Addr: 'address',
  SubnetLabel: 'subnet_label',
  K8S_ClusterName: 'cluster_name',
};

/**
 * stepIntoMatches: the filters a drill-down adds for a node, on either end: the field that names
 * it, plus its namespace for owners and resources.
 */
export function stepIntoMatches(scope: Scope, end: End): Match[] {
  const out: Match[] = [];
  const fields = NAME_FIELDS[scope.id] ?? [];
  const named = fields.find((f) => end[f]);
  if (!named) return out;
  if ((scope.id === 'owner' || scope.id === 'resource') && end.K8S_Namespace) {
    out.push({ key: 'namespace', op: '=', values: [quote(end.K8S_Namespace)] });
  }
  out.push({ key: EITHER_END_IDS[named] ?? named, op: '=', values: [quote(end[named])] });
  return out;
}

/** Fields a topology may group nodes by, when the scope's ends carry them. */
export const GROUP_FIELDS: { field: string; name: string }[] = [
  { field: 'K8S_ClusterName', name: 'Cluster' },
  { field: 'K8S_Zone', name: 'Zone' },
  { field: 'K8S_HostName', name: 'Node' },
  { field: 'K8S_Namespace', name: 'Namespace' },
  { field: 'K8S_OwnerName', name: 'Owner' },
];

export function groupOptions(scope: Scope): { field: string; name: string }[] {
  const fields = Object.keys(sideFields(scope, 'Src'));
  const own = NAME_FIELDS[scope.id]?.[0];
  return GROUP_FIELDS.filter((g) => fields.includes(g.field) && g.field !== own);
}
