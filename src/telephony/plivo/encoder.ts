// Parley → Plivo frames (docs/reference/plivo-audio-streams.md#frames-to-plivo): `playAudio`
// (contentType and sampleRate of the stream, base64 payload), then a `checkpoint` whose
// `playedStream` tells when it has played; `clearAudio` on barge-in; `sendDTMF` plays digits
// into the call (the send_dtmf tool).
import type { AudioFormat } from '../../media/types.js';
import { jsonMessage, type EncoderOptions } from '../encoder-template.js';
import type { OutboundEncoder } from '../types.js';

export class PlivoEncoder implements OutboundEncoder {
  readonly protocol = 'plivo' as const;
  private readonly play: (payload: string) => string;
  private readonly checkpoint: (name: string) => string;

  constructor(
    private readonly streamId: string,
    format: AudioFormat,
    options: EncoderOptions = {},
  ) {
    const contentType = format.codec === 'mulaw' ? 'audio/x-mulaw' : 'audio/x-l16';
    this.play = jsonMessage(options.framing, (payload) => ({ event: 'playAudio', media: { contentType, sampleRate: format.rate, payload } }), true);
    this.checkpoint = jsonMessage(options.framing, (name) => ({ event: 'checkpoint', streamId, name }));
  }

  audio(payload: Buffer, checkpoint?: string): string[] {
    const play = this.play(payload.toString('base64'));
    return checkpoint === undefined ? [play] : [play, this.checkpoint(checkpoint)];
  }

  clear(): string[] {
    return [JSON.stringify({ event: 'clearAudio', streamId: this.streamId })];
  }

  /** Keypad digits only: the `w` pause of send_dtmf has no meaning in `sendDTMF`. */
  dtmf(digits: string): string[] | string {
    if (!/^[0-9*#A-D]{1,32}$/.test(digits)) return 'Plivo sendDTMF takes the digits 0-9 * # A-D (no w pause)';
    return [JSON.stringify({ event: 'sendDTMF', dtmf: digits })];
  }
}
