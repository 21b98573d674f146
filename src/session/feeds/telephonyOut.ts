// Parley → telephony leg: agent frames (with a play report on the last frame of each write where
// the platform has them), clear, and the goodbye. A socket that cannot keep up loses frames (counted), never
// memory.
import { textFrames } from '../../telephony/encoder-template.js';
import type { FarSideModel, OutboundEncoder, OutboundFrame } from '../../telephony/types.js';
import type { TelephonySocket } from '../seam.js';

/** Frames are dropped while this many bytes wait in the socket. */
export const OUTBOUND_BUFFER_BYTES = 256 * 1024;
/** Unflushable pacing: at most this many frames wait in Parley (about 2 s); older ones are dropped. */
export const HELD_FRAMES_MAX = 100;

interface Held {
  readonly bytes: Buffer;
  readonly epoch: number;
  readonly item: number;
  readonly durationMs: number;
}

export class TelephonyOut {
  framesSent = 0;
  framesDropped = 0;
  clears = 0;
  /** Frames held back by unflushable pacing and then dropped (a barge-in, or over the cap). */
  heldDropped = 0;
  private readonly held: Held[] = [];
  private heldTotalMs = 0;

  constructor(
    private readonly ws: TelephonySocket,
    private readonly encoder: OutboundEncoder,
    private readonly farSide: FarSideModel,
    /**
     * Unflushable far side: hand a frame over only while the far side (as modelled) holds at most
     * this much, so a stall followed by a burst never builds a queue there that a barge-in could
     * not recall; the rest waits here, where a clear can drop it.
     */
    private readonly paceAheadMs?: number,
    /** WebSocket legs: a frame's messages (audio and its mark) as finished frames in one write. */
    private readonly writeFrames?: (frames: Buffer) => void,
  ) {}

  /** Audio held back by pacing, not yet handed over (ms). */
  get heldMs(): number {
    return this.heldTotalMs;
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /**
   * Sends one frame; false when it was dropped (socket closed or backed up). `report` false: no
   * play report (mark) with it; the next frame's covers it.
   */
  frame(bytes: Buffer, epoch: number, item: number, durationMs: number, nowMs: number, report = true): boolean {
    const buffered = this.ws.bufferedAmount;
    if (!this.open || buffered > OUTBOUND_BUFFER_BYTES) {
      this.framesDropped += 1;
      return false;
    }
    // Past half the limit every frame carries its report: a frame is far smaller than that half,
    // so the last frame sent before a drop was reported, and no unreported audio is left for a
    // report that may never come (the turn would wait for it to play).
    if (buffered > OUTBOUND_BUFFER_BYTES / 2) report = true;
    if (this.paceAheadMs !== undefined && (this.held.length > 0 || this.farSide.queuedMs(nowMs) + durationMs > this.paceAheadMs)) {
      if (this.held.length >= HELD_FRAMES_MAX) this.dropHeld(1);
      this.held.push({ bytes, epoch, item, durationMs });
      this.heldTotalMs += durationMs;
      return true;
    }
    this.handOver(bytes, epoch, item, durationMs, nowMs, report);
    return true;
  }

  /** Unflushable pacing: hands held frames over as the far side plays down to the lead. */
  release(nowMs: number): void {
    if (this.paceAheadMs === undefined) return;
    while (this.held.length > 0 && this.open && this.farSide.queuedMs(nowMs) + this.held[0]!.durationMs <= this.paceAheadMs) {
      const h = this.held.shift()!;
      this.heldTotalMs -= h.durationMs;
      this.handOver(h.bytes, h.epoch, h.item, h.durationMs, nowMs);
    }
    if (this.held.length === 0) this.heldTotalMs = 0; // no float residue
  }

  private handOver(bytes: Buffer, epoch: number, item: number, durationMs: number, nowMs: number, report = true): void {
    const mark = this.farSide.onSent({ epoch, item, durationMs }, nowMs, report);
    this.sendAll(this.encoder.audio(bytes, mark));
    this.framesSent += 1;
  }

  private sendAll(messages: readonly OutboundFrame[]): void {
    if (this.writeFrames && messages.every((m) => typeof m === 'string')) this.writeFrames(textFrames(messages as readonly string[]));
    else for (const m of messages) this.ws.send(m);
  }

  private dropHeld(n: number): void {
    for (const h of this.held.splice(0, n)) this.heldTotalMs -= h.durationMs;
    this.heldDropped += n;
    if (this.held.length === 0) this.heldTotalMs = 0;
  }

  /**
   * Silence after the last frame of a reply, for mod_audio_stream: the module plays only while
   * it holds its minimum fill, so without this the reply's last < 60 ms would wait for the next
   * reply (docs/reference/mod-audio-stream.md#the-injection-buffer). Item 0 belongs to no AI item.
   */
  silence(bytes: number, durationMs: number, epoch: number, nowMs: number): void {
    if (!this.open || bytes <= 0) return;
    const mark = this.farSide.onSent({ epoch, item: 0, durationMs }, nowMs);
    this.sendAll(this.encoder.audio(Buffer.alloc(bytes), mark));
  }

  clear(nowMs: number): void {
    this.dropHeld(this.held.length); // never handed over: a barge-in drops them like the core's ring
    this.farSide.onClear(nowMs);
    this.clears += 1;
    if (!this.open) return;
    for (const m of this.encoder.clear()) this.ws.send(m);
  }

  /** DTMF on the stream (the encoder's `dtmf`); undefined when the platform's stream has no message for it. */
  dtmf(digits: string): { readonly sent: boolean; readonly detail: string } | undefined {
    const frames = this.encoder.dtmf?.(digits);
    if (frames === undefined) return undefined;
    if (typeof frames === 'string') return { sent: false, detail: frames };
    if (!this.open) return { sent: false, detail: 'the stream is closed' };
    for (const m of frames) this.ws.send(m);
    return { sent: true, detail: 'sent on the stream' };
  }

  /** The platform's last words before Parley closes the connection (most have none). */
  goodbye(): void {
    if (!this.open || !this.encoder.goodbye) return;
    for (const m of this.encoder.goodbye()) this.ws.send(m);
  }
}
