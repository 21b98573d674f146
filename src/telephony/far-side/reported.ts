// The 'flushable-reports' far side: heard positions from play reports (Twilio and Telnyx marks,
// Plivo checkpoints, chan_websocket MARK_MEDIA; docs/reference/twilio-media-streams.md#marks-and-clear,
// specs/PROPERTIES.md#bi4). A report follows the last chunk of each socket write (one mark per
// write, not per 20 ms chunk: the far side echoes every mark, and each echo is a message to
// parse); an echo means everything before it has played — unless a clear was sent since, in
// which case pending reports come back without the audio having played.
import type { FarSideModel, MarkOutcome, SentChunk } from '../types.js';
import { BoundedMap } from '../bounded-map.js';

interface Chunk {
  readonly item: number;
  /** Item position (ms) once this chunk has played. */
  readonly endMs: number;
}

/** What one mark reports: the chunks sent since the previous mark, this one's last. */
interface Pending {
  readonly chunks: readonly Chunk[];
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
  /** Chunks sent without a mark: the next mark reports them. */
  private unmarked: Chunk[] = [];
  private unmarkedMs = 0;
  private readonly cleared = new BoundedMap<string, true>(CLEARED_MEMORY);
  private readonly sent = new BoundedMap<number, number>(ITEM_MEMORY);
  private readonly heard = new BoundedMap<number, number>(ITEM_MEMORY);
  private pendingMs = 0;

  /**
   * Mark names are `<epoch>.<item>.<seq>`: readable in traces and unique per call. `report`
   * false: the chunk goes without a mark; the next mark reports it.
   */
  onSent(chunk: SentChunk, _nowMs = 0, report = true): string | undefined {
    const endMs = (this.sent.get(chunk.item) ?? 0) + chunk.durationMs;
    this.sent.set(chunk.item, endMs);
    this.pendingMs += chunk.durationMs;
    this.unmarked.push({ item: chunk.item, endMs });
    this.unmarkedMs += chunk.durationMs;
    if (!report) return undefined;
    const name = `${chunk.epoch}.${chunk.item}.${++this.seq}`;
    this.pending.set(name, { chunks: this.unmarked, durationMs: this.unmarkedMs });
    this.unmarked = [];
    this.unmarkedMs = 0;
    return name;
  }

  onMark(name: string): MarkOutcome {
    const hit = this.pending.get(name);
    if (!hit) return this.cleared.has(name) ? 'cleared' : 'unknown';
    // The far side plays in order: this mark and every one queued before it have played.
    for (const [n, p] of this.pending) {
      this.pending.delete(n);
      this.pendingMs -= p.durationMs;
      for (const c of p.chunks) if (c.endMs > (this.heard.get(c.item) ?? 0)) this.heard.set(c.item, c.endMs);
      if (n === name) break;
    }
    if (this.pending.size === 0 && this.unmarked.length === 0) this.pendingMs = 0; // no float residue
    return 'played';
  }

  onClear(): void {
    for (const n of this.pending.keys()) this.cleared.set(n, true);
    this.pending.clear();
    this.unmarked = [];
    this.unmarkedMs = 0;
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
