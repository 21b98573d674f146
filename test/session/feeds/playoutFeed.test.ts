// Agent audio → the playout ring with a bounded JS backlog (src/session/feeds/playoutFeed.ts).
import { describe, expect, it } from 'vitest';
import { PlayoutFeed } from '../../../src/session/feeds/playoutFeed.js';
import { FakeMediaCall } from '../fakes.js';

const PCM = { telephony: { codec: 'pcm16', rate: 16000 }, ai: { codec: 'pcm16', rate: 24000 } } as const;

function feed(backlogBytes = 1000) {
  const media = new FakeMediaCall(PCM);
  const drops: [string, number][] = [];
  const written: number[] = [];
  const f = new PlayoutFeed(media, true, { backlogBytes, bytesPerMs: 48, onDrop: (r, b) => drops.push([r, b]), onWritten: (ms) => written.push(ms) });
  return { media, f, drops, written };
}

describe('PlayoutFeed', () => {
  it('writes into the ring and reports each write', () => {
    const { media, f, written } = feed();
    expect(f.write(Buffer.alloc(480), { epoch: 0, item: 1 })).toBe('queued');
    expect(media.playoutWrites).toEqual([{ bytes: 480, tag: { epoch: 0, item: 1 } }]);
    expect(written).toHaveLength(1);
  });

  it('a full ring: chunks wait in the backlog, in order, and move in as the ring drains', () => {
    const { media, f } = feed();
    media.refuseWrites = 'full';
    expect(f.write(Buffer.alloc(100), { epoch: 0, item: 1 })).toBe('backlogged');
    media.refuseWrites = undefined;
    expect(f.write(Buffer.alloc(200), { epoch: 0, item: 1 })).toBe('backlogged'); // behind the backlog, never ahead
    f.pump();
    expect(media.playoutWrites.map((w) => w.bytes)).toEqual([100, 200]);
    expect(f.backlogEmpty).toBe(true);
  });

  it('a backlog over its bound drops the chunk, counted as playout_full', () => {
    const { media, f, drops } = feed(150);
    media.refuseWrites = 'full';
    f.write(Buffer.alloc(100), { epoch: 0, item: 1 });
    expect(f.write(Buffer.alloc(100), { epoch: 0, item: 1 })).toBe('dropped');
    expect(drops).toEqual([['playout_full', 100]]);
  });

  it('an odd PCM16 byte waits for the next delta of the same item; never splits a sample', () => {
    const { media, f } = feed();
    f.write(Buffer.alloc(5), { epoch: 0, item: 1 });
    f.write(Buffer.alloc(5), { epoch: 0, item: 1 });
    expect(media.playoutWrites.map((w) => w.bytes)).toEqual([4, 6]);
  });

  it('flush (barge-in) empties the backlog and reports the bytes discarded', () => {
    const { media, f } = feed();
    media.refuseWrites = 'full';
    f.write(Buffer.alloc(300), { epoch: 0, item: 1 });
    expect(f.flush()).toBe(300);
    expect(f.backlogBytes).toBe(0);
  });

  it('a stale write (older epoch) is dropped and counted as stale_epoch', () => {
    const { media, f, drops } = feed();
    media.epoch = 1;
    expect(f.write(Buffer.alloc(100), { epoch: 0, item: 1 })).toBe('dropped');
    expect(drops).toEqual([['stale_epoch', 100]]);
  });
});
