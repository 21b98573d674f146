// Parley → Telnyx frames (docs/reference/telnyx-media-streaming.md#frames-to-telnyx): `media`
// with a base64 RTP payload in the stream's codec, `mark`, `clear`. Telnyx routes by connection,
// so no stream id is sent. L16 goes out in network byte order.
import type { AudioFormat } from '../../media/types.js';
import { jsonMessage, type EncoderOptions } from '../encoder-template.js';
import type { OutboundEncoder } from '../types.js';
import { swap16 } from './formats.js';

export class TelnyxEncoder implements OutboundEncoder {
  readonly protocol = 'telnyx' as const;
  private readonly l16: boolean;
  private readonly media: (payload: string) => string;
  private readonly mark: (name: string) => string;

  constructor(format: AudioFormat, options: EncoderOptions = {}) {
    this.l16 = format.codec === 'pcm16';
    this.media = jsonMessage(options.framing, (payload) => ({ event: 'media', media: { payload } }), true);
    this.mark = jsonMessage(options.framing, (name) => ({ event: 'mark', mark: { name } }));
  }

  audio(payload: Buffer, mark?: string): string[] {
    const bytes = this.l16 ? swap16(payload) : payload;
    const media = this.media(bytes.toString('base64'));
    return mark === undefined ? [media] : [media, this.mark(mark)];
  }

  clear(): string[] {
    return [JSON.stringify({ event: 'clear' })];
  }
}
