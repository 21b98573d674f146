// The aiLink machine's effects (src/session/effects/aiLink.ts): connections, backoff, replay.
import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from '../../../machines/aiLink.js';
import { rig, startedCall, TWILIO_START } from '../fakes.js';

describe('aiLink effects', () => {
  it('scheduleReconnect: the delay is the machine module’s backoff with the config and the injected randomness', () => {
    for (const random of [0, 0.25, 0.999]) {
      const r = rig('twilio', { reconnect: { delaysMs: [300, 900], jitter: 0.5 } }, () => random);
      startedCall(r);
      r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
      const scheduled = r.trace.records('runtime', 'reconnect.scheduled')[0]?.data as { delayMs: number; attempt: number };
      const expected = reconnectDelayMs(scheduled.attempt, { delaysMs: [300, 900], jitter: 0.5 }, () => random);
      expect(scheduled.delayMs).toBe(expected);
      r.clock.advance(expected - 1);
      expect(r.ai.generation).toBe(1);
      r.clock.advance(1);
      expect(r.ai.generation).toBe(2);
    }
  });

  it('backoff: a jitter of 0.5 spreads a 300 ms delay over 150..450 ms, never below 0', () => {
    const b = { delaysMs: [300], jitter: 0.5 };
    expect(reconnectDelayMs(0, b, () => 0)).toBe(150);
    expect(reconnectDelayMs(0, b, () => 0.5)).toBe(300);
    expect(reconnectDelayMs(7, b, () => 0.999_999)).toBe(450);
  });

  it('configureSession and replayConversation: the new connection gets the session and the transcript so far', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'input_transcript', gen: 1, itemId: 'u1', transcript: 'where is my order' });
    r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
    r.clock.advance(10_000);
    r.ai.emit({ type: 'session_created', gen: 2, sessionId: 's2' });
    const types = r.ai.sent.map((m) => m['type']);
    expect(types.filter((t) => t === 'session.update')).toHaveLength(2);
    const replay = r.ai.sent.find((m) => m['type'] === 'conversation.item.create') as { item: { content: { text: string }[] } } | undefined;
    expect(replay?.item.content[0]?.text).toBe('where is my order');
  });

  it('dropConnection: the socket is detached first, so its later events are stale', () => {
    const r = rig();
    startedCall(r);
    // A recoverable error leaves the session open (no drop); the socket's close is the loss.
    r.ai.emit({ type: 'error', gen: 1, error: { severity: 'retryable', code: 'server_error', type: 'server_error', message: 'x' } });
    expect(r.ai.closes).toEqual([]);
    r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0, error: { severity: 'retryable', code: 'ECONNRESET', type: 'transport', message: 'x' } });
    expect(r.ai.closes).toContain(1000);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'late' });
    expect(r.trace.records('ai', 'stale')).toHaveLength(1);
  });

  it('flushCaptureBacklog: caller audio buffered before the link opened is sent, in order, when it opens', () => {
    const r = rig();
    r.call.onMessage(Buffer.from(TWILIO_START), false);
    r.media().captured = Buffer.alloc(100);
    r.call.onTick();
    r.media().captured = Buffer.alloc(60);
    r.call.onTick();
    expect(r.ai.appended).toEqual([]);
    r.ai.emit({ type: 'session_created', gen: 1, sessionId: 's' });
    expect(r.ai.appended).toEqual([100, 60]);
  });
});
