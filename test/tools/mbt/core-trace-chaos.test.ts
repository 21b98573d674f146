// A bounded, seeded chaos slice against the media core itself: several calls on one engine
// with chunks of random sizes (items ending mid-frame), late chunks of a cut epoch, barge-ins
// at random moments (also mid-tick and twice before a tick), state words flipping between
// playout states, and a JS side that stops reading for a while (the output ring fills). Every
// call's trace-mode records must refine Playout (specs/trace/TracePlayoutCore.tla).
import { describe, expect, it } from 'vitest';
import type { CoreTraceRecord } from '../../../src/media/core-trace.js';
import { NativeMediaEngine, type CallMediaConfig, type MediaCall, type PlayoutState } from '../../../src/media/index.js';
import { checkCoreTraces } from '../../../src/tools/mbt/trace/core.js';
import { requireJava } from '../../../src/tools/verify/prereq.js';
import { ensureTlcJar } from '../../../src/tools/verify/tlcJar.js';
import { taggedMulaw, ticks } from '../../media/engine-helpers.js';

const MULAW: CallMediaConfig = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 }, lookaheadMs: 60 };
const STATES: readonly PlayoutState[] = ['prefill', 'playing', 'finishing', 'flushing', 'drained', 'idle'];
const CALLS = 6;
const STEPS = 80;

/** mulberry32: a small seeded PRNG, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function drive(engine: NativeMediaEngine, call: MediaCall, random: () => number): Promise<void> {
  let item = 1;
  let reading = true;
  const off = engine.onTick(() => {
    if (reading) call.readPlayout();
    call.events();
  });
  for (let s = 0; s < STEPS; s++) {
    const x = random();
    if (x < 0.45) {
      const late = call.epoch > 0 && random() < 0.15; // a delta of the cut response
      call.writePlayout(taggedMulaw(item, 20 + Math.floor(random() * 480)), { epoch: late ? call.epoch - 1 : call.epoch, item });
    } else if (x < 0.55) item++;
    else if (x < 0.65) {
      call.requestFlush(call.epoch + 1);
      call.setState('flushing');
      if (random() < 0.3) call.requestFlush(call.epoch + 1); // a second barge-in before the tick
    } else if (x < 0.85) call.setState(STATES[Math.floor(random() * STATES.length)]!);
    else if (x < 0.92) reading = !reading;
    if (random() < 0.5) await ticks(engine, 1 + Math.floor(random() * 3));
  }
  reading = true;
  call.setState('finishing');
  await ticks(engine, 10);
  call.setState('closed');
  off();
}

describe('media-core chaos slice', () => {
  it('every call of a seeded fault mix refines Playout', { timeout: 120_000 }, async () => {
    const engine = new NativeMediaEngine({ tickMs: 2, maxCalls: CALLS });
    const traces: { id: string; records: CoreTraceRecord[] }[] = [];
    try {
      const calls = Array.from({ length: CALLS }, () => engine.open(MULAW));
      for (const c of calls) expect(c.setTrace?.(true)).toBe(true);
      await Promise.all(calls.map((c, i) => drive(engine, c, rng(1000 + i))));
      for (const [i, c] of calls.entries()) {
        await c.close();
        traces.push({ id: `chaos-core-${i}`, records: c.takeTrace?.() ?? [] });
      }
      expect(engine.stats().eventsDropped).toBe(0); // a dropped record would make a trace a lie
    } finally {
      await engine.close();
    }
    const kinds = new Set(traces.flatMap((t) => t.records.map((r) => r.k)));
    expect([...kinds].sort()).toEqual(['flush', 'frame', 'read', 'segment', 'tick']);
    expect(traces.some((t) => t.records.some((r) => r.k === 'frame' && r.segments > 1))).toBe(true);
    const res = await checkCoreTraces(traces, { root: process.cwd(), java: requireJava().java, jar: ensureTlcJar() });
    expect(Object.fromEntries(res.rejected)).toEqual({});
  });
});
