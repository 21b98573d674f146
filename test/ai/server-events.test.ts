import { describe, expect, it } from 'vitest';
import { parseServerEvent } from '../../src/ai/openai/server-events.js';
import { classifyClose, classifyHandshakeStatus, classifyServerError } from '../../src/ai/openai/errors.js';

const parse = (o: unknown) => parseServerEvent(typeof o === 'string' ? o : JSON.stringify(o), 7);
const ids = { response_id: 'resp_1', item_id: 'item_1', output_index: 0, content_index: 0 };

describe('server event parsing', () => {
  it('maps GA names and the beta aliases to the same adapter events', () => {
    const audio = Buffer.from([1, 2, 3, 4]).toString('base64');
    for (const type of ['response.output_audio.delta', 'response.audio.delta']) {
      const e = parse({ type, ...ids, delta: audio });
      expect(e).toMatchObject({ type: 'audio_delta', gen: 7, responseId: 'resp_1', itemId: 'item_1', contentIndex: 0 });
      expect(e?.type === 'audio_delta' && [...e.audio]).toEqual([1, 2, 3, 4]);
    }
    for (const type of ['response.output_audio_transcript.delta', 'response.audio_transcript.delta']) {
      expect(parse({ type, ...ids, delta: 'hi' })).toEqual({ type: 'transcript_delta', gen: 7, responseId: 'resp_1', itemId: 'item_1', delta: 'hi' });
    }
    for (const type of ['response.output_audio.done', 'response.audio.done']) expect(parse({ type, ...ids })?.type).toBe('audio_done');
    for (const type of ['response.output_audio_transcript.done', 'response.audio_transcript.done']) {
      expect(parse({ type, ...ids, transcript: 'hello' })).toMatchObject({ type: 'transcript_done', transcript: 'hello' });
    }
  });

  it('reads the response lifecycle, VAD, truncation and rate limits', () => {
    expect(parse({ type: 'session.created', session: { id: 'sess_9' } })).toEqual({ type: 'session_created', gen: 7, sessionId: 'sess_9' });
    expect(parse({ type: 'input_audio_buffer.speech_started', audio_start_ms: 120, item_id: 'u1' })).toEqual({ type: 'speech_started', gen: 7, audioStartMs: 120, itemId: 'u1' });
    expect(parse({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 900, item_id: 'u1' })).toEqual({ type: 'speech_stopped', gen: 7, audioEndMs: 900, itemId: 'u1' });
    expect(parse({ type: 'response.created', response: { id: 'r1', status: 'in_progress' } })).toEqual({ type: 'response_created', gen: 7, responseId: 'r1' });
    expect(parse({ type: 'response.output_item.added', response_id: 'r1', item: { id: 'a1' } })).toEqual({ type: 'output_item_added', gen: 7, responseId: 'r1', itemId: 'a1' });
    expect(parse({ type: 'response.done', response: { id: 'r1', status: 'cancelled', status_details: { type: 'cancelled', reason: 'turn_detected' } } })).toEqual({
      type: 'response_done',
      gen: 7,
      responseId: 'r1',
      status: 'cancelled',
      reason: 'turn_detected',
    });
    expect(parse({ type: 'conversation.item.truncated', item_id: 'a1', content_index: 0, audio_end_ms: 640 })).toEqual({ type: 'item_truncated', gen: 7, itemId: 'a1', audioEndMs: 640 });
    expect(parse({ type: 'rate_limits.updated', rate_limits: [{ name: 'tokens', limit: 10, remaining: 5, reset_seconds: 1.5 }] })).toEqual({
      type: 'rate_limits',
      gen: 7,
      limits: [{ name: 'tokens', limit: 10, remaining: 5, resetSeconds: 1.5 }],
    });
    expect(parse({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', transcript: 'hola' })).toMatchObject({ type: 'input_transcript', transcript: 'hola' });
  });

  it('classifies error events and echoes their event ids', () => {
    expect(parse({ type: 'error', error: { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'm', param: null, event_id: 'evt_3' } })).toEqual({
      type: 'error',
      gen: 7,
      error: { severity: 'benign', code: 'response_cancel_not_active', type: 'invalid_request_error', message: 'm', eventId: 'evt_3' },
    });
    expect(classifyServerError('invalid_request_error', 'session_expired', undefined)).toBe('retryable');
    expect(classifyServerError('invalid_request_error', 'invalid_api_key', undefined)).toBe('fatal');
    expect(classifyServerError('server_error', 'whatever', undefined)).toBe('retryable');
    expect(classifyServerError('invalid_request_error', 'invalid_value', 'session.audio.output.voice')).toBe('fatal');
    expect(classifyServerError('invalid_request_error', 'invalid_value', 'audio_end_ms')).toBe('benign');
    expect(classifyServerError('authentication_error', 'x', undefined)).toBe('fatal');
    expect([401, 403, 404, 400].map(classifyHandshakeStatus)).toEqual(['fatal', 'fatal', 'fatal', 'fatal']);
    expect([429, 500, 503, 408].map(classifyHandshakeStatus)).toEqual(['retryable', 'retryable', 'retryable', 'retryable']);
    expect([1000, 1001, 1006, 1011].map(classifyClose)).toEqual(['retryable', 'retryable', 'retryable', 'retryable']);
    expect([1008, 4000].map(classifyClose)).toEqual(['fatal', 'fatal']);
  });

  it('never throws on junk: bad JSON, bad shapes, bad base64, unknown types; known unused types yield nothing', () => {
    expect(parse('{nope')).toEqual({ type: 'ignored', gen: 7, serverType: '', why: 'bad_json' });
    expect(parse([1])).toMatchObject({ why: 'bad_shape' });
    expect(parse({ type: 'response.output_audio.delta', ...ids, delta: '!!' })).toMatchObject({ type: 'ignored', serverType: 'response.output_audio.delta', why: 'bad_shape' });
    expect(parse({ type: 'response.output_audio.delta', delta: 'AAAA' })).toMatchObject({ why: 'bad_shape' });
    expect(parse({ type: 'input_audio_buffer.speech_started', item_id: 'u' })).toMatchObject({ why: 'bad_shape' });
    expect(parse({ type: 'response.done', response: { id: 'r', status: 'exploded' } })).toMatchObject({ why: 'bad_shape' });
    expect(parse({ type: 'error', error: 'x' })).toMatchObject({ why: 'bad_shape' });
    expect(parse({ type: 'brand.new.event' })).toEqual({ type: 'ignored', gen: 7, serverType: 'brand.new.event', why: 'unknown_type' });
    expect(parse({ type: 'conversation.item.added', item: {} })).toBeUndefined();
    expect(parse({ type: 'response.content_part.added' })).toBeUndefined();
  });
});
