// The per-call playout DSP options (CallMediaConfig.playoutDsp) on both real engines: each
// option changes the emitted telephony audio by the amount its design says (measured on the
// frames the media thread emitted), the native and the JS engine emit identical bytes with
// the TTS chain on, bad values are refused naming the option and its range, and unset
// options leave a passthrough call byte-exact.
import { afterAll, describe, expect, it } from 'vitest';
import { MediaError, NativeMediaEngine, type CallMediaConfig, type MediaEngine, type PlayoutDspOptions } from '../../src/media/index.js';
import { loadNativeAddon } from '../../src/media/binding.js';
import { rbjHighShelf, rbjLowpass, type BiquadCoefs } from '../../src/media/reference/biquad.js';
import { JsMediaEngine } from '../../src/media/reference/engine.js';
import { TTS_CHAIN_DEFAULTS } from '../../src/media/reference/ttsChain.js';
import { db, fitSine, speechScene, tone } from '../../src/media/reference/testSignals.js';
import { Collector, taggedMulaw, untilTick } from './engine-helpers.js';

// PCM16 out, so nothing but the DSP limits the measurement (no G.711 quantisation).
const PCM_LEG: CallMediaConfig = { telephony: { codec: 'pcm16', rate: 16000 }, ai: { codec: 'pcm16', rate: 24000 } };
const TEL_RATE = 16000;
const MULAW: CallMediaConfig = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 } };

const pcmBytes = (x: Int16Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
const toInt16 = (b: Buffer): Int16Array => {
  const out = new Int16Array(b.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(2 * i);
  return out;
};

/** Plays `audio` (AI format) through one call and returns every emitted telephony byte. */
async function play(engine: MediaEngine, config: CallMediaConfig, audio: Buffer): Promise<Buffer> {
  const call = engine.open({ ...config, playoutCapacityMs: 15_000 });
  const out = new Collector(engine, call);
  try {
    // Written before playing, so the tick timing cannot change what is emitted.
    expect(call.writePlayout(audio, { epoch: 0, item: 1 })).toBe('ok');
    call.setState('finishing');
    await untilTick(engine, () => out.has('drained'), 10_000);
    return Buffer.concat(out.frames.map((f) => f.bytes));
  } finally {
    out.stop();
    await call.close();
  }
}

/** Amplitude of the `freq` tone in the steady part (after 100 ms, before the last 100 ms). */
function amplitude(pcm: Int16Array, freq: number): number {
  const skip = TEL_RATE / 10;
  return fitSine(pcm, skip, pcm.length - 2 * skip - TEL_RATE / 5, freq, TEL_RATE).amplitude;
}

function mean(pcm: Int16Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += pcm[i]!;
  return s / (to - from);
}

/** |H(e^jw)| of a biquad at `freq`. */
function gainAt(c: BiquadCoefs, freq: number, rate: number): number {
  const w = (2 * Math.PI * freq) / rate;
  const re = (a0: number, a1: number, a2: number) => a0 + a1 * Math.cos(w) + a2 * Math.cos(2 * w);
  const im = (a1: number, a2: number) => -(a1 * Math.sin(w) + a2 * Math.sin(2 * w));
  return Math.hypot(re(c.b0, c.b1, c.b2), im(c.b1, c.b2)) / Math.hypot(re(1, c.a1, c.a2), im(c.a1, c.a2));
}

const ENGINES = [
  ['native', () => new NativeMediaEngine({ tickMs: 2, maxCalls: 16 })],
  ['js', () => new JsMediaEngine({ tickMs: 2, maxCalls: 16 })],
] as const;

describe.each(ENGINES)('%s engine: playout DSP options', (_kind, make) => {
  const engine: MediaEngine = make();
  afterAll(() => engine.close());

  it('gainDb scales the output by the expected factor', async () => {
    const x = pcmBytes(tone(24000, 1000, 8000, 24000));
    const dsp = (gainDb: number): CallMediaConfig => ({ ...PCM_LEG, playoutDsp: { gainDb, limiter: 'none' } });
    const [flat, down, up] = await Promise.all([0, -6, 3].map(async (g) => amplitude(toInt16(await play(engine, dsp(g), x)), 1000)));
    expect(flat).toBeGreaterThan(7800);
    expect(db(down! / flat!)).toBeCloseTo(-6, 1);
    expect(db(up! / flat!)).toBeCloseTo(3, 1);
  });

  it('dcBlock removes a DC offset that the default path passes', async () => {
    const x = tone(24000, 500, 4000, 24000).map((v) => v + 6000);
    const [plain, blocked] = await Promise.all(
      [false, true].map(async (dcBlock) => toInt16(await play(engine, { ...PCM_LEG, playoutDsp: { dcBlock } }, pcmBytes(x)))),
    );
    const steady = [TEL_RATE / 2, TEL_RATE - TEL_RATE / 10] as const; // 0.5 s .. 0.9 s
    expect(mean(plain!, ...steady)).toBeGreaterThan(5900);
    expect(Math.abs(mean(blocked!, ...steady))).toBeLessThan(60);
  });

  it('ttsChain applies the original chain: +6 dB makeup, the high shelf and the 3.8 kHz low-pass', async () => {
    // -30 dBFS: under the compressor's knee (so only its makeup gain acts), over the gate.
    const p = TTS_CHAIN_DEFAULTS;
    const measured = await Promise.all(
      [1000, 6000].map(async (f) => {
        const x = pcmBytes(tone(24000, f, 1036, 24000));
        const [off, on] = await Promise.all(
          [false, true].map(async (ttsChain) => amplitude(toInt16(await play(engine, { ...PCM_LEG, playoutDsp: { ttsChain } }, x)), f)),
        );
        return db(on! / off!);
      }),
    );
    const expected = [1000, 6000].map(
      (f) => p.compMakeupDb + db(gainAt(rbjHighShelf(TEL_RATE, p.shelfHz, p.shelfDb, p.shelfQ), f, TEL_RATE) * gainAt(rbjLowpass(TEL_RATE, p.lpfHz, p.lpfQ), f, TEL_RATE)),
    );
    expect(expected[1]! - expected[0]!).toBeLessThan(-6); // the low-pass dominates at 6 kHz
    expect(measured[0]).toBeCloseTo(expected[0]!, 0);
    expect(measured[1]).toBeCloseTo(expected[1]!, 0);
    // Relative to 1 kHz, 6 kHz loses what the shelf and the low-pass say, within 0.3 dB.
    expect(Math.abs(measured[1]! - measured[0]! - (expected[1]! - expected[0]!))).toBeLessThan(0.3);
  });

  it('leaves a passthrough call byte-exact when the options are unset or ask for nothing', async () => {
    const x = Buffer.concat([taggedMulaw(1, 1600), taggedMulaw(2, 717)]);
    for (const playoutDsp of [undefined, {}, { gainDb: 0, dcBlock: false, ttsChain: false, limiter: 'auto' } satisfies PlayoutDspOptions]) {
      const out = await play(engine, { ...MULAW, playoutDsp }, x);
      expect(out.subarray(0, x.length).equals(x)).toBe(true);
    }
    // The same call asking for gain is processed (the passthrough would have copied).
    const quieter = await play(engine, { ...MULAW, playoutDsp: { gainDb: -12 } }, x);
    expect(quieter.subarray(0, x.length).equals(x)).toBe(false);
  });

  it('refuses bad option values with ERR_MEDIA_CONFIG, naming the option and the accepted range', () => {
    const refuse = (playoutDsp: unknown, msg: RegExp) => {
      let err: unknown;
      try {
        engine.open({ ...PCM_LEG, playoutDsp: playoutDsp as PlayoutDspOptions });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).code).toBe('ERR_MEDIA_CONFIG');
      expect((err as MediaError).message).toMatch(msg);
    };
    refuse({ gainDb: 20.5 }, /^playoutDsp\.gainDb must be a number within -40\.\.20 \(got 20\.5\)/);
    refuse({ gainDb: -41 }, /^playoutDsp\.gainDb must be a number within -40\.\.20/);
    refuse({ gainDb: Number.NaN }, /^playoutDsp\.gainDb must be a number within -40\.\.20 \(got NaN\)/);
    refuse({ gainDb: '3' }, /^playoutDsp\.gainDb must be a number/);
    refuse({ limiter: 'hard' }, /^playoutDsp\.limiter must be one of auto, none, peak, softclip \(got hard\)/);
    refuse({ ttsChain: 'yes' }, /^playoutDsp\.ttsChain must be true or false/);
    refuse({ dcBlock: 1 }, /^playoutDsp\.dcBlock must be true or false/);
    refuse(5, /^playoutDsp must be an object/);
    expect(engine.stats().calls).toBe(0);
  });
});

describe('native and JS engines emit identical bytes with the TTS chain on', () => {
  // Speech-like bursts in noise (gate opening and closing, compressor working) at a level
  // that reaches the soft clipper, on a resampling G.711 leg and on a passthrough leg.
  const scene = speechScene(24000, 3, -50, 30, 7).pcm.map((v) => Math.max(-32768, Math.min(32767, v * 6)));
  const cases: [string, CallMediaConfig, Buffer][] = [
    ['pcm16 24k -> mulaw 8k', { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'pcm16', rate: 24000 }, playoutDsp: { ttsChain: true } }, pcmBytes(scene)],
    ['pcm16 24k -> pcm16 16k, +4 dB, soft clip', { ...PCM_LEG, playoutDsp: { ttsChain: true, gainDb: 4, limiter: 'softclip' } }, pcmBytes(scene)],
    ['mulaw passthrough', { ...MULAW, playoutDsp: { ttsChain: true, dcBlock: true } }, Buffer.concat([taggedMulaw(1, 4000), taggedMulaw(2, 1234)])],
  ];
  it.each(cases)('%s', async (_name, config, audio) => {
    const run = async (engine: MediaEngine): Promise<Buffer> => {
      try {
        return await play(engine, config, audio);
      } finally {
        await engine.close();
      }
    };
    const [native, js] = await Promise.all([run(new NativeMediaEngine({ tickMs: 2 })), run(new JsMediaEngine({ tickMs: 2 }))]);
    expect(native.length).toBeGreaterThan(0);
    expect(js.length).toBe(native.length);
    expect(js.equals(native)).toBe(true);
    // Not vacuous: without the chain the same call emits different bytes.
    const engine = new JsMediaEngine({ tickMs: 2 });
    try {
      const plain = await play(engine, { ...config, playoutDsp: { ...config.playoutDsp, ttsChain: false } }, audio);
      expect(plain.equals(native)).toBe(false);
    } finally {
      await engine.close();
    }
  });
});

describe('the addon checks the options itself', () => {
  it('refuses an out-of-range gain and a bad limiter index passed straight to Engine.open', () => {
    const addon = loadNativeAddon();
    const h = new addon.Engine(20_000_000, 4, () => {});
    try {
      const codec = (c: string) => addon.engineFields.codecs.indexOf(c);
      const open = (...dsp: [number?, boolean?, boolean?, number?]) => h.open(codec('mulaw'), 8000, codec('pcm16'), 24000, 80, 2000, 1000, ...dsp);
      expect(() => open(25)).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_CONFIG', message: 'playoutDsp.gainDb must be a number within -40..20' }));
      expect(() => open(Number.NaN)).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_CONFIG' }));
      expect(() => open(0, false, false, 4)).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_ARG' }));
      expect(addon.engineFields.limiters).toEqual(['auto', 'none', 'peak', 'softclip']);
      expect(open(-6, true, true, 3)).toBeGreaterThanOrEqual(0);
    } finally {
      h.close();
    }
  });
});
