// Unflushable pacing (TelephonyOut with paceAheadMs): a frame is handed over only while the far
// side holds at most the lead; a burst after a stall waits in Parley, where a barge-in drops it.
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { TelephonyOut } from '../../../src/session/feeds/telephonyOut.js';
import { AudioSocketEncoder } from '../../../src/telephony/audiosocket/encoder.js';
import { UnflushableFarSide } from '../../../src/telephony/far-side/unflushable.js';
import { FakeSocket } from '../fakes.js';

function out() {
  const ws = new FakeSocket();
  const far = new UnflushableFarSide();
  return { ws, far, o: new TelephonyOut(ws as unknown as WebSocket, new AudioSocketEncoder(), far, 40) };
}

describe('unflushable pacing', () => {
  it('a burst of five frames: two go (the 40 ms lead), three wait and follow one per 20 ms', () => {
    const { ws, far, o } = out();
    for (let i = 0; i < 5; i++) expect(o.frame(Buffer.alloc(320), 0, 1, 20, 0)).toBe(true);
    expect(ws.sent).toHaveLength(2);
    expect(o.heldMs).toBe(60);
    o.release(20);
    expect(ws.sent).toHaveLength(3);
    o.release(40);
    o.release(60);
    expect(ws.sent).toHaveLength(5);
    expect(far.maxLeadMs).toBeLessThanOrEqual(20);
    expect(o.heldMs).toBe(0);
  });

  it('a barge-in drops what waits in Parley; only the lead was handed over', () => {
    const { ws, far, o } = out();
    for (let i = 0; i < 10; i++) o.frame(Buffer.alloc(320), 0, 1, 20, 0);
    o.clear(0);
    expect(o.heldDropped).toBe(8);
    expect(far.unflushedMs).toBe(40);
    o.release(100);
    expect(ws.sent).toHaveLength(2);
  });
});
