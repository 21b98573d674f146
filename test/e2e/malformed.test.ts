// Hostile and broken telephony input over real sockets: every malformed message is refused and
// counted by reason, the call that sent it goes on, the process stays up, and the next call works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BARGE_SCRIPT, startBridge, type Bridge } from './harness.js';

const MAX_MESSAGE_BYTES = 4096;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));

async function until(check: () => Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const twilio = (event: string, body: Record<string, unknown> = {}) => JSON.stringify({ event, streamSid: 'MZbad', ...body });
const START = twilio('start', {
  sequenceNumber: '1',
  start: {
    streamSid: 'MZbad',
    accountSid: 'ACx',
    callSid: 'CAbad',
    tracks: ['inbound'],
    customParameters: {},
    mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  },
});
const media = (payload: string, seq = 2) => twilio('media', { sequenceNumber: String(seq), media: { track: 'inbound', chunk: '1', timestamp: '0', payload } });

describe('malformed telephony input', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({ mode: 'local', config: { limits: { maxMessageBytes: MAX_MESSAGE_BYTES } }, agent: { replyMs: 1600 } });
  });
  afterAll(async () => {
    await bridge.close();
  });

  const rejections = (protocol: string, reason: string) => bridge.metric('parley_protocol_rejections_total', { protocol, reason });

  it('twilio: refuses and counts each kind of bad message, keeps the call, then closes on oversize', async () => {
    const ws = await open(bridge.url('twilio'));
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send('this is not json');
    ws.send('[1,2,3]');
    ws.send(media(Buffer.alloc(160, 0xff).toString('base64')));
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(START);
    ws.send(twilio('bogus'));
    ws.send(media('@@@not-base64@@@'));
    ws.send(media(''));
    ws.send(START);
    ws.send(media(Buffer.alloc(160, 0xff).toString('base64'), 3));
    const expected: Record<string, number> = {
      binary_not_allowed: 1,
      bad_json: 1,
      not_object: 1,
      media_before_start: 1,
      unknown_event: 1,
      bad_base64: 1,
      empty_audio: 1,
      duplicate_start: 1,
    };
    for (const [reason, n] of Object.entries(expected)) await until(async () => (await rejections('twilio', reason)) === n);
    // The call survived all of it: valid audio after the garbage was taken.
    await until(async () => (await bridge.metric('parley_frames_in_total', { protocol: 'twilio' })) >= 1);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    // Oversize is the one that ends the connection (1009, counted).
    const code = closed(ws);
    ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect(await code).toBe(1009);
    await until(async () => (await rejections('twilio', 'oversize')) === 1);
  });

  it('audio-stream: bad metadata, odd-length PCM and empty frames are refused and counted', async () => {
    const ws = await open(bridge.url('audio-stream'));
    ws.send('{"callId": ');
    ws.send(Buffer.alloc(321), { binary: true });
    ws.send(Buffer.alloc(0), { binary: true });
    for (const reason of ['bad_json', 'odd_length_pcm', 'empty_audio']) await until(async () => (await rejections('audio-stream', reason)) === 1);
    const code = closed(ws);
    ws.send(Buffer.alloc(MAX_MESSAGE_BYTES + 2), { binary: true });
    expect(await code).toBe(1009);
    await until(async () => (await rejections('audio-stream', 'oversize')) === 1);
  });

  it('the process stays up and the next call works', async () => {
    await bridge.idle();
    const health = await fetch(`http://127.0.0.1:${bridge.app.port}/healthz`);
    expect(health.status).toBe(200);
    const report = await bridge.call('twilio', { script: BARGE_SCRIPT });
    expect(report.failure).toBeUndefined();
    expect(report.bargeIns[0]?.staleFramesAfterClear).toBe(0);
  });
});
