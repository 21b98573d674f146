// The one-write send path (a frame and its mark as finished WebSocket frames in one socket write)
// must carry exactly what ws.send per message carries: same frame bytes as ws builds them, and a
// real ws client reads the same text messages in the same order.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { WebSocket, WebSocketServer } from 'ws';
import { TelephonyOut } from '../../../src/session/feeds/telephonyOut.js';
import type { TelephonySocket } from '../../../src/session/seam.js';
import { textFrames } from '../../../src/telephony/encoder-template.js';
import { ReportedFarSide } from '../../../src/telephony/far-side/reported.js';
import { TwilioEncoder } from '../../../src/telephony/twilio/encoder.js';

type Frame = (data: Buffer, options: Record<string, unknown>) => Buffer[];
// ws's own frame builder (exported at runtime, absent from its types).
const wsFrame = (wsModule as unknown as { Sender: { frame: Frame } }).Sender.frame;

describe('textFrames', () => {
  it('equals the frames ws builds, at every length class (7-bit, 16-bit, 64-bit) and for UTF-8', () => {
    const messages = ['', 'x'.repeat(125), 'y'.repeat(126), 'z'.repeat(65535), 'w'.repeat(65536), 'é😀"'];
    const ours = textFrames(messages);
    const theirs = Buffer.concat(messages.flatMap((m) => wsFrame(Buffer.from(m), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: false })));
    expect(ours.equals(theirs)).toBe(true);
  });
});

describe('TelephonyOut with writeFrames', () => {
  let wss: WebSocketServer | undefined;
  afterEach(() => wss?.close());

  it('a real ws client reads the same messages as from ws.send, in order, as text', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(wss, 'listening');
    const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    const received = async (oneWrite: boolean): Promise<string[]> => {
      const client = new WebSocket(url);
      const [server] = (await once(wss!, 'connection')) as [WebSocket];
      const got: string[] = [];
      client.on('message', (data, isBinary) => got.push(`${isBinary ? 'binary' : 'text'}:${String(data)}`));
      await once(client, 'open');
      const socket = (server as unknown as { _socket: { write(b: Buffer): void } })._socket;
      const out = new TelephonyOut(server as unknown as TelephonySocket, new TwilioEncoder('MZ"1'), new ReportedFarSide(), undefined, oneWrite ? (b) => socket.write(b) : undefined);
      for (let i = 0; i < 5; i++) out.frame(Buffer.alloc(160 * (i + 1), i), 1, 2, 20, i * 20); // up to 800 bytes: 16-bit lengths too
      out.clear(100); // through ws.send: stays in order with the raw writes
      out.frame(Buffer.alloc(3, 9), 2, 3, 20, 120);
      while (got.length < 13) await new Promise((r) => setTimeout(r, 5));
      client.close();
      return got;
    };
    const viaWs = await received(false);
    const oneWrite = await received(true);
    expect(oneWrite).toEqual(viaWs);
    expect(viaWs.filter((m) => m.startsWith('text:{"event":"media"'))).toHaveLength(6);
  });
});
