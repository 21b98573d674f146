// Test paths from the machines (xstate/graph createTestModel): shortest paths to every abstract
// configuration, shortest paths to every transition (self-loops included: a shortest path to a
// configuration where the transition is enabled, plus that step), and bounded simple paths that
// add interleavings not yet taken. Every path is replayed on the pure machine, which fixes what
// the runtime must do at each step: the transitions, the configuration, the projected context.
import { createActor, transition, type AnyStateMachine, type EventObject } from 'xstate';
import { createTestModel, getAdjacencyMap, type StatePath } from 'xstate/graph';
import { flattenState } from '../../obs/trace.js';
import { structureOf, takenTransitions } from './machineInfo.js';
import type { Ctx, MachineModel, ModelEvent, ModelVariant } from './models/types.js';

export interface PlannedStep {
  readonly event: ModelEvent;
  readonly from: { readonly value: string; readonly ctx: Ctx };
  readonly to: { readonly value: string; readonly ctx: Ctx };
  /** Transition keys the step takes (never empty: every step does something). */
  readonly transitions: readonly string[];
  /** project(to.ctx): what the runtime's context must match. */
  readonly expect: Readonly<Record<string, unknown>>;
}

export type PathKind = 'shortest' | 'transition' | 'simple';

export interface PlannedPath {
  readonly id: string;
  readonly machine: string;
  readonly variant: ModelVariant;
  readonly kind: PathKind;
  readonly steps: readonly PlannedStep[];
}

export interface PlanOptions {
  /** Longest bounded simple path, in steps. */
  readonly maxDepth: number;
  /** Most simple paths per machine variant. */
  readonly maxSimple: number;
  /** Traversal limit handed to xstate/graph (it throws beyond it). */
  readonly limit?: number;
}

interface Snap {
  readonly value: unknown;
  readonly context: Ctx;
}

function eventsOf(model: MachineModel) {
  return (s: Snap): ModelEvent[] => {
    const value = flattenState(s.value);
    const out: ModelEvent[] = [];
    for (const t of model.templates) {
      const payload = t.build(value, s.context);
      if (payload) out.push({ ...payload, type: t.type, role: t.role } as ModelEvent);
    }
    return out;
  };
}

function serializer(model: MachineModel) {
  return (s: Snap): string => model.abstract(flattenState(s.value), s.context);
}

const eventKey = (e: EventObject): string => JSON.stringify(e);

/** Replays events on the pure machine; undefined when a step does nothing (not a test step). */
function replay(model: MachineModel, variant: ModelVariant, events: readonly ModelEvent[]): PlannedStep[] | undefined {
  const machine = model.machine;
  let snap = createActor(machine, { input: variant.input } as never).getSnapshot() as unknown as Snap;
  const steps: PlannedStep[] = [];
  for (const event of events) {
    const from = { value: flattenState(snap.value), ctx: snap.context };
    const keys = takenTransitions(machine, from.value, from.ctx, event);
    if (keys.length === 0) return undefined;
    const [next] = transition(machine as AnyStateMachine, snap as never, event as never);
    snap = next as unknown as Snap;
    const to = { value: flattenState(snap.value), ctx: snap.context };
    steps.push({ event, from, to, transitions: keys, expect: model.project(to.ctx) });
  }
  return steps;
}

const eventsOfPath = (p: StatePath<never, EventObject>): ModelEvent[] => p.steps.slice(1).map((s) => s.event as ModelEvent);

/** Plans the paths of one machine variant. */
export function planMachine(model: MachineModel, variant: ModelVariant, opts: PlanOptions): PlannedPath[] {
  const machine = model.machine;
  const traversal = {
    events: eventsOf(model),
    serializeState: serializer(model),
    serializeEvent: eventKey,
    limit: opts.limit ?? 20_000,
    ...(variant.input !== undefined ? { input: variant.input } : {}),
  };
  const testModel = createTestModel(machine, traversal as never);
  const planned: PlannedPath[] = [];
  const seen = new Set<string>();
  const add = (kind: PathKind, events: ModelEvent[]): PlannedPath | undefined => {
    if (events.length === 0) return undefined;
    const key = events.map(eventKey).join(' ');
    if (seen.has(key)) return undefined;
    const steps = replay(model, variant, events);
    if (!steps) return undefined;
    seen.add(key);
    const p: PlannedPath = { id: `${model.name}/${variant.label}/${kind}-${planned.length + 1}`, machine: model.name, variant, kind, steps };
    planned.push(p);
    return p;
  };

  // 1. Shortest paths to every abstract configuration (prefixes dropped by the test model).
  const shortest = testModel.getShortestPaths({ ...traversal, allowDuplicatePaths: true } as never) as unknown as StatePath<never, EventObject>[];
  const prefixOf = new Map<string, ModelEvent[]>();
  for (const p of shortest) prefixOf.set(serializer(model)(p.state as unknown as Snap), eventsOfPath(p));
  const isPrefix = (a: ModelEvent[], all: ModelEvent[][]) =>
    all.some((b) => b.length > a.length && a.every((e, i) => eventKey(e) === eventKey(b[i]!)));
  const allShortest = shortest.map(eventsOfPath);
  for (const events of allShortest) if (!isPrefix(events, allShortest)) add('shortest', events);

  // 2. Every transition the machine has: a shortest path to where it is enabled, plus that step.
  const covered = new Set(planned.flatMap((p) => p.steps.flatMap((s) => s.transitions)));
  const adjacency = getAdjacencyMap(machine, traversal as never) as unknown as Record<string, { state: Snap; transitions: Record<string, { event: ModelEvent }> }>;
  for (const [stateKey, adj] of Object.entries(adjacency)) {
    const prefix = prefixOf.get(stateKey);
    if (!prefix) continue;
    for (const { event } of Object.values(adj.transitions)) {
      const keys = takenTransitions(machine, flattenState(adj.state.value), adj.state.context, event);
      if (keys.length === 0 || keys.every((k) => covered.has(k))) continue;
      const p = add('transition', [...prefix, event]);
      if (p) for (const s of p.steps) for (const k of s.transitions) covered.add(k);
    }
  }

  // 3. Bounded simple paths (no abstract configuration twice, at most maxDepth steps) that take
  //    an (abstract configuration, event) edge no planned path took yet.
  const edges = new Set<string>();
  const ser = serializer(model);
  const noteEdges = (p: PlannedPath) => {
    for (const s of p.steps) edges.add(`${ser({ value: s.from.value, context: s.from.ctx } as never)} ${eventKey(s.event)}`);
  };
  planned.forEach(noteEdges);
  const simple = testModel.getPaths(boundedSimplePaths(opts.maxDepth, opts.maxSimple * 50) as never, traversal as never) as unknown as StatePath<never, EventObject>[];
  let added = 0;
  for (const p of simple) {
    if (added >= opts.maxSimple) break;
    const events = eventsOfPath(p);
    const fresh = p.steps.slice(1).some((s, i) => !edges.has(`${ser(p.steps[i]!.state as unknown as Snap)} ${eventKey(s.event)}`));
    if (!fresh) continue;
    const planned1 = add('simple', events);
    if (planned1) {
      noteEdges(planned1);
      added += 1;
    }
  }
  return planned;
}

/**
 * A path generator for TestModel.getPaths: maximal simple paths of the abstract graph, depth
 * first, at most `maxDepth` steps, at most `maxPaths` of them. Steps in xstate/graph's form:
 * the first is xstate.init, each step's state is the one after its event.
 */
function boundedSimplePaths(maxDepth: number, maxPaths: number) {
  return (logic: AnyStateMachine, options: Record<string, unknown>): StatePath<never, EventObject>[] => {
    type Adj = Record<string, { state: unknown; transitions: Record<string, { event: EventObject; state: unknown }> }>;
    const adjacency = getAdjacencyMap(logic, options as never) as Adj;
    const ser = options['serializeState'] as (s: unknown) => string;
    const start = Object.keys(adjacency)[0];
    const out: StatePath<never, EventObject>[] = [];
    if (start === undefined) return out;
    const onPath = new Set<string>([start]);
    const trail: { state: unknown; event: EventObject }[] = [{ state: adjacency[start]!.state, event: { type: 'xstate.init' } }];
    const visit = (key: string): void => {
      let extended = false;
      if (trail.length - 1 < maxDepth) {
        for (const t of Object.values(adjacency[key]!.transitions)) {
          if (out.length >= maxPaths) return;
          const next = ser(t.state);
          if (onPath.has(next) || !adjacency[next]) continue;
          extended = true;
          onPath.add(next);
          trail.push({ state: t.state, event: t.event });
          visit(next);
          trail.pop();
          onPath.delete(next);
        }
      }
      if (!extended && trail.length > 1 && out.length < maxPaths) out.push({ state: trail[trail.length - 1]!.state as never, steps: [...trail] as never, weight: trail.length - 1 });
    };
    visit(start);
    return out;
  };
}

/** Every state node and transition of the machine, for coverage. */
export { structureOf };
