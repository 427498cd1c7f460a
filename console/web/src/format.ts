// Formatting of flow fields and metric values.

import type { ColumnDef, PortNaming } from './types';

const SI = ['', 'k', 'M', 'G', 'T', 'P'];

function sig3(n: number): string {
  const a = Math.abs(n);
  if (a >= 100 || Number.isInteger(n)) return (Math.round(n * 10) / 10).toString().replace(/\.0$/, '');
  if (a >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** formatSI: 1234 -> "1.23 k", for bytes, packets and flows. */
export function formatSI(n: number, unit: string): string {
  if (!Number.isFinite(n)) return '—';
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < SI.length - 1) {
    v /= 1000;
    i++;
  }
  const num = i === 0 && Number.isInteger(v) ? String(v) : sig3(v);
  if (!unit) return num + SI[i];
  return `${num} ${SI[i]}${unit}`;
}

export function formatBytes(n: number): string {
  return formatSI(n, 'B');
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** formatTime: unix ms -> local "2026-01-02 15:04:05.123". */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** formatMs: milliseconds with a precision that fits. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms === 0) return '0 ms';
  const a = Math.abs(ms);
  if (a >= 1000) return `${sig3(ms / 1000)} s`;
  if (a < 0.01) return `${(ms * 1000).toFixed(1)} µs`;
  return `${sig3(ms)} ms`;
}

/** formatDurationNs: nanoseconds shown as milliseconds. */
export function formatDurationNs(ns: number): string {
  return formatMs(ns / 1e6);
}

export const PROTOCOLS: Record<number, string> = {
  0: 'HOPOPT',
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPv6',
  89: 'OSPF',
  112: 'VRRP',
  132: 'SCTP',
};

export function protoName(p: unknown): string {
  const n = Number(p);
  if (p === null || p === undefined || p === '' || !Number.isFinite(n)) return String(p ?? '');
  return PROTOCOLS[n] ?? String(n);
}

export const DIRECTIONS: Record<number, string> = { 0: 'Ingress', 1: 'Egress', 2: 'Inner' };

export function directionName(d: unknown): string {
  const n = Number(d);
  if (d === null || d === undefined || d === '' || !Number.isFinite(n)) return String(d ?? '');
  return DIRECTIONS[n] ?? String(n);
}

const TCP_FLAGS: [number, string][] = [
  [0x1, 'FIN'],
  [0x2, 'SYN'],
  [0x4, 'RST'],
  [0x8, 'PSH'],
  [0x10, 'ACK'],
  [0x20, 'URG'],
  [0x40, 'ECE'],
  [0x80, 'CWR'],
  [0x100, 'SYN_ACK'],
  [0x200, 'FIN_ACK'],
  [0x400, 'RST_ACK'],
];

/** flagsText: TCP flags as names, from a list of names or a bitmask. */
export function flagsText(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  const n = Number(v);
  if (typeof v === 'number' || (typeof v === 'string' && v !== '' && Number.isFinite(n))) {
    const names = TCP_FLAGS.filter(([bit]) => (n & bit) !== 0).map(([, name]) => name);
    return names.length ? names.join(', ') : String(n);
  }
  return v === null || v === undefined ? '' : String(v);
}

/** Well-known port names (IANA service names), completed by the config's portNames. */
export const WELL_KNOWN_PORTS: Record<string, string> = {
  '20': 'ftp-data',
  '21': 'ftp',
  '22': 'ssh',
  '23': 'telnet',
  '25': 'smtp',
  '53': 'dns',
  '67': 'dhcp',
  '68': 'dhcp',
  '80': 'http',
  '110': 'pop3',
  '123': 'ntp',
  '143': 'imap',
  '161': 'snmp',
  '179': 'bgp',
  '389': 'ldap',
  '443': 'https',
  '514': 'syslog',
  '587': 'submission',
  '636': 'ldaps',
  '853': 'dns-tls',
  '993': 'imaps',
  '995': 'pop3s',
  '1883': 'mqtt',
  '2049': 'nfs',
  '2379': 'etcd',
  '2380': 'etcd-peer',
  '3306': 'mysql',
  '4789': 'vxlan',
  '5353': 'mdns',
  '5432': 'postgresql',
  '5672': 'amqp',
  '6081': 'geneve',
  '6379': 'redis',
  '6443': 'kube-api',
  '8443': 'https-alt',
  '9090': 'prometheus',
  '9092': 'kafka',
  '10250': 'kubelet',
  '27017': 'mongodb',
};

export function portName(port: unknown, naming?: PortNaming): string | undefined {
  if (!naming?.enable) return undefined;
  const key = String(port);
  return naming.portNames?.[key] ?? WELL_KNOWN_PORTS[key];
}

export function portText(port: unknown, naming?: PortNaming): string {
  if (port === null || port === undefined || port === '') return '';
  const name = portName(port, naming);
  return name ? `${port} (${name})` : String(port);
}

export function isPortField(field: string): boolean {
  return /Port$/.test(field);
}

/** formatField renders a record value by column format (docs/console-api.md `format`). */
export function formatField(value: unknown, format: string | undefined, field: string, naming?: PortNaming): string {
  if (value === null || value === undefined || value === '') return '';
  switch (format) {
    case 'time':
      return formatTime(Number(value));
    case 'bytes':
      return formatBytes(Number(value));
    case 'port':
      return portText(value, naming);
    case 'number':
      if (isPortField(field)) return portText(value, naming);
      return formatNumber(Number(value));
    case 'duration':
      return formatDurationNs(Number(value));
    case 'ms':
      return formatMs(Number(value));
    case 'proto':
      return protoName(value);
    case 'direction':
      return directionName(value);
    case 'flags':
      return flagsText(value);
  }
  if (isPortField(field)) return portText(value, naming);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Formats a field found on a record by its column, or guessed by its NetObserv name. */
export function formatRecordField(field: string, value: unknown, columns: ColumnDef[], naming?: PortNaming): string {
  const col = columns.find((c) => c.field === field);
  return formatField(value, col?.format ?? guessFormat(field), field, naming);
}

export function guessFormat(field: string): string | undefined {
  if (/^Time.*Ms$/.test(field)) return 'time';
  if (field === 'TimeReceived') return undefined;
  if (field === 'TimeFlowRttNs' || field === 'MaxTimeFlowRttNs') return 'duration';
  if (field === 'DnsLatencyMs') return 'ms';
  if (/Bytes(_AB|_BA)?$/.test(field)) return 'bytes';
  if (field === 'Proto') return 'proto';
  if (field === 'FlowDirection') return 'direction';
  if (field === 'Flags') return 'flags';
  return undefined;
}

/** Metric types of /api/flow/metrics and how a value of each reads. */
export const METRIC_UNITS: Record<string, { unit: string; kind: 'si' | 'ms' }> = {
  Bytes: { unit: 'B', kind: 'si' },
  Packets: { unit: 'pkts', kind: 'si' },
  Flows: { unit: 'flows', kind: 'si' },
  PktDropBytes: { unit: 'B', kind: 'si' },
  PktDropPackets: { unit: 'pkts', kind: 'si' },
  DnsFlows: { unit: 'flows', kind: 'si' },
  DnsLatencyMs: { unit: 'ms', kind: 'ms' },
  TimeFlowRttNs: { unit: 'ms', kind: 'ms' },
};

/** formatMetric renders a metric value: a rate gets /s, latency types are milliseconds. */
export function formatMetric(type: string, fn: string, v: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const u = METRIC_UNITS[type] ?? { unit: '', kind: 'si' };
  if (u.kind === 'ms') return formatMs(v);
  const suffix = fn === 'rate' ? '/s' : '';
  if (u.unit === 'B') return formatSI(v, 'B') + suffix;
  return `${formatSI(v, '')} ${u.unit}${suffix}`.trim();
}

const END_LABELS: Record<string, string> = {
  K8S_Namespace: 'Namespace',
  K8S_Name: 'Name',
  K8S_Type: 'Kind',
  K8S_OwnerName: 'Owner',
  K8S_OwnerType: 'Owner Kind',
  K8S_HostName: 'Node',
  K8S_HostIP: 'Node IP',
  K8S_Zone: 'Zone',
  K8S_NetworkName: 'Network',
  Addr: 'IP',
  Port: 'Port',
  Mac: 'MAC',
  SubnetLabel: 'Subnet Label',
};

const FIELD_LABELS: Record<string, string> = {
  TimeFlowStartMs: 'Start Time',
  TimeFlowEndMs: 'End Time',
  TimeReceived: 'Received',
  Proto: 'Protocol',
  FlowDirection: 'Direction',
  Flags: 'TCP Flags',
  Dscp: 'DSCP',
  Etype: 'Ethertype',
  Interfaces: 'Interfaces',
  IfDirections: 'Interface Directions',
  K8S_FlowLayer: 'Flow Layer',
  K8S_ClusterName: 'Cluster',
  AgentIP: 'Agent IP',
  TimeFlowRttNs: 'Flow RTT',
  DnsLatencyMs: 'DNS Latency',
  DnsId: 'DNS Id',
  DnsName: 'DNS Name',
  DnsFlagsResponseCode: 'DNS Response Code',
  DnsErrno: 'DNS Error',
  DnsFlags: 'DNS Flags',
  PktDropBytes: 'Dropped Bytes',
  PktDropPackets: 'Dropped Packets',
  PktDropLatestDropCause: 'Drop Cause',
  PktDropLatestState: 'Drop TCP State',
  PktDropLatestFlags: 'Drop TCP Flags',
  IcmpType: 'ICMP Type',
  IcmpCode: 'ICMP Code',
  _RecordType: 'Record Type',
  _HashId: 'Conversation Id',
};

/** fieldLabel names a record field: its column's name, else a readable NetObserv name. */
export function fieldLabel(field: string, columns: ColumnDef[]): string {
  const col = columns.find((c) => c.field === field);
  if (col) return columnTitle(col);
  if (FIELD_LABELS[field]) return FIELD_LABELS[field];
  const m = /^(Xlat)?(Src|Dst)(.+)$/.exec(field);
  if (m && END_LABELS[m[3]]) return `${m[1] ? 'Xlat ' : ''}${m[2]} ${END_LABELS[m[3]]}`;
  return field;
}

/** columnTitle: a column's name, prefixed by its end (Src/Dst) when it has a group. */
export function columnTitle(c: ColumnDef): string {
  const g = (c.group ?? '').toLowerCase();
  if (g === 'source' && !/^src\b/i.test(c.name)) return `Src ${c.name}`;
  if (g === 'destination' && !/^dst\b/i.test(c.name)) return `Dst ${c.name}`;
  return c.name;
}
