// AudioSocket runs over TCP, a byte stream: this cuts it into whole messages (header + payload)
// before the decoder sees them, whatever the segmentation. The length field is 16 bits, so a
// message is never over 65,538 B and what is held is bounded; a message over the configured
// bound is still skipped whole (the length says where the next one starts) and reported.
import { HEADER_BYTES } from './wire.js';

export interface FramerOutput {
  /** Whole messages, header included, in order. */
  readonly messages: Buffer[];
  /** Messages skipped as over the bound: their declared sizes. */
  readonly oversize: number[];
}

export class AudioSocketFramer {
  private held: Buffer = Buffer.alloc(0);
  /** Bytes of an oversize message still to skip. */
  private skipping = 0;

  constructor(private readonly maxMessageBytes: number) {}

  get heldBytes(): number {
    return this.held.length;
  }

  push(chunk: Buffer): FramerOutput {
    const messages: Buffer[] = [];
    const oversize: number[] = [];
    let buf = this.held.length > 0 ? Buffer.concat([this.held, chunk]) : chunk;
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, buf.length);
      this.skipping -= n;
      buf = buf.subarray(n);
    }
    let at = 0;
    while (buf.length - at >= HEADER_BYTES) {
      const size = HEADER_BYTES + buf.readUInt16BE(at + 1);
      if (size > this.maxMessageBytes) {
        oversize.push(size);
        const have = Math.min(size, buf.length - at);
        this.skipping = size - have;
        at += have;
        continue;
      }
      if (buf.length - at < size) break;
      messages.push(Buffer.from(buf.subarray(at, at + size))); // a copy: the chunk is not kept alive
      at += size;
    }
    this.held = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    return { messages, oversize };
  }
}
