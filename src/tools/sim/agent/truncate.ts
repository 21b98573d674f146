// `conversation.item.truncate` validation with the real API's error shapes
// (docs/reference/openai-realtime.md#barge-in-and-truncation): unknown item, non-audio item,
// overshoot of the audio the server sent, and a cut at 0 ms (the API refuses it like a non-audio
// item: nothing heard is a `conversation.item.delete`).
import type { ResponseStream } from './response.js';

export interface ItemInfo {
  /** other: an item the client created (a function call, its output, a replayed message). */
  readonly role: 'user' | 'assistant' | 'other';
  readonly response?: ResponseStream;
}

export type TruncateCheck =
  | { readonly ok: true; readonly itemId: string; readonly ms: number; readonly sentMs: number }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly param: string;
      /** Present when the request was well-formed enough to be recorded. */
      readonly record?: { readonly itemId: string; readonly ms: number; readonly sentMs: number };
    };

/** checkTruncate, with the request kept in `log` (bounded) for tests and benches. */
export function recordTruncate(
  e: Record<string, unknown>,
  item: (id: string) => ItemInfo | undefined,
  log: { connId: number; itemId: string; audioEndMs: number; sentMs: number; accepted: boolean }[],
  connId: number,
): TruncateCheck {
  const check = checkTruncate(e, item);
  const rec = check.ok ? check : check.record;
  if (rec) {
    log.push({ connId, itemId: rec.itemId, audioEndMs: rec.ms, sentMs: rec.sentMs, accepted: check.ok });
    if (log.length > 10_000) log.splice(0, log.length - 10_000);
  }
  return check;
}

export function checkTruncate(e: Record<string, unknown>, item: (id: string) => ItemInfo | undefined): TruncateCheck {
  const itemId = e['item_id'];
  const ms = e['audio_end_ms'];
  const idx = e['content_index'] ?? 0;
  if (typeof itemId !== 'string') return { ok: false, code: 'missing_required_parameter', message: "Missing required parameter: 'item_id'.", param: 'item_id' };
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) {
    return { ok: false, code: 'invalid_value', message: 'audio_end_ms must be a non-negative integer.', param: 'audio_end_ms' };
  }
  if (idx !== 0) return { ok: false, code: 'invalid_value', message: 'content_index must be 0.', param: 'content_index' };
  const info = item(itemId);
  const sentMs = info?.response?.sentMs ?? 0;
  const record = { itemId, ms, sentMs };
  if (!info) return { ok: false, code: 'item_truncate_invalid_item_id', message: `Item with item_id not found: ${itemId}`, param: 'item_id', record };
  if (info.role !== 'assistant' || !info.response) {
    return { ok: false, code: 'unsupported_content_type', message: 'Only model output audio messages can be truncated', param: 'item_id', record };
  }
  if (ms === 0) return { ok: false, code: 'unsupported_content_type', message: 'Only model output audio messages can be truncated', param: 'audio_end_ms', record };
  if (ms > Math.ceil(sentMs)) {
    return { ok: false, code: 'invalid_value', message: `Audio content of ${Math.floor(sentMs)}ms is already shorter than ${ms}ms`, param: 'audio_end_ms', record };
  }
  return { ok: true, itemId, ms, sentMs };
}

/** `conversation.item.delete`: the item is forgotten (`remove` says whether it was known), else the API's error. */
export function checkDelete(
  e: Record<string, unknown>,
  remove: (id: string) => boolean,
): { readonly ok: true; readonly itemId: string } | { readonly ok: false; readonly code: string; readonly message: string; readonly param: string } {
  const id = e['item_id'];
  if (typeof id !== 'string') return { ok: false, code: 'missing_required_parameter', message: "Missing required parameter: 'item_id'.", param: 'item_id' };
  if (!remove(id)) return { ok: false, code: 'item_delete_invalid_item_id', message: `Item with item_id not found: ${id.slice(0, 64)}`, param: 'item_id' };
  return { ok: true, itemId: id };
}
