// Parley → Exotel frames (docs/reference/exotel-voicebot.md#frames-to-exotel): `media` (base64
// PCM16LE), `mark`, `clear`, each naming the stream_sid. Parley sends 20 ms chunks (a multiple of
// 320 bytes, as Exotel requires); its lead covers the jitter Exotel's 100 ms advice guards against.
import type { OutboundEncoder } from '../types.js';

export class ExotelEncoder implements OutboundEncoder {
  readonly protocol = 'exotel' as const;

  constructor(private readonly streamSid: string) {}

  audio(payload: Buffer, mark?: string): string[] {
    const media = JSON.stringify({ event: 'media', stream_sid: this.streamSid, media: { payload: payload.toString('base64') } });
    return mark === undefined ? [media] : [media, JSON.stringify({ event: 'mark', stream_sid: this.streamSid, mark: { name: mark } })];
  }

  clear(): string[] {
    return [JSON.stringify({ event: 'clear', stream_sid: this.streamSid })];
  }
}
