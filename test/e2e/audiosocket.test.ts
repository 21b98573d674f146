// Asterisk AudioSocket end to end: a real `parley serve` with its TCP listener, the embedded
// agent, and an independent AudioSocket caller that plays what it is sent at real time and can
// recall nothing. Basic turn, barge-in (what plays after the cut is bounded by the lead), hang-up
// from each side, malformed input counted with the call going on, and refusal by UUID prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioSocketCaller } from '../../src/tools/sim/caller/audiosocket.js';
import { startBridge, type Bridge } from './harness.js';

const PREFIX = 'a0d10';
const LEAD_MS = 40; // one 20 ms frame + the default 20 ms jitter margin
const until = async (ok: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('AudioSocket', () => {
  let bridge: Bridge;
  const url = () => `tcp://127.0.0.1:${bridge.app.audiosocketPort!}`;
  const caller = async (uuid = `${PREFIX}000-0000-4000-8000-${Math.random().toString(16).slice(2, 14).padEnd(12, '0')}`) => {
    const c = new AudioSocketCaller({ url: url(), uuid });
    await c.ready;
    c.start();
    return c;
  };

  beforeAll(async () => {
    bridge = await startBridge({ mode: 'local', agent: { replyMs: 1600 }, config: { telephony: { audiosocketPort: 0, audiosocketUuidPrefix: PREFIX }, shutdown: { drainMs: 300 } } });
  });
  afterAll(async () => {
    await bridge?.close();
  });

  it('a turn, then a barge-in: the agent is cut off and no more than the lead plays after the cut', async () => {
    const c = await caller();
    c.say(true);
    await new Promise((r) => setTimeout(r, 700));
    c.say(false);
    await until(() => c.heardMs() > 600, 10_000, 'the agent’s reply');
    // Talk over the reply.
    const t = c.now();
    c.say(true);
    await new Promise((r) => setTimeout(r, 1200));
    c.say(false);
    expect(await bridge.metric('parley_barge_ins_total', { protocol: 'audiosocket' })).toBe(1);
    // Parley keeps no more than its lead queued at the far side (plus a frame of slack), so what
    // a barge-in cannot recall is at most that. The 95th percentile: this caller shares the
    // process, and its own stalls make a late burst look queued (the max is in the report).
    expect(c.queuedP95()).toBeLessThanOrEqual(LEAD_MS + 20);
    // While the caller talks over it, the agent is silent once cut: nothing heard in the last 600 ms.
    expect(c.heardAfter(t + 600)).toBe(0);
    // Truncation from heard = delivered − lead: within the lead (plus a frame) of what the caller
    // actually heard of the cut reply (the only reply so far).
    const tr = bridge.agent.stats().truncates;
    expect(tr).toHaveLength(1);
    expect(tr[0]!.audioEndMs).toBeLessThanOrEqual(tr[0]!.sentMs);
    expect(Math.abs(tr[0]!.audioEndMs - c.heardMs())).toBeLessThanOrEqual(LEAD_MS + 20);
    c.hangup();
    await c.ended;
    await bridge.idle();
    expect(await bridge.metric('parley_calls_ended_total', { protocol: 'audiosocket', reason: 'hangup' })).toBe(1);
  });

  it('malformed input is counted and the call goes on; DTMF is accepted', async () => {
    const c = await caller();
    c.send(Buffer.from([0x10, 0x00, 0x03, 1, 2, 3])); // odd-length slin
    c.send(Buffer.from([0x42, 0x00, 0x00])); // unknown kind
    c.dtmf('5');
    await new Promise((r) => setTimeout(r, 300));
    expect(await bridge.metric('parley_protocol_rejections_total', { protocol: 'audiosocket', reason: 'odd_length_pcm' })).toBe(1);
    expect(await bridge.metric('parley_protocol_rejections_total', { protocol: 'audiosocket', reason: 'unknown_message' })).toBe(1);
    expect(c.closed).toBe(false);
    expect(bridge.app.server.activeCalls).toBe(1);
    c.hangup();
    await bridge.idle();
  });

  it('refuses a UUID without the configured prefix: error message, closed, counted', async () => {
    const before = await bridge.metric('parley_upgrades_refused_total', { reason: 'unauthorized' });
    const c = await caller('ffff0000-0000-4000-8000-000000000000');
    await c.ended;
    expect(c.errorReceived).toBe(true);
    expect(await bridge.metric('parley_upgrades_refused_total', { reason: 'unauthorized' })).toBe(before + 1);
    expect(bridge.app.server.activeCalls).toBe(0);
  });

  it('Parley ending the call (shutdown) sends the hang-up message and closes', async () => {
    const c = await caller();
    await until(() => bridge.app.server.activeCalls === 1, 3000, 'the call');
    await bridge.app.server.shutdown();
    await c.ended;
    expect(c.hangupReceived).toBe(true);
  });
});
