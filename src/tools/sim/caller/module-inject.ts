// The simulated FreeSWITCH leg's emulation of mod_audio_stream's injection path, written from the
// module's own source, not from Parley's model of it (the caller must not agree with Parley by
// sharing code). Public source read for this, WS mode of the AI-engine fork:
//   https://github.com/amigniter/mod_audio_stream/blob/9c39eb1d78e49378b52ff42feef721cfb2de19f4/audio_streamer_glue.cpp
//     (processMessage: clear, odd-byte drop, sample and 20 ms alignment, drop-oldest on overflow)
//   https://github.com/amigniter/mod_audio_stream/blob/9c39eb1d78e49378b52ff42feef721cfb2de19f4/mod_audio_stream.c
//     (capture_callback, SWITCH_ABC_TYPE_WRITE_REPLACE: the per-frame read and its minimum-fill gate)
//   https://github.com/signalwire/freeswitch/blob/master/src/switch_buffer.c
//     (switch_buffer_write on a fixed buffer: a write larger than the free space writes nothing)
// Mono PCM16 at the stream rate (the leg never resamples: Parley sends at the stream rate).

/** STREAM_INJECT_BUFFER_MS default and the module's floor on the buffer length. */
const INJECT_BUFFER_MS_DEFAULT = 5000;
const INJECT_BUFFER_MIN_BYTES = 3200;
/** STREAM_INJECT_MIN_BUFFER_MS as the code defaults it (its README table says 0). */
const INJECT_MIN_BUFFER_MS_DEFAULT = 60;

interface Chunk {
  readonly data: Uint8Array | undefined;
  readonly len: number;
  off: number;
}

export interface ModuleInjectOptions {
  readonly rate: number;
  readonly bufferMs?: number;
  readonly minBufferMs?: number;
}

export interface InjectOutcome {
  /** Bytes that went into the buffer. */
  readonly written: number;
  /** Bytes cut by the odd-byte, sample and 20 ms alignment. */
  readonly cut: number;
  /** Older queued bytes dropped to make room, plus this message's bytes when it did not fit. */
  readonly lost: number;
}

/** The module's per-call inject buffer and the two callbacks that touch it. */
export class ModuleInject {
  /** switch_buffer_t length, bytes. */
  readonly bufferLen: number;
  /** One 20 ms frame at the stream rate, bytes (the write-replace frame's datalen). */
  readonly frameBytes: number;
  private readonly bytesPerMs: number;
  private readonly minBufferMs: number;
  private chunks: Chunk[] = [];
  private used = 0;
  /** The module's own counter: write-replace calls that got less than a frame (idle ones too). */
  underruns = 0;

  constructor(o: ModuleInjectOptions) {
    // pcm16_bytes_per_ms: integer bytes per millisecond, mono.
    this.bytesPerMs = Math.floor((o.rate * 2) / 1000);
    this.frameBytes = this.bytesPerMs * 20;
    const ms = o.bufferMs !== undefined && o.bufferMs > 0 ? o.bufferMs : INJECT_BUFFER_MS_DEFAULT;
    this.bufferLen = Math.max(this.bytesPerMs * ms, INJECT_BUFFER_MIN_BYTES);
    this.minBufferMs = o.minBufferMs ?? INJECT_MIN_BUFFER_MS_DEFAULT;
  }

  /** switch_buffer_inuse. */
  get inuse(): number {
    return this.used;
  }

  /**
   * Bytes queued up to and including the last sample that is not digital silence (a tail of
   * zero padding is not audio anyone misses); undefined when only lengths are tracked.
   */
  get audibleInuse(): number | undefined {
    let total = 0;
    let audible = 0;
    for (const c of this.chunks) {
      if (!c.data) return undefined;
      const s = new Int16Array(c.data.buffer, c.data.byteOffset + c.off, (c.len - c.off) >> 1);
      for (let i = s.length - 1; i >= 0; i--) {
        if (s[i] !== 0) {
          audible = total + (i + 1) * 2;
          break;
        }
      }
      total += c.len - c.off;
    }
    return audible;
  }

  /** processMessage for one streamAudio message carrying `bytes` (or `data`) of decoded PCM. */
  inject(bytesOrData: number | Uint8Array): InjectOutcome {
    const data = typeof bytesOrData === 'number' ? undefined : bytesOrData;
    const decoded = data ? data.length : (bytesOrData as number);
    let size = decoded;
    if (size % 2 !== 0) size -= 1; // odd byte count: the last byte goes
    if (size >= this.frameBytes) size -= size % this.frameBytes; // ≥ 20 ms: whole 20 ms frames only
    const cut = decoded - size;
    let lost = 0;
    if (this.used + size > this.bufferLen) {
      const over = this.used + size - this.bufferLen;
      const drop = Math.min(Math.ceil(over / this.frameBytes) * this.frameBytes, this.used);
      lost += this.discard(drop);
    }
    // switch_buffer_write: all or nothing.
    if (size > this.bufferLen - this.used) return { written: 0, cut, lost: lost + size };
    if (size > 0) {
      this.chunks.push({ data: data?.subarray(0, size), len: size, off: 0 });
      this.used += size;
    }
    return { written: size, cut, lost };
  }

  /** `data.clear: true`: switch_buffer_zero. Returns the bytes dropped. */
  clear(): number {
    const n = this.used;
    this.chunks = [];
    this.used = 0;
    return n;
  }

  /**
   * One SWITCH_ABC_TYPE_WRITE_REPLACE callback for a 20 ms frame: the bytes read (0 while less than
   * the minimum fill is buffered) and, when the audio is kept, the frame. The module leaves the rest
   * of a short frame as the channel's own outbound audio; the caller hears silence there (zeros).
   */
  writeReplace(): { readonly got: number; readonly frame: Uint8Array | undefined } {
    const need = this.frameBytes;
    const gated = this.minBufferMs > 0 && this.used < this.bytesPerMs * this.minBufferMs;
    const toRead = gated ? 0 : Math.min(this.used, need);
    const keep = this.chunks.length > 0 && this.chunks[0]!.data !== undefined;
    const frame = keep ? new Uint8Array(need) : undefined;
    let got = 0;
    while (got < toRead) {
      const c = this.chunks[0]!;
      const n = Math.min(c.len - c.off, toRead - got);
      if (frame && c.data) frame.set(c.data.subarray(c.off, c.off + n), got);
      c.off += n;
      got += n;
      if (c.off === c.len) this.chunks.shift();
    }
    this.used -= got;
    if (got < need) this.underruns++;
    return { got, frame };
  }

  /** drop_oldest_from_buffer: read and throw away `bytes` from the head. */
  private discard(bytes: number): number {
    let left = bytes;
    while (left > 0 && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const n = Math.min(c.len - c.off, left);
      c.off += n;
      left -= n;
      if (c.off === c.len) this.chunks.shift();
    }
    this.used -= bytes - left;
    return bytes - left;
  }
}
