// Caller audio (already converted to the AI's input format by the media core) → the AI link.
// The aiLink machine's tags decide where it goes (docs/ARCHITECTURE.md#ai-link-and-reconnect, specs/PROPERTIES.md#al5):
//   ai.send   → appended to the current socket, unless its send buffer is over the threshold
//               (then dropped and counted: a slow AI socket must not grow memory);
//   ai.buffer → kept in a bounded gap buffer, oldest dropped first (counted), and sent in order
//               when the link opens (flushCaptureBacklog);
//   ai.down   → dropped and counted.
// Barge-in never touches this path (BI5): the caller's audio always keeps flowing.
import type { AiClient } from '../../ai/types.js';
import type { DropReason } from '../../obs/index.js';
import { ByteQueue } from './byteQueue.js';

export type LinkMode = 'send' | 'buffer' | 'down';

export interface CaptureFeedOptions {
  readonly gapBytes: number;
  readonly sendBufferBytes: number;
  /** Bytes per ms of AI input audio (for counting dropped audio time). */
  readonly bytesPerMs: number;
  readonly onDrop: (reason: DropReason, units: number, ms: number) => void;
}

export class CaptureFeed {
  private readonly gap: ByteQueue;
  /** Whether the link has ever been open (drops before that are 'ai_not_ready'). */
  linkEverOpened = false;
  sentBytes = 0;

  constructor(
    private readonly ai: () => AiClient | undefined,
    private readonly opts: CaptureFeedOptions,
  ) {
    this.gap = new ByteQueue(opts.gapBytes);
  }

  get bufferedBytes(): number {
    return this.gap.bytes;
  }

  push(bytes: Buffer, mode: LinkMode): void {
    if (bytes.length === 0) return;
    const ms = bytes.length / this.opts.bytesPerMs;
    if (mode === 'down') return this.opts.onDrop('closed', 1, ms);
    if (mode === 'send') {
      const ai = this.ai();
      if (ai && ai.bufferedAmount > this.opts.sendBufferBytes) return this.opts.onDrop('ai_send_buffer', 1, ms);
      if (ai && ai.appendAudio(bytes) === 'sent') {
        this.sentBytes += bytes.length;
        return;
      }
      // The machine says open but the socket is not: keep it for the reconnect.
    }
    const dropped = this.gap.push(bytes);
    if (dropped > 0) this.opts.onDrop(this.linkEverOpened ? 'reconnect_gap' : 'ai_not_ready', 1, dropped / this.opts.bytesPerMs);
  }

  /** The link opened: send what the gap buffer holds, in order. */
  flushBacklog(): void {
    const ai = this.ai();
    for (const chunk of this.gap.drain()) {
      if (ai && ai.appendAudio(chunk) === 'sent') this.sentBytes += chunk.length;
      else this.opts.onDrop('reconnect_gap', 1, chunk.length / this.opts.bytesPerMs);
    }
    ai?.flushAudio();
  }

  /** The link gave up or stopped: the buffered audio will never be sent. */
  discard(reason: DropReason): void {
    const n = this.gap.clear();
    if (n > 0) this.opts.onDrop(reason, 1, n / this.opts.bytesPerMs);
  }
}
