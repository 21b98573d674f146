// The session machine's effects (src/session/effects/session.ts), on fakes and a manual clock.
import { describe, expect, it } from 'vitest';
import { noticeMs } from '../../../src/session/notice.js';
import { NOTICE_SLACK_MS } from '../../../src/session/effects/session.js';
import { rig, settle, startedCall, TWILIO_START } from '../fakes.js';

describe('session effects', () => {
  it('startAiLink: a media call the core refuses ends the call as error, with 1011', async () => {
    const r = rig();
    r.engine.refuse = true;
    r.call.onMessage(Buffer.from(TWILIO_START), false);
    await settle();
    expect(r.ai.generation).toBe(0);
    expect(r.ws.closedWith?.code).toBe(1011);
  });

  it('startTimer(drainDeadline): shutdown lets the call run until the deadline, then closes it with 1001', () => {
    const r = rig();
    startedCall(r);
    r.call.drain();
    r.clock.advance(r.config.shutdown.drainMs - 1);
    expect(r.ws.closedWith).toBeUndefined();
    r.clock.advance(1);
    expect(r.ws.closedWith?.code).toBe(1001);
  });

  it('playNotice: on give-up the notice is queued in the playout ring; the call ends when it drained', async () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'error', gen: 1, error: { severity: 'fatal', code: 'invalid_api_key', type: 'invalid_request_error', message: 'no' } });
    expect(r.media().playoutWrites).toHaveLength(1);
    r.media().pendingEvents = [{ type: 'drained', tick: 9, epoch: 0, readIndex: r.media().writeIndex }];
    r.call.onTick();
    expect(r.trace.eventsOf('session')).toContain('PLAYOUT_DRAINED');
    await settle();
    expect(r.media().closed).toBe(true);
  });

  it('startTimer(noticeDeadline): a notice that never drains is cut at its bound', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'error', gen: 1, error: { severity: 'fatal', code: 'invalid_api_key', type: 'invalid_request_error', message: 'no' } });
    r.clock.advance(noticeMs() + r.config.media.lookaheadMs + NOTICE_SLACK_MS);
    expect(r.trace.eventsOf('session')).toContain('TIMER_FIRED');
    expect(r.ws.closedWith?.code).toBe(1000);
  });

  it('cleanup: telephony closed once, media released, AI stopped, the end reported with its reason', async () => {
    const r = rig();
    startedCall(r);
    r.call.onSocketClose(1006, '');
    await settle();
    expect(r.media().closed).toBe(true);
    expect(r.trace.eventsOf('session')).toEqual(expect.arrayContaining(['SOCKET_ERROR', 'AI_STOPPED', 'MEDIA_RELEASED']));
    expect(r.call.machineActors.session.getSnapshot().value).toBe('closed');
    expect(r.trace.records('runtime', 'call.ended')[0]?.data).toEqual({ reason: 'socket_error' });
    await new Promise((res) => setImmediate(res));
    await settle();
    expect(r.ended.value).toBe(true);
  });

  it('closeTelephony: an unanswered close is terminated at the backstop', () => {
    const r = rig();
    startedCall(r);
    r.ws.close = (code: number, reason: string) => void (r.ws.closedWith = { code, reason }); // stays open
    r.call.stop();
    expect(r.ws.terminated).toBe(false);
    r.clock.advance(2000);
    expect(r.ws.terminated).toBe(true);
  });
});
