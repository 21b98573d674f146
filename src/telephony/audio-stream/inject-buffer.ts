// mod_audio_stream's injection buffer, byte for byte
// (docs/reference/mod-audio-stream.md#the-injection-buffer):
// - each message is cut to whole samples, then (if ≥ 20 ms) to whole 20 ms frames;
// - overflow drops the oldest audio in whole 20 ms frames (drop-oldest);
// - every 20 ms the write-replace callback reads one frame, but only while at least the minimum
//   fill (60 ms) is buffered — so the last < 60 ms of an utterance stays stranded until more
//   audio or a clear arrives;
// - clear empties it.
// Segments carry a tag so readers know which item each played byte belonged to. Data is optional:
// the runtime's far-side model tracks lengths only; the simulated caller keeps the audio.

export interface InjectTag {
  readonly epoch: number;
  readonly item: number;
}

interface Segment {
  readonly tag: InjectTag;
  readonly data: Buffer | undefined;
  bytes: number;
  offset: number;
}

export interface InjectWriteResult {
  readonly queuedBytes: number;
  /** Bytes cut by the 20 ms alignment (and odd-byte) rule. */
  readonly alignmentLoss: number;
  /** Older bytes dropped to make room. */
  readonly overflowDrop: number;
}

export interface InjectReadResult {
  /** Bytes played per tag, in order. */
  readonly played: readonly { readonly tag: InjectTag; readonly bytes: number }[];
  /** The frame's audio when segments carry data (zero-padded to a full frame), else undefined. */
  readonly frame: Buffer | undefined;
  /** True when less than a full frame was read (the module counts these as underruns). */
  readonly short: boolean;
}

export interface InjectBufferOptions {
  readonly sampleRate: number;
  /** STREAM_INJECT_BUFFER_MS, default 5000. */
  readonly capacityMs?: number;
  /** STREAM_INJECT_MIN_BUFFER_MS, default 60 (the code's value). */
  readonly minFillMs?: number;
}

export class InjectBuffer {
  readonly frameBytes: number;
  readonly capacityBytes: number;
  readonly minFillBytes: number;
  private segments: Segment[] = [];
  private inuse = 0;

  constructor(options: InjectBufferOptions) {
    const bytesPerMs = (options.sampleRate * 2) / 1000;
    this.frameBytes = bytesPerMs * 20;
    this.capacityBytes = Math.max(Math.round(bytesPerMs * (options.capacityMs ?? 5000)), 3200);
    this.minFillBytes = Math.round(bytesPerMs * (options.minFillMs ?? 60));
  }

  get inuseBytes(): number {
    return this.inuse;
  }

  /** Queue `bytes` (or `data`) of PCM16 mono at the buffer's rate. */
  write(tag: InjectTag, bytesOrData: number | Buffer): InjectWriteResult {
    const data = typeof bytesOrData === 'number' ? undefined : bytesOrData;
    const raw = data ? data.length : bytesOrData as number;
    let n = raw - (raw % 2);
    if (n >= this.frameBytes) n -= n % this.frameBytes;
    const alignmentLoss = raw - n;
    let overflowDrop = 0;
    const over = this.inuse + n - this.capacityBytes;
    if (over > 0) overflowDrop = this.dropOldest(Math.min(Math.ceil(over / this.frameBytes) * this.frameBytes, this.inuse));
    const room = this.capacityBytes - this.inuse;
    if (n > room) {
      overflowDrop += n - room; // the FS buffer truncates a write larger than its free space
      n = room;
    }
    if (n > 0) {
      this.segments.push({ tag, data: data?.subarray(0, n), bytes: n, offset: 0 });
      this.inuse += n;
    }
    return { queuedBytes: n, alignmentLoss, overflowDrop };
  }

  /** One write-replace callback: read a 20 ms frame if the minimum fill is met. */
  read(): InjectReadResult {
    const withData = this.segments.length > 0 && this.segments[0]!.data !== undefined;
    if (this.inuse === 0 || (this.minFillBytes > 0 && this.inuse < this.minFillBytes)) {
      return { played: [], frame: undefined, short: true };
    }
    const want = Math.min(this.inuse, this.frameBytes);
    const frame = withData ? Buffer.alloc(this.frameBytes) : undefined;
    const played: { tag: InjectTag; bytes: number }[] = [];
    let got = 0;
    while (got < want) {
      const seg = this.segments[0]!;
      const take = Math.min(seg.bytes - seg.offset, want - got);
      if (frame && seg.data) seg.data.copy(frame, got, seg.offset, seg.offset + take);
      const last = played[played.length - 1];
      if (last && last.tag.item === seg.tag.item && last.tag.epoch === seg.tag.epoch) last.bytes += take;
      else played.push({ tag: seg.tag, bytes: take });
      seg.offset += take;
      got += take;
      if (seg.offset === seg.bytes) this.segments.shift();
    }
    this.inuse -= got;
    return { played, frame, short: got < this.frameBytes };
  }

  /** `"clear": true`: everything queued is dropped. Returns the bytes dropped. */
  clear(): number {
    const dropped = this.inuse;
    this.segments = [];
    this.inuse = 0;
    return dropped;
  }

  private dropOldest(bytes: number): number {
    let left = bytes;
    while (left > 0 && this.segments.length > 0) {
      const seg = this.segments[0]!;
      const take = Math.min(seg.bytes - seg.offset, left);
      seg.offset += take;
      left -= take;
      if (seg.offset === seg.bytes) this.segments.shift();
    }
    this.inuse -= bytes - left;
    return bytes - left;
  }
}
