// What the model-based tests need to know about a machine's structure: its state nodes, its
// transitions (each candidate of each event of each state node, guarded alternatives apart), and
// which of them a step took. Keys are structural ("<stateNodeId>|<EVENT>|<candidate index>"), so
// the runtime's actors (machine.provide copies) and the pure machines agree on them.
import type { AnyStateMachine, AnyStateNode, EventObject } from 'xstate';
import { getStateNodes } from 'xstate/graph';

export interface MachineStructure {
  /** State node paths ("interrupted", "interrupted.speaking"); the root is not counted. */
  readonly states: readonly string[];
  /** Transition keys. */
  readonly transitions: readonly string[];
}

interface TransitionLike {
  readonly source: AnyStateNode;
  readonly eventType: string;
}

export function transitionKey(t: TransitionLike): string {
  const index = t.source.transitions.get(t.eventType)?.indexOf(t as never) ?? -1;
  return `${t.source.id}|${t.eventType}|${index}`;
}

export function structureOf(machine: AnyStateMachine): MachineStructure {
  const nodes = [machine.root, ...getStateNodes(machine.root)];
  const transitions: string[] = [];
  for (const n of nodes) {
    for (const [eventType, defs] of n.transitions) defs.forEach((_, i) => transitions.push(`${n.id}|${eventType}|${i}`));
  }
  return { states: getStateNodes(machine.root).map((n) => n.path.join('.')), transitions };
}

/** "a.b" → { a: 'b' } (our machines have no parallel states). */
export function unflattenState(value: string): string | Record<string, unknown> {
  const parts = value.split('.');
  let v: string | Record<string, unknown> = parts[parts.length - 1]!;
  for (let i = parts.length - 2; i >= 0; i--) v = { [parts[i]!]: v };
  return v;
}

/** The state node paths active in a flattened configuration: "a.b" → ["a", "a.b"]. */
export function activePaths(value: string): string[] {
  const parts = value.split('.');
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** Transition keys taken by `event` in the configuration (value, context) of the pure machine. */
export function takenTransitions(machine: AnyStateMachine, value: string, context: unknown, event: EventObject): string[] {
  const snap = machine.resolveState({ value: unflattenState(value), context } as never);
  return machine.getTransitionData(snap as never, event as never).map((t) => transitionKey(t as TransitionLike));
}
