import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ViewProps } from '../App';
import { formatMetric, formatNumber, formatBytes } from '../format';
import { useFetch } from '../hooks';
import { seriesLabel } from '../scopes';
import { rangeName, stepFor } from '../state';
import type { MetricsResponse, Scope } from '../types';
import { TimeChart, alignValues, timeAxis, type ChartSeries } from '../components/TimeChart';
import { Empty, ErrorBox, Select } from '../components/ui';
import { currentScope, fetchMetrics, hasFeature, type MetricQuery } from './common';

export function Overview(p: ViewProps) {
  const { config, state, update, window, filters, tick } = p;
  const scope = currentScope(config, state);
  const step = stepFor(window);
  const topOptions = config.topOptions?.length ? config.topOptions : [5, 10, 15];
  const top = topOptions.includes(state.top) ? state.top : topOptions[0];
  const base = { scope: scope.id, step, filters, window, limit: top };
  const axis = useMemo(() => timeAxis(window.start, window.end, step), [window.start, window.end, step]);
  const deps = [filters, window.start, window.end, scope.id, top, tick];
  const drops = hasFeature(config, 'pktDrop');
  const rtt = hasFeature(config, 'flowRTT');
  const dns = hasFeature(config, 'dnsTracking');

  return (
    <div class="overview" data-testid="view-overview">
      <div class="view-controls">
        <Select
          label="Scope"
          testId="overview-scope"
          value={scope.id}
          options={(config.scopes ?? []).map((s) => ({ value: s.id, name: s.name }))}
          onChange={(v) => update({ scope: v })}
        />
        <Select label="Show top" testId="overview-top" value={top} options={topOptions.map((n) => ({ value: n, name: String(n) }))} onChange={(v) => update({ top: v })} />
        <span class="muted">{rangeName(state)} · one point every {step >= 60 ? `${step / 60} min` : `${step} s`}</span>
      </div>
      <Totals {...p} base={base} deps={deps} drops={drops} />
      <div class="panels">
        <RatePanel
          {...p}
          id="bytes"
          title={`Top ${top} byte rates`}
          query={{ ...base, type: 'Bytes', fn: 'rate' }}
          deps={deps}
          axis={axis}
          scope={scope}
          main
          empty="No flows in this time range. Widen the time range, or remove filters and quick filters."
        />
        <RatePanel
          {...p}
          id="packets"
          title={`Top ${top} packet rates`}
          query={{ ...base, type: 'Packets', fn: 'rate' }}
          deps={deps}
          axis={axis}
          scope={scope}
          empty="No packets in this time range. Widen the time range, or remove filters."
        />
        <RatePanel
          {...p}
          id="drops"
          title={`Top ${top} dropped packet rates`}
          query={drops ? { ...base, type: 'PktDropPackets', fn: 'rate' } : null}
          deps={deps}
          axis={axis}
          scope={scope}
          off="Packet drops are not tracked: turn on the PacketDrop feature of the flow collector to see them."
          empty="No drops in this time range: nothing was dropped, or the PacketDrop feature may be off."
        />
        <LatencyPanel
          {...p}
          id="rtt"
          title="TCP round-trip time (smoothed RTT)"
          type="TimeFlowRttNs"
          on={rtt}
          base={base}
          deps={deps}
          axis={axis}
          scope={scope}
          off="Round-trip times are not tracked: turn on the FlowRTT feature of the flow collector."
          empty="No RTT in this time range: RTT is measured on TCP flows only (or the FlowRTT feature may be off)."
        />
        <LatencyPanel
          {...p}
          id="dns"
          title="DNS latency"
          type="DnsLatencyMs"
          on={dns}
          base={base}
          deps={deps}
          axis={axis}
          scope={scope}
          off="DNS latency is not tracked: turn on the DNSTracking feature of the flow collector."
          empty="No DNS responses in this time range (or the DNSTracking feature may be off)."
        />
      </div>
    </div>
  );
}

type Base = Omit<MetricQuery, 'type' | 'fn'>;

function Totals({ base, deps, drops, state }: ViewProps & { base: Base; deps: unknown[]; drops: boolean }) {
  const one = { ...base, limit: 1 };
  const data = useFetch(
    (signal) =>
      Promise.all([
        fetchMetrics({ ...one, type: 'Bytes', fn: 'sum' }, signal),
        fetchMetrics({ ...one, type: 'Packets', fn: 'sum' }, signal),
        fetchMetrics({ ...one, type: 'Flows', fn: 'sum' }, signal),
        drops ? fetchMetrics({ ...one, type: 'PktDropPackets', fn: 'sum' }, signal) : Promise.resolve(null),
        drops ? fetchMetrics({ ...one, type: 'PktDropBytes', fn: 'sum' }, signal) : Promise.resolve(null),
      ]),
    deps,
  );
  const [bytes, packets, flows, dropPkts, dropBytes] = data.data ?? [];
  const v = (r: MetricsResponse | null | undefined) => (r ? r.total.total : undefined);
  const cards = [
    { id: 'bytes', name: 'Bytes', value: v(bytes), fmt: formatBytes },
    { id: 'packets', name: 'Packets', value: v(packets), fmt: formatNumber },
    { id: 'flows', name: 'Flows', value: v(flows), fmt: formatNumber },
    {
      id: 'drops',
      name: 'Dropped packets',
      value: drops ? v(dropPkts) : undefined,
      fmt: formatNumber,
      sub: drops ? (dropBytes ? formatBytes(dropBytes.total.total) + ' dropped' : '') : 'PacketDrop feature off',
    },
  ];
  return (
    <div class="cards" aria-label="Totals">
      {data.error && <ErrorBox message={data.error} testId="totals-error" />}
      {cards.map((c) => (
        <div key={c.id} class={data.loading ? 'card stale' : 'card'} data-testid={`total-${c.id}`}>
          <div class="card-name">{c.name}</div>
          <div class="card-value" data-testid={`total-${c.id}-value`}>
            {c.value === undefined ? '—' : c.fmt(c.value)}
          </div>
          <div class="card-sub">{c.sub ?? rangeName(state)}</div>
        </div>
      ))}
    </div>
  );
}

interface PanelProps extends ViewProps {
  id: string;
  title: string;
  deps: unknown[];
  axis: number[];
  scope: Scope;
  empty: string;
  off?: string;
}

function RatePanel(p: PanelProps & { query: MetricQuery | null; main?: boolean }) {
  const { query, deps, axis, scope, main, setStats, setLoading } = p;
  const r = useFetch(query ? (signal) => fetchMetrics(query, signal) : null, [...deps, query === null]);
  useEffect(() => {
    if (!main) return;
    setLoading(r.loading);
    if (r.data) setStats(r.data.stats ?? null);
  }, [main, r.loading, r.data]);
  const chart = useMemo(() => {
    if (!r.data || !query) return null;
    const series: ChartSeries[] = r.data.metrics.map((s) => ({
      label: seriesLabel(scope, s),
      values: alignValues(axis, s.values, 0),
      summary: `${formatMetric(query.type, 'rate', s.total)} avg`,
    }));
    series.push({
      label: 'Total (all flows)',
      values: alignValues(axis, r.data.total.values, 0),
      line: true,
      summary: `${formatMetric(query.type, 'rate', r.data.total.total)} avg`,
    });
    return series;
  }, [r.data, axis]);
  const total = r.data?.total.total;
  const isEmpty = r.data && r.data.metrics.length === 0 && !total;
  return (
    <section class="panel" data-testid={`panel-${p.id}`} aria-labelledby={`panel-${p.id}-title`}>
      <header class="panel-head">
        <h2 id={`panel-${p.id}-title`}>{p.title}</h2>
        {query && total !== undefined && (
          <span class="panel-total" data-testid={`panel-${p.id}-total`} title="Mean rate of all flows over the range">
            Total: {formatMetric(query.type, 'rate', total)} avg
          </span>
        )}
      </header>
      {!query && p.off && <Empty testId={`panel-${p.id}-off`}>{p.off}</Empty>}
      {r.error && <ErrorBox message={r.error} testId={`panel-${p.id}-error`} />}
      {isEmpty && <Empty testId={`panel-${p.id}-empty`}>{p.empty}</Empty>}
      {chart && !isEmpty && query && (
        <TimeChart
          x={axis}
          series={chart}
          stacked
          testId={`chart-${p.id}`}
          title={p.title}
          format={(v) => formatMetric(query.type, 'rate', v)}
        />
      )}
    </section>
  );
}

function LatencyPanel(p: PanelProps & { type: string; on: boolean; base: Base }) {
  const { type, on, base, deps, axis, scope } = p;
  const [fn, setFn] = useState<'avg' | 'p99'>('avg');
  const r = useFetch(
    on ? (signal) => Promise.all([fetchMetrics({ ...base, type, fn: 'avg' }, signal), fetchMetrics({ ...base, type, fn: 'p99' }, signal)]) : null,
    [...deps, on],
  );
  const [avg, p99] = r.data ?? [];
  const chart = useMemo(() => {
    const shown = fn === 'avg' ? avg : p99;
    if (!shown || !avg || !p99) return null;
    const key = (l: Record<string, string>) => JSON.stringify(Object.entries(l).sort());
    const avgBy = new Map(avg.metrics.map((s) => [key(s.labels), s.total]));
    const p99By = new Map(p99.metrics.map((s) => [key(s.labels), s.total]));
    const series: ChartSeries[] = shown.metrics.map((s) => {
      const a = avgBy.get(key(s.labels));
      const q = p99By.get(key(s.labels));
      return {
        label: seriesLabel(scope, s),
        values: alignValues(axis, s.values, null),
        summary: [a !== undefined ? `avg ${formatMetric(type, fn, a)}` : '', q !== undefined ? `p99 ${formatMetric(type, fn, q)}` : '']
          .filter(Boolean)
          .join(' · '),
      };
    });
    series.push({ label: `All flows (${fn})`, values: alignValues(axis, shown.total.values, null), line: true, summary: formatMetric(type, fn, shown.total.total) });
    return series;
  }, [avg, p99, fn, axis]);
  const isEmpty = avg && avg.metrics.length === 0 && !avg.total.values.length;
  return (
    <section class="panel" data-testid={`panel-${p.id}`} aria-labelledby={`panel-${p.id}-title`}>
      <header class="panel-head">
        <h2 id={`panel-${p.id}-title`}>{p.title}</h2>
        {avg && p99 && !isEmpty && (
          <span class="panel-total" data-testid={`panel-${p.id}-total`}>
            avg {formatMetric(type, 'avg', avg.total.total)} · p99 {formatMetric(type, 'p99', p99.total.total)}
          </span>
        )}
        {on && (
          <div class="seg seg-small" role="group" aria-label="Statistic">
            <button type="button" aria-pressed={fn === 'avg'} onClick={() => setFn('avg')} data-testid={`panel-${p.id}-avg`}>
              Avg
            </button>
            <button type="button" aria-pressed={fn === 'p99'} onClick={() => setFn('p99')} data-testid={`panel-${p.id}-p99`}>
              P99
            </button>
          </div>
        )}
      </header>
      {!on && p.off && <Empty testId={`panel-${p.id}-off`}>{p.off}</Empty>}
      {r.error && <ErrorBox message={r.error} testId={`panel-${p.id}-error`} />}
      {isEmpty && <Empty testId={`panel-${p.id}-empty`}>{p.empty}</Empty>}
      {chart && !isEmpty && (
        <TimeChart x={axis} series={chart} testId={`chart-${p.id}`} title={p.title} format={(v) => formatMetric(type, fn, v)} />
      )}
    </section>
  );
}
