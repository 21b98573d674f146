// Cascade mode runs the original TTS chain (PARLEY_TTS_DSP, on by default in this mode): each
// call's media is opened with it, and the caller hears its effect. The ElevenLabs fake speaks
// a 440 Hz tone with 8000 peak (-12.3 dBFS), above the chain's compressor threshold (-18 dB,
// 3:1, +6 dB makeup); the shelf and the low-pass leave 440 Hz alone. The level change the
// caller should hear is the reference chain's gain for that tone at the call's 8 kHz rate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativeMediaEngine, type CallMediaConfig, type MediaCall, type MediaEngine, type TickInfo } from '../../src/media/index.js';
import type { ScriptStep } from '../../src/tools/sim/caller/index.js';
import { readWav } from '../../src/tools/sim/audio/wav.js';
import { tone } from '../../src/media/reference/testSignals.js';
import { TtsChain } from '../../src/media/reference/ttsChain.js';
import { startCascadeBridge, type CascadeBridge } from './harness.js';

/** A real engine that remembers the config of every call it opened. */
class RecordingEngine implements MediaEngine {
  readonly opened: { asked: CallMediaConfig; call: MediaCall }[] = [];
  readonly #inner = new NativeMediaEngine();
  get kind() {
    return this.#inner.kind;
  }
  open(config: CallMediaConfig): MediaCall {
    const call = this.#inner.open(config);
    this.opened.push({ asked: config, call });
    return call;
  }
  onTick(listener: (info: TickInfo) => void): () => void {
    return this.#inner.onTick(listener);
  }
  stats() {
    return this.#inner.stats();
  }
  close() {
    return this.#inner.close();
  }
}

/** Median RMS of the 10 ms windows of the heard channel that carry agent audio. */
function heardLevel(wavPath: string): number {
  const wav = readWav(wavPath);
  const win = wav.sampleRate / 100;
  const levels: number[] = [];
  for (let w = 0; (w + win) * 2 <= wav.samples.length; w += win) {
    let e = 0;
    for (let i = w; i < w + win; i++) e += wav.samples[2 * i + 1]! ** 2;
    const rms = Math.sqrt(e / win);
    if (rms > 1000) levels.push(rms);
  }
  levels.sort((a, b) => a - b);
  expect(levels.length).toBeGreaterThan(50); // at least half a second of agent audio
  return levels[levels.length >> 1]!;
}

function rms(x: Int16Array, from: number): number {
  let e = 0;
  for (let i = from; i < x.length; i++) e += x[i]! ** 2;
  return Math.sqrt(e / (x.length - from));
}

/** dB the reference chain adds to the fake’s tone at 8 kHz, in steady state (about +4.0 dB). */
function chainGainDb(): number {
  const x = tone(8000, 440, 8000, 8000);
  const y = x.slice();
  new TtsChain(8000).process(y);
  return 20 * Math.log10(rms(y, 4000) / rms(x, 4000));
}

const SCRIPT: ScriptStep[] = [{ kind: 'say', ms: 700 }, { kind: 'listen', quietMs: 400 }, { kind: 'hangup' }];

describe.concurrent('cascade mode: the TTS DSP chain', () => {
  const runs = [
    ['default (chain on)', {}],
    ['PARLEY_TTS_DSP=false', { tts: { dsp: false } }],
  ] as const;
  const bridges: { engine: RecordingEngine; bridge: CascadeBridge }[] = [];
  const levels: number[] = [];

  beforeAll(async () => {
    for (const [, config] of runs) {
      const engine = new RecordingEngine();
      bridges.push({ engine, bridge: await startCascadeBridge({ engine, config }) });
    }
    const reports = await Promise.all(bridges.map(({ bridge }) => bridge.call('twilio', { script: SCRIPT })));
    for (const r of reports) {
      expect(r.failure).toBeUndefined();
      levels.push(heardLevel(r.wavPath!));
    }
  });
  afterAll(async () => {
    for (const { engine, bridge } of bridges) {
      await bridge.close();
      await engine.close();
    }
  });

  it('opens every call’s media with the chain on by default, and off when PARLEY_TTS_DSP=false', () => {
    const [on, off] = bridges.map((b) => b.engine.opened);
    expect(on).toHaveLength(1);
    expect(on![0]!.asked.playoutDsp).toEqual({ gainDb: 0, ttsChain: true });
    expect(on![0]!.call.config.playoutDsp).toEqual({ gainDb: 0, dcBlock: false, ttsChain: true, limiter: 'auto' });
    expect(off).toHaveLength(1);
    expect(off![0]!.call.config.playoutDsp.ttsChain).toBe(false);
  });

  it('changes what the caller hears by the chain’s gain for the fake’s tone', () => {
    const [on, off] = levels;
    const expected = chainGainDb();
    expect(expected).toBeGreaterThan(2); // makeup outweighs the compression at this level
    // Within 0.5 dB: µ-law quantisation and the median over 10 ms windows.
    expect(Math.abs(20 * Math.log10(on! / off!) - expected)).toBeLessThan(0.5);
  });
});
