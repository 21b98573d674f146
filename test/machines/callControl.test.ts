// The callControl machine on its own (machine-level model-based tests): CC1–CC4 as far as the
// machine decides them, over every edge of its whole state space, with full state and
// transition coverage.
import { describe, expect, it } from 'vitest';
import { createActor, getInitialSnapshot, getNextSnapshot } from 'xstate';
import { callControlMachine, type CallControlEvent } from '../../machines/callControl.js';
import { CoverageMeter, formatCoverage, recordingMachine, type EffectRecord, type EventRecord, type Invariant, type TraceRecord } from './modelHarness.js';

type Snap = ReturnType<typeof callControlMachine.getInitialSnapshot>;

const EVENTS: readonly CallControlEvent[] = [
  { type: 'END_CALL', reason: 'agent_ended' },
  { type: 'END_CALL', reason: 'idle' },
  { type: 'TRANSFER' },
  { type: 'FAR_DRAINED', responseDone: false },
  { type: 'FAR_DRAINED', responseDone: true },
  { type: 'TIMER_FIRED' },
  { type: 'ACTION_OK' },
  { type: 'ACTION_FAILED' },
  { type: 'CALL_ENDED' },
];

const effects = (rs: readonly TraceRecord[], type: string) => rs.filter((r) => r.kind === 'effect' && r.type === type);
const ACTING = ['issueHangup', 'issueTransfer'];

/** The records since the last decision (END_CALL / TRANSFER taken from live). */
function sinceDecision(trace: readonly TraceRecord[]): TraceRecord[] {
  let start = -1;
  trace.forEach((r, i) => {
    if (r.kind === 'event' && (r.event.type === 'END_CALL' || r.event.type === 'TRANSFER') && r.before.value === 'live') start = i;
  });
  return start < 0 ? [] : trace.slice(start);
}

/** CC1 (machine part): the decision closes the conversation; only a failed transfer reopens it. */
const closesOnDecision: Invariant<Snap> = ({ snapshot, event, effects: fx }) => {
  if (event && (event.event.type === 'END_CALL' || event.event.type === 'TRANSFER') && event.before.value === 'live') {
    expect(fx.map((e) => e.type)).toEqual(['closeConversation', 'startWaitTimer']);
    expect(snapshot.hasTag('cc.closing')).toBe(true);
  }
  if (fx.some((e) => e.type === 'reopenConversation')) expect(snapshot.value).toBe('live');
};

/** CC2 (machine part): the action goes out only on a drain after the response is done, or the bound. */
const waitsForTheGoodbye: Invariant<Snap> = ({ event, effects: fx }) => {
  if (!fx.some((e) => ACTING.includes(e.type))) return;
  const e = event!.event as CallControlEvent;
  expect(e.type === 'TIMER_FIRED' || (e.type === 'FAR_DRAINED' && e.responseDone)).toBe(true);
};

/** CC3 (machine part): one action per decision, none once CALL_ENDED was taken. */
const oneAction: Invariant<Snap> = ({ trace }) => {
  const ep = sinceDecision(trace);
  expect(ACTING.reduce((n, a) => n + effects(ep, a).length, 0)).toBeLessThanOrEqual(1);
  const ended = trace.findIndex((r) => r.kind === 'event' && r.event.type === 'CALL_ENDED');
  if (ended >= 0) expect(ACTING.flatMap((a) => effects(trace.slice(ended), a))).toEqual([]);
};

/** CC4 (machine part): after a failure taken while acting, the machine is live (transfer) or ended (hang-up). */
const failureDefined: Invariant<Snap> = ({ snapshot, event }) => {
  if (event?.event.type !== 'ACTION_FAILED') return;
  if (event.before.value === 'handingOff') expect([snapshot.value, snapshot.hasTag('cc.closing')]).toEqual(['live', false]);
  if (event.before.value === 'hangingUp') expect(snapshot.status).toBe('done');
};

const tagsMatchStates: Invariant<Snap> = ({ snapshot }) => {
  expect(snapshot.hasTag('cc.closing')).toBe(!snapshot.matches('live'));
  expect(snapshot.hasTag('cc.acting')).toBe(snapshot.matches('hangingUp') || snapshot.matches('handingOff'));
};

const INVARIANTS = [closesOnDecision, waitsForTheGoodbye, oneAction, failureDefined, tagsMatchStates];
const KEY = (s: Snap) => JSON.stringify([s.value, s.context, s.status]);

/** A shortest path to every reachable state, then every edge out of it (two rounds of decisions). */
function sequences(): CallControlEvent[][] {
  const first = getInitialSnapshot(callControlMachine);
  const paths = new Map<string, CallControlEvent[]>([[KEY(first), []]]);
  const queue: Snap[] = [first];
  const out: CallControlEvent[][] = [];
  while (queue.length > 0) {
    const s = queue.shift()!;
    const path = paths.get(KEY(s))!;
    if (s.status === 'done') continue;
    for (const e of EVENTS) {
      const next = getNextSnapshot(callControlMachine, s, e);
      out.push([...path, e]);
      if (!paths.has(KEY(next))) {
        paths.set(KEY(next), [...path, e]);
        queue.push(next);
      }
    }
  }
  // A failed transfer, then each way of ending: the second decision after a reopen.
  const reopen: CallControlEvent[] = [{ type: 'TRANSFER' }, { type: 'TIMER_FIRED' }, { type: 'ACTION_FAILED' }];
  for (const tail of out.slice(0, 40)) out.push([...reopen, ...tail]);
  return out;
}

function replay(events: readonly CallControlEvent[], coverage: CoverageMeter): void {
  const trace: TraceRecord[] = [];
  const actor = createActor(recordingMachine(callControlMachine, trace) as typeof callControlMachine);
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
    const fx = trace.slice(at).filter((r): r is EffectRecord => r.kind === 'effect');
    for (const inv of INVARIANTS) inv({ snapshot, trace, event: record, effects: fx });
  }
  actor.stop();
}

describe('callControl machine (model-based)', () => {
  const coverage = new CoverageMeter(callControlMachine);

  it('holds its invariants on a shortest path to every state and over every edge', () => {
    const all = sequences();
    expect(all.length).toBeGreaterThan(50);
    for (const seq of all) replay(seq, coverage);
    console.log(formatCoverage('callControl every edge', all.length, coverage.report()));
  });

  it('the paths cover every state and every transition', () => {
    const report = coverage.report();
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  });

  it('a failed transfer reopens the conversation; the next decision ends the call with one hang-up', () => {
    const trace: TraceRecord[] = [];
    const actor = createActor(recordingMachine(callControlMachine, trace) as typeof callControlMachine);
    actor.start();
    const seq: CallControlEvent[] = [
      { type: 'TRANSFER' },
      { type: 'FAR_DRAINED', responseDone: false },
      { type: 'FAR_DRAINED', responseDone: true },
      { type: 'ACTION_FAILED' },
      { type: 'END_CALL', reason: 'agent_ended' },
      { type: 'TIMER_FIRED' },
      { type: 'TIMER_FIRED' },
      { type: 'ACTION_OK' },
    ];
    for (const e of seq) actor.send(e);
    expect(effects(trace, 'issueTransfer')).toHaveLength(1);
    expect(effects(trace, 'issueHangup')).toHaveLength(1);
    expect(effects(trace, 'reopenConversation')).toHaveLength(1);
    expect(effects(trace, 'endSession')).toHaveLength(1);
    expect(actor.getSnapshot().status).toBe('done');
  });
});
