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
