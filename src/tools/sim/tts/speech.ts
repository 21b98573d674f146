// What the TTS fakes say: speech-like audio (the sims' formant voice) or a pure tone, as long as
// the text (ms per visible character), at the rate asked for. Rendered audio is memoised per
// (text, rate, voice) because many simulated calls say the same sentences.
import { markedSpeech } from '../audio/marks.js';
import { Voice } from '../audio/synth.js';
import type { TtsVoiceOptions } from './types.js';

const MEMO_LIMIT = 512;
const memo = new Map<string, Int16Array>();

export function visibleLength(text: string): number {
  let n = 0;
  for (const c of text) if (c.trim().length > 0) n += 1;
  return n;
}

export function speechFor(text: string, rate: number, o: TtsVoiceOptions): Int16Array {
  const ms = visibleLength(text) * (o.msPerChar ?? 60);
  const n = Math.round((ms * rate) / 1000);
  const key = `${rate}|${o.marked ? 'marked' : (o.toneHz ?? 'voice')}|${o.seed ?? 1}|${n}|${text}`;
  let pcm = memo.get(key);
  if (pcm) return pcm;
  if (o.marked) {
    pcm = markedSpeech(text, rate, o.msPerChar ?? 60);
  } else if (o.toneHz !== undefined) {
    pcm = new Int16Array(n);
    const w = (2 * Math.PI * o.toneHz) / rate;
    for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin(w * i));
  } else {
    let h = o.seed ?? 1;
    for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    pcm = new Voice({ sampleRate: rate, pitchHz: 120, seed: h, levelDbfs: -18 }).render(n);
  }
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, pcm);
  return pcm;
}

/** PCM16 little-endian bytes of samples [from, to). */
export function pcmBytes(pcm: Int16Array, from: number, to: number): Buffer {
  const part = pcm.subarray(from, to);
  return Buffer.from(part.buffer, part.byteOffset, part.byteLength);
}

/**
 * Paces a stream at `speed` × real time against the wall clock: each wait ends when the audio
 * sent so far is due, so a late timer (a busy event loop) does not slow the stream below its
 * speed for the rest of the sentence, as chained relative sleeps would.
 */
export class Pacer {
  private readonly t0 = performance.now();
  private sentMs = 0;

  constructor(private readonly speed: number) {}

  /** Wait after sending `ms` of audio. */
  after(ms: number): Promise<void> {
    this.sentMs += ms;
    const wait = this.t0 + this.sentMs / this.speed - performance.now();
    return new Promise<void>((r) => setTimeout(r, Math.max(0, wait)).unref());
  }
}
