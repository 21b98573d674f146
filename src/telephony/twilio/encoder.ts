// Parley → Twilio messages (docs/reference/twilio-media-streams.md#messages-to-twilio): media
// (base64 µ-law), mark, clear.
import type { OutboundEncoder } from '../types.js';

export class TwilioEncoder implements OutboundEncoder {
  readonly protocol = 'twilio' as const;

  constructor(private readonly streamSid: string) {}

  audio(payload: Buffer, mark?: string): string[] {
    const media = JSON.stringify({ event: 'media', streamSid: this.streamSid, media: { payload: payload.toString('base64') } });
    return mark === undefined ? [media] : [media, this.mark(mark)];
  }

  mark(name: string): string {
    return JSON.stringify({ event: 'mark', streamSid: this.streamSid, mark: { name } });
  }

  clear(): string[] {
    return [JSON.stringify({ event: 'clear', streamSid: this.streamSid })];
  }
}
