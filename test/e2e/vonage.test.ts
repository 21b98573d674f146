// Vonage end to end: a real `parley serve`, the embedded agent, and the sim caller acting as
// Vonage (L16 16 kHz, notify/clear). The same checks as the Twilio barge-in test, plus a hang-up
// from Parley's side, malformed input counted, and the token refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BARGE_SCRIPT, startBridge, type Bridge } from './harness.js';

describe('Vonage', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({ mode: 'local', agent: { replyMs: 1600 }, config: { authToken: 'vtok', shutdown: { drainMs: 300 } } });
  });
  afterAll(async () => {
    await bridge?.close();
  });

  it('a barge-in clears the leg: no stale frames, truncate within the bound, the caller hangs up', async () => {
    const report = await bridge.call('vonage', { script: BARGE_SCRIPT, token: 'vtok', sampleRate: 16000 });
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    expect(report.bargeIns).toHaveLength(1);
    const b = report.bargeIns[0]!;
    expect(b.clearAtMs).toBeDefined();
    expect(b.staleFramesAfterClear).toBe(0);
    const t = bridge.agent.stats().truncates[0]!;
    expect(t.audioEndMs).toBeLessThanOrEqual(t.sentMs);
    expect(Math.abs(t.audioEndMs - b.heardMs)).toBeLessThanOrEqual(40);
    await bridge.idle();
    expect(await bridge.metric('parley_barge_ins_total', { protocol: 'vonage' })).toBe(1);
    expect(await bridge.metric('parley_calls_ended_total', { protocol: 'vonage', reason: 'hangup' })).toBe(1);
  });

  it('refuses the upgrade without the token (Vonage passes it in the NCCO uri)', async () => {
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(bridge.url('vonage'));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => {});
    });
    expect(code).toBe(401);
  });

  it('malformed input is counted and the call goes on; Parley ending the call closes the socket', async () => {
    const ws = new WebSocket(bridge.url('vonage', 'token=vtok'));
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    ws.send(JSON.stringify({ event: 'websocket:connected', 'content-type': 'audio/l16;rate=8000' }));
    ws.send(Buffer.alloc(3), { binary: true });
    ws.send('{"event":"websocket:nope"}');
    await new Promise((r) => setTimeout(r, 300));
    expect(await bridge.metric('parley_protocol_rejections_total', { protocol: 'vonage', reason: 'odd_length_pcm' })).toBe(1);
    expect(await bridge.metric('parley_protocol_rejections_total', { protocol: 'vonage', reason: 'unknown_event' })).toBe(1);
    expect(bridge.app.server.activeCalls).toBe(1);
    await bridge.app.server.shutdown();
    expect(await closed).toBe(1001);
  });
});
