// What the agent says: a sung formant melody, or the caller's own turn played back, encoded in
// the session's output format.
import type { AudioFormat } from '../../../media/types.js';
import { encodeAudio, resampleLinear } from '../audio/pcm.js';
import { Voice } from '../audio/synth.js';
import type { ReplyMode } from './types.js';

export interface ReplyInput {
  readonly mode: ReplyMode;
  readonly format: AudioFormat;
  readonly replyMs: number;
  readonly seed: number;
  /** The caller's turn (decoded, at `turnRate`), for echo replies. */
  readonly turn?: Int16Array;
  readonly turnRate?: number;
}

export function replyAudio(input: ReplyInput): Buffer {
  const rate = input.format.rate;
  if (input.mode === 'echo' && input.turn && input.turn.length > 0 && input.turnRate) {
    const pcm = resampleLinear(input.turn, input.turnRate, rate);
    const max = Math.round((input.replyMs * 2 * rate) / 1000);
    return encodeAudio(input.format, pcm.length > max ? pcm.subarray(0, max) : pcm);
  }
  // Melodies are rendered once per format, length and variant: synthesis is the agent's main cost.
  const variant = input.seed % MELODY_VARIANTS;
  const key = `${input.format.codec}/${rate}/${input.replyMs}/${variant}`;
  let audio = melodies.get(key);
  if (!audio) {
    if (melodies.size >= 64) melodies.clear();
    const voice = new Voice({ sampleRate: rate, melodic: true, seed: 100 + variant, pitchHz: 110 + 8 * variant });
    audio = encodeAudio(input.format, voice.render(Math.round((input.replyMs * rate) / 1000)));
    melodies.set(key, audio);
  }
  return audio;
}

const MELODY_VARIANTS = 6;
const melodies = new Map<string, Buffer>();

const WORDS = ['thanks', 'for', 'calling', 'this', 'is', 'the', 'parley', 'simulated', 'agent', 'speaking', 'how', 'can', 'I', 'help', 'you', 'today'];

/** `n` transcript words, one per audio delta. */
export function replyWords(n: number, turn: number): string[] {
  return Array.from({ length: n }, (_, i) => (i === 0 ? `[reply ${turn}] ` : '') + WORDS[i % WORDS.length]! + ' ');
}
