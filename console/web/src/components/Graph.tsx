import type cytoscape from 'cytoscape';
import type { Core, EdgeSingular, ElementDefinition, StylesheetJson } from 'cytoscape';
import { useEffect, useRef, useState } from 'preact/hooks';
import { edgeWidth, type TopoModel } from '../topology';

export type Selection = { kind: 'node' | 'edge'; id: string } | null;

interface Props {
  model: TopoModel;
  layout: string;
  selected: Selection;
  edgeLabel: (value: number) => string;
  onSelect: (s: Selection) => void;
  onStepInto: (nodeId: string) => void;
}

const KIND_COLORS: Record<string, string> = {
  pod: '#2f6fdb',
  service: '#8a5cc7',
  node: '#55606e',
  external: '#e8871e',
  unknown: '#aab3bf',
};

const STYLE: StylesheetJson = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': 11,
      'font-family': 'system-ui, sans-serif',
      color: '#1d2430',
      'text-valign': 'bottom',
      'text-halign': 'center',
      'text-margin-y': 4,
      'text-wrap': 'ellipsis',
      'text-max-width': '140px',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      width: 26,
      height: 26,
      'background-color': 'data(color)',
      'border-width': 2,
      'border-color': '#ffffff',
    },
  },
  { selector: 'node.unknown', style: { shape: 'round-rectangle', 'font-style': 'italic' } },
  { selector: 'node.service', style: { shape: 'round-diamond' } },
  { selector: 'node.node', style: { shape: 'round-rectangle' } },
  {
    selector: ':parent',
    style: {
      shape: 'round-rectangle',
      'background-color': '#f2f5f9',
      'background-opacity': 1,
      'border-width': 1,
      'border-style': 'dashed',
      'border-color': '#a9b4c2',
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': -4,
      'font-weight': 'bold',
      color: '#4d5b6b',
      padding: '14px',
    },
  },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
      'line-color': '#9aa6b4',
      'target-arrow-color': '#9aa6b4',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9,
      'curve-style': 'bezier',
      'control-point-step-size': 28,
      label: 'data(label)',
      'font-size': 9,
      'font-family': 'system-ui, sans-serif',
      color: '#3b4654',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      'loop-direction': '-45deg',
      'loop-sweep': '-60deg',
    },
  },
  { selector: 'node:selected', style: { 'border-color': '#1d4fa8', 'border-width': 4 } },
  { selector: 'edge:selected', style: { 'line-color': '#1d4fa8', 'target-arrow-color': '#1d4fa8', 'z-index': 10 } },
  { selector: '.faded', style: { opacity: 0.25 } },
];

function layoutOptions(name: string, grouped: boolean) {
  switch (name) {
    case 'breadthfirst':
      return { name, directed: true, spacingFactor: 1.1, animate: false, padding: 30 };
    case 'circle':
    case 'concentric':
    case 'grid':
      return { name, animate: false, padding: 30, avoidOverlap: true };
    default:
      // Strong repulsion and long edges (cytoscape's documented cose settings); compound
      // graphs need a weak gravity or the groups stretch.
      return {
        name: 'cose',
        animate: false,
        padding: 30,
        randomize: false,
        nodeRepulsion: () => (grouped ? 60000 : 400000),
        nodeOverlap: 20,
        idealEdgeLength: () => (grouped ? 70 : 110),
        edgeElasticity: () => 100,
        nestingFactor: grouped ? 1.2 : 5,
        gravity: grouped ? 1 : 80,
        gravityCompound: 1,
        gravityRangeCompound: 1.5,
        numIter: 1000,
        initialTemp: 200,
        coolingFactor: 0.95,
        minTemp: 1.0,
        componentSpacing: 100,
      };
  }
}

/** fitCapped fits the graph in view without blowing a small graph up. */
function fitCapped(cy: Core) {
  cy.fit(undefined, 40);
  if (cy.zoom() > 1.4) {
    cy.zoom(1.4);
    cy.center();
  }
}

function zoomBy(cy: Core | null, f: number) {
  if (!cy) return;
  cy.zoom({ level: cy.zoom() * f, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
}

export const LAYOUTS = [
  { value: 'cose', name: 'Force' },
  { value: 'breadthfirst', name: 'Hierarchy' },
  { value: 'concentric', name: 'Concentric' },
  { value: 'circle', name: 'Circle' },
  { value: 'grid', name: 'Grid' },
];

/** Graph draws the topology with cytoscape (loaded on first use). */
export function Graph({ model, layout, selected, edgeLabel, onSelect, onStepInto }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const handlers = useRef({ onSelect, onStepInto });
  handlers.current = { onSelect, onStepInto };
  const [failed, setFailed] = useState('');
  const [ready, setReady] = useState(0);

  useEffect(() => {
    let cancelled = false;
    import('cytoscape').then(
      ({ default: cytoscape }) => {
        if (cancelled || !host.current) return;
        const elements: ElementDefinition[] = [];
        for (const g of model.groups) elements.push({ data: { id: g.id, label: g.name }, classes: 'group' });
        // Initial positions on a circle keep the force layout deterministic.
        model.nodes.forEach((n, i) => {
          const a = (2 * Math.PI * i) / Math.max(1, model.nodes.length);
          elements.push({
            data: { id: n.id, label: n.name, parent: n.parent, color: KIND_COLORS[n.kind] ?? '#2f6fdb' },
            classes: n.kind,
            position: { x: 200 * Math.cos(a), y: 200 * Math.sin(a) },
          });
        });
        for (const e of model.edges) {
          elements.push({
            data: { id: e.id, source: e.source, target: e.target, width: edgeWidth(e.value, model.maxValue), label: edgeLabel(e.value) },
          });
        }
        const cy = cytoscape({
          container: host.current,
          elements,
          style: STYLE,
          layout: { name: 'preset' },
          minZoom: 0.2,
          maxZoom: 3,
          boxSelectionEnabled: false,
          selectionType: 'single',
        });
        cy.on('tap', 'node', (ev) => {
          const n = ev.target;
          if (n.isParent()) return;
          handlers.current.onSelect({ kind: 'node', id: n.id() });
        });
        cy.on('tap', 'edge', (ev) => handlers.current.onSelect({ kind: 'edge', id: ev.target.id() }));
        cy.on('tap', (ev) => {
          if (ev.target === cy) handlers.current.onSelect(null);
        });
        cy.on('dbltap', 'node', (ev) => {
          if (!ev.target.isParent()) handlers.current.onStepInto(ev.target.id());
        });
        const run = cy.layout(layoutOptions(layout, model.groups.length > 0) as cytoscape.LayoutOptions);
        run.one('layoutstop', () => fitCapped(cy));
        run.run();
        cyRef.current = cy;
        // For tests and debugging: the graph is reachable from its element.
        (host.current as HTMLDivElement & { __cy?: Core }).__cy = cy;
        setReady((r) => r + 1);
      },
      (e) => setFailed(`Could not load the graph library: ${(e as Error).message}`),
    );
    return () => {
      cancelled = true;
      cyRef.current?.destroy();
      cyRef.current = null;
    };
  }, [model, layout]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements().unselect().removeClass('faded');
      if (!selected) return;
      const el = cy.getElementById(selected.id);
      if (el.empty()) return;
      el.select();
      const near = el.isNode() ? el.closedNeighborhood() : (el as unknown as EdgeSingular).connectedNodes().union(el);
      cy.elements()
        .not(near)
        .filter((x) => x.isEdge() || !x.isParent())
        .addClass('faded');
    });
  }, [selected, ready]);

  return (
    <div class="graph-wrap">
      {failed && <div class="error-box">{failed}</div>}
      <div ref={host} class="graph" data-testid="topology-graph" data-nodes={model.nodes.length} data-edges={model.edges.length} data-ready={ready > 0 ? '1' : '0'} />
      <div class="graph-tools">
        <button type="button" class="btn btn-small" onClick={() => cyRef.current && fitCapped(cyRef.current)} title="Fit the graph in view">
          Fit
        </button>
        <button type="button" class="btn btn-small" aria-label="Zoom in" onClick={() => zoomBy(cyRef.current, 1.25)}>
          +
        </button>
        <button type="button" class="btn btn-small" aria-label="Zoom out" onClick={() => zoomBy(cyRef.current, 0.8)}>
          −
        </button>
      </div>
    </div>
  );
}
