// The reference resampler on its own: exact accounting, chunking independence, DC, the
// reported delay, and the quality bars on the telephony <-> AI pairs.
import { describe, expect, it } from 'vitest';
import { Resampler } from '../../../src/media/reference/resampler.js';
import { db, fitSine, tone } from '../../../src/media/reference/testSignals.js';

const PAIRS = [
  [8000, 24000],
  [24000, 8000],
  [16000, 24000],
  [24000, 16000],
  [8000, 16000],
  [48000, 8000],
] as const;

function run(r: Resampler, x: Int16Array, sizes: number[] = [x.length]): Int16Array {
  const out: number[] = [];
  const buf = new Int16Array(r.maxOutputsFor(Math.max(...sizes, 1)));
  let o = 0;
  let i = 0;
  while (o < x.length) {
    const n = Math.min(x.length - o, sizes[i++ % sizes.length]!);
    expect(r.outputsFor(n)).toBeLessThanOrEqual(r.maxOutputsFor(n));
    const expectN = r.outputsFor(n);
    const k = r.process(x.subarray(o, o + n), buf);
    expect(k).toBe(expectN);
    out.push(...buf.subarray(0, k));
    o += n;
    expect(r.produced).toBe(Math.ceil((r.consumed * r.design.up) / r.design.down));
  }
  return Int16Array.from(out);
}

describe('reference resampler', () => {
  it.each(PAIRS)('%i -> %i: exact accounting, any chunking gives the same samples', (a, b) => {
    const x = tone(a, 440, 12000, a / 5);
    const whole = run(new Resampler(a, b), x);
    expect(run(new Resampler(a, b), x, [1, 7, 160, 33, 999])).toEqual(whole);
  });

  it.each(PAIRS)('%i -> %i: full-scale DC passes exactly', (a, b) => {
    for (const level of [32767, -32768]) {
      const r = new Resampler(a, b);
      const y = run(r, new Int16Array(a / 20).fill(level));
      expect(y.subarray(2 * r.delayOut + 1).every((v) => v === level)).toBe(true);
    }
  });

  it.each(PAIRS)('%i -> %i: passband ripple <= 0.1 dB, SNR >= 80 dB, delay as reported', (a, b) => {
    const fLow = Math.min(a, b);
    let gmin = Infinity;
    let gmax = -Infinity;
    for (const frac of [0.05, 0.2, 0.35, 0.45]) {
      const f = frac * fLow;
      const r = new Resampler(a, b);
      const y = run(r, tone(a, f, 20000, a / 4));
      const skip = r.design.taps * 2 + r.delayOut;
      const fit = fitSine(y, skip, y.length - skip, f, b);
      const g = db(fit.amplitude / 20000);
      gmin = Math.min(gmin, g);
      gmax = Math.max(gmax, g);
      expect(db(20000 / Math.SQRT2 / fit.residualRms), `SNR at ${f} Hz`).toBeGreaterThanOrEqual(80);
      // Phase: the output is the input delayed by delayOut output samples (mod the period).
      const w = (2 * Math.PI * f) / b;
      const delay = (w * skip - fit.phase - Math.PI / 2) / w;
      const period = (2 * Math.PI) / w;
      const err = delay - r.delayOut - Math.round((delay - r.delayOut) / period) * period;
      expect(Math.abs(err)).toBeLessThan(0.01);
    }
    expect(Math.max(Math.abs(gmin), Math.abs(gmax))).toBeLessThanOrEqual(0.1);
  });

  it('drain releases the centre of the last input', () => {
    const r = new Resampler(24000, 8000);
    const x = new Int16Array(31);
    x[30] = 30000; // index 30 = 10 output samples
    const buf = new Int16Array(200);
    let n = r.process(x, buf);
    n += r.drain(buf.subarray(n));
    let peak = 0;
    for (let i = 0; i < n; i++) if (Math.abs(buf[i]!) > Math.abs(buf[peak]!)) peak = i;
    expect(peak).toBe(10 + r.delayOut);
  });

  it('rejects unusable rates with a clear error', () => {
    expect(() => new Resampler(8000, 7)).toThrow(/too complex/);
    expect(() => new Resampler(0, 8000)).toThrow(/positive integers/);
  });
});
