// The visualiser's input: the machine graph the generator writes to docs/machines/<name>.json
// (src/tools/gen/emit/json.ts). Only the fields the visualiser reads are declared; the schema
// rejects a malformed file with a message naming the file and the field.
import { z } from 'zod';

export const NODE_TYPES = ['atomic', 'compound', 'parallel', 'final', 'history'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

const strings = z.array(z.string());

const nodeSchema = z.object({
  id: z.string().min(1),
  path: strings,
  type: z.enum(NODE_TYPES),
  tags: strings,
  initial: z.string().optional(),
  entry: strings,
  exit: strings,
});

const transitionSchema = z.object({
  source: z.string().min(1),
  /** '' for an eventless (always) transition. */
  event: z.string(),
  /** The guard as text ("a && !b"), absent when unguarded. */
  guard: z.string().optional(),
  targets: strings,
  actions: strings,
  reenter: z.boolean(),
});

const graphSchema = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  events: strings,
  nodes: z.array(nodeSchema).min(1),
  transitions: z.array(transitionSchema),
});

export type GraphNode = z.infer<typeof nodeSchema>;
export type GraphTransition = z.infer<typeof transitionSchema>;
export type MachineGraph = z.infer<typeof graphSchema>;

export class GraphError extends Error {
  constructor(where: string, message: string) {
    super(`${where}: ${message}`);
    this.name = 'GraphError';
  }
}

/** Validates a parsed JSON graph; `where` names its origin in errors (a path or `ref:path`). */
export function parseGraph(value: unknown, where: string): MachineGraph {
  const r = graphSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const at = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new GraphError(where, `not a machine graph: ${at}: ${issue?.message ?? 'invalid'}`);
  }
  const g = r.data;
  const ids = new Set<string>();
  for (const n of g.nodes) {
    if (ids.has(n.id)) throw new GraphError(where, `state '${n.id}' appears twice`);
    ids.add(n.id);
  }
  if (g.nodes[0]?.path.length !== 0) throw new GraphError(where, 'the first node must be the root (empty path)');
  for (const n of g.nodes) {
    if (n.initial !== undefined && !ids.has(n.initial)) throw new GraphError(where, `state '${n.id}' has unknown initial '${n.initial}'`);
    if (n.path.length > 0 && !ids.has(parentId(g, n) ?? '')) throw new GraphError(where, `state '${n.id}' has no parent in the graph`);
  }
  for (const t of g.transitions) {
    for (const id of [t.source, ...t.targets]) {
      if (!ids.has(id)) throw new GraphError(where, `transition ${t.event || '(always)'} refers to unknown state '${id}'`);
    }
  }
  return g;
}

/** Parses the text of a graph file. */
export function parseGraphText(text: string, where: string): MachineGraph {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GraphError(where, `not JSON: ${(err as Error).message}`);
  }
  return parseGraph(value, where);
}

/** The root state node (the machine itself). */
export function rootOf(g: MachineGraph): GraphNode {
  const root = g.nodes[0];
  if (!root) throw new GraphError(g.name, 'no nodes');
  return root;
}

const pathKey = (path: readonly string[]): string => path.join('\u0000');

/** Id of a node's parent, found by path (ids may be custom, paths never are). */
export function parentId(g: MachineGraph, n: GraphNode): string | undefined {
  if (n.path.length === 0) return undefined;
  const want = pathKey(n.path.slice(0, -1));
  return g.nodes.find((m) => pathKey(m.path) === want)?.id;
}

/** Children of every node, in document order. */
export function childrenMap(g: MachineGraph): Map<string, GraphNode[]> {
  const byPath = new Map(g.nodes.map((n) => [pathKey(n.path), n]));
  const out = new Map<string, GraphNode[]>(g.nodes.map((n) => [n.id, []]));
  for (const n of g.nodes) {
    if (n.path.length === 0) continue;
    const parent = byPath.get(pathKey(n.path.slice(0, -1)));
    if (parent) out.get(parent.id)?.push(n);
  }
  return out;
}

/** The state's own name: the last key of its path (the machine id for the root). */
export function stateKey(g: MachineGraph, n: GraphNode): string {
  return n.path.at(-1) ?? g.id;
}

/** "EVENT [guard] / a, b": how a transition is labelled everywhere. */
export function transitionLabel(t: GraphTransition): string {
  const ev = t.event === '' ? '(always)' : t.event;
  const guard = t.guard ? ` [${t.guard}]` : '';
  const actions = t.actions.length ? ` / ${t.actions.join(', ')}` : '';
  return `${ev}${guard}${actions}`;
}
