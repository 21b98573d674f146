// The fleet's verdicts from recorded calls, HAProxy log lines and drains: where calls landed,
// refused vs cut, and cuts split by the drain deadline.
import { describe, expect, it } from 'vitest';
import { analyse } from '../../src/tools/fleet/analyse.js';
import type { CallRecord } from '../../src/tools/fleet/calls.js';
import type { LbLogLine } from '../../src/tools/fleet/haproxy.js';
import type { DrainRecord } from '../../src/tools/fleet/instance.js';

function call(id: string, connectedAt: number | undefined, endedAt: number, failure?: string, lateness: number[] = [20]): CallRecord {
  return {
    id,
    protocol: 'twilio',
    startedAt: (connectedAt ?? endedAt) - 5,
    connectedAt,
    endedAt,
    lateness,
    report: {
      callId: id,
      protocol: 'twilio',
      ok: failure === undefined,
      ...(failure ? { failure } : {}),
      durationMs: 0,
      ticksSkipped: 0,
      observedLeadMs: 0,
      framesSent: 0,
      framesReceived: 0,
      agentAudioMs: 0,
      heardMs: 0,
      lateness: { count: 0, p50: 0, p99: 0, max: 0 },
      underruns: 0,
      underrunMs: 0,
      betweenResponses: { count: 0, afterCallerTurn: 0, afterClear: 0, unprompted: 0, gapMs: { count: 0, p50: 0, p99: 0, max: 0 } },
      marksSent: 0,
      marksEchoed: 0,
      clears: 0,
      alignmentLossMs: 0,
      overflowDropMs: 0,
      protocolErrors: 0,
      turns: [],
      bargeIns: [],
    },
  };
}
const line = (id: string, server: string, status = 101, retries = 0): LbLogLine => ({
  at: 0,
  client: 'c',
  method: 'GET',
  uri: `/twilio?fleet=${id}`,
  backend: 'parley',
  server,
  status,
  retries,
});
const drain = (instance: string, signalAt: number): DrainRecord => ({ instance, callsAtSignal: 0, signalAt, drainMs: 1, exitMs: 1, exitCode: 0, forceClosed: 0 });

describe('fleet analysis', () => {
  const calls = [
    call('a', 0, 100), // on p1, live at its drain (50), completed
    call('b', 10, 60, 'server closed the call (1011) during step 2/3'), // on p1, cut 10 ms after the signal
    call('c', 10, 2000, 'server closed the call (1001) during step 2/3'), // on p1, cut 1950 ms after: past a 1000 ms deadline
    call('d', 70, 120, 'server closed the call (1011) during step 1/3'), // on p2, no drain around it
    call('e', undefined, 80, 'refused: HTTP 503'),
    call('f', 60, 300, undefined, [10, 500]), // on p2 after a retry, outside the roll window
  ];
  const lines = [line('a', 'p1'), line('b', 'p1'), line('c', 'p1'), line('d', 'p2'), line('e', 'p1', 503), line('f', 'p1', 503), line('f', 'p2', 101, 1), line('x', 'p2')];
  const r = analyse({ calls, lbLines: lines, drains: [drain('p1', 50)], drainDeadlineMs: 1000, rollStart: 40, rollEnd: 55 });

  it('counts calls per instance from the 101 answers only', () => {
    expect(r.callsPerInstance).toEqual({ p1: 3, p2: 3 });
    expect(r.retriedUpgrades).toBe(1);
  });

  it('separates refused, cut within the deadline, cut after it, and other cuts', () => {
    expect(r.completed).toBe(2);
    expect(r.refused).toBe(1);
    expect(r.refusedReasons).toEqual({ 'refused: HTTP 503': 1 });
    expect(r.cut).toBe(3);
    expect(r.cutWithinDrainDeadline).toEqual([{ id: 'b', instance: 'p1', failure: calls[1]!.report.failure, afterSignalMs: 10 }]);
    expect(r.cutAfterDrainDeadline.map((c) => [c.id, c.afterSignalMs])).toEqual([['c', 1950]]);
    expect(r.cutOther.map((c) => c.id)).toEqual(['d']);
  });

  it('lists the calls live at each drain and how many completed', () => {
    expect(r.drainWindows).toEqual([{ instance: 'p1', liveCalls: 3, completed: 1 }]);
  });

  it('takes lateness during the roll only from calls live in the roll window', () => {
    expect(r.latenessDuringRoll.count).toBe(3); // a, b, c (f connected after the roll ended)
    expect(r.latenessAll.count).toBe(7); // one sample per call, two for f
    expect(r.latenessAll.max).toBe(500);
  });
});
