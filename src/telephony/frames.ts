// Small helpers shared by the decoders: frame bytes and rejection construction (the wire helpers
// they share with the AI adapters live in base/wire.ts).
import type { DecodeResult, RawFrame, RejectReason, Rejection } from './types.js';

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

/** The size check every decoder makes first, then the frame to its binary or its text reader. */
export function splitFrame(
  data: RawFrame,
  isBinary: boolean,
  maxMessageBytes: number,
  binary: (bytes: Buffer) => DecodeResult,
  text: (text: string) => DecodeResult,
): DecodeResult {
  const size = frameLength(data);
  if (size > maxMessageBytes) return reject('oversize', `frame of ${size} B exceeds ${maxMessageBytes} B`);
  return isBinary ? binary(frameBuffer(data)) : text(frameBuffer(data).toString('utf8'));
}
