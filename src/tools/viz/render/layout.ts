// Lays a machine graph out with ELK (elkjs, layered, hierarchical): compound and parallel
// states are ELK nodes holding their children, every transition is an edge (one per target),
// each compound state gets an initial pseudo-state. Coordinates come back absolute.
// ELK is deterministic for a given input (fixed random seed), so the SVG is too.
import elkModule from 'elkjs/lib/elk.bundled.js';
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import { rootOf, transitionLabel, type GraphNode, type GraphTransition, type MachineGraph } from '../graph.js';
import { lineHeight, measureAll, type Box } from './boxes.js';
import { textWidth } from './measure.js';

export const EDGE_LABEL_SIZE = 10;
const INITIAL_SIZE = 12;
const CONTAINER_PAD = 12;

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface PlacedState {
  readonly node: GraphNode;
  readonly box: Box;
  readonly container: boolean;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedLabel {
  /** The label wrapped into lines: "EVENT [guard]", then "/ actions" in chunks. */
  readonly lines: readonly string[];
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  /**
   * Indexes into graph.transitions drawn by this edge: transitions with the same source,
   * target and actions share one edge (one trigger per label line); empty for the arrow out of
   * an initial pseudo-state.
   */
  readonly transitions: readonly number[];
  readonly source: string;
  readonly target: string;
  readonly points: readonly Point[];
  readonly label?: PlacedLabel;
}

export interface PlacedInitial {
  /** The compound state whose initial child this dot points at. */
  readonly parent: string;
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  /** Every state, parents before children (document order). */
  readonly states: readonly PlacedState[];
  readonly edges: readonly PlacedEdge[];
  readonly initials: readonly PlacedInitial[];
}

// elk.bundled.js is CommonJS: its module.exports is the constructor, also exposed as .default,
// which is the one spelling that type-checks under NodeNext and runs in Node and vitest alike.
const ElkConstructor = elkModule.default;
let elk: ELK | undefined;

const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '46',
  'elk.spacing.nodeNode': '26',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '4',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.randomSeed': '1',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.padding': '[top=8,left=8,bottom=8,right=8]',
};

const initialId = (parent: string): string => `__initial:${parent}`;
const edgeId = (group: number): string => `__t:${group}`;

/** Longest action run on one label line, in characters; longer lists wrap. */
const WRAP = 44;

/** Pieces joined by `sep` (kept at the end of each piece), wrapped at WRAP characters. */
function wrap(pieces: readonly string[], sep: string, first: string, cont: string): string[] {
  const lines: string[] = [];
  let cur = first;
  pieces.forEach((p, i) => {
    const piece = `${p}${i < pieces.length - 1 ? sep : ''}`;
    if (cur !== first && cur.length + piece.length > WRAP) {
      lines.push(cur.trimEnd());
      cur = cont;
    }
    cur = `${cur}${piece}`;
  });
  lines.push(cur.trimEnd());
  return lines;
}

/**
 * The label of transitions sharing an edge (same source, target and actions): the triggers
 * ("EVENT [guard]") joined by " | ", then "/ actions", each wrapped at WRAP characters.
 */
export function labelLines(ts: readonly GraphTransition[]): string[] {
  const triggers = wrap(ts.map((t) => transitionLabel({ ...t, actions: [] })), ' | ', '', '');
  const actions = ts[0]?.actions ?? [];
  return actions.length ? [...triggers, ...wrap(actions, ', ', '/ ', '  ')] : triggers;
}

function label(ts: readonly GraphTransition[]) {
  const lines = labelLines(ts);
  return {
    text: lines.join('\n'),
    width: Math.ceil(Math.max(...lines.map((l) => textWidth(l, EDGE_LABEL_SIZE)))) + 6,
    height: lines.length * lineHeight(EDGE_LABEL_SIZE),
  };
}

export interface LayoutOptions {
  /** Transitions with different statuses never share an edge (diff review). */
  readonly transitionStatus?: ReadonlyMap<number, string>;
}

export async function layoutGraph(g: MachineGraph, opts: LayoutOptions = {}): Promise<Layout> {
  const { boxes, children } = measureAll(g);
  const box = (n: GraphNode): Box => {
    const b = boxes.get(n.id);
    if (!b) throw new Error(`no box for ${n.id}`);
    return b;
  };
  const edges: ElkExtendedEdge[] = [];

  const toElk = (n: GraphNode): ElkNode => {
    const b = box(n);
    const kids = children.get(n.id) ?? [];
    if (kids.length === 0) return { id: n.id, width: b.width, height: b.height };
    const inner: ElkNode[] = [];
    if (n.initial) {
      inner.push({ id: initialId(n.id), width: INITIAL_SIZE, height: INITIAL_SIZE });
      edges.push({ id: `__i:${n.id}`, sources: [initialId(n.id)], targets: [n.initial] });
    }
    inner.push(...kids.map(toElk));
    return {
      id: n.id,
      children: inner,
      layoutOptions: {
        'elk.padding': `[top=${b.height + 4},left=${CONTAINER_PAD},bottom=${CONTAINER_PAD},right=${CONTAINER_PAD}]`,
        'elk.nodeSize.constraints': 'MINIMUM_SIZE',
        'elk.nodeSize.minimum': `(${b.width}, ${b.height})`,
        ...(n.type === 'parallel' ? { 'elk.direction': 'DOWN' } : {}),
      },
    };
  };
  const root = toElk(rootOf(g));

  // One edge per (source, target, actions, status); its label lists every trigger.
  const groups: { source: string; target: string; members: number[] }[] = [];
  const byKey = new Map<string, (typeof groups)[number]>();
  g.transitions.forEach((t, i) => {
    for (const target of t.targets) {
      const key = [t.source, target, t.actions.join(','), opts.transitionStatus?.get(i) ?? ''].join('\u0000');
      let grp = byKey.get(key);
      if (!grp) {
        grp = { source: t.source, target, members: [] };
        byKey.set(key, grp);
        groups.push(grp);
      }
      grp.members.push(i);
    }
  });
  groups.forEach((grp, n) => {
    const ts = grp.members.flatMap((i) => g.transitions[i] ?? []);
    edges.push({ id: edgeId(n), sources: [grp.source], targets: [grp.target], labels: [label(ts)] });
  });

  elk ??= new ElkConstructor();
  const out = await elk.layout({ id: '__graph', layoutOptions: ROOT_OPTIONS, children: [root], edges });
  return collect(g, out, boxes, children, groups.map((grp) => grp.members));
}

function collect(
  g: MachineGraph,
  out: ElkNode,
  boxes: Map<string, Box>,
  children: Map<string, GraphNode[]>,
  groups: readonly (readonly number[])[],
): Layout {
  const placed = new Map<string, ElkNode>();
  const visit = (n: ElkNode): void => {
    placed.set(n.id, n);
    n.children?.forEach(visit);
  };
  visit(out);

  const states: PlacedState[] = g.nodes.map((node) => {
    const p = placed.get(node.id);
    const b = boxes.get(node.id);
    if (!p || !b) throw new Error(`layout lost state ${node.id}`);
    return {
      node,
      box: b,
      container: (children.get(node.id)?.length ?? 0) > 0,
      x: p.x ?? 0,
      y: p.y ?? 0,
      width: p.width ?? b.width,
      height: p.height ?? b.height,
    };
  });

  const initials: PlacedInitial[] = [];
  for (const node of g.nodes) {
    const p = placed.get(initialId(node.id));
    if (p) initials.push({ parent: node.id, cx: (p.x ?? 0) + INITIAL_SIZE / 2, cy: (p.y ?? 0) + INITIAL_SIZE / 2, r: INITIAL_SIZE / 2 - 1 });
  }

  const edges: PlacedEdge[] = [];
  for (const e of (out.edges ?? []) as ElkExtendedEdge[]) {
    const m = /^__t:(\d+)$/.exec(e.id);
    const transitions = m ? (groups[Number(m[1])] ?? []) : [];
    const points: Point[] = [];
    for (const s of e.sections ?? []) points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
    const l = e.labels?.[0];
    edges.push({
      transitions,
      source: e.sources[0] ?? '',
      target: e.targets[0] ?? '',
      points,
      ...(l ? { label: { lines: (l.text ?? '').split('\n'), x: l.x ?? 0, y: l.y ?? 0, width: l.width ?? 0, height: l.height ?? 0 } } : {}),
    });
  }
  return { width: out.width ?? 0, height: out.height ?? 0, states, edges, initials };
}
