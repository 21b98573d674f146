// Caller audio → the AI link by the aiLink machine's tags (src/session/feeds/captureFeed.ts).
import { describe, expect, it } from 'vitest';
import { CaptureFeed } from '../../../src/session/feeds/captureFeed.js';
import { FakeAi } from '../fakes.js';

function feed(ai: FakeAi | undefined, gapBytes = 100) {
  const drops: [string, number][] = [];
  const f = new CaptureFeed(() => ai, { gapBytes, sendBufferBytes: 1000, bytesPerMs: 1, onDrop: (reason, _u, ms) => drops.push([reason, ms]) });
  return { f, drops };
}

describe('CaptureFeed', () => {
  it('send: appended to the open socket', () => {
    const ai = new FakeAi();
    const { f, drops } = feed(ai);
    f.push(Buffer.alloc(40), 'send');
    expect(ai.appended).toEqual([40]);
    expect(f.sentBytes).toBe(40);
    expect(drops).toEqual([]);
  });

  it('send over a backed-up socket: dropped and counted, memory does not grow', () => {
    const ai = new FakeAi();
    ai.bufferedAmount = 5000;
    const { f, drops } = feed(ai);
    f.push(Buffer.alloc(40), 'send');
    expect(ai.appended).toEqual([]);
    expect(drops).toEqual([['ai_send_buffer', 40]]);
  });

  it('buffer: kept in the bounded gap buffer, oldest dropped first, sent in order when the link opens', () => {
    const ai = new FakeAi();
    const { f, drops } = feed(ai, 100);
    f.push(Buffer.alloc(60, 1), 'buffer');
    f.push(Buffer.alloc(60, 2), 'buffer');
    expect(drops).toEqual([['ai_not_ready', 20]]);
    f.linkEverOpened = true;
    f.flushBacklog();
    expect(ai.appended).toEqual([40, 60]);
    f.push(Buffer.alloc(60), 'buffer');
    f.push(Buffer.alloc(60), 'buffer');
    expect(drops.at(-1)).toEqual(['reconnect_gap', 20]);
  });

  it('down: dropped and counted as closed; discard counts what the gap buffer held', () => {
    const { f, drops } = feed(new FakeAi());
    f.push(Buffer.alloc(30), 'down');
    f.push(Buffer.alloc(50), 'buffer');
    f.discard('reconnect_gap');
    expect(drops).toEqual([
      ['closed', 30],
      ['reconnect_gap', 50],
    ]);
    expect(f.bufferedBytes).toBe(0);
  });
});
