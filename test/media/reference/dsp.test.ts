// The reference DSP blocks on their own: fade click bound, limiter ceiling, soft clipper
// shape, TTS chain filters at the output rate, its block-rate gain (chunking-independent,
// ramped).
import { describe, expect, it } from 'vitest';
import { Biquad, rbjLowpass } from '../../../src/media/reference/biquad.js';
import { PeakLimiter, SOFT_CLIP_CAP, SoftClipper } from '../../../src/media/reference/limiter.js';
import { PLAYOUT_DSP_DEFAULTS, PlayoutDsp } from '../../../src/media/reference/playoutDsp.js';
import { db, fitSine, prng, speechScene, tone } from '../../../src/media/reference/testSignals.js';
import { TTS_CHAIN_DEFAULTS, TtsChain } from '../../../src/media/reference/ttsChain.js';

const maxStep = (x: Int16Array): number => {
  let m = 0;
  for (let i = 1; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - x[i - 1]!));
  return m;
};

describe('reference DSP', () => {
  it.each([8000, 16000, 24000, 48000])('flush fade at %i Hz: <= 5 ms to exact silence, largest step bounded', (rate) => {
    const dsp = new PlayoutDsp(rate, { ...PLAYOUT_DSP_DEFAULTS, limiter: 'none' });
    const len = dsp.fadeOutSamples;
    expect(len).toBeLessThanOrEqual((rate * 5) / 1000);
    const x = tone(rate, 250, 32767, rate / 10);
    const cut = rate / 1000 + (5 * rate) / 250 + 1; // right after a peak
    const natural = maxStep(x);
    dsp.process(x.subarray(0, cut));
    dsp.startFadeOut();
    dsp.process(x.subarray(cut));
    expect(x.subarray(cut + len).every((v) => v === 0)).toBe(true);
    expect(dsp.muted).toBe(true);
    const bound = natural + Math.ceil(32768 / len) + 1;
    expect(maxStep(x)).toBeLessThanOrEqual(bound);
    const abrupt = tone(rate, 250, 32767, rate / 10).fill(0, cut);
    expect(maxStep(abrupt)).toBeGreaterThan(bound);
  });

  it('peak limiter holds its ceiling and is bit-exact below it', () => {
    const lim = new PeakLimiter(8000, -6, 50);
    const loud = tone(8000, 440, 32767, 8000);
    lim.process(loud);
    expect(Math.max(...loud.map(Math.abs))).toBeLessThanOrEqual(Math.ceil(lim.ceiling));
    const quiet = tone(8000, 440, 10000, 8000);
    const copy = quiet.slice();
    new PeakLimiter(8000, -6, 50).process(quiet);
    expect(quiet).toEqual(copy);
  });

  it('soft clipper is identity below threshold, monotone, slope <= 1, capped', () => {
    const c = new SoftClipper(0.85);
    const x = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) x[i] = i - 32768;
    const y = x.slice();
    c.process(y);
    for (let i = 1; i < 65536; i++) {
      const d = y[i]! - y[i - 1]!;
      if (d < 0 || d > 1) expect.fail(`step ${d} at ${x[i]}`);
      if (Math.abs(x[i]!) <= 0.85 * 32768 && y[i] !== x[i]) expect.fail(`changed ${x[i]}`);
    }
    expect(Math.max(...y.map(Math.abs))).toBeLessThanOrEqual(Math.ceil(SOFT_CLIP_CAP * 32768));
  });

  it('TTS chain low-pass is computed at the output rate (-3 dB at 3800 Hz)', () => {
    for (const rate of [8000, 16000]) {
      const b = new Biquad(rbjLowpass(rate, 3800, 0.707));
      const x = tone(rate, 3800, 10000, rate);
      const y = x.map((v) => Math.round(b.step(v / 32768) * 32768));
      const fit = fitSine(y, rate / 2, rate / 2, 3800, rate);
      expect(db(fit.amplitude / 10000)).toBeCloseTo(-3.01, 1);
    }
  });

  it('the TTS chain caps a full-scale square at the clipper ceiling', () => {
    const dsp = new PlayoutDsp(8000, { ...PLAYOUT_DSP_DEFAULTS, ttsChain: true, limiter: 'none' });
    const x = new Int16Array(8000).map((_, i) => ((i >> 3) & 1 ? 32767 : -32768));
    dsp.process(x);
    expect(Math.max(...x.map(Math.abs))).toBeLessThanOrEqual(Math.ceil(SOFT_CLIP_CAP * 32768));
  });

  it('the TTS chain gives the same samples however the audio is chunked (its control blocks run across calls)', () => {
    for (const rate of [8000, 16000]) {
      const { pcm } = speechScene(rate, 6, -50, 20, rate + 7);
      const whole = pcm.slice();
      new TtsChain(rate).process(whole);
      const parts = pcm.slice();
      const chain = new TtsChain(rate);
      const rnd = prng(rate);
      for (let o = 0; o < parts.length; ) {
        const len = 1 + Math.floor(((rnd() + 1) / 2) * 37); // 1..37: rarely a multiple of the block
        chain.process(parts.subarray(o, Math.min(parts.length, o + len)));
        o += len;
      }
      expect(whole.some((v, i) => v !== pcm[i])).toBe(true); // the chain did act
      expect(Buffer.from(parts.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    }
  });

  it('the TTS compressor: +6 dB makeup under its knee, 3:1 over -18 dB, attack in ~5 ms blocks, release over ~50 ms', () => {
    // Transparent filters and an open gate, so |out / in| is the compressor's gain. A Nyquist
    // tone at -40 dBFS, then -6 dBFS, then -40 again (each 0.5 s). Expected from the curve:
    // +6 dB when quiet; 12 dB over the threshold gives -8 dB, +6 makeup = -2 dB when loud.
    // Timing, from the envelope's per-block steps (2 ms at 8 kHz, 1 - e^(-16/40) attack,
    // 1 - e^(-16/400) release): 63 % of the +6 -> -2 dB swing after ~12 ms (the envelope must
    // cross most of the 34 dB step first), back within 0.5 dB of +6 after ~22 ms.
    const p = { ...TTS_CHAIN_DEFAULTS, shelfDb: 0, lpfHz: 4000, clipThreshold: 1, gateThresholdDb: -90 };
    const rate = 8000;
    const seg = rate / 2;
    const x = new Int16Array(3 * seg).map((_, i) => (i % 2 ? -1 : 1) * (i >= seg && i < 2 * seg ? 16423 : 328));
    const y = x.slice();
    new TtsChain(rate, p).process(y);
    const gainDb = Array.from(y, (v, i) => db(Math.abs(v / x[i]!)));
    expect(gainDb[seg - 1]!).toBeCloseTo(6.0, 1);
    expect(gainDb[2 * seg - 1]!).toBeGreaterThan(-2.3);
    expect(gainDb[2 * seg - 1]!).toBeLessThan(-1.7);
    const ms = (samples: number): number => (samples * 1000) / rate;
    const attack = gainDb.slice(seg).findIndex((g) => g <= 6 - 0.63 * 8);
    const release = gainDb.slice(2 * seg).findIndex((g) => g >= 5.5);
    expect(ms(attack)).toBeGreaterThan(8);
    expect(ms(attack)).toBeLessThan(18);
    expect(ms(release)).toBeGreaterThan(15);
    expect(ms(release)).toBeLessThan(32);
  });

  it('the TTS compressor ramps its gain across each block: a 34 dB jump moves it < 0.5 dB a sample, > 6 dB in all', () => {
    // Filters made transparent and the gate open, so |out / in| is the compressor's gain
    // (a full-scale Nyquist tone passes the DC blocker; -40 dBFS, then -6 dBFS).
    const p = { ...TTS_CHAIN_DEFAULTS, shelfDb: 0, lpfHz: 4000, clipThreshold: 1, gateThresholdDb: -90 };
    const rate = 8000;
    const at = rate / 2;
    const x = new Int16Array(rate).map((_, i) => (i % 2 ? -1 : 1) * (i < at ? 328 : 16423));
    const y = x.slice();
    new TtsChain(rate, p).process(y);
    const gainDb = Array.from(y, (v, i) => db(Math.abs(v / x[i]!)));
    let maxStep = 0;
    for (let i = at - 100; i < rate - 1; i++) maxStep = Math.max(maxStep, Math.abs(gainDb[i + 1]! - gainDb[i]!));
    expect(gainDb[at - 1]! - gainDb[rate - 1]!).toBeGreaterThan(6);
    expect(maxStep).toBeLessThan(0.5);
  });
});
