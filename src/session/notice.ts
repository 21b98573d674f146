// The give-up notice (docs/ARCHITECTURE.md#ai-link-and-reconnect): what the caller hears when the AI link is gone for good,
// before the call ends. Three short descending beeps, in the AI's output format so it takes
// the same playout path (and the same guards) as agent audio.
import type { AudioFormat } from '../media/types.js';
import { encodeSamples } from '../media/index.js';

const BEEPS_HZ = [660, 550, 440];
const BEEP_MS = 220;
const GAP_MS = 120;
const AMPLITUDE = 0.25 * 32767;
/** Short fades so the beeps do not click. */
const FADE_MS = 10;

export function noticeMs(): number {
  return BEEPS_HZ.length * (BEEP_MS + GAP_MS);
}

/** The notice as AI-format bytes. */
export function noticeAudio(format: AudioFormat): Buffer {
  const rate = format.rate;
  const per = Math.round(((BEEP_MS + GAP_MS) * rate) / 1000);
  const on = Math.round((BEEP_MS * rate) / 1000);
  const fade = Math.round((FADE_MS * rate) / 1000);
  const pcm = new Int16Array(per * BEEPS_HZ.length);
  BEEPS_HZ.forEach((hz, b) => {
    for (let i = 0; i < on; i++) {
      const env = Math.min(1, i / fade, (on - 1 - i) / fade);
      pcm[b * per + i] = Math.round(AMPLITUDE * env * Math.sin((2 * Math.PI * hz * i) / rate));
    }
  });
  return encodeSamples(format, pcm);
}
