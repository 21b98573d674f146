// One call's record in isolation (no sockets): events numbered in call order, tool arguments
// only when asked for, nothing before the call started, call.ended once.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CallRecord } from '../../src/records/callRecord.js';
import { RecordsMetrics } from '../../src/records/metrics.js';
import type { CallEvent } from '../../src/records/index.js';

function record(logToolArguments: boolean) {
  const events: CallEvent[] = [];
  const r = new CallRecord('conn-1', { emit: (e) => events.push(e), metrics: new RecordsMetrics(new Registry()), logToolArguments, pending: new Set(), onError: () => {} });
  return { r, events };
}

describe('CallRecord', () => {
  it('says nothing before the start, then numbers its events and ends once', () => {
    const { r, events } = record(false);
    r.toolCall('early', '{}', 'ok', 1);
    expect(events).toEqual([]);
    r.started({ callId: 'CA1', protocol: 'twilio', streamId: 'MZ1', format: { codec: 'mulaw', rate: 8000 }, profile: 'default' }, 1000);
    r.toolCall('lookup', '{"card":"4111"}', 'ok', 212.4);
    r.drop('capture_full', 2);
    r.ended('hangup', 4000);
    r.ended('stop', 5000);
    expect(events.map((e) => [e.type, e.seq, e.callId])).toEqual([
      ['call.started', 1, 'CA1'],
      ['call.tool', 2, 'CA1'],
      ['call.ended', 3, 'CA1'],
    ]);
    expect(events[1]).toMatchObject({ name: 'lookup', latencyMs: 212, outcome: 'ok' });
    expect(events[1]).not.toHaveProperty('arguments');
    expect(events[2]).toMatchObject({ reason: 'hangup', durationMs: 3000, drops: { capture_full: 2 } });
    expect(new Set(events.map((e) => e.eventId)).size).toBe(3);
  });

  it('includes tool arguments with logToolArguments', () => {
    const { r, events } = record(true);
    r.started({ callId: 'CA2', protocol: 'twilio', streamId: 'MZ2', format: { codec: 'mulaw', rate: 8000 }, profile: 'default' }, 0);
    r.toolCall('lookup', '{"order":"1"}', 'timeout', 5000);
    expect(events[1]).toMatchObject({ type: 'call.tool', arguments: '{"order":"1"}', outcome: 'timeout' });
  });
});

describe('Transcript under random input', () => {
  it('never throws, and every turn it makes is well formed', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 50; run++) {
      const { r, events } = record(false);
      r.started({ callId: `CA${run}`, protocol: 'twilio', streamId: 'MZ', format: { codec: 'mulaw', rate: 8000 }, profile: 'default' }, 0);
      const fmt = { codec: 'pcm16', rate: 24000 } as const;
      let now = 0;
      for (let i = 0; i < 300; i++) {
        now += rnd(40);
        const item = `item_${rnd(4)}`;
        const responseId = `resp_${rnd(3)}`;
        switch (rnd(11)) {
          case 0: r.aiEvent({ type: 'speech_started', gen: 1, audioStartMs: now, itemId: item }, fmt, now); break;
          case 1: r.aiEvent({ type: 'speech_stopped', gen: 1, audioEndMs: now, itemId: item }, fmt, now); break;
          case 2: r.aiEvent({ type: 'input_transcript', gen: 1, itemId: item, transcript: 'hello' }, fmt, now); break;
          case 3: r.aiEvent({ type: 'audio_delta', gen: 1, responseId, itemId: item, contentIndex: 0, audio: Buffer.alloc(960) }, fmt, now); break;
          case 4: r.aiEvent({ type: 'transcript_delta', gen: 1, responseId, itemId: item, delta: 'word ' }, fmt, now); break;
          case 5: r.aiEvent({ type: 'transcript_done', gen: 1, responseId, itemId: item, transcript: 'word word' }, fmt, now); break;
          case 6: r.aiEvent({ type: 'response_done', gen: 1, responseId, status: 'cancelled' }, fmt, now); break;
          case 7: r.aiEvent({ type: 'item_truncated', gen: 1, itemId: item, audioEndMs: rnd(500), ...(rnd(2) ? { heardTranscript: 'word' } : {}) }, fmt, now); break;
          case 8: r.agentFrame(Buffer.alloc(160, 0xff), item, now, 0); break;
          case 9: r.bargeIn(rnd(2) ? { itemId: item, ms: rnd(800) } : null, now); break;
          default: r.playoutDrained(now);
        }
      }
      r.ended('hangup', now + 10);
      const end = events.at(-1)!;
      expect(end.type).toBe('call.ended');
      const turns = events.filter((e) => e.type === 'call.transcript').map((e) => (e as { turn: { startMs: number; endMs: number; heardMs?: number; text: string } }).turn);
      expect(turns).toEqual((end as Extract<CallEvent, { type: 'call.ended' }>).transcript);
      for (const t of turns) {
        expect(t.endMs).toBeGreaterThanOrEqual(t.startMs);
        expect(t.heardMs ?? 0).toBeGreaterThanOrEqual(0);
        expect(typeof t.text).toBe('string');
      }
    }
  });
});
