// Agent audio → the media core's playout ring. The AI sends faster than real time and the ring
// is small, so chunks the ring refuses as 'full' wait in a bounded JS backlog (the "block the
// producer" policy of docs/ARCHITECTURE.md#bounds) and are moved into the ring as the media thread drains it.
// Order is kept: while the backlog holds anything, new chunks queue behind it. A flush
// (barge-in) empties the backlog with the ring.
import type { ChunkTag, MediaCall, WriteResult } from '../../media/types.js';
import type { DropReason } from '../../obs/index.js';

interface Pending {
  readonly bytes: Buffer;
  readonly tag: ChunkTag;
}

export type FeedResult = 'queued' | 'backlogged' | 'dropped';

export interface PlayoutFeedOptions {
  readonly backlogBytes: number;
  /** Bytes per ms of AI-format audio. */
  readonly bytesPerMs: number;
  readonly onDrop: (reason: DropReason, bytes: number) => void;
  /** A chunk of `chunkMs` entered the ring (the playout machine gets WRITE with the ring's fill and it). */
  readonly onWritten: (bufferedMs: number, chunkMs: number) => void;
}

export class PlayoutFeed {
  private backlog: Pending[] = [];
  private backlogHead = 0;
  private backlogSize = 0;
  /** Odd trailing byte of a PCM16 delta, joined to the next one of the same tag. */
  private carry: { byte: number; tag: ChunkTag } | undefined;

  constructor(
    private readonly call: MediaCall,
    private readonly pcm16: boolean,
    private readonly opts: PlayoutFeedOptions,
  ) {}

  get backlogBytes(): number {
    return this.backlogSize;
  }

  get backlogEmpty(): boolean {
    return this.backlogHead >= this.backlog.length;
  }

  /** Queues one chunk of agent audio with its tag. */
  write(audio: Buffer, tag: ChunkTag): FeedResult {
    let bytes = audio;
    if (this.pcm16) {
      if (this.carry && this.carry.tag.epoch === tag.epoch && this.carry.tag.item === tag.item) {
        bytes = Buffer.concat([Buffer.from([this.carry.byte]), bytes]);
      }
      this.carry = undefined;
      if (bytes.length % 2 === 1) {
        this.carry = { byte: bytes[bytes.length - 1]!, tag };
        bytes = bytes.subarray(0, bytes.length - 1);
      }
    }
    if (bytes.length === 0) return 'queued';
    if (!this.backlogEmpty) return this.toBacklog({ bytes, tag });
    const r = this.call.writePlayout(bytes, tag);
    if (r === 'ok') {
      this.opts.onWritten(this.call.bufferedPlayoutMs(), bytes.length / this.opts.bytesPerMs);
      return 'queued';
    }
    if (r === 'full') return this.toBacklog({ bytes, tag });
    this.opts.onDrop(dropReason(r), bytes.length);
    return 'dropped';
  }

  /** Moves backlog chunks into the ring while it has room; called once per media tick. */
  pump(): void {
    while (!this.backlogEmpty) {
      const p = this.backlog[this.backlogHead]!;
      const r = this.call.writePlayout(p.bytes, p.tag);
      if (r === 'full') break;
      this.backlogHead += 1;
      this.backlogSize -= p.bytes.length;
      if (r === 'ok') this.opts.onWritten(this.call.bufferedPlayoutMs(), p.bytes.length / this.opts.bytesPerMs);
      else this.opts.onDrop(dropReason(r), p.bytes.length);
    }
    if (this.backlogEmpty) {
      this.backlog = [];
      this.backlogHead = 0;
    } else if (this.backlogHead > 256) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  /** Barge-in: the backlog belongs to the old epoch; discard it. Returns the bytes discarded. */
  flush(): number {
    const n = this.backlogSize;
    this.backlog = [];
    this.backlogHead = 0;
    this.backlogSize = 0;
    this.carry = undefined;
    return n;
  }

  private toBacklog(p: Pending): FeedResult {
    if (this.backlogSize + p.bytes.length > this.opts.backlogBytes) {
      this.opts.onDrop('playout_full', p.bytes.length);
      return 'dropped';
    }
    this.backlog.push(p);
    this.backlogSize += p.bytes.length;
    return 'backlogged';
  }
}

function dropReason(r: WriteResult): DropReason {
  switch (r) {
    case 'stale':
      return 'stale_epoch';
    case 'full':
      return 'playout_full';
    case 'invalid':
      return 'invalid_audio';
    default:
      return 'closed';
  }
}
