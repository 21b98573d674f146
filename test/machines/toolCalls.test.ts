// The toolCalls machine on its own (machine-level model-based tests): TC1–TC3 as far as the
// machine decides them, over every shortest path, every edge and bounded simple paths, with
// full state and transition coverage.
import { describe, expect, it } from 'vitest';
import { createActor, getInitialSnapshot, getNextSnapshot } from 'xstate';
import { toolCallsMachine, type ToolCallsEvent } from '../../machines/toolCalls.js';
import { CoverageMeter, formatCoverage, recordingMachine, type EffectRecord, type EventRecord, type Invariant, type TraceRecord } from './modelHarness.js';

type Snap = ReturnType<typeof toolCallsMachine.getInitialSnapshot>;

/** Every event, with at most 3 calls outstanding (the context would grow without bound). */
function eventsFor(snapshot: Snap): ToolCallsEvent[] {
  return [
    ...(snapshot.context.outstanding < 3 ? [{ type: 'FUNCTION_CALL' } as const] : []),
    { type: 'RESPONSE_DONE' },
    { type: 'OUTPUT', responseActive: false },
    { type: 'OUTPUT', responseActive: true },
    { type: 'CALLER_TURN' },
    { type: 'LINK_LOST' },
    { type: 'END' },
  ];
}

/** The records of the current episode: from the FUNCTION_CALL that left idle. */
function episode(trace: readonly TraceRecord[]): TraceRecord[] {
  let start = 0;
  trace.forEach((r, i) => {
    if (r.kind === 'event' && r.event.type === 'FUNCTION_CALL' && r.before.value === 'idle') start = i;
  });
  return trace.slice(start);
}

const effects = (rs: readonly TraceRecord[], type: string) => rs.filter((r) => r.kind === 'effect' && r.type === type);
const events = (rs: readonly TraceRecord[], type: string) => rs.filter((r) => r.kind === 'event' && r.event.type === type);

/** Every FUNCTION_CALL the machine takes starts exactly one request. */
const oneRequestPerCall: Invariant<Snap> = ({ event, effects: fx }) => {
  if (event?.event.type !== 'FUNCTION_CALL') return;
  const taken = event.before.value === 'idle' || event.before.value === 'collecting';
  expect(fx.filter((e) => e.type === 'startRequest')).toHaveLength(taken ? 1 : 0);
};

/** TC1 (machine part): outputs go out once per episode, only when none is outstanding, never after the link was lost. */
const outputsOnceOnTheIssuingLink: Invariant<Snap> = ({ trace }) => {
  const ep = episode(trace);
  const sends = effects(ep, 'sendOutputs');
  expect(sends.length).toBeLessThanOrEqual(1);
  for (const s of sends) expect(s.kind === 'effect' && s.context.outstanding).toBe(0);
  const lost = ep.findIndex((r) => r.kind === 'event' && r.event.type === 'LINK_LOST' && r.before.value !== 'idle' && r.before.value !== 'ended');
  if (lost >= 0) expect(effects(ep.slice(lost), 'sendOutputs')).toEqual([]);
};

/** TC2 (machine part): response.create only right after the outputs, never after a newer turn, never while a response is active. */
const noStaleAnswer: Invariant<Snap> = ({ trace, event, effects: fx }) => {
  if (!fx.some((e) => e.type === 'createResponse')) return;
  expect(fx.map((e) => e.type)).toEqual(['sendOutputs', 'createResponse']);
  expect(events(episode(trace), 'CALLER_TURN')).toEqual([]);
  expect((event?.event as { responseActive?: boolean }).responseActive ?? false).toBe(false);
};

/** TC3 (machine part): END aborts the requests from every state but the final one, and nothing follows. */
const endAborts: Invariant<Snap> = ({ snapshot, event, effects: fx, trace }) => {
  if (event?.event.type === 'END' && event.before.value !== 'ended') {
    expect(fx.map((e) => e.type)).toEqual(['abortRequests']);
    expect(snapshot.status).toBe('done');
  }
  const end = trace.findIndex((r) => r.kind === 'effect' && r.type === 'abortRequests');
  if (end >= 0) expect(trace.slice(end + 1).filter((r) => r.kind === 'effect')).toEqual([]);
};

const tagsMatchStates: Invariant<Snap> = ({ snapshot }) => {
  expect(snapshot.hasTag('tools.running')).toBe((['collecting', 'awaiting', 'orphaned'] as const).some((s) => snapshot.matches(s)));
  expect(snapshot.hasTag('tools.orphaned')).toBe(snapshot.matches('orphaned'));
};

const INVARIANTS = [oneRequestPerCall, outputsOnceOnTheIssuingLink, noStaleAnswer, endAborts, tagsMatchStates];
const KEY = (s: Snap) => JSON.stringify([s.value, s.context, s.status]);

/**
 * Every reachable state (breadth first, so each with a shortest event sequence) and every edge:
 * the sequences to replay. The state space is small (the calls outstanding are bounded by
 * eventsFor), so it is explored whole.
 */
function sequences(): ToolCallsEvent[][] {
  const first = getInitialSnapshot(toolCallsMachine);
  const paths = new Map<string, ToolCallsEvent[]>([[KEY(first), []]]);
  const queue: Snap[] = [first];
  const out: ToolCallsEvent[][] = [];
  while (queue.length > 0) {
    const s = queue.shift()!;
    const path = paths.get(KEY(s))!;
    if (s.status === 'done') continue;
    for (const e of eventsFor(s)) {
      const next = getNextSnapshot(toolCallsMachine, s, e);
      out.push([...path, e]);
      if (!paths.has(KEY(next))) {
        paths.set(KEY(next), [...path, e]);
        queue.push(next);
      }
    }
  }
  return out;
}

/** Replays one sequence on a recording actor, checking every invariant after every step. */
function replay(events: readonly ToolCallsEvent[], coverage: CoverageMeter): void {
  const trace: TraceRecord[] = [];
  const actor = createActor(recordingMachine(toolCallsMachine, trace) as typeof toolCallsMachine);
  actor.start();
  coverage.visit(actor.getSnapshot());
  for (const e of events) {
    const before = actor.getSnapshot();
    coverage.take(before, e);
    const record: EventRecord = { kind: 'event', event: { ...e }, before: { value: before.value, context: { ...before.context }, tags: [...before.tags] } };
    trace.push(record);
    const at = trace.length;
    actor.send(e);
    const snapshot = actor.getSnapshot();
    coverage.visit(snapshot);
    const effects = trace.slice(at).filter((r): r is EffectRecord => r.kind === 'effect');
    for (const inv of INVARIANTS) inv({ snapshot, trace, event: record, effects });
  }
  actor.stop();
}

describe('toolCalls machine (model-based)', () => {
  const coverage = new CoverageMeter(toolCallsMachine);

  it('holds its invariants on a shortest path to every state and over every edge', () => {
    const all = sequences();
    expect(all.length).toBeGreaterThan(100);
    for (const seq of all) replay(seq, coverage);
    console.log(formatCoverage('toolCalls every edge', all.length, coverage.report()));
  });

  it('the paths cover every state and every transition', () => {
    const report = coverage.report();
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  });

  it('a barge-in during the tools: outputs sent, no response.create; a reconnect: outputs dropped', () => {
    const trace: TraceRecord[] = [];
    const actor = createActor(recordingMachine(toolCallsMachine, trace) as typeof toolCallsMachine);
    actor.start();
    for (const e of [{ type: 'FUNCTION_CALL' }, { type: 'RESPONSE_DONE' }, { type: 'CALLER_TURN' }, { type: 'OUTPUT', responseActive: false }] as const) actor.send(e);
    expect(effects(trace, 'sendOutputs')).toHaveLength(1);
    expect(effects(trace, 'createResponse')).toHaveLength(0);
    for (const e of [{ type: 'FUNCTION_CALL' }, { type: 'FUNCTION_CALL' }, { type: 'RESPONSE_DONE' }, { type: 'LINK_LOST' }, { type: 'OUTPUT', responseActive: false }, { type: 'OUTPUT', responseActive: false }] as const) actor.send(e);
    expect(effects(trace, 'sendOutputs')).toHaveLength(1);
    expect(effects(trace, 'dropOutputs')).toHaveLength(1);
    expect(actor.getSnapshot().value).toBe('idle');
  });
});
