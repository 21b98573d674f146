// Barge-ins honoured: every attempt is either cleared or counted with a reason.
import { describe, expect, it } from 'vitest';
import { bargeInsHonoured, bargeSteps } from '../../../src/tools/sim/caller/barge-outcomes.js';
import type { BargeInRecord } from '../../../src/tools/sim/caller/types.js';

const barge = (o: Partial<BargeInRecord>): BargeInRecord => ({
  speechStartMs: 1000,
  heardAtSpeechMs: 600,
  heardMs: 600,
  carriedOverMs: 0,
  queuedAtSpeechMs: 60,
  framesBeforeClear: 3,
  speechEnded: true,
  staleFramesAfterClear: 0,
  ...o,
});

describe('barge-ins honoured', () => {
  it('counts attempts, clears, and every attempt without a clear with its reason', () => {
    const r = bargeInsHonoured([
      { callId: 'ok', attempts: 1, report: { bargeIns: [barge({ clearAtMs: 1200, cutoffLatencyMs: 200 })] } },
      { callId: 'timeout', attempts: 1, report: { bargeIns: [], failure: 'barge-in timed out waiting for 400 ms of agent audio (step 4)' } },
      { callId: 'dropped', attempts: 1, report: { bargeIns: [] } },
      { callId: 'lost', attempts: 1, report: undefined },
      { callId: 'empty', attempts: 1, report: { bargeIns: [barge({ queuedAtSpeechMs: 0, framesBeforeClear: 0 })] } },
      { callId: 'cut', attempts: 1, report: { bargeIns: [barge({ speechEnded: false })] } },
      { callId: 'fault', attempts: 1, aiFault: true, report: { bargeIns: [barge({})] } },
      { callId: 'frozen', attempts: 1, agentStopped: true, report: { bargeIns: [barge({})] } },
      { callId: 'late', attempts: 1, aiReportedLate: true, report: { bargeIns: [barge({})] } },
      { callId: 'bad', attempts: 1, aiReportedLate: false, report: { bargeIns: [barge({})] } },
    ]);
    expect(r).toMatchObject({ attempts: 10, started: 7, cleared: 1, notCleared: 9, notHonoured: ['bad'] });
    expect(r.notClearedWhy).toEqual({
      no_agent_audio_to_interrupt: 1,
      call_ended_before_barge_in: 2,
      nothing_left_to_clear: 1,
      call_ended_while_speaking: 1,
      ai_fault: 1,
      agent_stopped: 1,
      ai_reported_late: 1,
      not_honoured: 1,
    });
  });

  it('a run whose barge-ins never happened cannot look clean', () => {
    const r = bargeInsHonoured([{ callId: 'a', attempts: 1, report: { bargeIns: [] } }]);
    expect(r.cleared).toBe(0);
    expect(r.notCleared).toBe(1);
  });

  it('counts barge steps in a script', () => {
    expect(bargeSteps([{ kind: 'say' }, { kind: 'barge' }, { kind: 'listen' }, { kind: 'barge' }])).toBe(2);
  });
});
