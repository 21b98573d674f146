// The playout machine: model-based paths from createTestModel driven against a real actor whose
// effect actions record what they were asked to do, with the media-permission invariants checked
// after every step; 100 % state and transition coverage; the race-relevant transitions spelled out.
import { describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { adjacencyMapToArray, createTestModel, getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { playoutMachine, type PlayoutEvent } from '../../machines/playout.js';
import { PLAYOUT_STATES, PLAYOUT_TAGS, PLAYOUT_TAG_NAMES } from '../../src/generated/playout.js';

type Snap = SnapshotFrom<typeof playoutMachine>;

const EVENTS: PlayoutEvent[] = [
  { type: 'WRITE', bufferedMs: 20 },
  { type: 'WRITE', bufferedMs: 80 },
  { type: 'END_OF_RESPONSE' },
  { type: 'FLUSH' },
  { type: 'CLOSE' },
  { type: 'MEDIA_FLUSHED' },
  { type: 'MEDIA_DRAINED', caughtUp: true },
  { type: 'MEDIA_DRAINED', caughtUp: false },
];

/** An actor of the machine whose effects (the non-assign actions) are recorded. */
function recordingActor() {
  const effects: string[] = [];
  const machine = playoutMachine.provide({
    actions: {
      requestFlush: () => void effects.push('requestFlush'),
      releaseCall: () => void effects.push('releaseCall'),
    },
  });
  const actor = createActor(machine, { input: {} }).start();
  return { actor, effects };
}

/** Invariants over one step: tags are the media thread's only input, so they must be coherent. */
function checkInvariants(before: Snap, event: PlayoutEvent, after: Snap, effects: readonly string[]): void {
  const has = (s: Snap, t: string): boolean => s.hasTag(t);
  // Teardown: nothing may be written or emitted, and it is final.
  if (has(after, 'media.closing')) {
    expect(has(after, 'media.accept')).toBe(false);
    expect(has(after, 'media.playout')).toBe(false);
    expect(after.status).toBe('done');
  }
  // The media thread only emits what JS may still be writing to (never in a closing state).
  if (has(after, 'media.playout')) expect(has(after, 'media.accept')).toBe(true);
  // Two states emit: playing (the response is live) and finishing (its audio is all written).
  expect(has(after, 'media.playout')).toBe(after.value === 'playing' || after.value === 'finishing');
  // A short tail is padded only once the response's audio is complete (PL6).
  expect(has(after, 'media.tail')).toBe(after.value === 'finishing');
  if (has(after, 'media.tail')) expect(has(after, 'media.playout')).toBe(true);
  // A flush is requested exactly when a barge-in reaches a state that holds queued audio.
  const requested = effects.filter((e) => e === 'requestFlush').length;
  const shouldRequest = event.type === 'FLUSH' && ['prefill', 'playing', 'finishing', 'flushing', 'drained'].includes(String(before.value));
  expect(requested).toBe(shouldRequest ? 1 : 0);
  // The call is released once, on the way into closed.
  expect(effects.filter((e) => e === 'releaseCall').length).toBe(after.value === 'closed' && before.value !== 'closed' ? 1 : 0);
  // flushing is only left on the media thread's acknowledgement (or teardown).
  if (before.value === 'flushing' && after.value !== 'flushing') expect(['MEDIA_FLUSHED', 'CLOSE']).toContain(event.type);
}

describe('playout machine (model-based)', () => {
  const model = createTestModel(playoutMachine, { events: EVENTS });
  const paths = model.getShortestPaths();

  it('reaches every state', () => {
    const reached = new Set(paths.flatMap((p) => p.steps.map((s) => String(s.state.value))));
    expect([...reached].sort()).toEqual([...PLAYOUT_STATES].sort());
  });

  it('every shortest path replays on a real actor with the invariants holding after each step', async () => {
    const covered = new Set<string>();
    for (const path of paths) {
      const { actor, effects } = recordingActor();
      await model.testPath(path, {
        events: Object.fromEntries(
          EVENTS.map((e) => [
            e.type,
            ({ event }: { event: PlayoutEvent }) => {
              const before = actor.getSnapshot();
              const mark = effects.length;
              if (before.status !== 'done') actor.send(event);
              const after = actor.getSnapshot();
              checkInvariants(before, event, after, effects.slice(mark));
              covered.add(`${String(before.value)} -${JSON.stringify(event)}-> ${String(after.value)}`);
            },
          ]),
        ),
        states: {
          '*': (s: Snap) => {
            expect(actor.getSnapshot().value).toEqual(s.value);
            expect(actor.getSnapshot().context).toEqual(s.context);
          },
        },
      });
      actor.stop();
    }
    expect(covered.size).toBeGreaterThan(0);
  });

  it('covers every transition of the graph: each reachable state × each event (100 % transition coverage)', () => {
    const all = adjacencyMapToArray(getAdjacencyMap(playoutMachine, { events: EVENTS }));
    const key = (from: Snap, e: PlayoutEvent, to: Snap): string =>
      `${JSON.stringify(from.value)}|${JSON.stringify(from.context)} ${JSON.stringify(e)} ${JSON.stringify(to.value)}|${JSON.stringify(to.context)}`;
    const wanted = new Set(all.map((t) => key(t.state, t.event, t.nextState)));
    const seen = new Set<string>();
    for (const path of getShortestPaths(playoutMachine, { events: EVENTS })) {
      for (const event of EVENTS) {
        const { actor, effects } = recordingActor();
        for (const step of path.steps) if ((step.event.type as string) !== 'xstate.init') actor.send(step.event);
        const before = actor.getSnapshot();
        const mark = effects.length;
        // A done actor takes no events (XState warns); the graph keeps it where it is.
        if (before.status !== 'done') actor.send(event);
        const after = actor.getSnapshot();
        checkInvariants(before, event, after, effects.slice(mark));
        seen.add(key(before, event, after));
        actor.stop();
      }
    }
    expect([...wanted].filter((k) => !seen.has(k))).toEqual([]);
    expect(wanted.size).toBeGreaterThan(40);
  });
});

describe('playout machine (the races it must handle)', () => {
  const run = (...events: PlayoutEvent[]) => {
    const { actor, effects } = recordingActor();
    for (const e of events) actor.send(e);
    return { snap: actor.getSnapshot(), effects };
  };

  it('holds the first frame until the lookahead is buffered, or the response ends', () => {
    expect(run({ type: 'WRITE', bufferedMs: 20 }).snap.value).toBe('prefill');
    expect(run({ type: 'WRITE', bufferedMs: 20 }, { type: 'WRITE', bufferedMs: 80 }).snap.value).toBe('playing');
    expect(run({ type: 'WRITE', bufferedMs: 20 }, { type: 'END_OF_RESPONSE' }).snap.value).toBe('finishing');
    // The lookahead is per call (input), not a constant.
    const actor = createActor(playoutMachine, { input: { lookaheadMs: 200 } }).start();
    actor.send({ type: 'WRITE', bufferedMs: 120 });
    expect(actor.getSnapshot().value).toBe('prefill');
  });

  it('ignores a drain report that a later write has overtaken', () => {
    const finishing: PlayoutEvent[] = [{ type: 'WRITE', bufferedMs: 80 }, { type: 'END_OF_RESPONSE' }];
    expect(run(...finishing, { type: 'MEDIA_DRAINED', caughtUp: false }).snap.value).toBe('finishing');
    expect(run(...finishing, { type: 'MEDIA_DRAINED', caughtUp: true }).snap.value).toBe('drained');
  });

  it('a dry ring while the response is live is a late chunk: keeps playing, no re-prefill, no padding (PL6)', () => {
    const live = run({ type: 'WRITE', bufferedMs: 80 }, { type: 'MEDIA_DRAINED', caughtUp: true });
    expect(live.snap.value).toBe('playing');
    expect(live.snap.hasTag('media.tail')).toBe(false);
    // The next response's audio arriving before the ring ran dry makes it live again.
    expect(run({ type: 'WRITE', bufferedMs: 80 }, { type: 'END_OF_RESPONSE' }, { type: 'WRITE', bufferedMs: 100 }).snap.value).toBe('playing');
  });

  it('keeps audio written while a flush is in flight, and re-requests on a second barge-in', () => {
    const base: PlayoutEvent[] = [{ type: 'WRITE', bufferedMs: 80 }, { type: 'FLUSH' }];
    expect(run(...base, { type: 'MEDIA_FLUSHED' }).snap.value).toBe('idle');
    expect(run(...base, { type: 'WRITE', bufferedMs: 20 }, { type: 'MEDIA_FLUSHED' }).snap.value).toBe('prefill');
    const twice = run(...base, { type: 'FLUSH' });
    expect(twice.snap.value).toBe('flushing');
    expect(twice.effects).toEqual(['requestFlush', 'requestFlush']);
    // The flag does not leak into the next flush.
    const again = run(...base, { type: 'WRITE', bufferedMs: 20 }, { type: 'MEDIA_FLUSHED' }, { type: 'FLUSH' }, { type: 'MEDIA_FLUSHED' });
    expect(again.snap.value).toBe('idle');
  });

  it('is done after CLOSE from any state, releasing the call once and ignoring everything after', () => {
    for (const prefix of [[], [{ type: 'WRITE', bufferedMs: 80 }], [{ type: 'WRITE', bufferedMs: 80 }, { type: 'FLUSH' }]] as PlayoutEvent[][]) {
      const { snap, effects } = run(...prefix, { type: 'CLOSE' }, { type: 'CLOSE' }, { type: 'WRITE', bufferedMs: 80 });
      expect(snap.value).toBe('closed');
      expect(snap.status).toBe('done');
      expect(effects.filter((e) => e === 'releaseCall')).toHaveLength(1);
    }
  });
});

describe('generated playout module agrees with the live machine', () => {
  it('lists each state with exactly the tags the machine gives it', () => {
    for (const state of PLAYOUT_STATES) {
      const snap = playoutMachine.resolveState({ value: state, context: { lookaheadMs: 80, cushionMs: 0, queuedDuringFlush: false } });
      const generated = PLAYOUT_TAG_NAMES.filter((t) => PLAYOUT_TAGS[t].includes(state));
      expect([...snap.tags].sort()).toEqual([...generated].sort());
    }
  });
});
