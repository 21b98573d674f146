// Telephony input → machine events and caller audio (src/session/in/telephony.ts), on fakes.
import { describe, expect, it } from 'vitest';
import { rig, startedCall, TWILIO_START, twilioMedia } from '../fakes.js';

describe('telephony input', () => {
  it('start: the session starts the call, the media call opens in the leg’s format and the AI connects', () => {
    const r = rig();
    r.call.onMessage(Buffer.from(TWILIO_START), false);
    expect(r.trace.eventsOf('session')).toContain('CALL_STARTED');
    expect(r.media().config.telephony).toEqual({ codec: 'mulaw', rate: 8000 });
    expect(r.ai.generation).toBe(1);
    expect(r.call.callId).toBe('CA1');
  });

  it('media: caller audio reaches the media core only while the session captures', () => {
    const r = rig();
    startedCall(r);
    r.call.onMessage(Buffer.from(twilioMedia(160)), false);
    expect(r.media().captureWrites).toEqual([160]);
    r.call.pause();
    r.call.onMessage(Buffer.from(twilioMedia(160)), false);
    expect(r.media().captureWrites).toEqual([160]);
  });

  it('a malformed message is refused and counted by reason; the call goes on', async () => {
    const r = rig();
    startedCall(r);
    r.call.onMessage(Buffer.from('{not json'), false);
    const m = await r.metrics.registry.getSingleMetricAsString('parley_protocol_rejections_total');
    expect(m).toMatch(/reason="bad_json"[^\n]* 1/);
    expect(r.trace.records('telephony', 'rejected')).toHaveLength(1);
    expect(r.call.machineActors.session.getSnapshot().value).not.toBe('closed');
  });

  it('stop: a hang-up; afterwards what the leg sends is dropped and counted as closed', () => {
    const r = rig();
    startedCall(r);
    r.call.onMessage(Buffer.from(JSON.stringify({ event: 'stop', sequenceNumber: '3', streamSid: 'MZ1', stop: { callSid: 'CA1' } })), false);
    expect(r.trace.eventsOf('session')).toContain('HANGUP');
    r.call.onMessage(Buffer.from(twilioMedia(160)), false);
    expect(r.media().captureWrites).toEqual([]);
  });

  it('socket close without stop is a socket error on Twilio, a hang-up on audio-stream', () => {
    const t = rig('twilio');
    startedCall(t);
    t.call.onSocketClose(1006, '');
    expect(t.trace.eventsOf('session')).toContain('SOCKET_ERROR');
    const a = rig('audio-stream');
    a.call.onSocketClose(1000, '');
    expect(a.trace.eventsOf('session')).toContain('HANGUP');
  });

  it('a mark echo reaches the turn machine with its epoch and the item’s heard position', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit({ type: 'output_item_added', gen: 1, responseId: 'r1', itemId: 'item_A' });
    r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(160) });
    const item = r.media().playoutWrites[0]!.tag.item;
    r.media().frames = [{ bytes: Buffer.alloc(160), epoch: 0, item, samples: 160 }];
    r.call.onTick();
    const mark = r.ws.json().find((m) => m['event'] === 'mark') as { mark: { name: string } } | undefined;
    expect(mark).toBeDefined();
    r.call.onMessage(Buffer.from(JSON.stringify({ event: 'mark', sequenceNumber: '4', streamSid: 'MZ1', mark: { name: mark!.mark.name } })), false);
    const echo = r.trace.lines.find((l) => l.src === 'machine' && l.machine === 'turn' && l.event === 'MARK_ECHO');
    expect(echo).toBeDefined();
    expect(r.call.machineActors.turn.getSnapshot().context.mark).toEqual({ itemId: 'item_A', ms: 20 });
  });

  it('no start in time: the call ends as start_timeout', () => {
    const r = rig();
    r.clock.advance(r.config.limits.startTimeoutMs + 1);
    expect(r.trace.eventsOf('session')).toContain('STOP');
    expect(r.ws.closedWith?.reason).toBe('start_timeout');
  });
});
