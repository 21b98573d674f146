// Parley → the telephony leg (src/session/feeds/telephonyOut.ts): frames with marks, clear,
// backpressure, the module-tail silence.
import { describe, expect, it } from 'vitest';
import { createEncoder, createFarSideModel, type CallStart } from '../../../src/telephony/index.js';
import { OUTBOUND_BUFFER_BYTES, TelephonyOut } from '../../../src/session/feeds/telephonyOut.js';
import { FakeSocket } from '../fakes.js';
import type { WebSocket } from 'ws';

const START = { callId: 'CA1', streamId: 'MZ1', format: { codec: 'mulaw', rate: 8000 }, customParameters: {}, implicit: false } as unknown as CallStart;

function out(protocol: 'twilio' | 'audio-stream' = 'twilio') {
  const ws = new FakeSocket();
  const far = createFarSideModel(protocol, protocol === 'twilio' ? START.format : { codec: 'pcm16', rate: 8000 });
  const o = new TelephonyOut(ws as unknown as WebSocket, createEncoder(protocol, START), far);
  return { ws, far, o };
}

describe('TelephonyOut', () => {
  it('Twilio: a media message and a mark per frame; the far side learns what was sent', () => {
    const { ws, far, o } = out();
    expect(o.frame(Buffer.alloc(160), 0, 7, 20, 0)).toBe(true);
    expect(ws.json().map((m) => m['event'])).toEqual(['media', 'mark']);
    expect(far.sentMs(7)).toBe(20);
    expect(o.framesSent).toBe(1);
  });

  it('a frame sent without a report is reported by the next one; near the buffer limit every frame is', () => {
    const { ws, far, o } = out();
    o.frame(Buffer.alloc(160), 0, 7, 20, 0, false);
    o.frame(Buffer.alloc(160), 0, 7, 20, 0, true);
    expect(ws.json().map((m) => m['event'])).toEqual(['media', 'media', 'mark']);
    expect(far.queuedMs(0)).toBe(40);
    // Half full: the report goes on every frame, so a drop right after leaves nothing unreported.
    ws.bufferedAmount = OUTBOUND_BUFFER_BYTES / 2 + 1;
    o.frame(Buffer.alloc(160), 0, 7, 20, 0, false);
    expect(ws.json().at(-1)?.['event']).toBe('mark');
    ws.bufferedAmount = OUTBOUND_BUFFER_BYTES + 1;
    expect(o.frame(Buffer.alloc(160), 0, 7, 20, 0, true)).toBe(false);
  });

  it('a backed-up socket drops the frame (counted by the caller), never queues it', () => {
    const { ws, o } = out();
    ws.bufferedAmount = OUTBOUND_BUFFER_BYTES + 1;
    expect(o.frame(Buffer.alloc(160), 0, 7, 20, 0)).toBe(false);
    expect(ws.sent).toEqual([]);
    expect(o.framesDropped).toBe(1);
  });

  it('clear: the protocol’s clear goes out and the far side forgets what was queued', () => {
    const { ws, far, o } = out();
    o.frame(Buffer.alloc(160), 0, 7, 20, 0);
    o.clear(1);
    expect(ws.json().at(-1)?.['event']).toBe('clear');
    expect(far.queuedMs(1)).toBe(0);
  });

  it('a closed socket sends nothing', () => {
    const { ws, o } = out();
    ws.readyState = 3;
    expect(o.frame(Buffer.alloc(160), 0, 7, 20, 0)).toBe(false);
    o.clear(0);
    o.silence(320, 20, 0, 0);
    expect(ws.sent).toEqual([]);
  });

  it('audio-stream: silence after a reply is sent as audio of no item', () => {
    const { ws, far, o } = out('audio-stream');
    o.silence(960, 60, 0, 0);
    expect(ws.sent).toHaveLength(1);
    expect(far.queuedMs(0)).toBe(60);
  });
});
