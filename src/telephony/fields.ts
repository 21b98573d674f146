// Typed reads of JSON message fields shared by the JSON decoders (Twilio, Telnyx, Plivo,
// Exotel): each returns the value, or the Rejection that names the field — never a throw.
import { decodeBase64, isRecord } from '../base/wire.js';
import type { DecodeResult, InboundEvent, Rejection } from './types.js';
import { reject } from './frames.js';

export type Obj = Record<string, unknown>;

export const ok = (event: InboundEvent): DecodeResult => ({ ok: true, events: [event] });

export const isRejection = (v: unknown): v is Rejection => isRecord(v) && v['ok'] === false;

/** DTMF digits a leg may report (RFC 4733 events 0-15). */
export const DTMF_DIGITS = /^[0-9*#A-D]$/;

export function str(o: Obj, key: string, where: string): string | Rejection {
  const v = o[key];
  if (v === undefined) return reject('missing_field', `${where}.${key} is missing`);
  if (typeof v !== 'string') return reject('wrong_type', `${where}.${key} must be a string`);
  return v;
}

export function obj(o: Obj, key: string, where: string): Obj | Rejection {
  const v = o[key];
  if (v === undefined) return reject('missing_field', `${where}.${key} is missing`);
  if (!isRecord(v)) return reject('wrong_type', `${where}.${key} must be an object`);
  return v;
}

/** A counter sent as a decimal string (Twilio, Telnyx, Exotel) or a number (Plivo). */
export function counter(o: Obj, key: string, where: string, required: boolean): number | undefined | Rejection {
  const v = o[key];
  if (v === undefined) return required ? reject('missing_field', `${where}.${key} is missing`) : undefined;
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : NaN;
  if (Number.isNaN(n)) return reject('wrong_type', `${where}.${key} must be a non-negative integer string`);
  return n;
}

/** An optional string field: the value, undefined when absent, or a rejection. */
export function optStr(o: Obj, key: string, where: string): string | undefined | Rejection {
  const v = o[key];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : reject('wrong_type', `${where}.${key} must be a string`);
}

/** A string→string map (custom parameters); non-string values are refused. */
export function stringMap(o: Obj, key: string, where: string): Record<string, string> | Rejection {
  const v = o[key] ?? {};
  if (!isRecord(v)) return reject('wrong_type', `${where}.${key} must be an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') return reject('wrong_type', `${where}.${key}.${k.slice(0, 40)} must be a string`);
    out[k] = x;
  }
  return out;
}

/** A non-empty canonical base64 payload. */
export function payload(o: Obj, key: string, where: string): Buffer | Rejection {
  const text = str(o, key, where);
  if (isRejection(text)) return text;
  if (text.length === 0) return reject('empty_audio', `${where}.${key} is empty`);
  return decodeBase64(text) ?? reject('bad_base64', `${where}.${key} is not valid base64`);
}

/** A DTMF digit at `o[key]`. */
export function digit(o: Obj, key: string, where: string): string | Rejection {
  const d = str(o, key, where);
  if (isRejection(d)) return d;
  return DTMF_DIGITS.test(d) ? d : reject('wrong_type', `${where}.${key} must be one of 0-9 * # A-D`);
}

/** The string fields among `keys` (call metadata: from, to, …); the others are left out. */
export function stringsOf(o: Obj, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof o[k] === 'string') out[k] = o[k];
  return out;
}

/** `{ accountSid }` when `o[key]` is a string, else nothing (spread into a CallStart). */
export function accountOf(o: Obj, key: string): { accountSid?: string } {
  const v = o[key];
  return typeof v === 'string' ? { accountSid: v } : {};
}

/** A start's media-format object: its fields, its `encoding` and its sample rate (required). */
export function mediaFormat(start: Obj, key: string, rateKey: string): { fmt: Obj; encoding: string; rate: number } | Rejection {
  const fmt = obj(start, key, 'start');
  if (isRejection(fmt)) return fmt;
  const encoding = str(fmt, 'encoding', `start.${key}`);
  if (isRejection(encoding)) return encoding;
  const rate = counter(fmt, rateKey, `start.${key}`, true);
  if (isRejection(rate)) return rate;
  return { fmt, encoding, rate: rate ?? 0 };
}
