// Energy voice activity detection over the appended audio, in 20 ms frames, with the semantics of
// OpenAI's server VAD (docs/reference/openai-realtime.md#session-configuration): `threshold` 0..1
// maps to −60..−10 dBFS (0.5 → −35); speech starts after 40 ms above it (audio_start_ms includes
// prefix padding); it stops after `silence_duration_ms` below it (audio_end_ms includes that
// silence).
import { rmsDbfs } from '../audio/pcm.js';

export interface VadSettings {
  readonly threshold: number;
  readonly prefixPaddingMs: number;
  readonly silenceDurationMs: number;
}

export type VadEvent = { readonly kind: 'start'; readonly audioStartMs: number } | { readonly kind: 'stop'; readonly audioEndMs: number };

const FRAME_MS = 20;
const ONSET_FRAMES = 2;

export function thresholdDbfs(threshold: number): number {
  return -60 + 50 * Math.min(1, Math.max(0, threshold));
}

export class EnergyVad {
  private pending: Int16Array = new Int16Array(0);
  private frames = 0; // frames processed since the session started
  private voicedRun = 0;
  private silentMs = 0;
  speaking = false;

  constructor(
    readonly rate: number,
    public settings: VadSettings,
  ) {}

  /** Milliseconds of audio processed so far (the session's input clock). */
  get audioMs(): number {
    return this.frames * FRAME_MS;
  }

  /** Feed decoded samples (at the input rate); returns the events they caused, in order. */
  push(samples: Int16Array): VadEvent[] {
    const frame = (this.rate * FRAME_MS) / 1000;
    const all = this.pending.length === 0 ? samples : concat(this.pending, samples);
    const events: VadEvent[] = [];
    const db = thresholdDbfs(this.settings.threshold);
    let off = 0;
    for (; off + frame <= all.length; off += frame) {
      const voiced = rmsDbfs(all, off, off + frame) >= db;
      this.frames++;
      if (!this.speaking) {
        this.voicedRun = voiced ? this.voicedRun + 1 : 0;
        if (this.voicedRun >= ONSET_FRAMES) {
          this.speaking = true;
          this.silentMs = 0;
          const onset = this.audioMs - ONSET_FRAMES * FRAME_MS;
          events.push({ kind: 'start', audioStartMs: Math.max(0, onset - this.settings.prefixPaddingMs) });
        }
      } else {
        this.silentMs = voiced ? 0 : this.silentMs + FRAME_MS;
        if (this.silentMs >= this.settings.silenceDurationMs) {
          this.speaking = false;
          this.voicedRun = 0;
          events.push({ kind: 'stop', audioEndMs: this.audioMs });
        }
      }
    }
    this.pending = all.slice(off);
    return events;
  }

  /** input_audio_buffer.clear: forget the current turn. */
  reset(): void {
    this.speaking = false;
    this.voicedRun = 0;
    this.silentMs = 0;
  }
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
