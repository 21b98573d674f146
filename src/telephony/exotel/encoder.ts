// Parley → Exotel frames (docs/reference/exotel-voicebot.md#frames-to-exotel): `media` (base64
// PCM16LE), `mark`, `clear`, each naming the stream_sid. Parley sends 20 ms chunks (a multiple of
// 320 bytes, as Exotel requires); its lead covers the jitter Exotel's 100 ms advice guards against.
import { jsonMessage, type EncoderOptions } from '../encoder-template.js';
import type { OutboundEncoder } from '../types.js';

export class ExotelEncoder implements OutboundEncoder {
  readonly protocol = 'exotel' as const;

  private readonly media: (payload: string) => string;
  private readonly mark: (name: string) => string;

  constructor(
    private readonly streamSid: string,
    options: EncoderOptions = {},
  ) {
    this.media = jsonMessage(options.framing, (payload) => ({ event: 'media', stream_sid: streamSid, media: { payload } }), true);
    this.mark = jsonMessage(options.framing, (name) => ({ event: 'mark', stream_sid: streamSid, mark: { name } }));
  }

  audio(payload: Buffer, mark?: string): string[] {
    const media = this.media(payload.toString('base64'));
    return mark === undefined ? [media] : [media, this.mark(mark)];
  }

  clear(): string[] {
    return [JSON.stringify({ event: 'clear', stream_sid: this.streamSid })];
  }
}
