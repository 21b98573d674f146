// Server → client events of OpenAI Realtime (docs/reference/openai-realtime.md#server-events) →
// typed adapter events. GA names, plus the beta aliases peers still meet: response.audio.*,
// response.audio_transcript.*. Known events Parley has no use for yield nothing; unknown or
// malformed ones yield 'ignored'.
import type { AiEvent, RateLimit, ResponseStatus } from '../types.js';
import { decodeBase64, isRecord, parseJson } from '../../base/wire.js';
import { classifyServerError } from './errors.js';

type Obj = Record<string, unknown>;

const AUDIO_DELTA = new Set(['response.output_audio.delta', 'response.audio.delta']);
const AUDIO_DONE = new Set(['response.output_audio.done', 'response.audio.done']);
const TRANSCRIPT_DELTA = new Set(['response.output_audio_transcript.delta', 'response.audio_transcript.delta']);
const TRANSCRIPT_DONE = new Set(['response.output_audio_transcript.done', 'response.audio_transcript.done']);
const KNOWN_UNUSED = new Set([
  'conversation.created',
  'conversation.item.created',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.deleted',
  'conversation.item.retrieved',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.segment',
  'conversation.item.input_audio_transcription.failed',
  'input_audio_buffer.cleared',
  'input_audio_buffer.timeout_triggered',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.function_call_arguments.delta',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'output_audio_buffer.cleared',
  'transcription_session.updated',
]);
const TEXT_DELTA = new Set(['response.output_text.delta', 'response.text.delta']);
const TEXT_DONE = new Set(['response.output_text.done', 'response.text.done']);
const STATUSES = new Set<ResponseStatus>(['completed', 'cancelled', 'failed', 'incomplete']);

const s = (o: Obj, k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
const n = (o: Obj, k: string): number | undefined => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : undefined);
/** A response's metadata (string values only, at most 16 keys as the API allows), or undefined. */
function stringRecord(v: unknown): Readonly<Record<string, string>> | undefined {
  if (!isRecord(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v).slice(0, 16)) if (typeof x === 'string') out[k] = x;
  return out;
}

/** Parse one text frame from the server. Never throws. */
export function parseServerEvent(text: string, gen: number): AiEvent | undefined {
  const parsed = parseJson(text);
  if (!parsed.ok) return { type: 'ignored', gen, serverType: '', why: 'bad_json' };
  const ev = parsed.value;
  if (!isRecord(ev) || typeof ev['type'] !== 'string') return { type: 'ignored', gen, serverType: '', why: 'bad_shape' };
  const type = ev['type'];
  const bad: AiEvent = { type: 'ignored', gen, serverType: type, why: 'bad_shape' };
  const responseId = s(ev, 'response_id');
  const itemId = s(ev, 'item_id');

  if (AUDIO_DELTA.has(type)) {
    const delta = s(ev, 'delta');
    const audio = delta === undefined ? undefined : decodeBase64(delta);
    // An empty delta carries no audio: taken, it would make the agent "speak" with nothing to play.
    if (!audio || audio.length === 0 || responseId === undefined || itemId === undefined) return bad;
    return { type: 'audio_delta', gen, responseId, itemId, contentIndex: n(ev, 'content_index') ?? 0, audio };
  }
  if (AUDIO_DONE.has(type)) {
    return responseId !== undefined && itemId !== undefined ? { type: 'audio_done', gen, responseId, itemId } : bad;
  }
  if (TRANSCRIPT_DELTA.has(type)) {
    const delta = s(ev, 'delta');
    return responseId !== undefined && itemId !== undefined && delta !== undefined ? { type: 'transcript_delta', gen, responseId, itemId, delta } : bad;
  }
  if (TRANSCRIPT_DONE.has(type)) {
    const transcript = s(ev, 'transcript') ?? '';
    return responseId !== undefined && itemId !== undefined ? { type: 'transcript_done', gen, responseId, itemId, transcript } : bad;
  }
  if (TEXT_DELTA.has(type)) {
    const delta = s(ev, 'delta');
    return responseId !== undefined && itemId !== undefined && delta !== undefined ? { type: 'text_delta', gen, responseId, itemId, delta } : bad;
  }
  if (TEXT_DONE.has(type)) {
    return responseId !== undefined && itemId !== undefined ? { type: 'text_done', gen, responseId, itemId, text: s(ev, 'text') ?? '' } : bad;
  }
  switch (type) {
    case 'session.created': {
      const session = isRecord(ev['session']) ? ev['session'] : {};
      return { type: 'session_created', gen, sessionId: s(session, 'id') ?? '' };
    }
    case 'session.updated':
      return { type: 'session_updated', gen };
    case 'input_audio_buffer.speech_started': {
      const ms = n(ev, 'audio_start_ms');
      return ms !== undefined && itemId !== undefined ? { type: 'speech_started', gen, audioStartMs: ms, itemId } : bad;
    }
    case 'input_audio_buffer.speech_stopped': {
      const ms = n(ev, 'audio_end_ms');
      return ms !== undefined && itemId !== undefined ? { type: 'speech_stopped', gen, audioEndMs: ms, itemId } : bad;
    }
    case 'input_audio_buffer.committed':
      return itemId !== undefined ? { type: 'input_committed', gen, itemId } : bad;
    case 'response.created': {
      const id = isRecord(ev['response']) ? s(ev['response'], 'id') : undefined;
      const metadata = isRecord(ev['response']) ? stringRecord(ev['response']['metadata']) : undefined;
      return id !== undefined ? { type: 'response_created', gen, responseId: id, ...(metadata ? { metadata } : {}) } : bad;
    }
    case 'response.output_item.added': {
      const id = isRecord(ev['item']) ? s(ev['item'], 'id') : undefined;
      return id !== undefined && responseId !== undefined ? { type: 'output_item_added', gen, responseId, itemId: id } : bad;
    }
    case 'response.done':
      return responseDone(ev, gen) ?? bad;
    case 'response.function_call_arguments.done': {
      const callId = s(ev, 'call_id');
      const name = s(ev, 'name');
      const args = s(ev, 'arguments');
      if (callId === undefined || name === undefined || args === undefined || responseId === undefined || itemId === undefined) return bad;
      return { type: 'function_call', gen, responseId, itemId, callId, name, arguments: args };
    }
    case 'conversation.item.truncated': {
      const ms = n(ev, 'audio_end_ms');
      return itemId !== undefined && ms !== undefined ? { type: 'item_truncated', gen, itemId, audioEndMs: ms } : bad;
    }
    case 'conversation.item.input_audio_transcription.completed':
      return itemId !== undefined ? { type: 'input_transcript', gen, itemId, transcript: s(ev, 'transcript') ?? '' } : bad;
    case 'rate_limits.updated':
      return rateLimits(ev, gen) ?? bad;
    case 'error':
      return serverError(ev, gen) ?? bad;
    default:
      return KNOWN_UNUSED.has(type) ? undefined : { type: 'ignored', gen, serverType: type, why: 'unknown_type' };
  }
}

function responseDone(ev: Obj, gen: number): AiEvent | undefined {
  const r = ev['response'];
  if (!isRecord(r)) return undefined;
  const id = s(r, 'id');
  const status = s(r, 'status') as ResponseStatus | undefined;
  if (id === undefined || status === undefined || !STATUSES.has(status)) return undefined;
  const details = isRecord(r['status_details']) ? r['status_details'] : {};
  const reason = s(details, 'reason');
  return { type: 'response_done', gen, responseId: id, status, ...(reason !== undefined ? { reason } : {}) };
}

function rateLimits(ev: Obj, gen: number): AiEvent | undefined {
  const list = ev['rate_limits'];
  if (!Array.isArray(list)) return undefined;
  const limits: RateLimit[] = [];
  for (const l of list) {
    if (!isRecord(l)) return undefined;
    limits.push({ name: s(l, 'name') ?? '', limit: n(l, 'limit') ?? 0, remaining: n(l, 'remaining') ?? 0, resetSeconds: n(l, 'reset_seconds') ?? 0 });
  }
  return { type: 'rate_limits', gen, limits };
}

function serverError(ev: Obj, gen: number): AiEvent | undefined {
  const e = ev['error'];
  if (!isRecord(e)) return undefined;
  const type = s(e, 'type') ?? 'unknown';
  const code = s(e, 'code') ?? type;
  const param = s(e, 'param');
  const eventId = s(e, 'event_id');
  return {
    type: 'error',
    gen,
    error: {
      severity: classifyServerError(type, code, param),
      code,
      type,
      message: s(e, 'message') ?? '',
      ...(param !== undefined ? { param } : {}),
      ...(eventId !== undefined ? { eventId } : {}),
    },
  };
}
