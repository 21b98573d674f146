// The agent's input audio buffer: appended audio decoded in the session's input format, run
// through the energy VAD, and kept as the current caller turn (bounded) for echo replies.
import type { AudioFormat } from '../../../media/types.js';
import { decodeAudio } from '../audio/pcm.js';
import type { SimVad } from './session.js';
import { EnergyVad, type VadEvent } from './vad.js';

const MAX_TURN_MS = 10_000;

export interface CallerTurn {
  readonly audio: Int16Array;
  readonly rate: number;
}

export class InputAudio {
  private vad: EnergyVad;
  private parts: Int16Array[] = [];
  private samples = 0;
  /** Audio appended since the last commit, ms (commit needs ≥ 100 ms). */
  uncommittedMs = 0;

  constructor(
    private format: AudioFormat,
    private settings: SimVad | null,
  ) {
    this.vad = new EnergyVad(format.rate, vadSettings(settings));
  }

  /** After session.update: new VAD settings, and a fresh VAD if the input rate changed. */
  reconfigure(format: AudioFormat, settings: SimVad | null): void {
    if (format.rate !== this.format.rate) this.vad = new EnergyVad(format.rate, vadSettings(settings));
    else this.vad.settings = vadSettings(settings);
    this.format = format;
    this.settings = settings;
  }

  get audioMs(): number {
    return this.vad.audioMs;
  }

  /** Decode and keep appended bytes; returns what the VAD heard (nothing when VAD is off). */
  append(bytes: Buffer, onEvent: (e: VadEvent) => void): void {
    const pcm = decodeAudio(this.format, bytes);
    this.uncommittedMs += (pcm.length / this.format.rate) * 1000;
    if (this.samples < (MAX_TURN_MS * this.format.rate) / 1000) {
      this.parts.push(pcm);
      this.samples += pcm.length;
    }
    if (!this.settings) return;
    for (const e of this.vad.push(pcm)) {
      // At speech start keep only the prefix padding before it, so echo replies start at the speech.
      if (e.kind === 'start') this.keepLast(this.vad.audioMs - e.audioStartMs);
      onEvent(e);
    }
    // Between turns keep only what a future speech_started may reach back to.
    if (!this.vad.speaking) this.keepLast(this.settings.prefixPaddingMs + 100);
  }

  /** The turn so far, which now becomes a committed item. */
  takeTurn(): CallerTurn {
    const audio = concat(this.parts);
    this.parts = [];
    this.samples = 0;
    this.uncommittedMs = 0;
    return { audio, rate: this.format.rate };
  }

  /** input_audio_buffer.clear. */
  clear(): void {
    this.vad.reset();
    this.parts = [];
    this.samples = 0;
    this.uncommittedMs = 0;
  }

  private keepLast(ms: number): void {
    const keep = Math.max(0, Math.round((ms * this.format.rate) / 1000));
    if (this.samples <= keep) return;
    const all = concat(this.parts);
    this.parts = [all.subarray(all.length - keep)];
    this.samples = keep;
  }
}

function vadSettings(v: SimVad | null) {
  return { threshold: v?.threshold ?? 0.5, prefixPaddingMs: v?.prefixPaddingMs ?? 300, silenceDurationMs: v?.silenceDurationMs ?? 500 };
}

function concat(parts: Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
