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

/**
 * Decode padded base64, or undefined when the text is not valid base64. Buffer.from(s, 'base64')
 * silently skips junk (and accepts the URL alphabet), which would hide bad input; checking the
 * decoded length against the text's length catches skipped characters at native speed.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const n = text.length;
  if (n % 4 !== 0) return undefined;
  const pad = n > 0 && text.charCodeAt(n - 1) === 61 ? (text.charCodeAt(n - 2) === 61 ? 2 : 1) : 0;
  if (text.indexOf('-') >= 0 || text.indexOf('_') >= 0) return undefined;
  const buf = Buffer.from(text, 'base64');
  return buf.length === (n / 4) * 3 - pad ? buf : undefined;
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
