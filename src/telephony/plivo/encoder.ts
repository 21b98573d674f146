// Parley → Plivo frames (docs/reference/plivo-audio-streams.md#frames-to-plivo): `playAudio`
// (contentType and sampleRate of the stream, base64 payload), then a `checkpoint` whose
// `playedStream` tells when it has played; `clearAudio` on barge-in; `sendDTMF` plays digits
// into the call (the send_dtmf tool).
import type { AudioFormat } from '../../media/types.js';
import type { OutboundEncoder } from '../types.js';

export class PlivoEncoder implements OutboundEncoder {
  readonly protocol = 'plivo' as const;
  private readonly contentType: string;

  constructor(
    private readonly streamId: string,
    private readonly format: AudioFormat,
  ) {
    this.contentType = format.codec === 'mulaw' ? 'audio/x-mulaw' : 'audio/x-l16';
  }

  audio(payload: Buffer, checkpoint?: string): string[] {
    const play = JSON.stringify({
      event: 'playAudio',
      media: { contentType: this.contentType, sampleRate: this.format.rate, payload: payload.toString('base64') },
    });
    return checkpoint === undefined ? [play] : [play, JSON.stringify({ event: 'checkpoint', streamId: this.streamId, name: checkpoint })];
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
