import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ViewProps } from '../App';
import { andFilters } from '../filters';
import { formatMetric } from '../format';
import { useFetch } from '../hooks';
import { endMatches, endName, groupOptions, stepIntoMatches, type End } from '../scopes';
import { stepFor } from '../state';
import { TOPO_METRICS, buildModel, type TopoEdge, type TopoModel, type TopoNode } from '../topology';
import type { Scope } from '../types';
import { Graph, LAYOUTS, type Selection } from '../components/Graph';
import { TimeChart, alignValues, timeAxis } from '../components/TimeChart';
import { Empty, ErrorBox, Select, SidePanel } from '../components/ui';
import { currentScope, fetchMetrics, hasFeature } from './common';

const EDGE_LIMITS = [5, 10, 15, 25, 50];

const FIELD_NAMES: Record<string, string> = {
  K8S_ClusterName: 'Cluster',
  K8S_Zone: 'Zone',
  K8S_HostName: 'Node',
  K8S_Namespace: 'Namespace',
  K8S_OwnerName: 'Owner',
  K8S_OwnerType: 'Owner kind',
  K8S_Name: 'Name',
  K8S_Type: 'Kind',
  Addr: 'Address',
  SubnetLabel: 'Subnet label',
};

export function Topology(p: ViewProps) {
  const { config, state, update, window, filters, tick, setStats, setLoading, addFilters } = p;
  const scope = currentScope(config, state);
  const metrics = TOPO_METRICS.filter((m) => !m.feature || hasFeature(config, m.feature));
  const metric = metrics.find((m) => m.id === state.metric) ?? metrics[0];
  const edgesLimit = EDGE_LIMITS.includes(state.edges) ? state.edges : 15;
  const groups = groupOptions(scope);
  const group = groups.some((g) => g.field === state.group) ? state.group : '';
  const step = stepFor(window);
  const [selected, setSelected] = useState<Selection>(null);

  const r = useFetch(
    (signal) => fetchMetrics({ type: metric.type, fn: metric.fn, scope: scope.id, limit: edgesLimit, step, filters, window }, signal),
    [metric.id, scope.id, edgesLimit, step, filters, window.start, window.end, tick],
  );
  useEffect(() => {
    setLoading(r.loading);
    if (r.data) setStats(r.data.stats ?? null);
  }, [r.loading, r.data]);

  const model = useMemo<TopoModel | null>(() => (r.data ? buildModel(scope, r.data.metrics, group) : null), [r.data, group]);
  // Keep the selection across refreshes while its element is still drawn.
  useEffect(() => {
    if (!selected || !model) return;
    const still = selected.kind === 'node' ? model.nodes.some((n) => n.id === selected.id) : model.edges.some((e) => e.id === selected.id);
    if (!still) setSelected(null);
  }, [model]);
  const fmt = (v: number) => formatMetric(metric.type, metric.fn, v);
  const stepTo = scope.stepInto ? (config.scopes ?? []).find((s) => s.id === scope.stepInto) : undefined;

  const stepInto = (node: TopoNode) => {
    if (!stepTo) return;
    let ms = stepIntoMatches(scope, node.end);
    if (!ms.length) return;
    if (state.match === 'any') ms = ms.slice(-1);
    // The node's filters replace those on the same keys (stepping from shop/web to payments/api
    // must not keep namespace="shop").
    const kept = state.filters.filter((c) => !(c.op === '=' && ms.some((m) => m.key === c.key)));
    const nextGroups = groupOptions(stepTo);
    update(
      {
        scope: stepTo.id,
        filters: [...kept, ...ms],
        group: nextGroups.some((g) => g.field === state.group) ? state.group : nextGroups.some((g) => g.field === 'K8S_Namespace') ? 'K8S_Namespace' : '',
      },
      true,
    );
  };

  const node = selected?.kind === 'node' ? model?.nodes.find((n) => n.id === selected.id) : undefined;
  const edge = selected?.kind === 'edge' ? model?.edges.find((e) => e.id === selected.id) : undefined;
  const nodeById = (id: string) => model?.nodes.find((n) => n.id === id);

  return (
    <div class="topology-view" data-testid="view-topology">
      <div class="view-controls">
        <Select
          label="Scope"
          testId="topology-scope"
          value={scope.id}
          options={(config.scopes ?? []).map((s) => ({ value: s.id, name: s.name }))}
          onChange={(v) => update({ scope: v })}
        />
        <Select label="Metric" testId="topology-metric" value={metric.id} options={metrics.map((m) => ({ value: m.id, name: m.name }))} onChange={(v) => update({ metric: v })} />
        <Select label="Edges" testId="topology-limit" value={edgesLimit} options={EDGE_LIMITS.map((n) => ({ value: n, name: `Top ${n}` }))} onChange={(v) => update({ edges: v })} />
        <Select
          label="Group by"
          testId="topology-group"
          value={group}
          options={[{ value: '', name: 'None' }, ...groups.map((g) => ({ value: g.field, name: g.name }))]}
          onChange={(v) => update({ group: v })}
        />
        <Select label="Layout" testId="topology-layout" value={state.layout} options={LAYOUTS} onChange={(v) => update({ layout: v })} />
        {model && model.nodes.length > 0 && (
          <Select
            label="Find"
            testId="topology-node-select"
            value={node?.id ?? ''}
            options={[{ value: '', name: 'Select a node…' }, ...[...model.nodes].sort((a, b) => a.name.localeCompare(b.name)).map((n) => ({ value: n.id, name: n.end.K8S_Namespace && n.name !== n.end.K8S_Namespace ? `${n.name} · ${n.end.K8S_Namespace}` : n.name }))]}
            onChange={(v) => setSelected(v ? { kind: 'node', id: v } : null)}
          />
        )}
      </div>
      {r.error && <ErrorBox message={r.error} testId="topology-error" />}
      <div class="split">
        <div class="topology-main">
          {model && model.edges.length === 0 && (
            <Empty testId="topology-empty">
              No traffic at the {scope.name.toLowerCase()} scope in this time range
              {metric.feature ? ` for ${metric.name.toLowerCase()} (the feature may be off)` : ''}. Widen the time range, or remove filters.
            </Empty>
          )}
          {model && model.edges.length > 0 && (
            <>
              <Graph
                model={model}
                layout={state.layout}
                selected={selected}
                edgeLabel={fmt}
                onSelect={setSelected}
                onStepInto={(id) => {
                  const n = nodeById(id);
                  if (n) stepInto(n);
                }}
              />
              <p class="muted hint">
                Click a node or an edge for details; double-click a node{stepTo ? ` to step into its ${stepTo.name.toLowerCase()}s` : ''}. Edges: the
                top {edgesLimit} by {metric.name.toLowerCase()}.
              </p>
              <EdgeTable model={model} fmt={fmt} selected={selected} onSelect={setSelected} metricName={metric.name} />
            </>
          )}
        </div>
        {node && (
          <NodePanel
            {...p}
            scope={scope}
            node={node}
            stepTo={stepTo}
            metric={metric}
            step={step}
            onClose={() => setSelected(null)}
            onStepInto={() => stepInto(node)}
            onFilter={() => addFilters(stepIntoMatches(scope, node.end))}
          />
        )}
        {edge && model && (
          <EdgePanel
            scope={scope}
            edge={edge}
            model={model}
            metricName={metric.name}
            fmt={fmt}
            axis={timeAxis(window.start, window.end, step)}
            fill={metric.fn === 'rate' ? 0 : null}
            onClose={() => setSelected(null)}
          />
        )}
      </div>
    </div>
  );
}

function EdgeTable({ model, fmt, selected, onSelect, metricName }: { model: TopoModel; fmt: (v: number) => string; selected: Selection; onSelect: (s: Selection) => void; metricName: string }) {
  const name = (id: string) => model.nodes.find((n) => n.id === id)?.name ?? id;
  const sorted = [...model.edges].sort((a, b) => b.value - a.value);
  return (
    <details class="edge-table" open>
      <summary>Edges ({model.edges.length})</summary>
      <table class="flows compact" data-testid="topology-edges">
        <thead>
          <tr>
            <th scope="col">Source</th>
            <th scope="col">Destination</th>
            <th scope="col" class="num">
              {metricName}
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((e) => (
            <tr
              key={e.id}
              tabIndex={0}
              data-testid="topology-edge"
              data-source={name(e.source)}
              data-target={name(e.target)}
              class={selected?.id === e.id ? 'selected' : ''}
              onClick={() => onSelect({ kind: 'edge', id: e.id })}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter' || ev.key === ' ') {
                  ev.preventDefault();
                  onSelect({ kind: 'edge', id: e.id });
                }
              }}
            >
              <td>{name(e.source)}</td>
              <td>{name(e.target)}</td>
              <td class="num">{fmt(e.value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function EndDetails({ end, testId }: { end: End; testId?: string }) {
  const rows = Object.entries(end).filter(([, v]) => v);
  if (!rows.length) return <p class="muted">No {Object.keys(end).map((k) => FIELD_NAMES[k] ?? k).join(', ').toLowerCase()} on this end (outside the cluster, or host traffic).</p>;
  return (
    <dl class="kv" data-testid={testId}>
      {rows.map(([k, v]) => (
        <div key={k} class="detail-row">
          <dt>{FIELD_NAMES[k] ?? k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function NodePanel(
  p: ViewProps & {
    scope: Scope;
    node: TopoNode;
    stepTo?: Scope;
    metric: (typeof TOPO_METRICS)[number];
    step: number;
    onClose: () => void;
    onStepInto: () => void;
    onFilter: () => void;
  },
) {
  const { scope, node, stepTo, metric, step, filters, window, tick } = p;
  const io = useFetch(
    (signal) =>
      Promise.all(
        (['Dst', 'Src'] as const).map((side) =>
          fetchMetrics({ type: metric.type, fn: metric.fn, scope: scope.id, limit: 1, step, filters: andFilters(filters, endMatches(node.end, side)), window }, signal),
        ),
      ),
    [node.id, metric.id, scope.id, step, filters, window.start, window.end, tick],
  );
  const axis = useMemo(() => timeAxis(window.start, window.end, step), [window.start, window.end, step]);
  const fmt = (v: number) => formatMetric(metric.type, metric.fn, v);
  const fill = metric.fn === 'rate' ? 0 : null;
  const [inR, outR] = io.data ?? [];
  const named = stepIntoMatches(scope, node.end).length > 0;
  return (
    <SidePanel testId="topology-panel" title={node.name} subtitle={`${scope.name}${node.subtitle ? ' · ' + node.subtitle : ''}`} onClose={p.onClose}>
      <div class="panel-actions">
        {stepTo && (
          <button type="button" class="btn btn-primary" data-testid="step-into" disabled={!named} onClick={p.onStepInto} title={named ? '' : 'This node has no name to filter on'}>
            Step into {stepTo.name.toLowerCase()}s
          </button>
        )}
        <button type="button" class="btn" data-testid="node-filter" disabled={!named} onClick={p.onFilter}>
          Filter on this node
        </button>
      </div>
      <section class="detail-group">
        <h3>Details</h3>
        <EndDetails end={node.end} testId="node-details" />
      </section>
      <section class="detail-group" data-testid="node-metrics">
        <h3>{metric.name}</h3>
        {io.error && <ErrorBox message={io.error} />}
        <dl class="kv">
          <div class="detail-row">
            <dt>In (to {node.name})</dt>
            <dd data-testid="node-in">{inR ? fmt(inR.total.total) : '…'}</dd>
          </div>
          <div class="detail-row">
            <dt>Out (from {node.name})</dt>
            <dd data-testid="node-out">{outR ? fmt(outR.total.total) : '…'}</dd>
          </div>
        </dl>
        <p class="muted">Over the whole time range, every peer included (not only the edges drawn).</p>
        {inR && outR && (
          <TimeChart
            x={axis}
            height={120}
            title={`${metric.name} in and out of ${node.name}`}
            testId="node-chart"
            format={fmt}
            series={[
              { label: 'In', values: alignValues(axis, inR.total.values, fill), color: '#2f6fdb', summary: fmt(inR.total.total) },
              { label: 'Out', values: alignValues(axis, outR.total.values, fill), color: '#e8871e', summary: fmt(outR.total.total) },
            ]}
          />
        )}
      </section>
    </SidePanel>
  );
}

function EdgePanel({
  scope,
  edge,
  model,
  metricName,
  fmt,
  axis,
  fill,
  onClose,
}: {
  scope: Scope;
  edge: TopoEdge;
  model: TopoModel;
  metricName: string;
  fmt: (v: number) => string;
  axis: number[];
  fill: number | null;
  onClose: () => void;
}) {
  const src = model.nodes.find((n) => n.id === edge.source)!;
  const dst = model.nodes.find((n) => n.id === edge.target)!;
  const back = model.edges.find((e) => e.source === edge.target && e.target === edge.source && e !== edge);
  const series = [{ label: `${src.name} → ${dst.name}`, values: alignValues(axis, edge.series.values, fill), color: '#2f6fdb', summary: fmt(edge.value) }];
  if (back) series.push({ label: `${dst.name} → ${src.name}`, values: alignValues(axis, back.series.values, fill), color: '#e8871e', summary: fmt(back.value) });
  return (
    <SidePanel testId="topology-panel" title={`${src.name} → ${dst.name}`} subtitle={`${scope.name} edge`} onClose={onClose}>
      <section class="detail-group" data-testid="edge-metrics">
        <h3>{metricName}</h3>
        <dl class="kv">
          <div class="detail-row">
            <dt>{`${endName(scope, src.end)} → ${endName(scope, dst.end)}`}</dt>
            <dd data-testid="edge-value">{fmt(edge.value)}</dd>
          </div>
          {back && (
            <div class="detail-row">
              <dt>Reverse</dt>
              <dd>{fmt(back.value)}</dd>
            </div>
          )}
        </dl>
        <TimeChart x={axis} height={120} title={`${metricName} over time`} testId="edge-chart" format={fmt} series={series} />
      </section>
      <section class="detail-group">
        <h3>Source</h3>
        <EndDetails end={src.end} />
      </section>
      <section class="detail-group">
        <h3>Destination</h3>
        <EndDetails end={dst.end} />
      </section>
    </SidePanel>
  );
}
