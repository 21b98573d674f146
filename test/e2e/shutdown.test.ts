// Graceful shutdown and auth, end to end: readyz flips at once, new calls are refused, live
// calls finish (or are closed with 1001 at the drain deadline); telephony upgrades need the token.
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BARGE_SCRIPT, providerErrors, startBridge } from './harness.js';

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => {});
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.concurrent('shutdown and auth', () => {
  it('drains: readyz 503 and new calls refused at once, the live call finishes normally', async () => {
    const b = await startBridge({ mode: 'local', config: { shutdown: { drainMs: 30_000 } }, agent: { replyMs: 1600 } });
    const base = `http://127.0.0.1:${b.app.port}`;
    const call = b.call('twilio', { script: BARGE_SCRIPT });
    // Started (the AI link opens on the call's start): a call not yet started would not be drained (SE5).
    await until(() => b.agent.connections().length === 1);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const t0 = Date.now();
    const down = b.close();
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect(await upgradeStatus(b.url('twilio'))).toBe(503);
    const report = await call;
    await down;
    expect(report.failure).toBeUndefined();
    expect(report.bargeIns[0]?.staleFramesAfterClear).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(b.app.server.state).toBe('closed');
    expect(await b.metric('parley_calls_ended_total', { reason: 'hangup' })).toBe(1);
    expect(await b.metric('parley_upgrades_refused_total', { reason: 'draining' })).toBe(1);
    expect(await providerErrors(b)).toEqual({ sent: 0, counted: 0, codes: [] });
  });

  it('closes calls still running at the drain deadline with 1001', async () => {
    const b = await startBridge({ mode: 'local', config: { shutdown: { drainMs: 600 } } });
    const call = b.call('twilio', { script: [{ kind: 'say', ms: 400 }, { kind: 'silence', ms: 20_000 }, { kind: 'hangup' }] });
    // Started (the AI link opens on the call's start): a call not yet started would not be drained (SE5).
    await until(() => b.agent.connections().length === 1);
    const t0 = Date.now();
    await b.close();
    const elapsed = Date.now() - t0;
    const report = await call;
    expect(report.failure).toMatch(/server closed the call \(1001\)/);
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(2500);
    expect(await b.metric('parley_calls_ended_total', { reason: 'shutdown' })).toBe(1);
  });

  it('refuses telephony upgrades without the token (401) and accepts header or query token', async () => {
    const b = await startBridge({ mode: 'local', config: { authToken: 'e2e-secret' } });
    try {
      expect(await upgradeStatus(b.url('twilio'))).toBe(401);
      expect(await upgradeStatus(b.url('audio-stream'), { authorization: 'Bearer nope' })).toBe(401);
      const refused = await b.call('twilio', { script: [{ kind: 'say', ms: 100 }, { kind: 'hangup' }] });
      expect(refused.failure).toMatch(/HTTP 401/);
      expect(await upgradeStatus(b.url('audio-stream', 'token=e2e-secret'))).toBe(101);
      const accepted = await b.call('twilio', { token: 'e2e-secret', script: BARGE_SCRIPT });
      expect(accepted.failure).toBeUndefined();
      expect(await b.metric('parley_upgrades_refused_total', { reason: 'unauthorized' })).toBe(3);
    } finally {
      await b.close();
    }
  });
});
