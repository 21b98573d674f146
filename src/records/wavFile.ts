// A stereo PCM16 WAV file written as it grows: each batch of samples is appended, then the two
// size fields of the header are patched, so the file on disk is a readable WAV at every moment
// (after a SIGKILL it holds everything written up to the last patch; at worst the last batch
// lies past the declared size, which readers ignore). Writes run off the event loop, one at a
// time; what waits for them is bounded, and any failure (disk full) stops the file for good.
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes of samples that may wait for the disk; beyond it the recording stops (slow disk). */
export const MAX_PENDING_BYTES = 1024 * 1024;
const HEADER_BYTES = 44;

export function wavHeader(rate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels * 2, 28);
  h.writeUInt16LE(channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

export type WavFailure = 'disk_full' | 'io_error' | 'slow_disk';

export class WavFile {
  private fh: FileHandle | undefined;
  private chain: Promise<void>;
  private dataBytes = 0;
  private pending = 0;
  private failedWith: WavFailure | undefined;

  constructor(
    readonly path: string,
    private readonly rate: number,
    private readonly channels: number,
    private readonly onFail: (why: WavFailure, err?: unknown) => void,
  ) {
    this.chain = (async () => {
      try {
        this.fh = await open(path, 'w');
        await this.fh.write(wavHeader(rate, channels, 0), 0, HEADER_BYTES, 0);
      } catch (err) {
        this.fail(err);
      }
    })();
  }

  get failed(): WavFailure | undefined {
    return this.failedWith;
  }

  get bytes(): number {
    return this.dataBytes;
  }

  /** Interleaved PCM16 samples; returns false once the file has stopped. */
  append(samples: Int16Array): boolean {
    if (this.failedWith) return false;
    const buf = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    if (this.pending + buf.length > MAX_PENDING_BYTES) {
      this.fail(undefined, 'slow_disk');
      return false;
    }
    this.pending += buf.length;
    this.chain = this.chain.then(async () => {
      this.pending -= buf.length;
      const fh = this.fh;
      if (!fh || this.failedWith) return;
      try {
        await fh.write(buf, 0, buf.length, HEADER_BYTES + this.dataBytes);
        this.dataBytes += buf.length;
        const sizes = Buffer.alloc(4);
        sizes.writeUInt32LE(36 + this.dataBytes, 0);
        await fh.write(sizes, 0, 4, 4);
        sizes.writeUInt32LE(this.dataBytes, 0);
        await fh.write(sizes, 0, 4, 40);
      } catch (err) {
        this.fail(err);
      }
    });
    return true;
  }

  /** Waits for the writes, then closes the file. */
  async close(): Promise<void> {
    await this.chain;
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close().catch(() => {});
  }

  private fail(err: unknown, why?: WavFailure): void {
    if (this.failedWith) return;
    const code = (err as { code?: unknown } | undefined)?.code;
    this.failedWith = why ?? (code === 'ENOSPC' || code === 'EDQUOT' ? 'disk_full' : 'io_error');
    this.onFail(this.failedWith, err);
  }
}
