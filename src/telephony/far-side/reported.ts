// The 'flushable-reports' far side: heard positions from play reports (Twilio and Telnyx marks,
// Plivo checkpoints, chan_websocket MARK_MEDIA; docs/reference/twilio-media-streams.md#marks-and-clear,
// specs/PROPERTIES.md#bi4). One report follows every outbound chunk; an echo means everything
// before it has played — unless a clear was sent since, in which case pending reports come back
// without the audio having played.
import type { FarSideModel, MarkOutcome, SentChunk } from '../types.js';
import { BoundedMap } from '../bounded-map.js';

interface Pending {
  readonly item: number;
  /** Item position (ms) once this chunk has played. */
  readonly endMs: number;
  readonly durationMs: number;
}

/** How many items' positions are remembered (older ones are forgotten). */
const ITEM_MEMORY = 64;
/** How many cleared mark names are remembered to answer 'cleared' (older ones answer 'unknown'). */
const CLEARED_MEMORY = 1024;

export class ReportedFarSide implements FarSideModel {
  readonly kind = 'flushable-reports' as const;
  readonly silentBelowMs = 0;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly cleared = new BoundedMap<string, true>(CLEARED_MEMORY);
  private readonly sent = new BoundedMap<number, number>(ITEM_MEMORY);
  private readonly heard = new BoundedMap<number, number>(ITEM_MEMORY);
  private pendingMs = 0;

  /** Mark names are `<epoch>.<item>.<seq>`: readable in traces and unique per call. */
  onSent(chunk: SentChunk): string {
    const endMs = (this.sent.get(chunk.item) ?? 0) + chunk.durationMs;
    this.sent.set(chunk.item, endMs);
    const name = `${chunk.epoch}.${chunk.item}.${++this.seq}`;
    this.pending.set(name, { item: chunk.item, endMs, durationMs: chunk.durationMs });
    this.pendingMs += chunk.durationMs;
    return name;
  }

  onMark(name: string): MarkOutcome {
    const hit = this.pending.get(name);
    if (!hit) return this.cleared.has(name) ? 'cleared' : 'unknown';
    // The far side plays in order: this mark and every one queued before it have played.
    for (const [n, p] of this.pending) {
      this.pending.delete(n);
      this.pendingMs -= p.durationMs;
      if (p.endMs > (this.heard.get(p.item) ?? 0)) this.heard.set(p.item, p.endMs);
      if (n === name) break;
    }
    if (this.pending.size === 0) this.pendingMs = 0; // no float residue
    return 'played';
  }

  onClear(): void {
    for (const n of this.pending.keys()) this.cleared.set(n, true);
    this.pending.clear();
    this.pendingMs = 0;
  }

  heardMs(item: number): number {
    return this.heard.get(item) ?? 0;
  }

  sentMs(item: number): number {
    return this.sent.get(item) ?? 0;
  }

  queuedMs(): number {
    return this.pendingMs;
  }
}
