// The caller's voice: synthesized speech-like bursts, or successive pieces of a WAV file.
// Audio is pre-rendered once per process into a clip of 20 ms frames whose wire encodings are
// cached, so a 1000-call load run does not synthesize or encode the same speech 1000 times.
import { readWav, toMono } from '../audio/wav.js';
import { resampleLinear } from '../audio/pcm.js';
import { Voice } from '../audio/synth.js';

const CLIP_MS = 12_000;
const VARIANTS = 4;

/** 20 ms frames of audio with per-encoding caches. */
export class Clip {
  readonly frames: Int16Array[] = [];
  private readonly caches = new Map<string, unknown[]>();

  constructor(pcm: Int16Array, frameSamples: number) {
    for (let i = 0; i + frameSamples <= pcm.length; i += frameSamples) this.frames.push(pcm.subarray(i, i + frameSamples));
    if (this.frames.length === 0) this.frames.push(new Int16Array(frameSamples));
  }

  /** Frame `i` encoded by `make`, computed once per clip, frame and `kind`. */
  encoded<T>(kind: string, i: number, make: (pcm: Int16Array) => T): T {
    let cache = this.caches.get(kind);
    if (!cache) this.caches.set(kind, (cache = new Array<unknown>(this.frames.length)));
    let v = cache[i] as T | undefined;
    if (v === undefined) cache[i] = v = make(this.frames[i]!);
    return v;
  }
}

const clips = new Map<string, Clip>();

function cached(key: string, make: () => Clip): Clip {
  let c = clips.get(key);
  if (!c) clips.set(key, (c = make()));
  return c;
}

export const silenceClip = (rate: number): Clip => cached(`silence@${rate}`, () => new Clip(new Int16Array(rate / 50), rate / 50));

/** One of a few synthesized voices (calls with different seeds sound different and start at different places). */
export function synthClip(rate: number, seed: number): Clip {
  const variant = ((seed % VARIANTS) + VARIANTS) % VARIANTS;
  return cached(`synth${variant}@${rate}`, () => new Clip(new Voice({ sampleRate: rate, seed: 1000 + variant, pitchHz: 170 + 15 * variant }).render((rate * CLIP_MS) / 1000), rate / 50));
}

/** A WAV as mono at `rate`, looped (shared by every call of a load run). */
export function wavClip(path: string, rate: number): Clip {
  return cached(`wav:${path}@${rate}`, () => {
    const wav = readWav(path);
    const pcm = resampleLinear(toMono(wav), wav.sampleRate, rate);
    if (pcm.length < rate / 50) throw new Error(`${path}: less than 20 ms of audio`);
    return new Clip(pcm, rate / 50);
  });
}

/** A caller's position in its clip. */
export class CallerVoice {
  private pos: number;

  constructor(
    readonly clip: Clip,
    seed: number,
  ) {
    this.pos = (seed * 37) % clip.frames.length;
  }

  /** Index of the next 20 ms frame of speech. */
  next(): number {
    const i = this.pos;
    this.pos = (this.pos + 1) % this.clip.frames.length;
    return i;
  }
}
