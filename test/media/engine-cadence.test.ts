// Tick cadence sanity at the real 20 ms period: one coalesced wake-up of JS per tick (never
// one per call or per frame), ticks on absolute deadlines (no drift), output paced at real
// time. Behaviour, not speed: bounds are loose enough for a loaded 2-core CI machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeMediaEngine, type MediaCall, type TickInfo } from '../../src/media/index.js';
import { taggedMulaw, untilTick } from './engine-helpers.js';

const MULAW = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 } } as const;

describe('media thread cadence (20 ms ticks)', () => {
  const engine = new NativeMediaEngine();
  const calls: MediaCall[] = [];
  const wakes: { info: TickInfo; at: number }[] = [];
  let frames = 0;
  let t0 = 0;
  let t1 = 0;
  let tick0 = 0;
  let ticks = 0;

  beforeAll(async () => {
    for (let i = 0; i < 50; i++) {
      const c = engine.open(MULAW);
      c.writePlayout(taggedMulaw(i, 8000), { epoch: 0, item: 1 }); // 1 s each
      calls.push(c);
    }
    await untilTick(engine, () => true); // the thread is running
    const off = engine.onTick((info) => {
      wakes.push({ info, at: performance.now() });
      for (const c of calls) frames += c.readPlayout().length;
    });
    for (const c of calls) c.setState('playing');
    t0 = performance.now();
    tick0 = engine.stats().ticks;
    await new Promise((r) => setTimeout(r, 600));
    off();
    t1 = performance.now();
    ticks = engine.stats().ticks - tick0;
  });

  afterAll(async () => {
    await engine.close();
  });

  it('wakes JS at most once per tick, whatever the number of calls and frames', () => {
    expect(wakes.length).toBeGreaterThan(0);
    expect(wakes.length).toBeLessThanOrEqual(ticks + 1);
    // 50 calls x one frame per tick (plus the 80 ms lead): far more frames than wake-ups.
    expect(frames).toBeGreaterThan(20 * wakes.length);
    const s = engine.stats();
    expect(s.wakeups + s.coalescedWakeups).toBeGreaterThanOrEqual(s.ticks - 2);
  });

  it('ticks every 20 ms on absolute deadlines', () => {
    const first = wakes[0];
    const last = wakes.at(-1);
    expect(first && last).toBeTruthy();
    if (!first || !last) return;
    // Tick numbers count deadlines since start: they track wall time, not accumulated delays.
    const tickSpan = last.info.tick - first.info.tick;
    const wallSpan = last.at - first.at;
    expect(tickSpan * 20).toBeGreaterThan(wallSpan - 60);
    expect(tickSpan * 20).toBeLessThan(wallSpan + 60);
    expect(t1 - t0).toBeGreaterThan(550);
    expect(engine.stats().lateness.samples).toBeGreaterThan(20);
  });

  it('paces output at real time plus the lookahead', () => {
    // 600 ms of playing at one frame per tick, plus the 4-frame (80 ms) lead, per call.
    const perCall = frames / calls.length;
    expect(perCall).toBeGreaterThan((600 - 120) / 20 + 4 - 1);
    expect(perCall).toBeLessThan((600 + 120) / 20 + 4 + 1);
  });
});
