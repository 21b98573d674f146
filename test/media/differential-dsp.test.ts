// Native DSP vs the TypeScript reference (src/media/reference), over random signals and
// random chunkings. The stated bound is 0 LSB: both sides compute the same IEEE operations
// in the same order (integer-exact in the resampler), so outputs must be identical.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as detmath from '../../src/media/reference/detmath.js';
import { alawDecode, alawEncode, ulawDecode, ulawEncode } from '../../src/media/reference/g711.js';
import { PLAYOUT_DSP_DEFAULTS, PlayoutDsp, type LimiterMode, type PlayoutDspConfig } from '../../src/media/reference/playoutDsp.js';
import { Resampler } from '../../src/media/reference/resampler.js';
import { designResampler, type ResamplerQuality } from '../../src/media/reference/resamplerDesign.js';
import { VAD_DEFAULTS, Vad, type VadConfig, type VadEvent } from '../../src/media/reference/vad.js';
import { loadNativeDsp } from './reference/nativeDsp.js';

const native = loadNativeDsp();
const RATES = [8000, 16000, 24000, 48000] as const;
const PAIRS = RATES.flatMap((a) => RATES.filter((b) => b !== a).map((b) => [a, b] as const));

/** Splits n into chunk lengths chosen by `sizes` (cycled), so both sides can chunk differently. */
function chunks(n: number, sizes: number[]): number[] {
  const out: number[] = [];
  let i = 0;
  while (n > 0) {
    const s = Math.min(n, Math.max(1, sizes[i++ % sizes.length]!));
    out.push(s);
    n -= s;
  }
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A signal: noise + tones + optional full-scale runs, from fast-check's parameters. */
const signalArb = fc
  .record({
    len: fc.integer({ min: 1, max: 6000 }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    tone: fc.double({ min: 20, max: 20000, noNaN: true }),
    amp: fc.integer({ min: 0, max: 40000 }),
    noise: fc.integer({ min: 0, max: 20000 }),
    clipRun: fc.boolean(),
  })
  .map(({ len, seed, tone, amp, noise, clipRun }) => {
    let s = seed;
    const rnd = (): number => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
    const x = new Int16Array(len);
    for (let i = 0; i < len; i++) {
      const v = amp * Math.sin((2 * Math.PI * tone * i) / 48000) + noise * rnd();
      x[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
    }
    if (clipRun) for (let i = 0; i < Math.min(len, 200); i++) x[i] = i % 2 ? 32767 : -32768;
    return x;
  });

const chunkingArb = fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 12 });

describe('deterministic math', () => {
  const cases: [string, (x: number) => number, fc.Arbitrary<number>][] = [
    ['exp2', detmath.exp2, fc.double({ min: -1100, max: 1100, noNaN: true })],
    ['log2', detmath.log2, fc.double({ min: 0, max: 1e300, noNaN: true })],
    ['sin', detmath.sin, fc.double({ min: -1e5, max: 1e5, noNaN: true })],
    ['cos', detmath.cos, fc.double({ min: -1e5, max: 1e5, noNaN: true })],
    ['pow10', detmath.pow10, fc.double({ min: -300, max: 300, noNaN: true })],
    ['exp', detmath.exp, fc.double({ min: -700, max: 700, noNaN: true })],
    ['besselI0', detmath.besselI0, fc.double({ min: 0, max: 40, noNaN: true })],
    ['coarseExp2', detmath.coarseExp2, fc.double({ min: -1100, max: 1100, noNaN: true })],
    ['coarseLog2', detmath.coarseLog2, fc.double({ min: 0, max: 1e300, noNaN: true })],
  ];
  for (const [name, fn, arb] of cases) {
    it(`${name} is bit-identical`, () => {
      fc.assert(
        fc.property(fc.array(arb, { minLength: 1, maxLength: 200 }), (xs) => {
          const got = native.dspDetmath(name, Float64Array.from(xs));
          xs.forEach((x, i) => expect(Object.is(got[i], fn(x)), `${name}(${x})`).toBe(true));
        }),
        { numRuns: 50 },
      );
    });
  }
  it('is accurate as well as deterministic', () => {
    for (let x = -30; x <= 30; x += 0.37) {
      expect(Math.abs(detmath.exp2(x) / 2 ** x - 1)).toBeLessThan(1e-14);
      expect(Math.abs(detmath.sin(x) - Math.sin(x))).toBeLessThan(1e-14);
      expect(Math.abs(detmath.cos(x) - Math.cos(x))).toBeLessThan(1e-14);
      if (x > 0) expect(Math.abs(detmath.log2(x) - Math.log2(x))).toBeLessThan(1e-14);
      // The coarse pair (a compressor's control signal): ~1e-10, over a gain's whole range.
      expect(Math.abs(detmath.coarseExp2(x) / 2 ** x - 1)).toBeLessThan(1e-9);
      if (x > 0) expect(Math.abs(detmath.coarseLog2(x) - Math.log2(x))).toBeLessThan(1e-9);
      expect(Math.abs(detmath.coarseLog2(10 ** (x / 2)) - Math.log2(10 ** (x / 2)))).toBeLessThan(1e-9);
    }
  });
});

describe('G.711', () => {
  it('encodes all 65536 inputs and decodes all 256 codes identically', () => {
    const pcm = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const law of ['mulaw', 'alaw'] as const) {
      const ref = new Uint8Array(65536);
      (law === 'mulaw' ? ulawEncode : alawEncode)(pcm, ref);
      expect(Buffer.from(native.dspG711Encode(law, pcm)).equals(Buffer.from(ref))).toBe(true);
      const dec = new Int16Array(256);
      (law === 'mulaw' ? ulawDecode : alawDecode)(codes, dec);
      expect(Array.from(native.dspG711Decode(law, codes))).toEqual(Array.from(dec));
    }
  });
});

describe('resampler', () => {
  it('designs identical integer filters for every pair and quality', () => {
    for (const q of ['voice', 'strict'] as ResamplerQuality[]) {
      for (const [a, b] of PAIRS) {
        const n = native.dspResamplerDesign(a, b, q);
        const r = designResampler(a, b, q);
        expect([n.up, n.down, n.taps, n.delayUp], `${a}->${b} ${q}`).toEqual([r.up, r.down, r.taps, r.delayUp]);
        expect(Buffer.from(n.coefs.buffer).equals(Buffer.from(r.coefs.buffer)), `${a}->${b} ${q} coefs`).toBe(true);
        expect(Array.from(n.identityTap)).toEqual(Array.from(r.identityTap));
      }
    }
  });

  it('streams identical samples under independent random chunkings, including the drain', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PAIRS),
        fc.constantFrom<ResamplerQuality>('voice', 'strict'),
        signalArb,
        chunkingArb,
        chunkingArb,
        ([a, b], q, x, c1, c2) => {
          const n = new native.DspResampler(a, b, q);
          const r = new Resampler(a, b, q);
          const outN: Int16Array[] = [];
          let o = 0;
          for (const len of chunks(x.length, c1)) {
            outN.push(n.process(x.subarray(o, o + len)));
            o += len;
          }
          outN.push(n.drain());
          const outR: Int16Array[] = [];
          const buf = new Int16Array(r.maxOutputsFor(1500) + r.maxOutputsFor(r.delayIn));
          o = 0;
          for (const len of chunks(x.length, c2)) {
            const k = r.process(x.subarray(o, o + len), buf);
            outR.push(buf.slice(0, k));
            o += len;
          }
          outR.push(buf.slice(0, r.drain(buf)));
          const got = concat(outN);
          const want = concat(outR);
          expect(got.length).toBe(want.length);
          expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
          expect(n.info().produced).toBe(r.produced);
        },
      ),
      { numRuns: 60 },
    );
  });
});

const limiterArb = fc.constantFrom<LimiterMode>('none', 'peak', 'softclip');
const chainConfigArb: fc.Arbitrary<PlayoutDspConfig> = fc.record({
  gainDb: fc.oneof(fc.constant(0), fc.double({ min: -30, max: 24, noNaN: true })),
  dcBlock: fc.boolean(),
  ttsChain: fc.boolean(),
  tts: fc.constant(PLAYOUT_DSP_DEFAULTS.tts),
  limiter: limiterArb,
  limitDbfs: fc.double({ min: -20, max: 0, noNaN: true }),
  limiterReleaseMs: fc.double({ min: 1, max: 500, noNaN: true }),
  softClipThreshold: fc.double({ min: 0.1, max: 1, noNaN: true }),
  fadeOutMs: fc.double({ min: 0.1, max: 10, noNaN: true }),
  fadeInMs: fc.double({ min: 0.1, max: 20, noNaN: true }),
});

describe('playout DSP chain (gain, DC, TTS chain, limiter, soft clip, fade)', () => {
  it('produces identical samples for random configurations, chunkings and fade commands', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RATES),
        chainConfigArb,
        signalArb,
        fc.array(fc.record({ len: fc.integer({ min: 1, max: 900 }), cmd: fc.constantFrom('none', 'out', 'in', 'reset', 'restart') }), { minLength: 1, maxLength: 20 }),
        (rate, cfg, x, plan) => {
          const n = new native.DspChain(rate, cfg);
          const r = new PlayoutDsp(rate, cfg);
          let o = 0;
          for (const { len, cmd } of plan) {
            if (o >= x.length) break;
            if (cmd === 'out') (n.startFadeOut(), r.startFadeOut());
            if (cmd === 'in') (n.startFadeIn(), r.startFadeIn());
            if (cmd === 'reset') (n.resetFilters(), r.resetFilters());
            if (cmd === 'restart') (n.restartFromSilence(), r.restartFromSilence());
            const part = x.slice(o, o + len);
            o += len;
            const got = n.process(part);
            r.process(part);
            expect(Buffer.from(got.buffer).equals(Buffer.from(part.buffer))).toBe(true);
            expect(n.muted()).toBe(r.muted);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

const vadConfigArb: fc.Arbitrary<VadConfig> = fc.record({
  blockMs: fc.constantFrom(5, 10, 20),
  onsetMs: fc.integer({ min: 0, max: 200 }),
  onsetGapMs: fc.integer({ min: 0, max: 60 }),
  hangoverMs: fc.integer({ min: 10, max: 800 }),
  onRatioDb: fc.double({ min: 1, max: 15, noNaN: true }),
  offRatioDb: fc.double({ min: 0, max: 10, noNaN: true }),
  minLevelDbfs: fc.double({ min: -90, max: -20, noNaN: true }),
  floorFallMs: fc.double({ min: 10, max: 1000, noNaN: true }),
  floorTrackMs: fc.double({ min: 100, max: 5000, noNaN: true }),
  floorRiseDbPerS: fc.double({ min: 0.1, max: 10, noNaN: true }),
  floorMinDbfs: fc.double({ min: -120, max: -60, noNaN: true }),
  echoGate: fc.boolean(),
  echoErlDb: fc.double({ min: 0, max: 30, noNaN: true }),
  echoTailMs: fc.integer({ min: 10, max: 2000 }),
});

/** Bursts of loud noise over quiet noise: a VAD must say something on these. */
const burstySignalArb = fc.record({ seed: fc.integer({ min: 1, max: 2 ** 30 }), seconds: fc.double({ min: 0.2, max: 3, noNaN: true }) }).map(({ seed, seconds }) => {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  const x = new Int16Array(Math.floor(seconds * 16000));
  let level = 30;
  for (let i = 0; i < x.length; i++) {
    if (i % 1600 === 0) level = rnd() > 0 ? 30 + 3000 * Math.abs(rnd()) : 30;
    x[i] = Math.round(level * rnd());
  }
  return x;
});

describe('VAD', () => {
  it('emits identical events for random configurations, signals and chunkings', () => {
    fc.assert(
      fc.property(fc.constantFrom(8000, 16000), vadConfigArb, burstySignalArb, burstySignalArb, chunkingArb, (rate, cfg, x, out, c) => {
        const n = new native.DspVad(rate, cfg);
        const r = new Vad(rate, cfg);
        const evN: VadEvent[] = [];
        const evR: VadEvent[] = [];
        let o = 0;
        for (const len of chunks(x.length, c)) {
          const outPart = out.subarray(Math.min(o, out.length), Math.min(o + len, out.length));
          n.observeOutbound(outPart);
          r.observeOutbound(outPart);
          evN.push(...n.process(x.subarray(o, o + len)));
          r.process(x.subarray(o, o + len), evR);
          o += len;
        }
        expect(evN).toEqual(evR);
        expect(n.state().speaking).toBe(r.speaking);
        expect(Object.is(n.state().noiseFloorDbfs, r.noiseFloorDbfs)).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it('is not vacuous: the default VAD finds speech in the generated bursts', () => {
    const x = fc.sample(burstySignalArb, { numRuns: 20, seed: 7 });
    const events = x.flatMap((s) => new native.DspVad(16000, VAD_DEFAULTS).process(s));
    expect(events.length).toBeGreaterThan(0);
  });
});
