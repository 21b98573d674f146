// The bounded FIFO behind the caller-audio gap buffer (src/session/feeds/byteQueue.ts).
import { describe, expect, it } from 'vitest';
import { ByteQueue } from '../../../src/session/feeds/byteQueue.js';

const chunk = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('ByteQueue', () => {
  it('keeps order and drains oldest first', () => {
    const q = new ByteQueue(100);
    q.push(chunk(10, 1));
    q.push(chunk(20, 2));
    expect(q.bytes).toBe(30);
    expect(q.drain().map((b) => [b.length, b[0]])).toEqual([
      [10, 1],
      [20, 2],
    ]);
    expect(q.bytes).toBe(0);
  });

  it('drops from the front to stay within its bound and says how much', () => {
    const q = new ByteQueue(30);
    q.push(chunk(20, 1));
    expect(q.push(chunk(20, 2))).toBe(10); // the oldest chunk's front is trimmed
    expect(q.bytes).toBe(30);
    const out = q.drain();
    expect(out.map((b) => [b.length, b[0]])).toEqual([
      [10, 1],
      [20, 2],
    ]);
  });

  it('trims in whole PCM16 samples (even byte counts)', () => {
    const q = new ByteQueue(9);
    q.push(chunk(8, 1));
    expect(q.push(chunk(2, 2))).toBe(2); // 1 byte over → 2 bytes cut, never half a sample
    expect(q.bytes).toBe(8);
  });

  it('clear reports what it discarded', () => {
    const q = new ByteQueue(100);
    q.push(chunk(7, 1));
    expect(q.clear()).toBe(7);
    expect(q.push(Buffer.alloc(0))).toBe(0);
    expect(q.length).toBe(0);
  });
});
