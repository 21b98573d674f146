// The per-call audio paths in TypeScript: the twin of native/src/core/engine/dsp_paths.cc (and of
// the engine's identity path for calls whose two sides share a format). Used by the JS
// fallback engine; produce the same bytes as the native paths.
import { playoutDspProcesses } from '../engine.js';
import type { AudioFormat, ResolvedPlayoutDspOptions } from '../types.js';
import { alawDecode, alawEncode, ulawDecode, ulawEncode } from './g711.js';
import { PLAYOUT_DSP_DEFAULTS, PlayoutDsp, type PlayoutDspConfig } from './playoutDsp.js';
import { Resampler } from './resampler.js';
import type { ResamplerQuality } from './resamplerDesign.js';
import { VAD_DEFAULTS, Vad, type VadConfig, type VadEvent } from './vad.js';

export type VadEdge = 'none' | 'speech-start' | 'speech-stop';

export interface CapturePath {
  readonly inFrameBytes: number;
  readonly outMaxBytes: number;
  /** Converts one frame into `out`; returns the bytes written and at most one VAD edge. */
  process(input: Uint8Array, out: Uint8Array): { bytes: number; vad: VadEdge };
}

export interface PlayoutPath {
  readonly inFrameBytes: number;
  readonly outFrameBytes: number;
  process(input: Uint8Array, out: Uint8Array): void;
  onFlush(): void;
  readonly delayAiSamples: number;
}

export interface DspPathOptions {
  readonly playout: PlayoutDspConfig;
  readonly vad: VadConfig;
  readonly quality: ResamplerQuality;
  readonly vadEnabled: boolean;
}

export const DSP_PATH_DEFAULTS: DspPathOptions = { playout: PLAYOUT_DSP_DEFAULTS, vad: VAD_DEFAULTS, quality: 'voice', vadEnabled: true };

const bps = (f: AudioFormat): number => (f.codec === 'pcm16' ? 2 : 1);
const frameSamples = (f: AudioFormat): number => f.rate / 50;

function decode(f: AudioFormat, input: Uint8Array, n: number, out: Int16Array): void {
  if (f.codec === 'mulaw') return ulawDecode(input.subarray(0, n), out);
  if (f.codec === 'alaw') return alawDecode(input.subarray(0, n), out);
  for (let i = 0; i < n; i++) out[i] = (input[2 * i]! | (input[2 * i + 1]! << 8)) << 16 >> 16;
}

function encode(f: AudioFormat, pcm: Int16Array, out: Uint8Array): void {
  if (f.codec === 'mulaw') return ulawEncode(pcm, out);
  if (f.codec === 'alaw') return alawEncode(pcm, out);
  for (let i = 0; i < pcm.length; i++) {
    const u = pcm[i]! & 0xffff;
    out[2 * i] = u & 0xff;
    out[2 * i + 1] = u >> 8;
  }
}

class DspCapturePath implements CapturePath {
  readonly inFrameBytes: number;
  readonly outMaxBytes: number;
  readonly #resampler: Resampler;
  readonly #pcmIn: Int16Array;
  readonly #pcmOut: Int16Array;
  readonly #events: VadEvent[] = [];
  #pending: VadEdge = 'none';

  constructor(
    readonly tel: AudioFormat,
    readonly ai: AudioFormat,
    o: DspPathOptions,
    readonly vad: Vad | undefined,
  ) {
    this.inFrameBytes = frameSamples(tel) * bps(tel);
    this.outMaxBytes = frameSamples(ai) * bps(ai);
    this.#resampler = new Resampler(tel.rate, ai.rate, o.quality);
    this.#pcmIn = new Int16Array(frameSamples(tel));
    this.#pcmOut = new Int16Array(this.#resampler.maxOutputsFor(frameSamples(tel)));
  }

  process(input: Uint8Array, out: Uint8Array): { bytes: number; vad: VadEdge } {
    decode(this.tel, input, this.#pcmIn.length, this.#pcmIn);
    let edge = this.#pending;
    this.#pending = 'none';
    if (this.vad) {
      this.#events.length = 0;
      this.vad.process(this.#pcmIn, this.#events);
      for (const ev of this.#events) {
        const e: VadEdge = ev.kind === 'speech_start' ? 'speech-start' : 'speech-stop';
        if (edge === 'none') edge = e;
        else this.#pending = e;
      }
    }
    const n = this.#resampler.process(this.#pcmIn, this.#pcmOut);
    encode(this.ai, this.#pcmOut.subarray(0, n), out);
    return { bytes: n * bps(this.ai), vad: edge };
  }
}

class DspPlayoutPath implements PlayoutPath {
  readonly inFrameBytes: number;
  readonly outFrameBytes: number;
  readonly #resampler: Resampler;
  readonly #dsp: PlayoutDsp;
  readonly #pcmIn: Int16Array;
  readonly #pcmOut: Int16Array;

  constructor(
    readonly tel: AudioFormat,
    readonly ai: AudioFormat,
    o: DspPathOptions,
    readonly echoVad: Vad | undefined,
  ) {
    this.inFrameBytes = frameSamples(ai) * bps(ai);
    this.outFrameBytes = frameSamples(tel) * bps(tel);
    this.#resampler = new Resampler(ai.rate, tel.rate, o.quality);
    this.#dsp = new PlayoutDsp(tel.rate, o.playout);
    this.#pcmIn = new Int16Array(frameSamples(ai));
    this.#pcmOut = new Int16Array(this.#resampler.maxOutputsFor(frameSamples(ai)));
  }

  get delayAiSamples(): number {
    return this.#resampler.delayIn;
  }

  process(input: Uint8Array, out: Uint8Array): void {
    decode(this.ai, input, this.#pcmIn.length, this.#pcmIn);
    const n = this.#resampler.process(this.#pcmIn, this.#pcmOut);
    const pcm = this.#pcmOut.subarray(0, n);
    this.#dsp.process(pcm);
    this.echoVad?.observeOutbound(pcm);
    encode(this.tel, pcm, out);
  }

  onFlush(): void {
    this.#resampler.reset();
    this.#dsp.resetFilters();
    this.#dsp.restartFromSilence();
  }
}

class IdentityCapturePath implements CapturePath {
  readonly inFrameBytes: number;
  readonly outMaxBytes: number;
  constructor(f: AudioFormat) {
    this.inFrameBytes = this.outMaxBytes = frameSamples(f) * bps(f);
  }
  process(input: Uint8Array, out: Uint8Array): { bytes: number; vad: VadEdge } {
    out.set(input.subarray(0, this.inFrameBytes));
    return { bytes: this.inFrameBytes, vad: 'none' };
  }
}

class IdentityPlayoutPath implements PlayoutPath {
  readonly inFrameBytes: number;
  readonly outFrameBytes: number;
  readonly delayAiSamples = 0;
  constructor(f: AudioFormat) {
    this.inFrameBytes = this.outFrameBytes = frameSamples(f) * bps(f);
  }
  process(input: Uint8Array, out: Uint8Array): void {
    out.set(input.subarray(0, this.inFrameBytes));
  }
  onFlush(): void {}
}

const TELEPHONY_OK = (f: AudioFormat): boolean => (f.codec === 'pcm16' ? f.rate === 8000 || f.rate === 16000 : f.rate === 8000);
const AI_OK = (f: AudioFormat): boolean => (f.codec === 'pcm16' ? f.rate === 24000 : f.rate === 8000);

export interface CallPaths {
  readonly capture: CapturePath;
  readonly playout: PlayoutPath;
}

const sameFormat = (a: AudioFormat, b: AudioFormat): boolean => a.codec === b.codec && a.rate === b.rate;

/** The identity pair for equal formats, else the DSP paths; throws RangeError naming the side. */
export function makeCallPaths(telephony: AudioFormat, ai: AudioFormat, o: DspPathOptions = DSP_PATH_DEFAULTS): CallPaths {
  if (sameFormat(telephony, ai)) {
    return { capture: new IdentityCapturePath(telephony), playout: new IdentityPlayoutPath(ai) };
  }
  return makeDspPaths(telephony, ai, o);
}

/**
 * A call's paths for its playout DSP options (twin of native make_call_paths in
 * path_factory.cc): the identity pair for equal formats unless the options ask for
 * processing; then an identity capture (no VAD) beside a DSP playout path at the shared rate.
 */
export function makePathsForCall(telephony: AudioFormat, ai: AudioFormat, playout: ResolvedPlayoutDspOptions): CallPaths {
  const passthrough = sameFormat(telephony, ai);
  if (passthrough && !playoutDspProcesses(playout)) return makeCallPaths(telephony, ai);
  const o: DspPathOptions = {
    ...DSP_PATH_DEFAULTS,
    vadEnabled: !passthrough,
    playout: {
      ...PLAYOUT_DSP_DEFAULTS,
      gainDb: playout.gainDb,
      dcBlock: playout.dcBlock,
      ttsChain: playout.ttsChain,
      limiter: playout.limiter === 'auto' ? 'peak' : playout.limiter,
    },
  };
  const paths = makeDspPaths(telephony, ai, o);
  return passthrough ? { capture: new IdentityCapturePath(telephony), playout: paths.playout } : paths;
}

function makeDspPaths(telephony: AudioFormat, ai: AudioFormat, o: DspPathOptions): CallPaths {
  if (!TELEPHONY_OK(telephony)) throw new RangeError(`telephony format ${telephony.codec}/${telephony.rate} is not supported (mulaw/8000, alaw/8000, pcm16/8000, pcm16/16000)`);
  if (!AI_OK(ai)) throw new RangeError(`AI format ${ai.codec}/${ai.rate} is not supported (pcm16/24000, mulaw/8000, alaw/8000)`);
  const vad = o.vadEnabled ? new Vad(telephony.rate, o.vad) : undefined;
  return {
    capture: new DspCapturePath(telephony, ai, o, vad),
    playout: new DspPlayoutPath(telephony, ai, o, o.vad.echoGate ? vad : undefined),
  };
}
