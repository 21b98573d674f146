// A FIFO of byte chunks bounded by total size. Order is never changed: overflow drops from
// the front (drop-oldest) and reports how many bytes went, so the caller can count them.

export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private size = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.size;
  }

  get length(): number {
    return this.chunks.length - this.head;
  }

  /** Appends; returns the bytes dropped from the front to stay within the bound. */
  push(chunk: Buffer): number {
    if (chunk.length === 0) return 0;
    this.chunks.push(chunk);
    this.size += chunk.length;
    let dropped = 0;
    while (this.size > this.maxBytes && this.length > 0) {
      const first = this.chunks[this.head]!;
      const over = this.size - this.maxBytes;
      if (first.length <= over) {
        this.head += 1;
        this.size -= first.length;
        dropped += first.length;
      } else {
        // Trim the oldest chunk's front, keeping sample alignment (even byte counts).
        const cut = over + (over % 2);
        this.chunks[this.head] = first.subarray(cut);
        this.size -= cut;
        dropped += cut;
      }
    }
    this.compact();
    return dropped;
  }

  /** Removes and returns everything, oldest first. */
  drain(): Buffer[] {
    const out = this.chunks.slice(this.head);
    this.clear();
    return out;
  }

  /** Empties the queue; returns the bytes discarded. */
  clear(): number {
    const n = this.size;
    this.chunks = [];
    this.head = 0;
    this.size = 0;
    return n;
  }

  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
