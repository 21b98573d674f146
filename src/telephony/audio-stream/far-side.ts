// Heard-position model for mod_audio_stream: the module gives no playback feedback, so Parley
// simulates its inject buffer (inject-buffer.ts) on its own clock. The module's 20 ms tick phase is
// unknown; ticks are assumed `phaseMs` after the first chunk and every 20 ms after that, so the
// estimate is within one frame (docs/ARCHITECTURE.md#budgets: ≤ 20 ms).
import type { FarSideModel, SentChunk } from '../types.js';
import { BoundedMap } from '../bounded-map.js';
import { InjectBuffer, type InjectBufferOptions } from './inject-buffer.js';

const ITEM_MEMORY = 64;
const TICK_MS = 20;

export interface AudioStreamFarSideOptions extends InjectBufferOptions {
  /** Assumed offset of the module's first tick after the first chunk (default 10 ms). */
  readonly phaseMs?: number;
}

export class AudioStreamFarSide implements FarSideModel {
  readonly kind = 'flushable-model' as const;
  private readonly buffer: InjectBuffer;
  private readonly bytesPerMs: number;
  private readonly phaseMs: number;
  /** The module's minimum fill: below it, it reads nothing (inject-buffer.ts). */
  readonly silentBelowMs: number;
  private nextTick: number | undefined;
  private readonly sent = new BoundedMap<number, number>(ITEM_MEMORY);
  private readonly heard = new BoundedMap<number, number>(ITEM_MEMORY);
  /** Audio the module would have discarded (alignment cut, overflow, clear). */
  alignmentLossMs = 0;
  overflowDropMs = 0;
  clearedMs = 0;

  constructor(options: AudioStreamFarSideOptions) {
    this.buffer = new InjectBuffer(options);
    this.silentBelowMs = this.buffer.minFillBytes / ((options.sampleRate * 2) / 1000);
    this.bytesPerMs = (options.sampleRate * 2) / 1000;
    this.phaseMs = options.phaseMs ?? 10;
  }

  onSent(chunk: SentChunk, nowMs: number): undefined {
    this.advance(nowMs);
    this.nextTick ??= nowMs + this.phaseMs;
    this.sent.set(chunk.item, (this.sent.get(chunk.item) ?? 0) + chunk.durationMs);
    const r = this.buffer.write({ epoch: chunk.epoch, item: chunk.item }, Math.round(chunk.durationMs * this.bytesPerMs));
    this.alignmentLossMs += r.alignmentLoss / this.bytesPerMs;
    this.overflowDropMs += r.overflowDrop / this.bytesPerMs;
    return undefined;
  }

  onMark(_name: string, _nowMs: number): 'unknown' {
    return 'unknown';
  }

  onClear(nowMs: number): void {
    this.advance(nowMs);
    this.clearedMs += this.buffer.clear() / this.bytesPerMs;
  }

  heardMs(item: number, nowMs: number): number {
    this.advance(nowMs);
    return Math.min(this.heard.get(item) ?? 0, this.sentMs(item));
  }

  sentMs(item: number): number {
    return this.sent.get(item) ?? 0;
  }

  queuedMs(nowMs: number): number {
    this.advance(nowMs);
    return this.buffer.inuseBytes / this.bytesPerMs;
  }

  /** Run the module's ticks up to `nowMs`. Ticks that cannot read (below minimum fill) are skipped in bulk. */
  private advance(nowMs: number): void {
    if (this.nextTick === undefined) return;
    while (this.nextTick <= nowMs) {
      if (this.buffer.inuseBytes < Math.max(this.buffer.minFillBytes, 1)) {
        this.nextTick += Math.floor((nowMs - this.nextTick) / TICK_MS + 1) * TICK_MS;
        break;
      }
      for (const p of this.buffer.read().played) {
        this.heard.set(p.tag.item, (this.heard.get(p.tag.item) ?? 0) + p.bytes / this.bytesPerMs);
      }
      this.nextTick += TICK_MS;
    }
  }
}
