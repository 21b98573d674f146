// Every platform with a flushable far side and play reports (Telnyx, Plivo, Exotel, Asterisk
// chan_websocket) gets the checks Twilio gets, over real loopback sockets against a real
// `parley serve`: a basic turn, a barge-in with nothing stale heard after the clear, truncation
// at what was heard within the bound, a hang-up from each side, malformed input refused and
// counted while the call goes on, and auth refusal — each through the platform's own emulator
// (src/tools/sim/caller/leg-*.ts), presenting the token the way the platform does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createLeg } from '../../src/tools/sim/caller/leg-factory.js';
import { BARGE_SCRIPT, providerErrors, receivedTypes, startBridge, type Bridge } from './harness.js';
import { PLATFORM_CASES } from './platform-cases.js';

/** As for Twilio (bargein.test.ts): one report interval plus one in flight on a busy machine. */
const TRUNCATION_BOUND_MS = 40;
const TOKEN = 'e2e-platform-secret';
const MAX_MESSAGE_BYTES = 8192;

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

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.concurrent.each(PLATFORM_CASES)('$protocol', (pc) => {
  const { protocol } = pc;
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({
      mode: 'local',
      config: { authToken: TOKEN, shutdown: { drainMs: 600 }, limits: { maxMessageBytes: MAX_MESSAGE_BYTES } },
      agent: { replyMs: 1600 },
    });
  });
  afterAll(async () => {
    await bridge.close();
  });
  const rejections = (reason: string) => bridge.metric('parley_protocol_rejections_total', { protocol, reason });

  it.sequential('refuses the upgrade without the token, or with a wrong one presented the platform\'s way', async () => {
    const leg = createLeg(protocol, { url: bridge.url(protocol), ...pc.options }, 'auth-check');
    expect(await upgradeStatus(bridge.url(protocol))).toBe(401);
    const wrong = leg.credentials?.(bridge.url(protocol), 'not-the-token') ?? { url: bridge.url(protocol), headers: { Authorization: 'Bearer not-the-token' } };
    expect([401, 403]).toContain(await upgradeStatus(wrong.url, wrong.headers));
    const right = leg.credentials?.(bridge.url(protocol), TOKEN) ?? { url: bridge.url(protocol), headers: { Authorization: `Bearer ${TOKEN}` } };
    expect(await upgradeStatus(right.url, right.headers)).toBe(101);
  });

  it.sequential('a turn, then a barge-in: cleared at once, nothing stale heard, truncated at what was heard; the caller hangs up', async () => {
    await bridge.idle();
    // The auth probe's accepted connection ended too (as a hang-up where closing is one).
    const endedBefore = await bridge.metric('parley_calls_ended_total', { protocol, reason: 'hangup' });
    const report = await bridge.call(protocol, { token: TOKEN, script: BARGE_SCRIPT, ...pc.options });
    expect(report.failure).toBeUndefined();
    expect(report.protocol).toBe(protocol);
    // Everything Parley sent is what the platform accepts (formats, framing, field names).
    expect(report.protocolErrors).toBe(0);
    expect(report.turns.filter((t) => t.firstAgentAudioMs !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(report.bargeIns).toHaveLength(1);
    const b = report.bargeIns[0]!;
    expect(b.clearAtMs).toBeDefined();
    expect(b.staleFramesAfterClear).toBe(0);
    expect(b.carriedOverMs).toBe(0);
    expect(b.heardMs).toBeLessThan(1600);
    // The caller's own audio is never discarded (BI5).
    expect(receivedTypes(bridge.agent, 'input_audio_buffer.clear')).toEqual([]);
    const truncates = bridge.agent.stats().truncates;
    expect(truncates).toHaveLength(1);
    const t = truncates[0]!;
    expect(t.accepted).toBe(true);
    expect(t.audioEndMs).toBeLessThanOrEqual(t.sentMs);
    expect(Math.abs(t.audioEndMs - b.heardMs)).toBeLessThanOrEqual(TRUNCATION_BOUND_MS);
    await bridge.idle();
    expect(await bridge.metric('parley_barge_ins_total', { protocol })).toBe(1);
    expect(await bridge.metric('parley_cutoff_latency_seconds')).toBe(1);
    expect(await bridge.metric('parley_calls_active')).toBe(0);
    // The trace shows the barge-in as the turn machine took it: flush, clear, truncate.
    const trace = [...bridge.traces().values()].find((records) => records.some((r) => r.machine === 'turn' && r.event === 'SPEECH_STARTED'));
    const step = trace?.find((r) => r.machine === 'turn' && r.event === 'SPEECH_STARTED' && r.from === 'agentSpeaking');
    expect(step?.to).toBe('interrupted.speaking');
    expect(step?.actions).toEqual(expect.arrayContaining(['requestFlush', 'sendClear', 'sendTruncate']));
    // A cancel goes out only for a response still streaming (BI2). The sim-agent streams 4× real
    // time, so it has usually finished (BI6: barge-in from audio queued alone); four bridges at
    // once on a loaded machine can slow it enough that it has not, and then one cancel is right.
    const cancels = receivedTypes(bridge.agent, 'response.cancel').length;
    expect(cancels).toBe(step?.actions?.includes('sendCancel') ? 1 : 0);
    expect(trace?.at(-1)?.event).toBe('trace.end');
    expect(await bridge.metric('parley_calls_ended_total', { protocol, reason: 'hangup' })).toBe(endedBefore + 1);
    expect(await providerErrors(bridge)).toEqual({ sent: 0, counted: 0, codes: [] });
  });

  it.sequential('malformed input is refused and counted by reason, the call goes on, oversize closes it (1009)', async () => {
    const leg = createLeg(protocol, { url: bridge.url(protocol), ...pc.options }, 'malformed');
    const { url, headers } = leg.credentials?.(bridge.url(protocol), TOKEN) ?? { url: bridge.url(protocol), headers: { Authorization: `Bearer ${TOKEN}` } };
    const ws = new WebSocket(url, { headers });
    await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
    for (const f of leg.greeting()) ws.send(f.data, { binary: f.binary });
    const ids = { streamId: (leg as unknown as { streamId?: string; streamSid?: string }).streamId ?? (leg as unknown as { streamSid?: string }).streamSid ?? '' };
    const framesBefore = await bridge.metric('parley_frames_in_total', { protocol });
    const bad = pc.bad(ids);
    for (const f of bad) ws.send(f.data, { binary: f.binary });
    const good = pc.goodAudio(ids);
    ws.send(good.data, { binary: good.binary });
    const expected = new Map<string, number>();
    for (const f of bad) expected.set(f.reason, (expected.get(f.reason) ?? 0) + 1);
    for (const [reason, n] of expected) await until(async () => (await rejections(reason)) === n);
    await until(async () => (await bridge.metric('parley_frames_in_total', { protocol })) > framesBefore);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const code = new Promise<number>((r) => ws.once('close', (c) => r(c)));
    ws.send(Buffer.alloc(MAX_MESSAGE_BYTES + 2, 0x7b), { binary: !bad.some((f) => f.binary && f.reason === 'binary_not_allowed') });
    expect(await code).toBe(1009);
    await until(async () => (await rejections('oversize')) === 1);
  });

  it.sequential('Parley hangs up (drain deadline): the platform sees its goodbye and the close', async () => {
    await bridge.idle();
    const call = bridge.call(protocol, { token: TOKEN, ...pc.options, script: [{ kind: 'say', ms: 300 }, { kind: 'silence', ms: 20_000 }, { kind: 'hangup' }] });
    await until(async () => bridge.app.server.activeCalls === 1 && bridge.agent.connections().length >= 1);
    await bridge.close();
    const report = await call;
    expect(report.failure).toMatch(/server closed the call \(1001\)/);
    const asked = report.timeline.some((e) => e.kind === 'hangup' && e.detail === 'requested by the bridge');
    expect(asked).toBe(pc.goodbyeRequest ?? false);
    expect(await bridge.metric('parley_calls_ended_total', { protocol, reason: 'shutdown' })).toBe(1);
  });
});
