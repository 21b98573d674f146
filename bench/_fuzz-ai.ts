// Grammar-aware generators for the AI providers' server events (OpenAI Realtime GA, with the
// beta aliases; ElevenLabs stream-input / multi-stream-input) and fuzz targets over their
// parsers. Besides "never throws", a parser must accept every well-formed event of the grammar
// (no false "ignored"), give typed fields of the right type, and classify the rest with a
// known reason.
import fc from 'fast-check';
import { parseServerEvent } from '../src/ai/openai/server-events.js';
import { parseElevenLabsMessage } from '../src/ai/cascade/tts/elevenlabs/messages.js';
import { badBase64, base64Of, bytes, damageText, hugeString, mutateObject, notAnObjectText, wrongValue, type Json } from './_fuzz-arb.js';
import { check, type FuzzTarget } from './_fuzz-target.js';

/** One server text frame, and whether it is a well-formed event of the grammar. */
export interface EventText {
  readonly text: string;
  readonly valid: boolean;
}

const id = (prefix: string) => fc.string({ minLength: 1, maxLength: 24 }).map((s) => `${prefix}_${s}`);
const ms = fc.nat({ max: 3_600_000 });
const pcm16b64 = bytes(2400, 1).map((b) => Buffer.concat([b, b]).toString('base64')); // even: whole PCM16 samples

const ERROR_CODES = ['invalid_api_key', 'server_error', 'session_expired', 'rate_limit_exceeded', 'response_cancel_not_active', 'item_truncate_invalid_item_id', 'unknown_code'];
const ERROR_TYPES = ['invalid_request_error', 'server_error', 'authentication_error', 'rate_limit_error', 'permission_error'];

const base = { event_id: id('event') };
const withResponse = { response_id: id('resp'), item_id: id('item'), output_index: fc.nat({ max: 3 }), content_index: fc.nat({ max: 3 }) };

const openaiValid: fc.Arbitrary<Record<string, Json>> = fc.oneof(
  fc.record({ type: fc.constant('session.created'), ...base, session: fc.record({ id: id('sess'), object: fc.constant('realtime.session') }) }),
  fc.record({ type: fc.constant('session.updated'), ...base, session: fc.record({ id: id('sess') }) }),
  fc.record({ type: fc.constant('input_audio_buffer.speech_started'), ...base, audio_start_ms: ms, item_id: id('item') }),
  fc.record({ type: fc.constant('input_audio_buffer.speech_stopped'), ...base, audio_end_ms: ms, item_id: id('item') }),
  fc.record({ type: fc.constant('input_audio_buffer.committed'), ...base, item_id: id('item'), previous_item_id: fc.option(id('item')) }),
  fc.record({ type: fc.constant('response.created'), ...base, response: fc.record({ id: id('resp'), status: fc.constant('in_progress') }) }),
  fc.record({ type: fc.constant('response.output_item.added'), ...base, response_id: id('resp'), output_index: fc.nat({ max: 3 }), item: fc.record({ id: id('item'), type: fc.constant('message') }) }),
  fc.record({ type: fc.constantFrom('response.output_audio.delta', 'response.audio.delta'), ...base, ...withResponse, delta: pcm16b64 }),
  fc.record({ type: fc.constantFrom('response.output_audio.done', 'response.audio.done'), ...base, ...withResponse }),
  fc.record({ type: fc.constantFrom('response.output_audio_transcript.delta', 'response.audio_transcript.delta'), ...base, ...withResponse, delta: fc.string({ maxLength: 40 }) }),
  fc.record({ type: fc.constantFrom('response.output_audio_transcript.done', 'response.audio_transcript.done'), ...base, ...withResponse, transcript: fc.string({ maxLength: 80 }) }),
  fc.record({
    type: fc.constant('response.done'),
    ...base,
    response: fc.record({
      id: id('resp'),
      status: fc.constantFrom('completed', 'cancelled', 'failed', 'incomplete'),
      status_details: fc.option(fc.record({ reason: fc.constantFrom('turn_detected', 'client_cancelled', 'max_output_tokens') }), { nil: null }),
    }),
  }),
  fc.record({ type: fc.constant('conversation.item.truncated'), ...base, item_id: id('item'), content_index: fc.constant(0), audio_end_ms: ms }),
  fc.record({ type: fc.constant('conversation.item.input_audio_transcription.completed'), ...base, item_id: id('item'), content_index: fc.constant(0), transcript: fc.string({ maxLength: 80 }) }),
  fc.record({
    type: fc.constant('rate_limits.updated'),
    ...base,
    rate_limits: fc.array(fc.record({ name: fc.constantFrom('requests', 'tokens'), limit: fc.nat(), remaining: fc.nat(), reset_seconds: fc.double({ min: 0, max: 60, noNaN: true }) }), { maxLength: 3 }),
  }),
  fc.record({
    type: fc.constant('error'),
    ...base,
    error: fc.record({ type: fc.constantFrom(...ERROR_TYPES), code: fc.constantFrom(...ERROR_CODES), message: fc.string({ maxLength: 60 }), param: fc.option(fc.constantFrom('session.voice', 'item_id'), { nil: null }), event_id: fc.option(id('evt'), { nil: null }) }),
  }),
  fc.record({ type: fc.constantFrom('conversation.item.added', 'conversation.item.done', 'output_audio_buffer.started', 'response.content_part.added', 'input_audio_buffer.cleared'), ...base }),
) as fc.Arbitrary<Record<string, Json>>;

const AI_EVENT_TYPES = new Set([
  'session_created', 'session_updated', 'speech_started', 'speech_stopped', 'input_committed', 'response_created', 'output_item_added',
  'audio_delta', 'audio_done', 'transcript_delta', 'transcript_done', 'input_transcript', 'response_done', 'item_truncated', 'rate_limits', 'error', 'ignored',
]);

export const openaiEvent: fc.Arbitrary<EventText> = fc.oneof(
  { arbitrary: openaiValid.map((o) => ({ text: JSON.stringify(o), valid: true })), weight: 5 },
  { arbitrary: mutateObject(openaiValid).map((o) => ({ text: JSON.stringify(o), valid: false })), weight: 4 },
  { arbitrary: damageText(openaiValid.map((o) => JSON.stringify(o))).map((text) => ({ text, valid: false })), weight: 2 },
  {
    arbitrary: fc.tuple(badBase64, id('resp'), id('item')).map(([delta, r, i]) => ({ text: JSON.stringify({ type: 'response.output_audio.delta', response_id: r, item_id: i, delta }), valid: false })),
    weight: 2,
  },
  { arbitrary: notAnObjectText.map((text) => ({ text, valid: false })), weight: 1 },
  { arbitrary: fc.tuple(fc.string({ maxLength: 30 }), wrongValue).map(([type, v]) => ({ text: JSON.stringify({ type, delta: v, response: v }), valid: false })), weight: 1 },
  { arbitrary: hugeString(1000, 200_000).map((s) => ({ text: JSON.stringify({ type: 'response.output_audio_transcript.delta', response_id: 'r', item_id: 'i', delta: s }), valid: true })), weight: 1 },
);

const isStr = (v: unknown) => typeof v === 'string';
const isNum = (v: unknown) => typeof v === 'number' && Number.isFinite(v);

export const openaiTarget: FuzzTarget<EventText[]> = {
  protocol: 'openai',
  arbitrary: fc.array(openaiEvent, { minLength: 1, maxLength: 6 }),
  run(events) {
    const labels: string[] = [];
    for (const e of events) {
      const gen = 7;
      const ev = parseServerEvent(e.text, gen);
      if (ev === undefined) {
        labels.push('unused');
        continue;
      }
      check(AI_EVENT_TYPES.has(ev.type) && ev.gen === gen, `unexpected event ${ev.type} gen ${ev.gen}`);
      if (ev.type === 'ignored') {
        check(['bad_json', 'bad_shape', 'unknown_type'].includes(ev.why) && isStr(ev.serverType), `ignored with why '${ev.why}'`);
        check(!e.valid, () => `a well-formed event was ignored (${ev.why}): ${e.text.slice(0, 200)}`);
        labels.push(`ignored:${ev.why}`);
        continue;
      }
      const o = ev as unknown as Record<string, unknown>;
      for (const k of ['responseId', 'itemId', 'sessionId', 'delta', 'transcript']) if (k in o) check(isStr(o[k]), `${ev.type}.${k} is not a string`);
      for (const k of ['audioStartMs', 'audioEndMs', 'contentIndex']) if (k in o) check(isNum(o[k]), `${ev.type}.${k} is not a finite number`);
      if (ev.type === 'audio_delta') check(Buffer.isBuffer(ev.audio) && ev.audio.length > 0, 'audio delta without audio');
      if (ev.type === 'error') check(['fatal', 'retryable', 'benign'].includes(ev.error.severity) && isStr(ev.error.code), 'error without a severity or code');
      labels.push(`accepted:${ev.type}`);
    }
    return labels;
  },
};

// ---- ElevenLabs ------------------------------------------------------------------------------

const alignment = fc.record({
  chars: fc.array(fc.constantFrom('H', 'i', ' ', '.', 'é'), { maxLength: 12 }),
  charStartTimesMs: fc.array(fc.nat({ max: 5000 }), { maxLength: 12 }),
  charDurationsMs: fc.array(fc.nat({ max: 200 }), { maxLength: 12 }),
});
const ctx = fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined });

const elevenValid: fc.Arbitrary<Record<string, Json>> = fc.oneof(
  fc.record({ audio: base64Of(4800), isFinal: fc.constantFrom<Json>(null, false), normalizedAlignment: fc.option(alignment, { nil: null }), alignment: fc.option(alignment, { nil: null }), contextId: ctx }, { requiredKeys: ['audio'] }),
  fc.record({ audio: base64Of(4800), is_final: fc.constant(false), normalized_alignment: alignment, context_id: ctx }, { requiredKeys: ['audio'] }),
  fc.record({ isFinal: fc.constant(true), contextId: ctx }, { requiredKeys: ['isFinal'] }),
  fc.record({ is_final: fc.constant(true), context_id: ctx }, { requiredKeys: ['is_final'] }),
  fc.record({ error: fc.constantFrom('input_timeout_exceeded', 'quota_exceeded', 'invalid_api_key'), message: fc.string({ maxLength: 60 }) }),
) as fc.Arbitrary<Record<string, Json>>;

export const elevenLabsEvent: fc.Arbitrary<EventText> = fc.oneof(
  { arbitrary: elevenValid.map((o) => ({ text: JSON.stringify(o), valid: true })), weight: 5 },
  { arbitrary: mutateObject(elevenValid).map((o) => ({ text: JSON.stringify(o), valid: false })), weight: 4 },
  { arbitrary: damageText(elevenValid.map((o) => JSON.stringify(o))).map((text) => ({ text, valid: false })), weight: 2 },
  { arbitrary: badBase64.map((audio) => ({ text: JSON.stringify({ audio, isFinal: null }), valid: false })), weight: 2 },
  { arbitrary: notAnObjectText.map((text) => ({ text, valid: false })), weight: 1 },
  { arbitrary: hugeString(1000, 200_000).map((s) => ({ text: JSON.stringify({ error: 'x', message: s }), valid: true })), weight: 1 },
);

export const elevenLabsTarget: FuzzTarget<EventText[]> = {
  protocol: 'elevenlabs',
  arbitrary: fc.array(elevenLabsEvent, { minLength: 1, maxLength: 6 }),
  run(events) {
    const labels: string[] = [];
    for (const e of events) {
      const out = parseElevenLabsMessage(e.text);
      check(Array.isArray(out) && out.length >= 1 && out.length <= 2, 'a frame yields one or two messages');
      for (const m of out) {
        switch (m.kind) {
          case 'audio':
            check(Buffer.isBuffer(m.audio) && m.audio.length > 0, 'audio message without audio');
            check(m.alignedChars === undefined || (Number.isInteger(m.alignedChars) && m.alignedChars >= 0), 'alignedChars not a count');
            check(m.contextId === undefined || isStr(m.contextId), 'contextId not a string');
            break;
          case 'final':
            check(m.contextId === undefined || isStr(m.contextId), 'contextId not a string');
            break;
          case 'error':
            check(isStr(m.code) && isStr(m.message), 'error without code/message');
            break;
          case 'ignored':
            check(['bad_json', 'bad_shape', 'bad_audio'].includes(m.why), `ignored with why '${m.why}'`);
            check(!e.valid, () => `a well-formed message was ignored (${m.why}): ${e.text.slice(0, 200)}`);
            break;
          default:
            check(false, 'unknown message kind');
        }
        labels.push(m.kind === 'ignored' ? `ignored:${m.why}` : `accepted:${m.kind}`);
      }
    }
    return labels;
  },
};
