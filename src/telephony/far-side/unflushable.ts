// The 'unflushable' far side (Asterisk AudioSocket: there is no message to drop queued audio):
// what Parley hands over plays out at real time and cannot be taken back. Parley therefore
// hands over one frame at a time at its deadline (the session's lead is one frame plus a
// jitter margin), and models the far side as a play-out clock: each chunk starts when the one
// before it ends (or when it arrives, if the far side ran dry). Heard = handed over − what is
// still queued (≤ the lead), so a barge-in's floor is that lead (specs/BargeIn.tla, KIND 3).
import type { FarSideModel, SentChunk } from '../types.js';
import { BoundedMap } from '../bounded-map.js';

const ITEM_MEMORY = 64;

interface Queued {
  readonly item: number;
  readonly startMs: number;
  readonly endMs: number;
}

export class UnflushableFarSide implements FarSideModel {
  readonly kind = 'unflushable' as const;
  readonly silentBelowMs = 0;
  /** When the far side finishes playing what it has been handed. */
  private playEndMs = -Infinity;
  private readonly queue: Queued[] = [];
  private readonly sent = new BoundedMap<number, number>(ITEM_MEMORY);
  private readonly heard = new BoundedMap<number, number>(ITEM_MEMORY);
  /** Audio a barge-in wanted gone but the far side still played (the floor, summed over the call). */
  unflushedMs = 0;
  /** The largest lead seen at a send (what was queued when a chunk was handed over). */
  maxLeadMs = 0;

  onSent(chunk: SentChunk, nowMs: number): undefined {
    this.advance(nowMs);
    this.maxLeadMs = Math.max(this.maxLeadMs, Math.max(0, this.playEndMs - nowMs));
    const startMs = Math.max(nowMs, this.playEndMs);
    this.playEndMs = startMs + chunk.durationMs;
    this.sent.set(chunk.item, (this.sent.get(chunk.item) ?? 0) + chunk.durationMs);
    this.queue.push({ item: chunk.item, startMs, endMs: this.playEndMs });
    return undefined;
  }

  onMark(_name: string, _nowMs: number): 'unknown' {
    return 'unknown';
  }

  /** Nothing can be recalled: what is queued plays; it is counted as the barge-in's floor. */
  onClear(nowMs: number): void {
    this.unflushedMs += this.queuedMs(nowMs);
  }

  heardMs(item: number, nowMs: number): number {
    this.advance(nowMs);
    let ms = this.heard.get(item) ?? 0;
    const head = this.queue[0];
    if (head && head.item === item && head.startMs < nowMs) ms += nowMs - head.startMs; // partly played
    return Math.min(ms, this.sentMs(item));
  }

  sentMs(item: number): number {
    return this.sent.get(item) ?? 0;
  }

  queuedMs(nowMs: number): number {
    return Math.max(0, this.playEndMs - nowMs);
  }

  /** Chunks whose play-out has ended by `nowMs` count as heard. */
  private advance(nowMs: number): void {
    while (this.queue.length > 0 && this.queue[0]!.endMs <= nowMs) {
      const q = this.queue.shift()!;
      this.heard.set(q.item, (this.heard.get(q.item) ?? 0) + (q.endMs - q.startMs));
    }
  }
}
