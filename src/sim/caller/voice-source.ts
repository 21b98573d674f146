// The caller's voice: synthesized speech-like bursts, or successive pieces of a WAV file.
import { readWav, toMono } from '../audio/wav.js';
import { resampleLinear } from '../audio/pcm.js';
import { Voice } from '../audio/synth.js';

const wavCache = new Map<string, Int16Array>();

/** A WAV as mono at `rate` (cached: every call of a load run shares one copy). */
export function loadCallerWav(path: string, rate: number): Int16Array {
  const key = `${path}@${rate}`;
  let pcm = wavCache.get(key);
  if (!pcm) {
    const wav = readWav(path);
    pcm = resampleLinear(toMono(wav), wav.sampleRate, rate);
    if (pcm.length === 0) throw new Error(`${path}: no audio`);
    wavCache.set(key, pcm);
  }
  return pcm;
}

export class CallerVoice {
  private readonly voice: Voice | undefined;
  private pos = 0;

  constructor(
    rate: number,
    seed: number,
    private readonly wav: Int16Array | undefined,
  ) {
    this.voice = wav ? undefined : new Voice({ sampleRate: rate, seed, pitchHz: 190 });
  }

  /** The next `n` samples of speech. */
  speech(n: number): Int16Array {
    if (this.voice) return this.voice.render(n);
    const src = this.wav!;
    const out = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = src[this.pos]!;
      this.pos = (this.pos + 1) % src.length;
    }
    return out;
  }
}
