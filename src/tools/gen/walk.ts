// Walks the live StateNode tree of a machine into StateNodeInfo, enforcing the machine rules
// (docs/ARCHITECTURE.md#machines): no invoke, no after, no wildcard events, named guards only.
import type { AnyStateMachine } from 'xstate';
import { readGuard } from './guards.js';
import { GeneratorError, type NodeType, type StateNodeInfo, type TransitionInfo } from './model.js';

/** The slice of xstate's StateNode the walk reads (kept structural so it survives upgrades). */
interface LiveTransition {
  readonly target?: readonly { readonly id: string }[];
  readonly actions: readonly unknown[];
  readonly guard?: unknown;
  readonly reenter?: boolean;
}
interface LiveNode {
  readonly id: string;
  readonly path: readonly string[];
  readonly type: NodeType;
  readonly tags: readonly string[];
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly states: Readonly<Record<string, LiveNode>>;
  readonly transitions: ReadonlyMap<string, readonly LiveTransition[]>;
  readonly always?: readonly LiveTransition[];
  readonly initial?: { readonly target: readonly { readonly id: string }[] };
  readonly invoke: readonly unknown[];
  readonly after: readonly unknown[];
}

/** The name an action is known by: its setup() name, or the built-in's type. */
export function actionName(a: unknown): string {
  if (typeof a === 'string') return a;
  if (typeof a === 'function') {
    const t = (a as { type?: unknown }).type;
    return typeof t === 'string' ? t : `inline:${a.name || 'anonymous'}`;
  }
  if (a !== null && typeof a === 'object' && 'type' in a && typeof a.type === 'string') return a.type;
  return 'unknown';
}

function readTransition(machine: string, node: LiveNode, event: string, t: LiveTransition): TransitionInfo {
  let guard;
  try {
    guard = t.guard === undefined ? undefined : readGuard(t.guard);
  } catch (err) {
    throw new GeneratorError(machine, `state '${node.id}', event '${event || '(always)'}': ${(err as Error).message}`);
  }
  return {
    source: node.id,
    event,
    ...(guard ? { guard } : {}),
    targets: (t.target ?? []).map((n) => n.id),
    actions: t.actions.map(actionName),
    reenter: t.reenter === true,
  };
}

function walkNode(machine: string, node: LiveNode): StateNodeInfo {
  if (node.invoke.length > 0) throw new GeneratorError(machine, `state '${node.id}' uses invoke; deliver effects as events`);
  if (node.after.length > 0) throw new GeneratorError(machine, `state '${node.id}' uses after; deliver timers as events`);
  const transitions: TransitionInfo[] = [];
  for (const [event, ts] of node.transitions) {
    if (event.includes('*')) throw new GeneratorError(machine, `state '${node.id}': wildcard event '${event}' is not supported`);
    for (const t of ts) transitions.push(readTransition(machine, node, event, t));
  }
  for (const t of node.always ?? []) transitions.push(readTransition(machine, node, '', t));
  const initial = node.type === 'compound' ? node.initial?.target[0]?.id : undefined;
  return {
    id: node.id,
    path: node.path,
    type: node.type,
    tags: [...node.tags],
    ...(initial ? { initial } : {}),
    entry: node.entry.map(actionName),
    exit: node.exit.map(actionName),
    transitions,
    children: Object.values(node.states).map((c) => walkNode(machine, c)),
  };
}

export function walkMachine(name: string, machine: AnyStateMachine): StateNodeInfo {
  return walkNode(name, machine.root as unknown as LiveNode);
}

/** Every node of the tree, parents before children, in document order. */
export function allNodes(root: StateNodeInfo): StateNodeInfo[] {
  return [root, ...root.children.flatMap(allNodes)];
}
