import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { sessionMachine, type SessionEvent } from '../../machines/session.js';
import {
  boundedSimplePaths,
  CoverageMeter,
  edgePaths,
  effectsOf,
  eventsOf,
  formatCoverage,
  recordingMachine,
  runPath,
  type Invariant,
  type TraceRecord,
} from './modelHarness.js';

type Snap = ReturnType<typeof sessionMachine.getInitialSnapshot>;

const EVENTS: SessionEvent[] = [
  { type: 'CALL_STARTED' },
  { type: 'PAUSE' },
  { type: 'RESUME' },
  { type: 'HANGUP' },
  { type: 'STOP' },
  { type: 'SOCKET_ERROR' },
  { type: 'SHUTDOWN' },
  { type: 'AI_GAVE_UP' },
  { type: 'PLAYOUT_DRAINED' },
  { type: 'TIMER_FIRED', timer: 'drainDeadline' },
  { type: 'TIMER_FIRED', timer: 'noticeDeadline' },
  { type: 'AI_STOPPED' },
  { type: 'MEDIA_RELEASED' },
];

const MEDIA_TAGS = ['media.capture', 'media.inject', 'media.playout'] as const;

const cleanupBegun = (trace: readonly TraceRecord[]) => effectsOf(trace, 'beginCleanup').length > 0;

/** Tags agree with the lifecycle: capture only while live; closing exactly after cleanup began. */
const tagsMatchLifecycle: Invariant<Snap> = ({ snapshot }) => {
  if (snapshot.hasTag('media.capture')) expect(snapshot.matches({ active: 'live' })).toBe(true);
  const closing = snapshot.matches('draining') || snapshot.matches('closed');
  expect(snapshot.hasTag('media.closing')).toBe(closing);
  if (snapshot.matches('connecting')) for (const t of MEDIA_TAGS) expect(snapshot.hasTag(t)).toBe(false);
};

/** SE1: once cleanup began, no state carries a capture, inject or playout permission. */
const noMediaAfterCleanup: Invariant<Snap> = ({ snapshot, trace }) => {
  if (!cleanupBegun(trace)) return;
  for (const t of MEDIA_TAGS) expect(snapshot.hasTag(t), `${t} after cleanup`).toBe(false);
  expect(snapshot.hasTag('media.closing')).toBe(true);
};

/** SE2: cleanup begins at most once, and the reason is recorded exactly when it did. */
const cleanupOnce: Invariant<Snap> = ({ snapshot, trace }) => {
  const n = effectsOf(trace, 'beginCleanup').length;
  expect(n).toBeLessThanOrEqual(1);
  expect(snapshot.context.reason !== null).toBe(n === 1);
  // Each cleanup step happens once, in order: once-flag, timers, socket, AI link.
  for (const type of ['cancelTimers', 'closeTelephony', 'stopAiLink']) expect(effectsOf(trace, type).length).toBe(n);
};

/** SE3 / AL3: memory is freed only after the AI link stopped and the media thread let go. */
const freeOnlyAfterAcks: Invariant<Snap> = ({ snapshot, trace }) => {
  const freeAt = trace.findIndex((r) => r.kind === 'effect' && r.type === 'freeCall');
  if (freeAt < 0) {
    expect(snapshot.matches('closed')).toBe(false);
    return;
  }
  const before = trace.slice(0, freeAt);
  const released = before.findIndex((r) => r.kind === 'event' && r.event.type === 'MEDIA_RELEASED');
  const requested = before.findIndex((r) => r.kind === 'effect' && r.type === 'requestMediaRelease');
  const aiStopped = before.findIndex((r) => r.kind === 'event' && r.event.type === 'AI_STOPPED');
  const stopAsked = before.findIndex((r) => r.kind === 'effect' && r.type === 'stopAiLink');
  expect(stopAsked).toBeGreaterThanOrEqual(0);
  expect(aiStopped).toBeGreaterThan(stopAsked);
  expect(requested).toBeGreaterThan(aiStopped);
  expect(released).toBeGreaterThan(requested);
  expect(effectsOf(trace, 'freeCall').length).toBe(1);
  expect(snapshot.status).toBe('done');
};

/** SE5: a call that had not started when shutdown began never starts. */
const noStartAfterShutdown: Invariant<Snap> = ({ snapshot, trace }) => {
  const shutdownAt = trace.findIndex(
    (r) => r.kind === 'event' && r.event.type === 'SHUTDOWN' && JSON.stringify(r.before.value) === '"connecting"',
  );
  if (shutdownAt < 0) return;
  expect(snapshot.hasTag('media.capture') || snapshot.hasTag('media.playout')).toBe(false);
  expect(effectsOf(trace.slice(shutdownAt), 'startAiLink')).toHaveLength(0);
};

/** Shutdown arms exactly one drain deadline per call, however many SHUTDOWN events arrive. */
const oneDrainDeadline: Invariant<Snap> = ({ trace }) => {
  const armed = effectsOf(trace, 'startTimer').filter((e) => (e.params as { timer: string }).timer === 'drainDeadline');
  expect(armed.length).toBeLessThanOrEqual(1);
  if (eventsOf(trace, 'SHUTDOWN').length === 0) expect(armed).toHaveLength(0);
};

const INVARIANTS = [tagsMatchLifecycle, noMediaAfterCleanup, cleanupOnce, freeOnlyAfterAcks, noStartAfterShutdown, oneDrainDeadline];

describe('session machine (model-based)', () => {
  const model = createTestModel(sessionMachine, { events: EVENTS });

  it('holds its invariants on every shortest path and reaches every state and transition', async () => {
    const coverage = new CoverageMeter(sessionMachine);
    const paths = model.getShortestPaths({ limit: 20_000, stopWhen: (s) => s.status === 'done' });
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) await runPath(sessionMachine, path, { invariants: INVARIANTS, coverage });
    const report = coverage.report();
    console.log(formatCoverage('session shortest', paths.length, report));
    expect(report.states.missing).toEqual([]);
    expect(report.transitions.missing).toEqual([]);
  });

  it('holds its invariants on every edge (shortest path + one event)', async () => {
    const coverage = new CoverageMeter(sessionMachine);
    const paths = model.getPaths(edgePaths<Snap, SessionEvent>(), { limit: 20_000, stopWhen: (s) => s.status === 'done' });
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) await runPath(sessionMachine, path, { invariants: INVARIANTS, coverage });
    console.log(formatCoverage('session edges', paths.length, coverage.report()));
  });

  it('holds its invariants on every simple path that ends the call', async () => {
    const coverage = new CoverageMeter(sessionMachine);
    const paths = model.getPaths(
      boundedSimplePaths<Snap, SessionEvent>({ maxDepth: 10, maxPaths: 5_000, toState: (s) => s.status === 'done' }),
      { limit: 20_000, stopWhen: (s) => s.status === 'done' },
    );
    expect(paths.length).toBeGreaterThan(50);
    for (const path of paths) await runPath(sessionMachine, path, { invariants: INVARIANTS, coverage });
    console.log(formatCoverage('session simple→closed', paths.length, coverage.report()));
  });

  it('ends every call: from any reachable state a stop reaches closed in three events', () => {
    const paths = model.getShortestPaths({ limit: 20_000, stopWhen: (s) => s.status === 'done' });
    for (const path of paths) {
      if (path.state.status === 'done') continue;
      const trace: TraceRecord[] = [];
      const actor = createActor(recordingMachine(sessionMachine, trace));
      actor.start();
      for (const step of path.steps.slice(1)) actor.send(step.event as SessionEvent);
      for (const e of [{ type: 'STOP' }, { type: 'AI_STOPPED' }, { type: 'MEDIA_RELEASED' }] as const) actor.send(e);
      expect(actor.getSnapshot().status, path.description).toBe('done');
      expect(effectsOf(trace, 'freeCall')).toHaveLength(1);
    }
  });
});
