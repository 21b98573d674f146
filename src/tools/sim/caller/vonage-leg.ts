// The caller's side of a Vonage Voice API WebSocket (docs/reference/vonage.md), acting as Vonage:
// the `websocket:connected` message first, binary L16 frames, `websocket:notify` when playback
// reaches a notify, `websocket:dtmf`; and a strict reading of what Parley sends (binary L16,
// `notify`, `clear`). Its far side plays in order, answers notifies and drops its queue on clear
// (far-end.ts TwilioFarEnd: the same documented behaviour, a queue with reports).
import { pcm16FromBytes, pcm16ToBytes } from '../audio/pcm.js';
import type { Incoming, Leg, OutFrame } from './legs.js';
import type { Clip } from './voice-source.js';

const text = (o: unknown): OutFrame => ({ data: JSON.stringify(o), binary: false });

export class VonageLeg implements Leg {
  constructor(
    readonly sampleRate: 8000 | 16000,
    private readonly callId: string,
    private readonly headers: Readonly<Record<string, string>> = {},
  ) {}

  greeting(): OutFrame[] {
    return [text({ event: 'websocket:connected', 'content-type': `audio/l16;rate=${this.sampleRate}`, uuid: this.callId, ...this.headers })];
  }

  audio(clip: Clip, i: number): OutFrame {
    return { data: clip.encoded('pcm16', i, pcm16ToBytes), binary: true };
  }

  markEcho(name: string): OutFrame {
    return text({ event: 'websocket:notify', payload: { mark: name } });
  }

  dtmf(digit: string): OutFrame {
    return text({ event: 'websocket:dtmf', digit, duration: 250 });
  }

  /** Vonage ends the leg by closing the socket. */
  goodbye(): OutFrame[] {
    return [];
  }

  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming {
    if (isBinary) {
      const b = data as Buffer;
      // Vonage plays 20 ms frames: 320 B at 8 kHz, 640 B at 16 kHz.
      if (b.length !== (this.sampleRate / 50) * 2) return { kind: 'error', detail: `L16 frame of ${b.length} B (want 20 ms)` };
      return { kind: 'audio', samples: b.length >> 1, pcm: withSamples ? pcm16FromBytes(b) : undefined };
    }
    let m: unknown;
    try {
      m = JSON.parse(String(data));
    } catch {
      return { kind: 'error', detail: 'text frame is not JSON' };
    }
    if (typeof m !== 'object' || m === null) return { kind: 'error', detail: 'text frame is not an object' };
    const o = m as Record<string, unknown>;
    if (o['action'] === 'clear') return { kind: 'clear' };
    if (o['action'] === 'notify') {
      const p = o['payload'];
      const name = typeof p === 'object' && p !== null ? (p as Record<string, unknown>)['mark'] : undefined;
      return typeof name === 'string' ? { kind: 'mark', name } : { kind: 'error', detail: 'notify without payload.mark' };
    }
    return { kind: 'error', detail: `unknown action '${String(o['action']).slice(0, 40)}'` };
  }
}
