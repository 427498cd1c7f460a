// A development mock of the console API (docs/console-api.md), served by the Vite dev server
// only (`npm run dev`); it is never part of dist. Synthetic flows of a small web shop cluster.
// MOCK_MODE=host gives the single-host configuration; MOCK_AUTH=token answers 401 without
// "Authorization: Bearer token".

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';
import { parseFilters, unquote, type Match } from '../src/filters';

type Rec = Record<string, string | number | string[] | undefined>;

const EITHER: Record<string, [string, string]> = {
  address: ['SrcAddr', 'DstAddr'],
  port: ['SrcPort', 'DstPort'],
  namespace: ['SrcK8S_Namespace', 'DstK8S_Namespace'],
  name: ['SrcK8S_Name', 'DstK8S_Name'],
  kind: ['SrcK8S_Type', 'DstK8S_Type'],
  owner_name: ['SrcK8S_OwnerName', 'DstK8S_OwnerName'],
  host_name: ['SrcK8S_HostName', 'DstK8S_HostName'],
  zone: ['SrcK8S_Zone', 'DstK8S_Zone'],
  subnet_label: ['SrcSubnetLabel', 'DstSubnetLabel'],
};

const IDS: Record<string, string> = {
  src_subnet_label: 'SrcSubnetLabel',
  dst_subnet_label: 'DstSubnetLabel',
  src_address: 'SrcAddr',
  dst_address: 'DstAddr',
  src_port: 'SrcPort',
  dst_port: 'DstPort',
  src_namespace: 'SrcK8S_Namespace',
  dst_namespace: 'DstK8S_Namespace',
  src_name: 'SrcK8S_Name',
  dst_name: 'DstK8S_Name',
  src_kind: 'SrcK8S_Type',
  dst_kind: 'DstK8S_Type',
  src_owner_name: 'SrcK8S_OwnerName',
  dst_owner_name: 'DstK8S_OwnerName',
  src_host_name: 'SrcK8S_HostName',
  dst_host_name: 'DstK8S_HostName',
  src_zone: 'SrcK8S_Zone',
  dst_zone: 'DstK8S_Zone',
  protocol: 'Proto',
  flow_layer: 'K8S_FlowLayer',
  node_direction: 'FlowDirection',
  dns_flag_response_code: 'DnsFlagsResponseCode',
  pkt_drop_cause: 'PktDropLatestDropCause',
};

const SCOPES = [
  { id: 'zone', name: 'Zone', labels: ['SrcK8S_Zone', 'DstK8S_Zone'], stepInto: 'host' },
  { id: 'host', name: 'Node', labels: ['SrcK8S_HostName', 'DstK8S_HostName'], stepInto: 'resource' },
  { id: 'namespace', name: 'Namespace', labels: ['SrcK8S_Namespace', 'DstK8S_Namespace'], stepInto: 'owner' },
  {
    id: 'owner',
    name: 'Owner',
    labels: ['SrcK8S_OwnerName', 'SrcK8S_OwnerType', 'SrcK8S_Namespace', 'SrcSubnetLabel', 'DstK8S_OwnerName', 'DstK8S_OwnerType', 'DstK8S_Namespace', 'DstSubnetLabel'],
    stepInto: 'resource',
  },
  {
    id: 'resource',
    name: 'Resource',
    labels: [
      'SrcK8S_Name', 'SrcK8S_Type', 'SrcK8S_OwnerName', 'SrcK8S_OwnerType', 'SrcK8S_Namespace', 'SrcAddr', 'SrcK8S_HostName', 'SrcSubnetLabel',
      'DstK8S_Name', 'DstK8S_Type', 'DstK8S_OwnerName', 'DstK8S_OwnerType', 'DstK8S_Namespace', 'DstAddr', 'DstK8S_HostName', 'DstSubnetLabel',
    ],
  },
];

// Filters and columns as console/internal/frontend builds them (a subset of the common ones).
const ENDPOINT_FILTERS: [string, string, string, string, boolean][] = [
  ['namespace', 'Namespace', 'K8S_Namespace', 'Kubernetes namespace; quote for an exact match', true],
  ['name', 'Name', 'K8S_Name', 'pod, service or node name', true],
  ['kind', 'Kind', 'K8S_Type', 'Pod, Service or Node', true],
  ['owner_name', 'Owner name', 'K8S_OwnerName', 'Deployment, StatefulSet... name', true],
  ['address', 'IP', 'Addr', 'an address, or a CIDR like 10.0.0.0/16', false],
  ['port', 'Port', 'Port', 'a port number', false],
  ['host_name', 'Node name', 'K8S_HostName', 'the node of the pod', true],
  ['subnet_label', 'Subnet label', 'SubnetLabel', 'subnet label, EXT: for external addresses', true],
];

function filterDefs() {
  const out: Record<string, unknown>[] = [];
  for (const [cat, p, side] of [['source', 'src_', 'Src'], ['destination', 'dst_', 'Dst']]) {
    for (const [id, name, field, hint, autocomplete] of ENDPOINT_FILTERS) {
      out.push({ id: p + id, name, category: cat, field: side + field, autocomplete, hint });
    }
  }
  out.push(
    { id: 'protocol', name: 'Protocol', category: 'common', field: 'Proto', hint: '6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6' },
    { id: 'node_direction', name: 'Node direction', category: 'common', field: 'FlowDirection', hint: '0 ingress, 1 egress, 2 inner' },
    { id: 'flow_layer', name: 'Flow layer', category: 'common', field: 'K8S_FlowLayer', hint: '"app" or "infra"' },
    { id: 'pkt_drop_cause', name: 'Drop cause', category: 'common', field: 'PktDropLatestDropCause', autocomplete: true },
    { id: 'dns_flag_response_code', name: 'DNS response code', category: 'common', field: 'DnsFlagsResponseCode', autocomplete: true },
  );
  return out;
}

function columns(host: boolean) {
  const k8s = !host;
  const end = (side: string, p: string) =>
    [
      { id: p + 'Name', name: 'Name', field: p + 'K8S_Name', default: k8s },
      { id: p + 'Namespace', name: 'Namespace', field: p + 'K8S_Namespace', default: k8s },
      { id: p + 'OwnerName', name: 'Owner', field: p + 'K8S_OwnerName', default: false },
      { id: p + 'Addr', name: 'IP', field: p + 'Addr', default: host },
      { id: p + 'Port', name: 'Port', field: p + 'Port', default: true, format: 'port' },
      { id: p + 'HostName', name: 'Node', field: p + 'K8S_HostName', default: false },
      { id: p + 'SubnetLabel', name: 'Subnet label', field: p + 'SubnetLabel', default: false },
    ].map((c) => ({ ...c, group: side }));
  return [
    { id: 'EndTime', name: 'End Time', field: 'TimeFlowEndMs', default: true, format: 'time' },
    { id: 'StartTime', name: 'Start Time', field: 'TimeFlowStartMs', default: false, format: 'time' },
    ...end('Source', 'Src'),
    ...end('Destination', 'Dst'),
    { id: 'Proto', name: 'Protocol', field: 'Proto', default: true, format: 'proto' },
    { id: 'FlowDirection', name: 'Node direction', field: 'FlowDirection', default: host, format: 'direction' },
    { id: 'Flags', name: 'TCP flags', field: 'Flags', default: false, format: 'flags' },
    { id: 'Bytes', name: 'Bytes', field: 'Bytes', default: true, format: 'bytes' },
    { id: 'Packets', name: 'Packets', field: 'Packets', default: true, format: 'number' },
    { id: 'PktDropPackets', name: 'Dropped packets', field: 'PktDropPackets', default: false, format: 'number' },
    { id: 'DnsLatencyMs', name: 'DNS latency', field: 'DnsLatencyMs', default: true, format: 'ms' },
    { id: 'DnsFlagsResponseCode', name: 'DNS response code', field: 'DnsFlagsResponseCode', default: true },
    { id: 'TimeFlowRttNs', name: 'Flow RTT', field: 'TimeFlowRttNs', default: true, format: 'duration' },
  ];
}

// Synthetic cluster.
interface End {
  addr: string;
  ns?: string;
  name?: string;
  kind?: string;
  owner?: string;
  ownerKind?: string;
  node?: string;
  subnet?: string;
}
let podN = 0;
const pods = (ns: string, owner: string, kind: string, n: number): End[] =>
  Array.from({ length: n }, (_, i) => {
    podN++;
    return { addr: `10.128.0.${podN + 1}`, ns, name: kind === 'StatefulSet' ? `${owner}-${i}` : `${owner}-${(0x5f3a + podN).toString(16)}-${i}`, kind: 'Pod', owner, ownerKind: kind, node: `node-${(podN % 6) + 1}` };
  });
const web = pods('shop', 'web', 'Deployment', 3);
const cart = pods('shop', 'cart', 'Deployment', 2);
const checkout = pods('shop', 'checkout', 'Deployment', 2);
const api = pods('payments', 'payments-api', 'Deployment', 2);
const db = pods('payments', 'postgres', 'StatefulSet', 1);
const prom = pods('monitoring', 'prometheus', 'StatefulSet', 1);
const dns = pods('kube-system', 'coredns', 'Deployment', 2);
const router = pods('ingress', 'router', 'Deployment', 2);
const clients: End[] = Array.from({ length: 4 }, (_, i) => ({ addr: `203.0.113.${10 + i}`, subnet: 'EXT:203.0.113.0/24' }));
const convs: { from: End[]; to: End[]; port: number; proto: number; bytes: number; w: number; dns?: boolean; drops?: number; layer: string }[] = [
  { from: clients, to: router, port: 443, proto: 6, bytes: 40000, w: 12, layer: 'infra' },
  { from: router, to: web, port: 8080, proto: 6, bytes: 30000, w: 12, layer: 'app' },
  { from: web, to: cart, port: 8080, proto: 6, bytes: 6000, w: 8, layer: 'app' },
  { from: cart, to: checkout, port: 9000, proto: 6, bytes: 3000, w: 4, drops: 25, layer: 'app' },
  { from: checkout, to: api, port: 8443, proto: 6, bytes: 4000, w: 3, layer: 'app' },
  { from: api, to: db, port: 5432, proto: 6, bytes: 12000, w: 5, drops: 40, layer: 'app' },
  { from: [...web, ...cart, ...checkout], to: dns, port: 53, proto: 17, bytes: 180, w: 10, dns: true, layer: 'infra' },
  { from: prom, to: [...web, ...api], port: 9090, proto: 6, bytes: 25000, w: 6, layer: 'infra' },
];
const totalW = convs.reduce((a, c) => a + c.w, 0);

let seed = 42;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];

function makeFlows(n: number, endMs: number, spanMs: number): Rec[] {
  const out: Rec[] = [];
  for (let i = 0; i < n; i++) {
    let x = rnd() * totalW;
    const c = convs.find((cv) => (x -= cv.w) < 0) ?? convs[0];
    const s = pick(c.from);
    const d = pick(c.to);
    const end = endMs - spanMs + Math.floor((i / n) * spanMs);
    const bytes = Math.floor(c.bytes / 2 + rnd() * c.bytes);
    const r: Rec = {
      TimeFlowEndMs: end,
      TimeFlowStartMs: end - 1000 - Math.floor(rnd() * 4000),
      SrcAddr: s.addr,
      DstAddr: d.addr,
      SrcPort: 32768 + Math.floor(rnd() * 28000),
      DstPort: c.port,
      Proto: c.proto,
      Bytes: bytes,
      Packets: Math.floor(bytes / 1200) + 1,
      FlowDirection: s.node ? 1 : 0,
      K8S_FlowLayer: c.layer,
      Etype: 2048,
      Interfaces: ['eth0'],
    };
    const put = (e: End, p: 'Src' | 'Dst') => {
      if (e.ns) r[`${p}K8S_Namespace`] = e.ns;
      if (e.name) r[`${p}K8S_Name`] = e.name;
      if (e.kind) r[`${p}K8S_Type`] = e.kind;
      if (e.owner) r[`${p}K8S_OwnerName`] = e.owner;
      if (e.ownerKind) r[`${p}K8S_OwnerType`] = e.ownerKind;
      if (e.node) r[`${p}K8S_HostName`] = e.node;
      if (e.subnet) r[`${p}SubnetLabel`] = e.subnet;
    };
    put(s, 'Src');
    put(d, 'Dst');
    if (c.proto === 6) {
      r.Flags = ['SYN', 'ACK'];
      r.TimeFlowRttNs = Math.floor(100000 + rnd() * 900000);
    }
    if (c.dns) {
      r.DnsLatencyMs = Math.round((0.2 + rnd() * 4) * 100) / 100;
      r.DnsFlagsResponseCode = rnd() < 0.1 ? 'NXDomain' : 'NoError';
      r.DnsName = 'cart.shop.svc.cluster.local';
    }
    if (c.drops && rnd() * c.drops < 1) {
      r.PktDropPackets = 1 + Math.floor(rnd() * 3);
      r.PktDropBytes = 100 + Math.floor(rnd() * 1400);
      r.PktDropLatestDropCause = 'SKB_DROP_REASON_TCP_INVALID_SEQUENCE';
    }
    out.push(r);
  }
  return out;
}

const START = Date.now();
const FLOWS = makeFlows(20000, START, 30 * 60 * 1000);

function fieldsOf(key: string): string[] | null {
  if (EITHER[key]) return EITHER[key];
  if (IDS[key]) return [IDS[key]];
  if (/^[A-Z_]/.test(key)) return [key];
  return null;
}

function matchOne(m: Match, field: string, r: Rec): boolean {
  const v = r[field];
  const text = v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
  const hit = (raw: string) => {
    const exact = raw.startsWith('"');
    const want = unquote(raw);
    switch (m.op) {
      case '~':
      case '!~':
        return new RegExp(want).test(text);
      case '>=':
        return Number(text) >= Number(want);
    }
    if (exact) return text === want;
    return text.toLowerCase().includes(want.toLowerCase());
  };
  const any = m.values.some(hit);
  return m.op === '!=' || m.op === '!~' ? !any : any;
}

function compile(filters: string): (r: Rec) => boolean {
  const groups = parseFilters(filters);
  for (const g of groups) for (const m of g) if (!fieldsOf(m.key)) throw new Error(`filters: unknown field "${m.key}" (use a NetObserv field like SrcK8S_Namespace, or a filter id like src_namespace)`);
  if (!groups.length) return () => true;
  return (r) => groups.some((g) => g.every((m) => fieldsOf(m.key)!.some((f) => matchOne(m, f, r))));
}

class BadRequest extends Error {}

function window(q: URLSearchParams): [number, number] {
  const now = Math.floor(Date.now() / 1000);
  if (q.get('startTime') && q.get('endTime')) return [Number(q.get('startTime')), Number(q.get('endTime'))];
  return [now - Number(q.get('timeRange') ?? 300), now];
}

function select(q: URLSearchParams): Rec[] {
  const [s, e] = window(q);
  let pred: (r: Rec) => boolean;
  try {
    pred = compile(q.get('filters') ?? '');
  } catch (err) {
    throw new BadRequest((err as Error).message);
  }
  return FLOWS.filter((r) => (r.TimeFlowEndMs as number) >= s * 1000 && (r.TimeFlowEndMs as number) <= e * 1000 && pred(r));
}

const SCOPE_FIELDS = Object.fromEntries(SCOPES.map((s) => [s.id, s.labels]));

function metrics(q: URLSearchParams) {
  const type = q.get('type') ?? 'Bytes';
  const fn = q.get('function') ?? 'rate';
  const scope = q.get('aggregateBy') ?? 'namespace';
  if (!SCOPE_FIELDS[scope]) throw new BadRequest(`aggregateBy: "${scope}" is not valid, must be one of ${Object.keys(SCOPE_FIELDS).join(', ')}`);
  const [s, e] = window(q);
  const step = Number(q.get('step') ?? Math.max(15, (e - s) / 60));
  const limit = Number(q.get('limit') ?? 5);
  const valueOf = (r: Rec): number | undefined => {
    switch (type) {
      case 'Flows':
        return 1;
      case 'DnsFlows':
        return r.DnsLatencyMs === undefined ? undefined : 1;
      case 'TimeFlowRttNs':
        return r.TimeFlowRttNs === undefined ? undefined : (r.TimeFlowRttNs as number) / 1e6;
      default:
        return r[type] as number | undefined;
    }
  };
  const recs = select(q);
  const group = (fields: string[]) => {
    const by = new Map<string, { labels: Record<string, string>; buckets: Map<number, number[]> }>();
    for (const r of recs) {
      const v = valueOf(r);
      if (v === undefined || (type.startsWith('PktDrop') && !v)) continue;
      const labels = Object.fromEntries(fields.map((f) => [f, String(r[f] ?? '')]));
      const k = JSON.stringify(labels);
      let g = by.get(k);
      if (!g) by.set(k, (g = { labels, buckets: new Map() }));
      const t = Math.floor((r.TimeFlowEndMs as number) / 1000 / step) * step;
      const b = g.buckets.get(t) ?? [];
      b.push(v);
      g.buckets.set(t, b);
    }
    return [...by.values()].map((g) => {
      const agg = (vs: number[]) => {
        const sorted = [...vs].sort((a, b) => a - b);
        switch (fn) {
          case 'rate':
            return vs.reduce((a, b) => a + b, 0) / step;
          case 'sum':
            return vs.reduce((a, b) => a + b, 0);
          case 'avg':
            return vs.reduce((a, b) => a + b, 0) / vs.length;
          case 'max':
            return sorted[sorted.length - 1];
          case 'min':
            return sorted[0];
          case 'p90':
            return sorted[Math.ceil(0.9 * sorted.length) - 1];
          default:
            return sorted[Math.ceil(0.99 * sorted.length) - 1];
        }
      };
      const values = [...g.buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, vs]) => [t, agg(vs)] as [number, number]);
      const all = [...g.buckets.values()].flat();
      const total = fn === 'rate' ? all.reduce((a, b) => a + b, 0) / (e - s) : agg(all);
      return { labels: g.labels, values, total };
    });
  };
  const series = group(SCOPE_FIELDS[scope]).sort((a, b) => b.total - a.total).slice(0, limit);
  const total = group([])[0] ?? { labels: {}, values: [], total: 0 };
  return { metrics: series, total, stats: { dataSource: 'mock', durationMs: 1 } };
}

function csv(q: URLSearchParams): string {
  const recs = select(q).slice(0, Number(q.get('limit') ?? 100));
  const cols = q.get('columns')?.split(',') ?? [...new Set(recs.flatMap((r) => Object.keys(r)))].sort();
  const cell = (v: unknown) => {
    const s = v === undefined ? '' : Array.isArray(v) ? v.join(';') : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...recs.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function handle(req: IncomingMessage, res: ServerResponse): boolean {
  const u = new URL(req.url ?? '/', 'http://localhost');
  const path = u.pathname;
  if (!path.startsWith('/api/') && path !== '/role') return false;
  const host = process.env.MOCK_MODE === 'host';
  if (process.env.MOCK_AUTH && req.headers.authorization !== `Bearer ${process.env.MOCK_AUTH}`) {
    send(res, 401, { error: 'no or invalid token: send Authorization: Bearer <token>' });
    return true;
  }
  const q = u.searchParams;
  try {
    switch (path) {
      case '/role':
        return send(res, 200, { role: 'admin', user: process.env.MOCK_AUTH ? 'developer' : '' }), true;
      case '/api/status':
        return send(res, 200, { version: 'mock', backends: [{ name: 'mock', ready: true, error: '', flows: FLOWS.length, oldestMs: FLOWS[0].TimeFlowEndMs, newestMs: START }] }), true;
      case '/api/frontend-config':
        return (
          send(res, 200, {
            mode: host ? 'host' : 'cluster',
            defaultScope: host ? 'resource' : 'namespace',
            scopes: host ? SCOPES.filter((s) => s.id === 'resource').map(({ stepInto: _, ...sc }) => sc) : SCOPES,
            quickFilters: host
              ? [
                  { name: 'TCP', filter: { protocol: '6' } },
                  { name: 'UDP', filter: { protocol: '17' } },
                  { name: 'DNS', filter: { port: '53' } },
                ]
              : [
                  { name: 'Applications', filter: { flow_layer: '"app"' }, default: true },
                  { name: 'Infrastructure', filter: { flow_layer: '"infra"' } },
                  { name: 'Pods network', filter: { src_kind: '"Pod"', dst_kind: '"Pod"' }, default: true },
                  { name: 'External ingress', filter: { src_subnet_label: '"",EXT:' } },
                ],
            filters: filterDefs(),
            columns: columns(host),
            features: ['pktDrop', 'dnsTracking', 'flowRTT'],
            portNaming: { enable: true, portNames: { '3100': 'loki' } },
            recordsLimits: [50, 100, 500, 1000],
            topOptions: [5, 10, 15],
            backends: { records: true, metrics: true },
          }),
          true
        );
      case '/api/flow/records': {
        const limit = Number(q.get('limit') ?? 100);
        if (!(limit >= 1 && limit <= 10000)) throw new BadRequest('limit: must be between 1 and 10000');
        const recs = select(q).reverse();
        return send(res, 200, { records: recs.slice(0, limit), stats: { dataSource: 'mock', limitReached: recs.length > limit, durationMs: 2 } }), true;
      }
      case '/api/flow/export':
        return send(res, 200, csv(q), 'text/csv; charset=utf-8'), true;
      case '/api/flow/metrics':
        return send(res, 200, metrics(q)), true;
      case '/api/resources/values': {
        const key = q.get('field') ?? '';
        const fields = fieldsOf(key);
        if (!fields) throw new BadRequest(`field: unknown field "${key}"`);
        const prefix = (q.get('prefix') ?? '').toLowerCase();
        const vals = new Set<string>();
        for (const r of FLOWS) for (const f of fields) if (r[f] !== undefined && String(r[f]).toLowerCase().startsWith(prefix)) vals.add(String(r[f]));
        return send(res, 200, { values: [...vals].sort().slice(0, Number(q.get('limit') ?? 50)) }), true;
      }
    }
    send(res, 404, { error: `no route ${path}` });
  } catch (err) {
    send(res, err instanceof BadRequest ? 400 : 500, { error: (err as Error).message });
  }
  return true;
}

/** mockApi serves the mock on the dev server unless FLOWLENS_API proxies to a real console. */
export function mockApi(): Plugin {
  return {
    name: 'flowlens-mock-api',
    apply: 'serve',
    configureServer(server) {
      if (process.env.FLOWLENS_API) return;
      server.middlewares.use((req, res, next) => {
        if (!handle(req, res)) next();
      });
    },
  };
}
