/**
 * Machine-level model-based testing: paths from createTestModel (xstate/graph) are executed
 * against a real actor of the same machine whose effect actions record what they were asked to
 * do. After every step the actor must agree with the path and the machine's invariants must hold
 * over the recorded trace. Also measures state and transition coverage of the executed paths.
 */
import { createActor, getInitialSnapshot, getNextSnapshot, type AnyStateMachine, type EventObject, type SnapshotFrom } from 'xstate';
import { getAdjacencyMap, getShortestPaths, getStateNodes, type PathGenerator, type StatePath, type Step } from 'xstate/graph';

export interface EffectRecord {
  kind: 'effect';
  type: string;
  params: unknown;
  /** Context as the action saw it (after preceding assigns of the same transition). */
  context: Record<string, unknown>;
}
export interface EventRecord {
  kind: 'event';
  event: EventObject;
  /** State value and context before the event. */
  before: { value: unknown; context: Record<string, unknown>; tags: string[] };
}
export type TraceRecord = EffectRecord | EventRecord;

export interface StepView<TSnapshot> {
  snapshot: TSnapshot;
  /** Records of the whole path so far (events and effects, in order). */
  trace: readonly TraceRecord[];
  /** The event of this step and the effects it caused. */
  event: EventRecord | null;
  effects: readonly EffectRecord[];
}

export type Invariant<TSnapshot> = (view: StepView<TSnapshot>) => void;

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Names of the machine's effect actions (every implementation that is not an assign). */
export function effectNames(machine: AnyStateMachine): string[] {
  const actions = (machine.implementations.actions ?? {}) as Record<string, unknown>;
  return Object.entries(actions)
    .filter(([, impl]) => (impl as { type?: string }).type !== 'xstate.assign')
    .map(([name]) => name);
}

/** The machine with every effect replaced by a recorder that appends to `trace`. */
export function recordingMachine(machine: AnyStateMachine, trace: TraceRecord[]): AnyStateMachine {
  const actions: Record<string, (args: { context: Record<string, unknown> }, params: unknown) => void> = {};
  for (const name of effectNames(machine)) {
    actions[name] = ({ context }, params) => {
      trace.push({ kind: 'effect', type: name, params: clone(params ?? null), context: clone(context) });
    };
  }
  return machine.provide({ actions } as never);
}

export interface SimplePathBounds<TSnapshot> {
  /** Longest path (in events) explored. */
  maxDepth: number;
  /** Enumeration stops after this many paths (deterministic DFS order). */
  maxPaths: number;
  /** Keep only paths ending in such a state (the DFS still runs through the others). */
  toState?: (snapshot: TSnapshot) => boolean;
}

/**
 * Simple (cycle-free) paths from the initial state, bounded in depth and number. xstate's own
 * getSimplePaths enumerates every simple path to every state, which is exponential and has no
 * bound; this walks the same adjacency map depth-first and stops at the bounds.
 */
export function boundedSimplePaths<TSnapshot extends SnapshotFrom<AnyStateMachine>, TEvent extends EventObject>(
  bounds: SimplePathBounds<TSnapshot>,
): PathGenerator<TSnapshot, TEvent, unknown> {
  return (logic, options) => {
    const adjacency: Record<string, { transitions: Record<string, { state: TSnapshot; event: TEvent }> }> =
      getAdjacencyMap(logic, options) as never;
    const serialize = options.serializeState ?? ((s: TSnapshot) => JSON.stringify([s.value, s.context]));
    const initial = (options.fromState ?? getInitialSnapshot(logic as never, options.input as never)) as TSnapshot;
    const paths: StatePath<TSnapshot, TEvent>[] = [];
    const onPath = new Set<string>();
    const steps: Step<TSnapshot, TEvent>[] = [{ state: initial, event: { type: 'xstate.init' } as TEvent }];
    const visit = (state: TSnapshot, key: string): void => {
      if (paths.length >= bounds.maxPaths) return;
      const depth = steps.length - 1;
      if (depth > 0 && (bounds.toState?.(state) ?? true)) {
        paths.push({ state, steps: [...steps], weight: depth });
      }
      if (depth >= bounds.maxDepth) return;
      const node = adjacency[key];
      if (node === undefined) return;
      for (const { state: next, event } of Object.values(node.transitions)) {
        const nextKey = serialize(next, event, state);
        if (onPath.has(nextKey)) continue;
        onPath.add(nextKey);
        steps.push({ state: next, event });
        visit(next, nextKey);
        steps.pop();
        onPath.delete(nextKey);
      }
    };
    const initialKey = serialize(initial, undefined, undefined);
    onPath.add(initialKey);
    visit(initial, initialKey);
    return paths;
  };
}

/**
 * Transition tour: for every edge (state, event) of the adjacency map, the shortest path to the
 * state followed by that event. Unlike shortest or simple paths, this also takes the self-loops
 * (events a state handles without changing value or context), so every transition is exercised.
 */
export function edgePaths<TSnapshot extends SnapshotFrom<AnyStateMachine>, TEvent extends EventObject>(): PathGenerator<
  TSnapshot,
  TEvent,
  unknown
> {
  return (logic, options) => {
    const adjacency: Record<string, { transitions: Record<string, { state: TSnapshot; event: TEvent }> }> =
      getAdjacencyMap(logic, options) as never;
    const serialize = options.serializeState ?? ((s: TSnapshot) => JSON.stringify([s.value, s.context]));
    const prefixes = new Map<string, StatePath<TSnapshot, TEvent>>();
    for (const path of getShortestPaths(logic, options)) {
      const prev = path.steps.length > 1 ? path.steps[path.steps.length - 2]!.state : undefined;
      const last = path.steps[path.steps.length - 1]!;
      const event = last.event.type === 'xstate.init' ? undefined : last.event;
      prefixes.set(serialize(path.state, event as never, prev), path);
    }
    const paths: StatePath<TSnapshot, TEvent>[] = [];
    for (const [key, prefix] of prefixes) {
      const node = adjacency[key];
      if (node === undefined) continue;
      for (const { state, event } of Object.values(node.transitions)) {
        paths.push({ state, steps: [...prefix.steps, { state, event }], weight: prefix.weight + 1 });
      }
    }
    return paths;
  };
}

export interface Coverage {
  states: { covered: number; total: number; missing: string[] };
  transitions: { covered: number; total: number; missing: string[] };
}

/** Every transition definition of the machine, keyed "<source id> <event> #<index>". */
function transitionKeys(machine: AnyStateMachine): Map<unknown, string> {
  const keys = new Map<unknown, string>();
  for (const node of [machine.root, ...getStateNodes(machine.root)]) {
    for (const [eventType, defs] of node.transitions) {
      defs.forEach((def, index) => keys.set(def, `${node.id} ${eventType} #${index}`));
    }
  }
  return keys;
}

export class CoverageMeter {
  private readonly stateIds: string[];
  private readonly seenStates = new Set<string>();
  private readonly transitions: Map<unknown, string>;
  private readonly seenTransitions = new Set<string>();

  constructor(private readonly machine: AnyStateMachine) {
    this.stateIds = getStateNodes(machine.root).map((n) => n.id);
    this.transitions = transitionKeys(machine);
  }

  visit(snapshot: SnapshotFrom<AnyStateMachine>): void {
    for (const node of getStateNodes(this.machine.root)) {
      if (snapshot.matches(node.path.join('.') as never)) this.seenStates.add(node.id);
    }
  }

  take(before: SnapshotFrom<AnyStateMachine>, event: EventObject): void {
    for (const def of this.machine.getTransitionData(before as never, event as never)) {
      const key = this.transitions.get(def);
      if (key !== undefined) this.seenTransitions.add(key);
    }
  }

  report(): Coverage {
    const allTransitions = [...this.transitions.values()];
    return {
      states: {
        covered: this.seenStates.size,
        total: this.stateIds.length,
        missing: this.stateIds.filter((id) => !this.seenStates.has(id)),
      },
      transitions: {
        covered: this.seenTransitions.size,
        total: allTransitions.length,
        missing: allTransitions.filter((k) => !this.seenTransitions.has(k)),
      },
    };
  }
}

export interface RunOptions<TSnapshot> {
  input?: unknown;
  invariants: ReadonlyArray<Invariant<TSnapshot>>;
  coverage?: CoverageMeter;
}

/**
 * Runs one model path against a recording actor through TestPath.test, checking after every
 * step that the actor is where the model says and that every invariant holds.
 */
export async function runPath<TSnapshot extends SnapshotFrom<AnyStateMachine>>(
  machine: AnyStateMachine,
  path: StatePath<TSnapshot, EventObject> & {
    test: (params: {
      events?: Record<string, (step: { event: EventObject; state: TSnapshot }) => void>;
      states?: Record<string, (state: TSnapshot) => void>;
    }) => Promise<unknown>;
  },
  options: RunOptions<TSnapshot>,
): Promise<TraceRecord[]> {
  const trace: TraceRecord[] = [];
  const logic = recordingMachine(machine, trace);
  const actor = createActor(logic, { input: options.input } as never);
  actor.start();
  let stepStart = trace.length;
  let lastEvent: EventRecord | null = null;

  const send = (step: { event: EventObject }) => {
    const before = actor.getSnapshot() as TSnapshot;
    options.coverage?.take(before, step.event);
    lastEvent = {
      kind: 'event',
      event: clone(step.event),
      before: { value: clone(before.value), context: clone(before.context), tags: [...before.tags] },
    };
    trace.push(lastEvent);
    stepStart = trace.length;
    actor.send(step.event);
  };
  const events: Record<string, (step: { event: EventObject; state: TSnapshot }) => void> = {};
  for (const step of path.steps) {
    if (!step.event.type.startsWith('xstate.')) events[step.event.type] = send;
  }

  await path.test({
    events,
    states: {
      '*': (modelState) => {
        const snapshot = actor.getSnapshot() as TSnapshot;
        if (JSON.stringify(snapshot.value) !== JSON.stringify(modelState.value)) {
          throw new Error(
            `actor in ${JSON.stringify(snapshot.value)}, model in ${JSON.stringify(modelState.value)} ` +
              `after ${JSON.stringify(lastEvent?.event)} from ${JSON.stringify(lastEvent?.before.value)}`,
          );
        }
        options.coverage?.visit(snapshot);
        const effects = trace.slice(stepStart).filter((r): r is EffectRecord => r.kind === 'effect');
        const view: StepView<TSnapshot> = { snapshot, trace, event: lastEvent, effects };
        for (const invariant of options.invariants) invariant(view);
      },
    },
  });
  actor.stop();
  return trace;
}

/** The snapshot the pure machine reaches from `snapshot` on `event` (for "changes nothing" checks). */
export function nextOf<TSnapshot extends SnapshotFrom<AnyStateMachine>>(
  machine: AnyStateMachine,
  snapshot: TSnapshot,
  event: EventObject,
): TSnapshot {
  return getNextSnapshot(machine, snapshot as never, event as never) as TSnapshot;
}

export function effectsOf(trace: readonly TraceRecord[], type: string): EffectRecord[] {
  return trace.filter((r): r is EffectRecord => r.kind === 'effect' && r.type === type);
}

export function eventsOf(trace: readonly TraceRecord[], type: string): EventRecord[] {
  return trace.filter((r): r is EventRecord => r.kind === 'event' && r.event.type === type);
}

export function indexOfFirst(trace: readonly TraceRecord[], pred: (r: TraceRecord) => boolean): number {
  return trace.findIndex(pred);
}

export function formatCoverage(name: string, pathCount: number, coverage: Coverage): string {
  const pct = (c: number, t: number) => (t === 0 ? 100 : (100 * c) / t).toFixed(1);
  return (
    `[coverage] ${name}: ${pathCount} paths; states ${coverage.states.covered}/${coverage.states.total} ` +
    `(${pct(coverage.states.covered, coverage.states.total)}%), transitions ` +
    `${coverage.transitions.covered}/${coverage.transitions.total} ` +
    `(${pct(coverage.transitions.covered, coverage.transitions.total)}%)` +
    (coverage.transitions.missing.length ? `; missing ${coverage.transitions.missing.join(', ')}` : '')
  );
}
