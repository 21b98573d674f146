// Small helpers for the platform decoder tests: unwrap a decode result or name its rejection.
import type { DecodeResult, InboundEvent } from '../../src/telephony/types.js';

export function events(r: DecodeResult): readonly InboundEvent[] {
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.events;
}

export function reason(r: DecodeResult): string {
  return r.ok ? 'ok' : r.reason;
}

export const text = (o: unknown): Buffer => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o));
