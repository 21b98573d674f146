// Marked speech: the TTS stand-ins can speak each visible character of a text as a tone whose
// pitch names the character (one of 16 symbols), so a listener that knows only what the agent
// meant to say — not how Parley split, cached, resampled or paced it — can tell which part of
// which answer it hears, and so count audio heard twice (duplicates) or out of order.
//
// The scheme survives what a telephone path does to audio: tones 400–2650 Hz (inside µ-law 8 kHz's
// band, well under any resampler's cut-off), pitch measured by zero crossings over one 20 ms frame
// (rate-independent; a tone of f Hz crosses zero 0.04·f times per frame, 6 crossings between
// neighbouring symbols), and characters of ≥ 60 ms, so every character fills at least two whole
// frames whatever the frame alignment.
export const MARK_SYMBOLS = 16;
const BASE_HZ = 400;
const STEP_HZ = 150;
const LEVEL = 8000;
/** A frame quieter than this (RMS) carries no symbol. */
const MIN_RMS = 800;
/** A measured pitch farther than this from every symbol's carries none (a frame across two). */
const TOLERANCE_HZ = 50;

/** The symbol a visible character is spoken as (all digits alike: a call number varies). */
export function markSymbol(c: string): number {
  if (c >= '0' && c <= '9') return 0;
  return (c.toLowerCase().codePointAt(0)! % (MARK_SYMBOLS - 1)) + 1;
}

export const markHz = (symbol: number): number => BASE_HZ + STEP_HZ * symbol;

/** The symbols of a text as heard: visible characters, runs of one symbol merged. */
export function markSequence(text: string): number[] {
  const out: number[] = [];
  for (const c of text) {
    if (c.trim().length === 0) continue;
    const s = markSymbol(c);
    if (out[out.length - 1] !== s) out.push(s);
  }
  return out;
}

/** `text` spoken as marks: `msPerChar` of tone per visible character, phase-continuous. */
export function markedSpeech(text: string, rate: number, msPerChar: number): Int16Array {
  const per = Math.round((msPerChar * rate) / 1000);
  const chars = [...text].filter((c) => c.trim().length > 0);
  const pcm = new Int16Array(per * chars.length);
  let phase = 0;
  chars.forEach((c, k) => {
    const w = (2 * Math.PI * markHz(markSymbol(c))) / rate;
    for (let i = 0; i < per; i++) {
      pcm[k * per + i] = Math.round(LEVEL * Math.sin(phase));
      phase += w;
    }
  });
  return pcm;
}

/** The symbol one whole 20 ms frame carries, or undefined (silence, a frame across two characters). */
export function frameSymbol(frame: Int16Array): number | undefined {
  let energy = 0;
  let crossings = 0;
  for (let i = 0; i < frame.length; i++) {
    const x = frame[i]!;
    energy += x * x;
    if (i > 0 && (frame[i - 1]! < 0) !== (x < 0)) crossings++;
  }
  if (Math.sqrt(energy / Math.max(1, frame.length)) < MIN_RMS) return undefined;
  const hz = crossings / 0.04;
  const s = Math.round((hz - BASE_HZ) / STEP_HZ);
  if (s < 0 || s >= MARK_SYMBOLS || Math.abs(hz - markHz(s)) > TOLERANCE_HZ) return undefined;
  return s;
}
