// Parley → chan_websocket (docs/reference/asterisk-chan-websocket.md#media-binary-frames): each
// 20 ms frame as one BINARY frame (whole optimal_frame_size frames: the driver drops a partial
// tail outside bulk mode), then MARK_MEDIA <name>, which the driver answers with
// MEDIA_MARK_PROCESSED when playout reaches it; FLUSH_MEDIA drops the queue and its marks.
// Commands go in the control format the connection's MEDIA_START used.
import type { CallStart, OutboundEncoder, OutboundFrame } from '../types.js';
import { command, type ControlFormat } from './control.js';

export class AsteriskEncoder implements OutboundEncoder {
  readonly protocol = 'asterisk' as const;
  private readonly format: ControlFormat;

  constructor(start: CallStart) {
    this.format = start.metadata?.['controlFormat'] === 'json' ? 'json' : 'plain-text';
  }

  audio(payload: Buffer, mark?: string): OutboundFrame[] {
    return mark === undefined ? [payload] : [payload, command(this.format, 'MARK_MEDIA', mark)];
  }

  clear(): string[] {
    return [command(this.format, 'FLUSH_MEDIA')];
  }

  /** Parley ends the call: HANGUP asks the driver to hang the channel up (it then closes too). */
  goodbye(): string[] {
    return [command(this.format, 'HANGUP')];
  }
}
