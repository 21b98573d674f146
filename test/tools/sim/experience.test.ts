// The caller's figures must see a stall inside a response: lateness against the whole response's
// schedule and an underrun where the far side ran dry — while the silence between two responses
// (the caller's turn in between) is its own figure, neither lateness nor an underrun.
import { describe, expect, it } from 'vitest';
import { Experience } from '../../../src/tools/sim/caller/experience.js';
import { TwilioFarEnd } from '../../../src/tools/sim/caller/far-end.js';

const RATE = 8000;
const FRAME = 160; // 20 ms at 8 kHz

interface Plan {
  /** Arrival times (ms) of each 20 ms agent frame. */
  readonly arrivals: readonly number[];
  /** Caller speech as [start, end] ms. */
  readonly speech?: readonly (readonly [number, number])[];
  readonly untilMs: number;
}

/** Drive an Experience and a far end through a synthetic stream, tick by tick. */
function run(plan: Plan) {
  const xp = new Experience({ rate: RATE, leadMs: 0, recordFrames: false, onTimeline: undefined });
  const far = new TwilioFarEnd(FRAME, false);
  let next = 0;
  for (let t = 0; t <= plan.untilMs; t += 20) {
    for (const [s, e] of plan.speech ?? []) {
      if (s === t) xp.speechStarted(t, false);
      if (e === t) xp.speechEnded(t, t);
    }
    while (next < plan.arrivals.length && plan.arrivals[next]! <= t) {
      xp.arrival(FRAME, plan.arrivals[next]!);
      far.pushAudio(FRAME);
      next++;
    }
    xp.played(far.tick().played, t);
  }
  return xp.report(plan.untilMs, { framesSent: 0, ticksSkipped: 0, marksEchoed: 0, alignmentLossMs: 0, overflowDropMs: 0 });
}

/** `n` frames paced at real time from `t0`, with `stallMs` added after frame `stallAfter`. */
const paced = (t0: number, n: number, stallAfter = n, stallMs = 0) =>
  Array.from({ length: n }, (_, k) => t0 + k * 20 + (k >= stallAfter ? stallMs : 0));

describe('caller experience', () => {
  it('a 1 s stall inside a response is ~1000 ms of lateness and an underrun', () => {
    const r = run({ arrivals: paced(0, 50, 25, 1000), untilMs: 2400 });
    expect(r.lateness.max).toBeGreaterThanOrEqual(990);
    expect(r.underruns).toBeGreaterThanOrEqual(1);
    expect(r.underrunMs).toBeGreaterThanOrEqual(960);
    expect(r.betweenResponses.count).toBe(0);
  });

  it('without the stall the same response is on time and never runs dry', () => {
    const r = run({ arrivals: paced(0, 50), untilMs: 1400 });
    expect(r.lateness.max).toBe(0);
    expect(r.underruns).toBe(0);
  });

  it('the silence between two responses (a caller turn between them) is its own figure', () => {
    // response 1: 0–500 ms; the caller speaks 800–1600 ms; response 2 from 2000 ms
    const r = run({ arrivals: [...paced(0, 25), ...paced(2000, 25)], speech: [[800, 1600]], untilMs: 3000 });
    expect(r.lateness.max).toBe(0);
    expect(r.underruns).toBe(0);
    expect(r.betweenResponses.count).toBe(1);
    expect(r.betweenResponses.afterCallerTurn).toBe(1);
    expect(r.betweenResponses.gapMs.max).toBeGreaterThanOrEqual(1500);
  });

  it('a silence longer than the response bound with no caller turn starts a new response, and is counted as such', () => {
    const r = run({ arrivals: [...paced(0, 25), ...paced(5000, 25)], untilMs: 6000 });
    expect(r.lateness.max).toBe(0);
    expect(r.betweenResponses.count).toBe(1);
    expect(r.betweenResponses.unprompted).toBe(1);
    expect(r.betweenResponses.gapMs.max).toBeGreaterThanOrEqual(4500);
  });
});

describe('audio after a clear while the caller still speaks', () => {
  it('is counted, and the first arrival time kept for the bench to match against the trace', () => {
    const xp = new Experience({ rate: RATE, leadMs: 0, recordFrames: false, onTimeline: undefined });
    xp.arrival(FRAME, 0);
    xp.speechStarted(100, true);
    xp.arrival(FRAME, 110); // before the clear: not stale
    xp.cleared(140, 0);
    xp.arrival(FRAME, 180);
    xp.arrival(FRAME, 200);
    xp.speechEnded(260, 260);
    xp.arrival(FRAME, 300); // the caller stopped speaking: a reply, not stale
    const [b] = xp.report(400, { framesSent: 0, ticksSkipped: 0, marksEchoed: 0, alignmentLossMs: 0, overflowDropMs: 0 }).bargeIns;
    expect(b).toMatchObject({ framesBeforeClear: 1, staleFramesAfterClear: 2, firstStaleAtMs: 180 });
  });
});
