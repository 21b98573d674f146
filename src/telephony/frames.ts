// Small helpers shared by the decoders: frame bytes, strict base64, rejection construction.
import type { RawFrame, RejectReason, Rejection } from './types.js';

export function reject(reason: RejectReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

/** Byte length of a ws frame without copying it. */
export function frameLength(data: RawFrame): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (data instanceof ArrayBuffer) return data.byteLength;
  let n = 0;
  for (const part of data) n += part.length;
  return n;
}

/** The frame as one Buffer (copies only when ws handed us fragments). */
export function frameBuffer(data: RawFrame): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.concat(data as Buffer[]);
}

// Canonical base64 only: Buffer.from(s, 'base64') silently skips junk, which would hide bad input.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decode canonical (padded) base64, or undefined when the text is not valid base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parse JSON without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
