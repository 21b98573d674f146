// The session on an unflushable far side (AudioSocket): the lead is one frame plus the jitter
// margin, a barge-in sends the leg nothing, the truncate point is delivered − lead, the
// leg's hang-up and close end the call, malformed input is counted and the call goes on.
import { describe, expect, it } from 'vitest';
import { KIND, message, uuidBytes } from '../../src/telephony/audiosocket/wire.js';
import { rig, type Rig } from './fakes.js';

const UUID = '40325ec2-5efd-4bd3-805f-53576e581d13';

function started(r: Rig): void {
  r.call.onMessage(message(KIND.uuid, uuidBytes(UUID)), true);
  r.ai.emit({ type: 'session_created', gen: r.ai.generation, sessionId: 'sess_1' });
}

/** The agent speaks: one delta (500 ms); per 20 ms tick, that many 20 ms frames leave. */
function speak(r: Rig, perTick: readonly number[]): number {
  r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
  r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(24_000, 1) });
  const item = r.media().playoutWrites[0]!.tag.item;
  for (const n of perTick) {
    r.media().frames = Array.from({ length: n }, () => ({ bytes: Buffer.alloc(320, 1), epoch: 0, item, samples: r.media().config.ai.rate / 50 }));
    r.call.onTick();
    r.clock.advance(20);
  }
  return item;
}

const binary = (r: Rig) => r.ws.sent.filter((m): m is Buffer => Buffer.isBuffer(m));

describe('unflushable far side (AudioSocket)', () => {
  it('leads by one frame plus the jitter margin, not the lookahead', () => {
    const r = rig('audiosocket', { media: { lookaheadMs: 160 }, telephony: { unflushableJitterMs: 30 } });
    started(r);
    expect(r.media().config.lookaheadMs).toBe(50);
  });

  it('with a wake-up every N ticks, leads by N frames plus the margin (N frames leave per wake-up)', () => {
    const r = rig('audiosocket', { media: { lookaheadMs: 160, wakeEveryTicks: 2 }, telephony: { unflushableJitterMs: 30 } });
    started(r);
    expect(r.media().config.lookaheadMs).toBe(70);
  });

  it('agent frames leave as slin messages, with no marks', () => {
    const r = rig('audiosocket');
    started(r);
    speak(r, [1, 1, 1]);
    expect(binary(r).map((b) => b[0])).toEqual([KIND.slin, KIND.slin, KIND.slin]);
    expect(r.ws.sent.filter((m) => typeof m === 'string')).toEqual([]);
  });

  it('barge-in: nothing is sent to the leg, the core is flushed, truncate at delivered − lead', () => {
    const r = rig('audiosocket');
    started(r);
    // Two frames at t=0 (the lead: 40 ms), then one per 20 ms tick: 220 ms delivered by t=180.
    speak(r, [2, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const before = r.ws.sent.length;
    r.clock.advance(10); // t=210: 10 ms of the last frame still to play
    r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_1' });
    expect(r.ws.sent.length, 'no clear exists: nothing goes to the leg').toBe(before);
    expect(r.media().flushes).toEqual([1]);
    const t = r.ai.sent.find((m) => m['type'] === 'conversation.item.truncate');
    // delivered 220 ms; the caller heard 210 by now; the rest (≤ the lead) still plays.
    expect(t).toMatchObject({ item_id: 'item_A', audio_end_ms: 210 });
  });

  it("the leg's hang-up message ends the call as a hang-up", async () => {
    const r = rig('audiosocket');
    started(r);
    r.call.onMessage(message(KIND.hangup), true);
    await r.call.ended;
    expect(await r.metrics.registry.getSingleMetricAsString('parley_calls_ended_total')).toMatch(/protocol="audiosocket",reason="hangup"[^\n]* 1/);
  });

  it('a close is a hang-up (socket closure is enough); Parley ending the call says goodbye with 0x00', async () => {
    const a = rig('audiosocket');
    started(a);
    a.call.onSocketClose(1000, '');
    await a.call.ended;
    expect(await a.metrics.registry.getSingleMetricAsString('parley_calls_ended_total')).toMatch(/reason="hangup"[^\n]* 1/);
    const b = rig('audiosocket');
    started(b);
    b.call.drain();
    b.clock.advance(b.config.shutdown.drainMs + 1);
    await b.call.ended;
    expect(binary(b).at(-1)).toEqual(Buffer.from([0, 0, 0]));
    expect(b.ws.closedWith).toBeDefined();
  });

  it('malformed input is counted and the call goes on', async () => {
    const r = rig('audiosocket');
    started(r);
    r.call.onMessage(Buffer.from([0x10, 0, 3, 1, 2, 3]), true);
    r.call.onMessage(message(0x42), true);
    expect(r.ws.closedWith).toBeUndefined();
    const m = await r.metrics.registry.getSingleMetricAsString('parley_protocol_rejections_total');
    expect(m).toMatch(/protocol="audiosocket",reason="odd_length_pcm"[^\n]* 1/);
    expect(m).toMatch(/protocol="audiosocket",reason="unknown_message"[^\n]* 1/);
  });
});
