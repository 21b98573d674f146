import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { aiLinkMachine, reconnectDelayMs, RECONNECT_BACKOFF_MS, type AiLinkEvent } from '../../machines/aiLink.js';
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

type Snap = ReturnType<typeof aiLinkMachine.getInitialSnapshot>;

const INPUT = { maxAttempts: 3, generationModulus: 4 };

/** Concrete events for a snapshot: everything for the current generation, and a stale copy. */
function eventsFor(snapshot: Snap): AiLinkEvent[] {
  const g = snapshot.context.generation;
  const stale = (g + snapshot.context.generationModulus - 1) % snapshot.context.generationModulus;
  return [
    { type: 'START' },
    { type: 'STOP' },
    { type: 'AI_OPEN', generation: g },
    { type: 'AI_OPEN', generation: stale },
    { type: 'AI_CLOSE', generation: g, fatal: false },
    { type: 'AI_CLOSE', generation: g, fatal: true },
    { type: 'AI_CLOSE', generation: stale, fatal: false },
    { type: 'AI_ERROR', generation: g, fatal: false },
    { type: 'AI_ERROR', generation: g, fatal: true },
    { type: 'AI_ERROR', generation: stale, fatal: false },
    { type: 'TIMER_FIRED', timer: 'reconnect', generation: g },
    { type: 'TIMER_FIRED', timer: 'reconnect', generation: stale },
  ];
}

const generationOf = (e: { type: string }) => (e as { generation?: number }).generation;

/** Tags: sends only while open; audio dropped only when failed or stopped. */
const tagsMatchStates: Invariant<Snap> = ({ snapshot }) => {
  expect(snapshot.hasTag('ai.send')).toBe(snapshot.matches('open'));
  expect(snapshot.hasTag('ai.down')).toBe(snapshot.matches('failed') || snapshot.matches('stopped'));
  expect(snapshot.hasTag('ai.buffer')).toBe(!snapshot.hasTag('ai.send') && !snapshot.hasTag('ai.down'));
};

const isDone = (s: Snap) => s.status === 'done';
let staleSeen = 0;

/** AL1: an event of another generation changes nothing and causes nothing. */
const staleChangesNothing: Invariant<Snap> = ({ snapshot, event, effects }) => {
  if (event === null) return;
  const g = generationOf(event.event);
  if (g === undefined || g === event.before.context.generation) return;
  staleSeen += 1;
  expect(effects).toHaveLength(0);
  expect(snapshot.value).toEqual(event.before.value);
  expect(snapshot.context).toEqual(event.before.context);
};

/** AL1: the session is configured and the backlog flushed only on entering open. */
const sendsOnlyWhenOpen: Invariant<Snap> = ({ snapshot, effects }) => {
  for (const e of effects) {
    if (e.type === 'configureSession' || e.type === 'flushCaptureBacklog' || e.type === 'replayConversation') {
      expect(snapshot.matches('open')).toBe(true);
    }
  }
};

/** AL2: per connection opened, at most one loss is acted upon (one reconnect or one give-up). */
const oneReactionPerLoss: Invariant<Snap> = ({ trace }) => {
  let reactions = 0;
  for (const r of trace) {
    if (r.kind !== 'effect') continue;
    if (r.type === 'openConnection') reactions = 0;
    if (r.type === 'scheduleReconnect') reactions += 1;
    expect(reactions).toBeLessThanOrEqual(1);
  }
  expect(effectsOf(trace, 'scheduleReconnect').length).toBeLessThanOrEqual(effectsOf(trace, 'openConnection').length);
};

/** AL3: after stop, nothing is opened or scheduled, and the reconnect timer was cancelled. */
const nothingAfterStop: Invariant<Snap> = ({ snapshot, trace }) => {
  const stopAt = trace.findIndex((r) => r.kind === 'effect' && r.type === 'reportStopped');
  if (stopAt < 0) {
    expect(snapshot.matches('stopped')).toBe(false);
    return;
  }
  expect(snapshot.status).toBe('done');
  const after = trace.slice(stopAt);
  expect(effectsOf(after, 'openConnection')).toHaveLength(0);
  expect(effectsOf(after, 'scheduleReconnect')).toHaveLength(0);
  const cancelAt = trace.findIndex((r) => r.kind === 'effect' && r.type === 'cancelReconnectTimer');
  expect(cancelAt).toBeGreaterThanOrEqual(0);
  expect(cancelAt).toBeLessThan(stopAt);
};

/** AL4 (machine part): attempts per loss are bounded and follow the backoff table. */
const boundedBackoff: Invariant<Snap> = ({ snapshot, trace }) => {
  expect(snapshot.context.attempt).toBeLessThanOrEqual(snapshot.context.maxAttempts);
  let sinceOpen: number[] = [];
  let opens = 0;
  for (const r of trace) {
    if (r.kind === 'effect' && r.type === 'configureSession') {
      sinceOpen = [];
      opens = 0;
    }
    if (r.kind === 'effect' && r.type === 'openConnection') opens += 1;
    if (r.kind === 'effect' && r.type === 'scheduleReconnect') sinceOpen.push(r.context.attempt as number);
  }
  expect(sinceOpen).toEqual(sinceOpen.map((_, i) => i));
  expect(opens).toBeLessThanOrEqual(snapshot.context.maxAttempts + 1);
};

/** Give-up only for a fatal error or a spent budget. */
const giveUpJustified: Invariant<Snap> = ({ event, effects }) => {
  if (!effects.some((e) => e.type === 'giveUp') || event === null) return;
  const fatal = (event.event as { fatal?: boolean }).fatal === true;
  const spent = event.before.context.attempt === event.before.context.maxAttempts;
  expect(fatal || spent).toBe(true);
};

const INVARIANTS = [
  tagsMatchStates,
  staleChangesNothing,
  sendsOnlyWhenOpen,
  oneReactionPerLoss,
  nothingAfterStop,
  boundedBackoff,
  giveUpJustified,
];

describe('aiLink machine (model-based)', () => {
  const model = createTestModel(aiLinkMachine, { events: eventsFor });
  const coverage = new CoverageMeter(aiLinkMachine);
  // maxAttempts 0 is the "never reconnect" configuration: a loss while open gives up at once.
  const NO_RETRY = { maxAttempts: 0, generationModulus: 4 };

  it('holds its invariants on every shortest path', async () => {
    let count = 0;
    for (const input of [INPUT, NO_RETRY]) {
      const paths = model.getShortestPaths({ input, limit: 50_000, stopWhen: isDone });
      expect(paths.length).toBeGreaterThan(10);
      for (const path of paths) await runPath(aiLinkMachine, path, { input, invariants: INVARIANTS, coverage });
      count += paths.length;
    }
    console.log(formatCoverage('aiLink shortest', count, coverage.report()));
  });

  it('holds its invariants on every edge, stale events included (shortest path + one event)', async () => {
    let count = 0;
    for (const input of [INPUT, NO_RETRY]) {
      const paths = model.getPaths(edgePaths<Snap, AiLinkEvent>(), { input, limit: 50_000, stopWhen: isDone });
      for (const path of paths) await runPath(aiLinkMachine, path, { input, invariants: INVARIANTS, coverage });
      count += paths.length;
    }
    expect(staleSeen).toBeGreaterThan(50);
    console.log(formatCoverage('aiLink shortest + edges', count, coverage.report()));
  });

  it('holds its invariants on bounded simple paths', async () => {
    const paths = model.getPaths(boundedSimplePaths<Snap, AiLinkEvent>({ maxDepth: 9, maxPaths: 2_000 }), {
      input: INPUT,
      limit: 50_000,
      stopWhen: isDone,
    });
    expect(paths.length).toBeGreaterThan(500);
    for (const path of paths) await runPath(aiLinkMachine, path, { input: INPUT, invariants: INVARIANTS, coverage });
    console.log(formatCoverage('aiLink shortest + simple (depth ≤ 9)', paths.length, coverage.report()));
  });

  it('the paths cover every state and every transition', () => {
    const report = coverage.report();
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  });

  it('with the default policy retries 5 times at 0.1 s, 1 s, 2 s, 4 s, 4 s, then gives up', () => {
    const trace: TraceRecord[] = [];
    const actor = createActor(recordingMachine(aiLinkMachine, trace));
    actor.start();
    actor.send({ type: 'START' });
    actor.send({ type: 'AI_OPEN', generation: 0 });
    // One loss delivered twice (error then close): one reconnect.
    actor.send({ type: 'AI_ERROR', generation: 0, fatal: false });
    actor.send({ type: 'AI_CLOSE', generation: 0, fatal: false });
    for (;;) {
      const { generation } = actor.getSnapshot().context;
      actor.send({ type: 'TIMER_FIRED', timer: 'reconnect', generation });
      actor.send({ type: 'AI_ERROR', generation, fatal: false });
      if (actor.getSnapshot().matches('failed')) break;
    }
    const delays = effectsOf(trace, 'scheduleReconnect').map((e) => reconnectDelayMs(e.context.attempt as number));
    expect(delays).toEqual([100, 1000, 2000, 4000, 4000]);
    expect(effectsOf(trace, 'openConnection')).toHaveLength(6);
    expect(effectsOf(trace, 'giveUp')).toHaveLength(1);
    expect(RECONNECT_BACKOFF_MS[0]).toBe(100);
  });

  it('replays the conversation only on a reconnect, and a fatal error gives up at once', () => {
    const trace: TraceRecord[] = [];
    const actor = createActor(recordingMachine(aiLinkMachine, trace));
    actor.start();
    actor.send({ type: 'START' });
    actor.send({ type: 'AI_OPEN', generation: 0 });
    expect(effectsOf(trace, 'replayConversation')).toHaveLength(0);
    actor.send({ type: 'AI_CLOSE', generation: 0, fatal: false });
    actor.send({ type: 'TIMER_FIRED', timer: 'reconnect', generation: 1 });
    actor.send({ type: 'AI_OPEN', generation: 1 });
    expect(effectsOf(trace, 'replayConversation')).toHaveLength(1);
    actor.send({ type: 'AI_ERROR', generation: 1, fatal: true });
    expect(actor.getSnapshot().value).toBe('failed');
    expect(effectsOf(trace, 'scheduleReconnect')).toHaveLength(1);
  });
});
