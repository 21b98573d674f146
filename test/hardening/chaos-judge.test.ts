// The chaos bench's verdicts (bench/_chaos-judge.ts) on hand-made traces: a wrong end reason,
// cleanup twice, frames after cleanup and a server-side close without cause must each be caught;
// the right outcomes (including the fatal-error race with a leaving caller) must pass.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/obs/trace.js';
import { aiSpeechReport, explainStaleHeard, judge, summariseTrace, type CallFacts, type FiredFault } from '../../bench/_chaos-judge.js';

const WALL = Date.parse('2025-01-01T00:00:00.000Z');
let seq = 0;
const line = (t: number, src: TraceRecord['src'], event: string, extra: Partial<TraceRecord> = {}): TraceRecord => ({ seq: seq++, t, src, event, ...extra });

function trace(opts: { reason: string; endAt?: number; cleanupTwice?: boolean; framesAfterCleanup?: boolean; backoffAtHangup?: boolean; afterBargeIn?: string[] }): TraceRecord[] {
  seq = 0;
  const end = opts.endAt ?? 5000;
  const lines: TraceRecord[] = [
    line(0, 'runtime', 'trace.start', { data: { version: 1, callId: 'c', protocol: 'twilio', wall: new Date(WALL).toISOString() } }),
    line(1, 'machine', 'CALL_STARTED', { machine: 'session', from: 'connecting', to: 'active.live' }),
    line(2, 'ai', 'session_created', { data: { gen: 1, sessionId: 'sess_7' } }),
    line(10, 'media', 'frames', { data: { epoch: 0, items: ['item_a'] } }),
  ];
  if (opts.afterBargeIn) {
    lines.push(line(100, 'runtime', 'barge_in', { data: { cutoffMs: 0.1, epoch: 1, truncate: { itemId: 'item_a', ms: 80, op: 'truncate' } } }));
    lines.push(line(120, 'media', 'frames', { data: { epoch: 1, items: opts.afterBargeIn } }));
  }
  if (opts.backoffAtHangup) lines.push(line(end - 60, 'machine', 'AI_CLOSE', { machine: 'aiLink', from: 'open', to: 'backoff' }));
  lines.push(line(end - 50, 'telephony', 'stop'));
  lines.push(line(end - 50, 'machine', 'HANGUP', { machine: 'session', from: 'active.live', to: 'draining.stoppingAi', actions: ['beginCleanup', 'closeTelephony', 'stopAiLink'] }));
  if (opts.framesAfterCleanup) lines.push(line(end - 40, 'media', 'frames', { data: { epoch: 0, items: [1] } }));
  lines.push(line(end - 30, 'machine', 'AI_STOPPED', { machine: 'session', to: 'draining.releasingMedia' }));
  if (opts.cleanupTwice) lines.push(line(end - 25, 'machine', 'STOP', { machine: 'session', from: 'draining.releasingMedia', to: 'draining.stoppingAi', actions: ['beginCleanup'] }));
  lines.push(line(end - 10, 'machine', 'MEDIA_RELEASED', { machine: 'session', from: 'draining.releasingMedia', to: 'closed' }));
  lines.push(line(end, 'runtime', 'call.ended', { data: { reason: opts.reason } }));
  lines.push(line(end + 1, 'runtime', 'trace.end', { data: { dropped: 0 } }));
  return lines;
}

describe('the trace-side stale count', () => {
  it('is usable on a whole trace', () => {
    const s = summariseTrace(trace({ reason: 'hangup', afterBargeIn: [] }));
    expect(s).toMatchObject({ staleCountable: true, linesDropped: 0, staleFramesSent: 0 });
  });

  it('fails when trace lines were dropped (declared by trace.end, or a gap in seq) or the trace has no end', () => {
    const declared = trace({ reason: 'hangup', afterBargeIn: [] });
    declared[declared.length - 1] = { ...declared.at(-1)!, data: { dropped: 3 } };
    expect(summariseTrace(declared)).toMatchObject({ staleCountable: false, linesDropped: 3 });
    const gap = trace({ reason: 'hangup', afterBargeIn: ['item_a'] }).filter((l) => !(l.src === 'media' && l.t === 120));
    const s = summariseTrace(gap);
    expect(s).toMatchObject({ staleCountable: false, linesDropped: 1, staleFramesSent: 0 });
    expect(s.problems.some((p) => p.startsWith('stale-frame count unusable'))).toBe(true);
    expect(summariseTrace(trace({ reason: 'hangup' }).slice(0, -1)).staleCountable).toBe(false);
  });
});

const facts = (action: CallFacts['action'], protocol: CallFacts['protocol'] = 'twilio', serverClosed = false): CallFacts => ({
  callId: 'c',
  protocol,
  action,
  serverClosed,
  staleFramesAfterClear: 0,
});

describe('chaos verdicts', () => {
  it('a clean trace has no problems; the session ids and the hang-up in backoff are read from it', () => {
    const s = summariseTrace(trace({ reason: 'hangup', backoffAtHangup: true }));
    expect(s.problems).toEqual([]);
    expect([...s.sessions]).toEqual(['sess_7']);
    expect(s.hungUpInBackoff).toBe(true);
    expect(s.endWall).toBe(WALL + 5000);
    expect(summariseTrace(trace({ reason: 'hangup' })).hungUpInBackoff).toBe(false);
  });

  it('catches cleanup twice (SE2) and frames after cleanup (SE1)', () => {
    expect(summariseTrace(trace({ reason: 'hangup', cleanupTwice: true })).problems.join()).toMatch(/SE2: cleanup began 2 times/);
    expect(summariseTrace(trace({ reason: 'hangup', framesAfterCleanup: true })).problems.join()).toMatch(/SE1: frames sent after cleanup/);
  });

  it('counts frames of an interrupted item sent after its barge-in (BI1), and tells the give-up notice apart', () => {
    const stale = summariseTrace(trace({ reason: 'hangup', afterBargeIn: ['item_a', 'item_a', 'item_b'] }));
    expect(stale.staleFramesSent).toBe(2);
    expect(stale.problems.join()).toMatch(/BI1: 2 frames/);
    const fresh = summariseTrace(trace({ reason: 'ai_gave_up', afterBargeIn: ['parley:notice:3', 'parley:notice:3'] }));
    expect(fresh.staleFramesSent).toBe(0);
    expect(fresh.noticeAfterBargeIn).toBe(true);
    expect(fresh.problems).toEqual([]);
  });

  it('a call hung up by its caller must end as hangup; anything else is wrong', () => {
    const s = summariseTrace(trace({ reason: 'hangup' }));
    expect(judge(facts({ kind: 'script', at: WALL + 4950 }), s, []).ok).toBe(true);
    const wrong = judge(facts({ kind: 'script', at: WALL + 4950 }), summariseTrace(trace({ reason: 'ai_gave_up' })), []);
    expect(wrong).toMatchObject({ ok: false, expected: ['hangup'], got: 'ai_gave_up' });
    // Retryable faults never justify ending the call.
    const retry: FiredFault[] = [{ session: 'sess_7', kind: 'error_retryable', t: WALL + 1000 }];
    expect(judge(facts({ kind: 'script', at: WALL + 4950 }), summariseTrace(trace({ reason: 'ai_gave_up' })), retry).ok).toBe(false);
  });

  it('a socket lost mid-message: socket_error on Twilio, hangup on mod_audio_stream', () => {
    expect(judge(facts({ kind: 'drop', at: WALL + 4950 }), summariseTrace(trace({ reason: 'socket_error' })), []).ok).toBe(true);
    expect(judge(facts({ kind: 'drop', at: WALL + 4950 }, 'audio-stream'), summariseTrace(trace({ reason: 'hangup' })), []).ok).toBe(true);
    expect(judge(facts({ kind: 'drop', at: WALL + 4950 }), summariseTrace(trace({ reason: 'hangup' })), []).ok).toBe(false);
  });

  it('a hang-up whose close handshake the caller gave up on (socket reset): socket_error is right too', () => {
    // chaos-1-134: Parley's event loop ran seconds behind; the caller's stop and close frame sat
    // unread when the caller reset the socket 2 s later, and the reset discards unread data.
    const lost = summariseTrace(trace({ reason: 'socket_error' }));
    expect(judge({ ...facts({ kind: 'script', at: WALL + 4950 }), callerReset: true }, lost, []).ok).toBe(true);
    expect(judge(facts({ kind: 'script', at: WALL + 4950 }), lost, []).ok).toBe(false);
    expect(judge({ ...facts({ kind: 'script', at: WALL + 4950 }), callerReset: true }, summariseTrace(trace({ reason: 'hangup' })), []).ok).toBe(true);
  });

  it('a fatal AI error must end the call by giving up, unless the caller was already leaving', () => {
    const fatal: FiredFault[] = [{ session: 'sess_7', kind: 'error_fatal', t: WALL + 1000 }];
    expect(judge(facts({ kind: 'script', at: undefined }, 'twilio', true), summariseTrace(trace({ reason: 'ai_gave_up' })), fatal).ok).toBe(true);
    // The caller hung up 20 s after the fatal error: the call should have ended long before.
    expect(judge(facts({ kind: 'script', at: WALL + 21_000 }), summariseTrace(trace({ reason: 'hangup', endAt: 21_050 })), fatal).ok).toBe(false);
    // The caller hung up 1 s after it: either ending is right.
    expect(judge(facts({ kind: 'script', at: WALL + 2000 }), summariseTrace(trace({ reason: 'hangup', endAt: 2050 })), fatal).ok).toBe(true);
    // A fatal fault on another call's connection says nothing about this one.
    const elsewhere: FiredFault[] = [{ session: 'sess_8', kind: 'error_fatal', t: WALL + 1000 }];
    expect(judge(facts({ kind: 'script', at: WALL + 4950 }), summariseTrace(trace({ reason: 'hangup' })), elsewhere).ok).toBe(true);
  });

  // A fatal error fired on a socket Parley had already closed (it gave the link up and moved on
  // while the agent was frozen, and the agent's timer fired before it read the close) never
  // reached the live link: the caller's own hang-up is the right ending.
  it('a fatal error fired on a connection Parley had already closed does not decide the ending', () => {
    const fatal: FiredFault[] = [{ session: 'sess_7', kind: 'error_fatal', t: WALL + 1000 }];
    const closedAt = (t: number) => {
      const lines = trace({ reason: 'hangup', endAt: 21_050 });
      lines.splice(3, 0, line(t, 'ai', 'closed', { data: { gen: 1, code: 1006 } }));
      return summariseTrace(lines);
    };
    expect(judge(facts({ kind: 'script', at: WALL + 21_000 }), closedAt(500), fatal).ok).toBe(true);
    // closed 50 ms after it fired: either may have come first — both endings are right
    expect(judge(facts({ kind: 'script', at: WALL + 21_000 }), closedAt(1050), fatal).ok).toBe(true);
    // closed long after it fired: the error reached the live link, so Parley should have given up
    expect(judge(facts({ kind: 'script', at: WALL + 21_000 }), closedAt(3000), fatal).ok).toBe(false);
  });

  // chaos-6-94 (kept trace, load 17): the agent fired the fatal error ≥ 4 s before the caller hung
  // up, but Parley received it 0.4 s after the caller's stop — the caller's end came first.
  it('a fatal error Parley received only after the caller had left does not decide the ending; one received well before does', () => {
    const fatal: FiredFault[] = [{ session: 'sess_7', kind: 'error_fatal', t: WALL + 1000 }];
    const received = (t: number) => {
      const lines = trace({ reason: 'hangup', endAt: 21_050 });
      lines.splice(3, 0, line(t, 'ai', 'error', { data: { gen: 1, severity: 'fatal', code: 'invalid_api_key' } }));
      return summariseTrace(lines.sort((a, b) => a.t - b.t));
    };
    expect(judge(facts({ kind: 'script', at: WALL + 21_000 }), received(21_020), fatal).ok).toBe(true);
    expect(judge(facts({ kind: 'script', at: WALL + 21_000 }), received(1100), fatal)).toMatchObject({ ok: false, expected: ['ai_gave_up'] });
  });

  it('the server closing a call without a give-up is wrong', () => {
    expect(judge(facts({ kind: 'script', at: undefined }, 'twilio', true), summariseTrace(trace({ reason: 'hangup' })), [])).toMatchObject({ ok: false, why: 'the server closed the call' });
  });
});

// chaos-1-795: a caller heard one frame after the clear while still speaking, and the trace had
// no frame of the cut item after the barge-in. The caller counts any agent audio in that window;
// what Parley sent then decides whether it was stale.
describe('audio a caller heard after a clear, matched against what Parley sent', () => {
  const bargeAt = 100;
  const withAfter = (extra: TraceRecord[]): TraceRecord[] => {
    const t = trace({ reason: 'hangup', afterBargeIn: [] });
    const i = t.findIndex((l) => l.event === 'barge_in');
    return [...t.slice(0, i + 1), ...extra, ...t.slice(i + 2)];
  };
  const heard = WALL + 180;

  it('a frame of the cut item is a real stale frame', () => {
    expect(explainStaleHeard(withAfter([line(150, 'media', 'frames', { data: { epoch: 1, items: ['item_a'] } })]), heard)).toBe('cut_response');
  });
  it("a new response's audio (the agent answered a pause in the caller's speech) is new audio", () => {
    expect(explainStaleHeard(withAfter([line(150, 'media', 'frames', { data: { epoch: 1, items: ['item_b'] } })]), heard)).toBe('new_response');
  });
  it('the give-up notice is new audio', () => {
    expect(explainStaleHeard(withAfter([line(150, 'media', 'frames', { data: { epoch: 1, items: ['parley:notice:1'] } })]), heard)).toBe('notice');
  });
  it('the audio-stream silence pad is untagged audio, not excused', () => {
    expect(explainStaleHeard(withAfter([line(150, 'media', 'silence', { data: { ms: 60, epoch: 1 } })]), heard)).toBe('silence_pad');
  });
  it('nothing sent in the window is unexplained (the measurement, not Parley)', () => {
    expect(explainStaleHeard(withAfter([]), heard)).toBe('unexplained');
    // audio sent after the caller heard it cannot explain it
    expect(explainStaleHeard(withAfter([line(bargeAt + 400, 'media', 'frames', { data: { epoch: 1, items: ['item_b'] } })]), heard)).toBe('unexplained');
  });
  // chaos-2-199 (kept trace): an overloaded agent reported the caller's previous turn late, so
  // Parley cleared (barge-in 1) and the agent answered that turn (item_b) while the caller was
  // still speaking; the caller's real barge-in came 270 ms later (barge-in 2). The caller heard
  // item_b 210 ms after the clear, within SLACK_MS of barge-in 2: matched against barge-in 2
  // (the last one before heard + slack), nothing was sent after it — "unexplained". The window
  // starts at the barge-in whose clear the caller saw.
  it('the window starts at the barge-in whose clear the caller saw, not at a later one', () => {
    const t = withAfter([
      line(310, 'media', 'frames', { data: { epoch: 1, items: ['item_b'] } }),
      line(370, 'runtime', 'barge_in', { data: { cutoffMs: 0.1, epoch: 2, truncate: { itemId: 'item_b', ms: 60, op: 'truncate' } } }),
    ]);
    const clearWall = WALL + bargeAt + 3;
    expect(explainStaleHeard(t, WALL + 313, clearWall)).toBe('new_response');
    // and a frame of the cut item in the same window is still caught
    const cut = withAfter([line(310, 'media', 'frames', { data: { epoch: 1, items: ['item_a'] } }), line(370, 'runtime', 'barge_in', { data: { epoch: 2 } })]);
    expect(explainStaleHeard(cut, WALL + 313, clearWall)).toBe('cut_response');
  });
  it('the worst finding wins', () => {
    const both = withAfter([
      line(140, 'media', 'frames', { data: { epoch: 1, items: ['item_b'] } }),
      line(150, 'media', 'frames', { data: { epoch: 1, items: ['item_a'] } }),
    ]);
    expect(explainStaleHeard(both, heard)).toBe('cut_response');
  });
});

// chaos-3-0 (kept trace): the caller barged in at 4.6 s; the overloaded agent reported the speech
// 1.9 s later, after Parley's audio had ended (the turn machine went to userSpeaking, not
// interrupted) — the AI's lateness, not a barge-in Parley ignored.
describe("when the AI reported a barge-in's speech", () => {
  const speech = (t: number, to: string): TraceRecord => line(t, 'machine', 'SPEECH_STARTED', { machine: 'turn', from: 'agentSpeaking', to });
  const withSpeech = (extra: TraceRecord[]) => {
    const t = trace({ reason: 'hangup' });
    return [...t.slice(0, 4), ...extra, ...t.slice(4)];
  };
  it('a report while agent audio was held cuts it', () => {
    expect(aiSpeechReport(withSpeech([speech(400, 'interrupted.speaking')]), WALL + 350)).toEqual({ lagMs: 50, cut: true });
  });
  it('a report after the audio had ended, or none, is the AI late', () => {
    expect(aiSpeechReport(withSpeech([speech(2300, 'userSpeaking')]), WALL + 400)).toEqual({ lagMs: 1900, cut: false });
    expect(aiSpeechReport(withSpeech([]), WALL + 400)).toEqual({ cut: false });
  });
  it('an earlier turn’s report is not this barge-in’s', () => {
    expect(aiSpeechReport(withSpeech([speech(100, 'interrupted.speaking'), speech(900, 'userSpeaking')]), WALL + 600)).toEqual({ lagMs: 300, cut: false });
  });
});
