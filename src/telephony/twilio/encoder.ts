// Parley → Twilio messages (docs/reference/twilio-media-streams.md#messages-to-twilio): media
// (base64 µ-law), mark, clear.
import { jsonMessage, type EncoderOptions } from '../encoder-template.js';
import type { OutboundEncoder } from '../types.js';

export class TwilioEncoder implements OutboundEncoder {
  readonly protocol = 'twilio' as const;

  private readonly media: (payload: string) => string;
  readonly mark: (name: string) => string;

  constructor(
    private readonly streamSid: string,
    options: EncoderOptions = {},
  ) {
    this.media = jsonMessage(options.framing, (payload) => ({ event: 'media', streamSid, media: { payload } }), true);
    this.mark = jsonMessage(options.framing, (name) => ({ event: 'mark', streamSid, mark: { name } }));
  }

  audio(payload: Buffer, mark?: string): string[] {
    const media = this.media(payload.toString('base64'));
    return mark === undefined ? [media] : [media, this.mark(mark)];
  }

  clear(): string[] {
    return [JSON.stringify({ event: 'clear', streamSid: this.streamSid })];
  }
}
