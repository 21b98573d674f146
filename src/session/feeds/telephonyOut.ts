// Parley → telephony leg: agent frames (with a play report per frame where the platform has
// them), clear, and the goodbye. A socket that cannot keep up loses frames (counted), never
// memory.
import type { FarSideModel, OutboundEncoder } from '../../telephony/types.js';
import type { TelephonySocket } from '../seam.js';

/** Frames are dropped while this many bytes wait in the socket. */
export const OUTBOUND_BUFFER_BYTES = 256 * 1024;

export class TelephonyOut {
  framesSent = 0;
  framesDropped = 0;
  clears = 0;

  constructor(
    private readonly ws: TelephonySocket,
    private readonly encoder: OutboundEncoder,
    private readonly farSide: FarSideModel,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one frame; false when it was dropped (socket closed or backed up). */
  frame(bytes: Buffer, epoch: number, item: number, durationMs: number, nowMs: number): boolean {
    if (!this.open || this.ws.bufferedAmount > OUTBOUND_BUFFER_BYTES) {
      this.framesDropped += 1;
      return false;
    }
    const mark = this.farSide.onSent({ epoch, item, durationMs }, nowMs);
    for (const m of this.encoder.audio(bytes, mark)) this.ws.send(m);
    this.framesSent += 1;
    return true;
  }

  /**
   * Silence after the last frame of a reply, for mod_audio_stream: the module plays only while
   * it holds its minimum fill, so without this the reply's last < 60 ms would wait for the next
   * reply (docs/reference/mod-audio-stream.md#the-injection-buffer). Item 0 belongs to no AI item.
   */
  silence(bytes: number, durationMs: number, epoch: number, nowMs: number): void {
    if (!this.open || bytes <= 0) return;
    const mark = this.farSide.onSent({ epoch, item: 0, durationMs }, nowMs);
    for (const m of this.encoder.audio(Buffer.alloc(bytes), mark)) this.ws.send(m);
  }

  clear(nowMs: number): void {
    this.farSide.onClear(nowMs);
    this.clears += 1;
    if (!this.open) return;
    for (const m of this.encoder.clear()) this.ws.send(m);
  }

  /** The platform's last words before Parley closes the connection (most have none). */
  goodbye(): void {
    if (!this.open || !this.encoder.goodbye) return;
    for (const m of this.encoder.goodbye()) this.ws.send(m);
  }
}
