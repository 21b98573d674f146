// MediaEngineOptions.wakeEveryTicks on both engines: the option is checked the same way, and JS is
// woken about every N-th tick while every frame of the ticks in between still reaches it in order.
import { describe, expect, it } from 'vitest';
import { createMediaEngine, MediaError } from '../../src/media/index.js';
import { taggedMulaw } from './engine-helpers.js';

const MULAW = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 } } as const;

describe.each(['native', 'js'] as const)('%s engine, wakeEveryTicks', (kind) => {
  it('refuses values outside 1..4, naming the option', async () => {
    for (const bad of [0, 5, 1.5]) {
      const err = await createMediaEngine(kind, { wakeEveryTicks: bad }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).code).toBe('ERR_MEDIA_CONFIG');
      expect((err as MediaError).message).toMatch(/wakeEveryTicks must be an integer within 1\.\.4/);
    }
  });

  it('at 2: about one wake-up per two ticks, two frames each, all in order', async () => {
    const engine = await createMediaEngine(kind, { tickMs: 5, wakeEveryTicks: 2 });
    try {
      expect(engine.wakeEveryTicks).toBe(2);
      const call = engine.open(MULAW);
      const audio = taggedMulaw(3, 8000);
      call.writePlayout(audio, { epoch: 0, item: 1 });
      call.setState('playing');
      const got: Buffer[] = [];
      const perWake: number[] = [];
      const off = engine.onTick(() => {
        const frames = call.readPlayout();
        perWake.push(frames.length);
        for (const f of frames) got.push(Buffer.from(f.bytes));
      });
      const ticks0 = engine.stats().ticks;
      await new Promise((r) => setTimeout(r, 300));
      off();
      const ticks = engine.stats().ticks - ticks0;
      expect(ticks).toBeGreaterThan(10);
      expect(perWake.length).toBeLessThanOrEqual(ticks / 2 + 1);
      expect(perWake.length * 4).toBeGreaterThanOrEqual(ticks); // never left waiting long
      // After the lead's burst, two frames per wake-up when on time (a late tick may bring more).
      const sorted = perWake.slice(1).sort((a, b) => a - b);
      expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThanOrEqual(2);
      const out = Buffer.concat(got);
      expect(out.equals(Buffer.from(audio.subarray(0, out.length)))).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
