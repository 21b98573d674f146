// Test helpers: collect a client's events and wait for one that matches.
import type { AiClient, AiEvent } from '../../src/ai/types.js';
import { pcm16ToBytes } from '../../src/tools/sim/audio/pcm.js';
import { mulawEncode } from '../../src/tools/sim/audio/g711.js';
import { speech } from '../../src/tools/sim/audio/synth.js';

export class Recorder {
  readonly events: AiEvent[] = [];
  private waiters: { pred: (e: AiEvent) => boolean; resolve: (e: AiEvent) => void }[] = [];

  constructor(client: AiClient) {
    client.on((e) => {
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(e)) return true;
        w.resolve(e);
        return false;
      });
    });
  }

  /** Resolve with the first event (already seen or future) matching `pred`. */
  waitFor<T extends AiEvent['type']>(type: T, pred: (e: Extract<AiEvent, { type: T }>) => boolean = () => true, timeoutMs = 5000): Promise<Extract<AiEvent, { type: T }>> {
    const match = (e: AiEvent): boolean => e.type === type && pred(e as Extract<AiEvent, { type: T }>);
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen as Extract<AiEvent, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; saw ${this.events.map((e) => e.type).join(',')}`)), timeoutMs);
      this.waiters.push({
        pred: match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Extract<AiEvent, { type: T }>);
        },
      });
    });
  }

  of<T extends AiEvent['type']>(type: T): Extract<AiEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<AiEvent, { type: T }>[];
  }
}

/** silence, `speechMs` of speech, then silence — as PCM16 24 kHz bytes. */
export function turnPcm24k(leadMs: number, speechMs: number, tailMs: number, seed = 3): Buffer {
  const rate = 24000;
  const pcm = new Int16Array(((leadMs + speechMs + tailMs) * rate) / 1000);
  pcm.set(speech(speechMs, { sampleRate: rate, seed }), (leadMs * rate) / 1000);
  return pcm16ToBytes(pcm);
}

export function turnMulaw(leadMs: number, speechMs: number, tailMs: number, seed = 3): Buffer {
  const rate = 8000;
  const pcm = new Int16Array(((leadMs + speechMs + tailMs) * rate) / 1000);
  pcm.set(speech(speechMs, { sampleRate: rate, seed }), (leadMs * rate) / 1000);
  return mulawEncode(pcm);
}

/** Append `bytes` in chunks of `chunk` bytes. */
export function appendAll(client: AiClient, bytes: Buffer, chunk: number): void {
  for (let i = 0; i < bytes.length; i += chunk) client.appendAudio(bytes.subarray(i, i + chunk));
  client.flushAudio();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
