// Design-review diff of one machine between a git ref and the working tree: which states and
// transitions were added, removed or changed, plus a merged graph (the current machine with
// the removed parts put back) that the renderer draws with those statuses highlighted.
//
// Identity: a state is its id. A transition is (source, event, guard, n) where n counts the
// transitions with that same triple in document order, so reordering unrelated transitions
// changes nothing and a changed target or action list shows as "changed", not add+remove.
import { transitionLabel, type GraphNode, type GraphTransition, type MachineGraph } from './graph.js';
import type { DiffStatus } from './render/index.js';

export interface StateChange {
  readonly id: string;
  /** Human-readable field changes: "tags: a → a, b". */
  readonly details: readonly string[];
}

export interface TransitionChange {
  readonly before: string;
  readonly after: string;
}

export interface MachineDiff {
  readonly name: string;
  /** 'added' / 'removed': the whole machine is new / gone. */
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly states: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly StateChange[] };
  readonly transitions: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly TransitionChange[];
  };
  /** What to draw: the current graph plus everything removed. */
  readonly merged: MachineGraph;
  readonly nodeStatus: ReadonlyMap<string, DiffStatus>;
  readonly transitionStatus: ReadonlyMap<number, DiffStatus>;
}

const list = (xs: readonly string[]): string => (xs.length ? xs.join(', ') : '∅');
const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function stateDetails(a: GraphNode, b: GraphNode): string[] {
  const d: string[] = [];
  if (a.type !== b.type) d.push(`type: ${a.type} → ${b.type}`);
  if (!same(a.tags, b.tags)) d.push(`tags: ${list(a.tags)} → ${list(b.tags)}`);
  if ((a.initial ?? '') !== (b.initial ?? '')) d.push(`initial: ${a.initial ?? '∅'} → ${b.initial ?? '∅'}`);
  if (!same(a.entry, b.entry)) d.push(`entry: ${list(a.entry)} → ${list(b.entry)}`);
  if (!same(a.exit, b.exit)) d.push(`exit: ${list(a.exit)} → ${list(b.exit)}`);
  return d;
}

/** "source: EVENT [guard] / actions → targets", how a transition is named in a diff. */
export function describeTransition(t: GraphTransition): string {
  const to = t.targets.length ? t.targets.join(', ') : '(internal)';
  return `${t.source}: ${transitionLabel(t)} → ${to}${t.reenter ? ' (reenter)' : ''}`;
}

function keyed(ts: readonly GraphTransition[]): Map<string, number> {
  const seen = new Map<string, number>();
  const out = new Map<string, number>();
  ts.forEach((t, i) => {
    const base = `${t.source}\u0000${t.event}\u0000${t.guard ?? ''}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.set(`${base}\u0000${n}`, i);
  });
  return out;
}

const sameTransition = (a: GraphTransition, b: GraphTransition): boolean =>
  same(a.targets, b.targets) && same(a.actions, b.actions) && a.reenter === b.reenter;

/** The current node list with removed nodes put back after their last surviving sibling. */
function mergeNodes(before: MachineGraph, after: MachineGraph): GraphNode[] {
  const key = (p: readonly string[]): string => p.join('\u0000');
  const merged = [...after.nodes];
  const present = new Set(merged.map((n) => n.id));
  for (const old of before.nodes) {
    if (present.has(old.id)) continue;
    const parent = key(old.path.slice(0, -1));
    // Insert after the parent's last descendant currently in the list.
    let at = -1;
    merged.forEach((n, i) => {
      const k = key(n.path);
      if (k === parent || k.startsWith(parent === '' ? '' : `${parent}\u0000`)) at = i;
    });
    merged.splice(at + 1, 0, old);
    present.add(old.id);
  }
  return merged;
}

export function diffMachine(name: string, before: MachineGraph | undefined, after: MachineGraph | undefined): MachineDiff {
  const base = after ?? before;
  if (!base) throw new Error(`diffMachine('${name}'): neither side exists`);
  const nodeStatus = new Map<string, DiffStatus>();
  const transitionStatus = new Map<number, DiffStatus>();
  if (!before || !after) {
    const status: DiffStatus = after ? 'added' : 'removed';
    for (const n of base.nodes) nodeStatus.set(n.id, status);
    base.transitions.forEach((_, i) => transitionStatus.set(i, status));
    const all = base.nodes.filter((n) => n.path.length > 0).map((n) => n.id);
    const ts = base.transitions.map(describeTransition);
    return {
      name,
      status,
      states: { added: after ? all : [], removed: after ? [] : all, changed: [] },
      transitions: { added: after ? ts : [], removed: after ? [] : ts, changed: [] },
      merged: base,
      nodeStatus,
      transitionStatus,
    };
  }

  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const newIds = new Set(after.nodes.map((n) => n.id));
  const states = { added: [] as string[], removed: [] as string[], changed: [] as StateChange[] };
  for (const n of after.nodes) {
    const old = oldNodes.get(n.id);
    if (!old) {
      states.added.push(n.id);
      nodeStatus.set(n.id, 'added');
    } else {
      const details = stateDetails(old, n);
      if (details.length) {
        states.changed.push({ id: n.id, details });
        nodeStatus.set(n.id, 'changed');
      }
    }
  }
  for (const n of before.nodes) {
    if (!newIds.has(n.id)) {
      states.removed.push(n.id);
      nodeStatus.set(n.id, 'removed');
    }
  }

  const transitions = [...after.transitions];
  const oldKeys = keyed(before.transitions);
  const newKeys = keyed(after.transitions);
  const tr = { added: [] as string[], removed: [] as string[], changed: [] as TransitionChange[] };
  for (const [k, i] of newKeys) {
    const t = after.transitions[i];
    const oi = oldKeys.get(k);
    const old = oi === undefined ? undefined : before.transitions[oi];
    if (!t) continue;
    if (!old) {
      tr.added.push(describeTransition(t));
      transitionStatus.set(i, 'added');
    } else if (!sameTransition(old, t)) {
      tr.changed.push({ before: describeTransition(old), after: describeTransition(t) });
      transitionStatus.set(i, 'changed');
    }
  }
  for (const [k, oi] of oldKeys) {
    const old = before.transitions[oi];
    if (!old || newKeys.has(k)) continue;
    tr.removed.push(describeTransition(old));
    transitionStatus.set(transitions.length, 'removed');
    transitions.push(old);
  }

  const changed = states.added.length + states.removed.length + states.changed.length + tr.added.length + tr.removed.length + tr.changed.length;
  return {
    name,
    status: changed ? 'changed' : 'unchanged',
    states,
    transitions: tr,
    merged: { ...after, nodes: mergeNodes(before, after), transitions },
    nodeStatus,
    transitionStatus,
  };
}

/** Diffs every machine present on either side, in the order given (current first). */
export function diffAll(
  before: readonly { name: string; graph: MachineGraph }[],
  after: readonly { name: string; graph: MachineGraph }[],
): MachineDiff[] {
  const old = new Map(before.map((m) => [m.name, m.graph]));
  const cur = new Map(after.map((m) => [m.name, m.graph]));
  const names = [...after.map((m) => m.name), ...before.map((m) => m.name).filter((n) => !cur.has(n))];
  return names.map((n) => diffMachine(n, old.get(n), cur.get(n)));
}
