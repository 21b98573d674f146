import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { turnMachine, type TurnEvent, type TurnInput } from '../../machines/turn.js';
import { decideTruncate } from '../../machines/truncate.js';
import {
  boundedSimplePaths,
  CoverageMeter,
  edgePaths,
  effectsOf,
  formatCoverage,
  recordingMachine,
  runPath,
  type Invariant,
  type TraceRecord,
} from './modelHarness.js';

type Snap = ReturnType<typeof turnMachine.getInitialSnapshot>;

const IDS = ['r1', 'r2'] as const;

/** Concrete events for a snapshot: current and stale epochs/seqs, active, cancelled and unknown ids. */
function eventsFor(snapshot: Snap): TurnEvent[] {
  const c = snapshot.context;
  const prevEpoch = (c.epoch + c.epochModulus - 1) % c.epochModulus;
  const prevSeq = (c.written + c.seqModulus - 1) % c.seqModulus;
  const fresh = IDS.find((id) => id !== c.activeResponse && id !== c.cancelledResponse) ?? 'r2';
  const known = [c.activeResponse, c.cancelledResponse, 'stranger'].filter((id): id is string => id !== null);
  return [
    { type: 'RESPONSE_CREATED', responseId: fresh },
    ...known.map((responseId): TurnEvent => ({ type: 'AUDIO_DELTA', responseId, itemId: 'i1' })),
    ...known.map((responseId): TurnEvent => ({ type: 'TEXT_DELTA', responseId })),
    ...known.map((responseId): TurnEvent => ({ type: 'RESPONSE_DONE', responseId })),
    { type: 'SPEECH_STARTED', itemId: 'i1', deliveredMs: 40, sentMs: 100 },
    { type: 'SPEECH_STARTED', itemId: null, deliveredMs: 0, sentMs: 0 },
    { type: 'SPEECH_STOPPED' },
    { type: 'MARK_ECHO', epoch: c.epoch, itemId: 'i1', ms: 60 },
    { type: 'MARK_ECHO', epoch: prevEpoch, itemId: 'i1', ms: 80 },
    { type: 'PLAYOUT_DRAINED', epoch: c.epoch, written: c.written },
    { type: 'PLAYOUT_DRAINED', epoch: c.epoch, written: prevSeq },
    { type: 'PLAYOUT_DRAINED', epoch: prevEpoch, written: c.written },
    { type: 'MEDIA_FLUSHED', epoch: c.epoch },
    { type: 'MEDIA_FLUSHED', epoch: prevEpoch },
    { type: 'AI_LINK_LOST' },
    { type: 'END' },
  ];
}

const isDone = (s: Snap) => s.status === 'done';

const INPUTS: TurnInput[] = [
  { position: 'marks', epochModulus: 2, seqModulus: 2 },
  { position: 'delivered', epochModulus: 2, seqModulus: 2 },
  { position: 'delivered', epochModulus: 2, seqModulus: 2, bargeIn: false },
];

const responseOf = (e: { type: string }) => (e as { responseId?: string }).responseId;

/** Tags agree with the states. */
const tagsMatchStates: Invariant<Snap> = ({ snapshot }) => {
  expect(snapshot.hasTag('agent.audio')).toBe(snapshot.matches('agentSpeaking'));
  expect(snapshot.hasTag('playout.flushing')).toBe(snapshot.matches('interrupted'));
  expect(snapshot.hasTag('user.speech')).toBe(snapshot.matches('userSpeaking') || snapshot.matches('interrupted'));
};

/**
 * Cancels of each response since it was (last) created. The model reuses a small set of ids, so
 * "per response" means per creation.
 */
function cancelsSinceCreated(trace: readonly TraceRecord[], id: string): number {
  let n = 0;
  for (const r of trace) {
    if (r.kind === 'event' && r.event.type === 'RESPONSE_CREATED' && responseOf(r.event) === id) n = 0;
    if (r.kind === 'effect' && r.type === 'sendCancel' && r.context.cancelledResponse === id) n += 1;
  }
  return n;
}

/** BI2: cancel only with an active response, that response, at most once per response. */
const cancelOnlyActive: Invariant<Snap> = ({ event, effects, trace }) => {
  for (const e of effects.filter((x) => x.type === 'sendCancel')) {
    expect(event?.before.context.activeResponse).not.toBeNull();
    expect(e.context.cancelledResponse).toBe(event?.before.context.activeResponse);
    expect(cancelsSinceCreated(trace, e.context.cancelledResponse as string)).toBe(1);
  }
};

/** BI1: audio and text are passed on only for the active response, never for a cancelled one. */
const onlyActiveIsHeard: Invariant<Snap> = ({ event, effects, trace }) => {
  for (const e of effects.filter((x) => x.type === 'enqueueAudio' || x.type === 'forwardText')) {
    const id = event === null ? undefined : responseOf(event.event);
    expect(id).toBe(event?.before.context.activeResponse);
    expect(cancelsSinceCreated(trace, id as string)).toBe(0);
  }
};

/** Chunks are written with the current epoch and the next sequence number. */
const chunksTagged: Invariant<Snap> = ({ event, effects }) => {
  for (const e of effects.filter((x) => x.type === 'enqueueAudio')) {
    const before = event!.before.context;
    expect(e.context.epoch).toBe(before.epoch);
    expect(e.context.written).toBe(((before.written as number) + 1) % (before.seqModulus as number));
  }
};

/** BI6 (machine part) and the barge-in protocol: audio playing or queued + speech ⇒ cut it. */
const bargeInWhenAudible: Invariant<Snap> = ({ snapshot, event, effects }) => {
  if (event === null || event.event.type !== 'SPEECH_STARTED') return;
  const audible = event.before.tags.includes('agent.audio');
  const enabled = event.before.context.bargeIn === true;
  const cut = effects.some((e) => e.type === 'requestFlush');
  expect(cut).toBe(audible && enabled);
  if (!cut) {
    expect(snapshot.context.epoch).toBe(event.before.context.epoch);
    return;
  }
  const epochs = event.before.context.epochModulus as number;
  expect(snapshot.context.epoch).toBe(((event.before.context.epoch as number) + 1) % epochs);
  expect(snapshot.matches('interrupted')).toBe(true);
  const order = effects.map((e) => e.type);
  expect(order.indexOf('requestFlush')).toBeLessThan(order.indexOf('sendClear'));
  expect(order).toContain('sendTruncate');
  expect(effects.find((e) => e.type === 'requestFlush')!.context.epoch).toBe(snapshot.context.epoch);
};

/** The epoch moves only with a flush request. */
const epochOnlyWithFlush: Invariant<Snap> = ({ snapshot, event, effects }) => {
  if (event === null) return;
  const bumped = snapshot.context.epoch !== event.before.context.epoch;
  expect(bumped).toBe(effects.some((e) => e.type === 'requestFlush'));
};

/** BI3: the truncate point never exceeds what was sent, and is what was heard otherwise. */
const truncateClamped: Invariant<Snap> = ({ event, effects }) => {
  for (const e of effects.filter((x) => x.type === 'sendTruncate')) {
    const ev = event!.event as Extract<TurnEvent, { type: 'SPEECH_STARTED' }>;
    const t = e.context.truncate as { ms: number; op: string; itemId: string } | null;
    if (ev.itemId === null) {
      expect(t).toBeNull();
      continue;
    }
    expect(t).not.toBeNull();
    expect(t!.ms).toBeGreaterThanOrEqual(0);
    expect(t!.ms).toBeLessThanOrEqual(ev.sentMs);
    expect(t!.op).toBe(t!.ms === 0 ? 'delete' : 'truncate');
    const mark = event!.before.context.mark as { itemId: string; ms: number } | null;
    const heard = e.context.position === 'marks' ? (mark?.itemId === ev.itemId ? mark.ms : 0) : ev.deliveredMs;
    expect(t!.ms).toBe(Math.min(heard, ev.sentMs));
  }
};

/** BI4: a mark of a cleared epoch changes nothing but a counter. */
const staleMarksIgnored: Invariant<Snap> = ({ snapshot, event, effects }) => {
  if (event === null || event.event.type !== 'MARK_ECHO') return;
  const current = (event.event as unknown as { epoch: number }).epoch === event.before.context.epoch;
  if (current) {
    expect(snapshot.context.mark).toEqual({ itemId: 'i1', ms: (event.event as unknown as { ms: number }).ms });
  } else {
    expect(snapshot.context.mark).toEqual(event.before.context.mark);
    expect(effects.map((e) => e.type)).toEqual(['dropStaleMark']);
  }
};

/** BI5: nothing ever touches the caller's input buffer. */
const callerInputKept: Invariant<Snap> = ({ effects }) => {
  for (const e of effects) expect(e.type).not.toMatch(/input/i);
};

/** Agent audio stops counting as queued only when drained after the last chunk, cut, or ended. */
const leaveSpeakingOnlyWhenDrained: Invariant<Snap> = ({ snapshot, event, effects }) => {
  if (event === null || !event.before.tags.includes('agent.audio') || snapshot.hasTag('agent.audio')) return;
  const e = event.event;
  const drainedAll =
    e.type === 'PLAYOUT_DRAINED' &&
    (e as unknown as { epoch: number }).epoch === event.before.context.epoch &&
    (e as unknown as { written: number }).written === event.before.context.written;
  expect(drainedAll || effects.some((x) => x.type === 'requestFlush') || e.type === 'END').toBe(true);
};

const INVARIANTS = [
  tagsMatchStates,
  cancelOnlyActive,
  onlyActiveIsHeard,
  chunksTagged,
  bargeInWhenAudible,
  epochOnlyWithFlush,
  truncateClamped,
  staleMarksIgnored,
  callerInputKept,
  leaveSpeakingOnlyWhenDrained,
];

describe('turn machine (model-based)', () => {
  // States are told apart by value and context; `truncate` is written and read within one step,
  // so it is left out of the key (it would only multiply the paths).
  const model = createTestModel(turnMachine, {
    events: eventsFor,
    serializeState: (s) => JSON.stringify([s.value, { ...s.context, truncate: undefined }]),
  });
  const coverage = new CoverageMeter(turnMachine);

  it('holds its invariants on every shortest path', { timeout: 120_000 }, async () => {
    let count = 0;
    for (const input of INPUTS) {
      const paths = model.getShortestPaths({ input, limit: 200_000, stopWhen: isDone });
      expect(paths.length).toBeGreaterThan(10);
      for (const path of paths) await runPath(turnMachine, path, { input, invariants: INVARIANTS, coverage });
      count += paths.length;
    }
    console.log(formatCoverage('turn shortest', count, coverage.report()));
  });

  it('holds its invariants on every edge (shortest path + one event)', { timeout: 120_000 }, async () => {
    let count = 0;
    // The position source only changes the truncate arithmetic, which the shortest paths cover.
    for (const input of [INPUTS[0]!, INPUTS[2]!]) {
      const paths = model.getPaths(edgePaths<Snap, TurnEvent>(), { input, limit: 200_000, stopWhen: isDone });
      console.log(`[paths] turn edges ${JSON.stringify(input)}: ${paths.length}`);
      expect(paths.length).toBeGreaterThan(300);
      for (const path of paths) await runPath(turnMachine, path, { input, invariants: INVARIANTS, coverage });
      count += paths.length;
    }
    console.log(formatCoverage('turn shortest + edges', count, coverage.report()));
  });

  it('holds its invariants on bounded simple paths', { timeout: 120_000 }, async () => {
    const input = INPUTS[0]!;
    const paths = model.getPaths(boundedSimplePaths<Snap, TurnEvent>({ maxDepth: 7, maxPaths: 3_000 }), {
      input,
      limit: 200_000,
      stopWhen: isDone,
    });
    expect(paths.length).toBeGreaterThan(1_000);
    for (const path of paths) await runPath(turnMachine, path, { input, invariants: INVARIANTS, coverage });
    console.log(formatCoverage('turn shortest + simple (depth ≤ 7)', paths.length, coverage.report()));
  });

  it('the paths cover every state and every transition', () => {
    const report = coverage.report();
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  });

  it('drops deltas that arrive after speech_started and before the cancel is acknowledged', () => {
    const trace: TraceRecord[] = [];
    const actor = createActor(recordingMachine(turnMachine, trace), { input: { position: 'delivered' } });
    actor.start();
    actor.send({ type: 'RESPONSE_CREATED', responseId: 'r1' });
    actor.send({ type: 'AUDIO_DELTA', responseId: 'r1', itemId: 'i1' });
    actor.send({ type: 'SPEECH_STARTED', itemId: 'i1', deliveredMs: 230.7, sentMs: 480 });
    actor.send({ type: 'AUDIO_DELTA', responseId: 'r1', itemId: 'i1' });
    actor.send({ type: 'TEXT_DELTA', responseId: 'r1' });
    actor.send({ type: 'SPEECH_STARTED', itemId: 'i1', deliveredMs: 230, sentMs: 480 });
    actor.send({ type: 'RESPONSE_DONE', responseId: 'r1' });
    expect(effectsOf(trace, 'enqueueAudio')).toHaveLength(1);
    expect(effectsOf(trace, 'dropStaleAudio')).toHaveLength(1);
    expect(effectsOf(trace, 'dropStaleText')).toHaveLength(1);
    expect(effectsOf(trace, 'sendCancel')).toHaveLength(1);
    expect(effectsOf(trace, 'sendTruncate')[0]!.context.truncate).toEqual({ itemId: 'i1', ms: 230, op: 'truncate' });
  });

  it('barges in on audio still queued after response.done, without a cancel', () => {
    const trace: TraceRecord[] = [];
    const actor = createActor(recordingMachine(turnMachine, trace));
    actor.start();
    actor.send({ type: 'RESPONSE_CREATED', responseId: 'r1' });
    actor.send({ type: 'AUDIO_DELTA', responseId: 'r1', itemId: 'i1' });
    actor.send({ type: 'RESPONSE_DONE', responseId: 'r1' });
    // A drained report for an earlier chunk is not "drained": one chunk is still queued.
    actor.send({ type: 'PLAYOUT_DRAINED', epoch: 0, written: 0 });
    actor.send({ type: 'SPEECH_STARTED', itemId: 'i1', deliveredMs: 0, sentMs: 20 });
    expect(actor.getSnapshot().value).toEqual({ interrupted: 'speaking' });
    expect(effectsOf(trace, 'sendCancel')).toHaveLength(0);
    expect(effectsOf(trace, 'requestFlush')).toHaveLength(1);
    expect(effectsOf(trace, 'sendTruncate')[0]!.context.truncate).toEqual({ itemId: 'i1', ms: 0, op: 'delete' });
  });

  it('decides truncate points from marks of the same item only', () => {
    expect(decideTruncate('marks', { itemId: 'i1', ms: 300 }, { itemId: 'i1', deliveredMs: 900, sentMs: 250 })).toEqual({
      itemId: 'i1',
      ms: 250,
      op: 'truncate',
    });
    expect(decideTruncate('marks', { itemId: 'i0', ms: 300 }, { itemId: 'i1', deliveredMs: 900, sentMs: 950 })).toEqual({
      itemId: 'i1',
      ms: 0,
      op: 'delete',
    });
    expect(decideTruncate('delivered', null, { itemId: null, deliveredMs: 10, sentMs: 10 })).toBeNull();
  });
});
