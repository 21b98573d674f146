// AudioFormat ⇄ OpenAI Realtime GA `format` objects
// (docs/reference/openai-realtime.md#session-configuration).
import type { AiAudioFormat } from '../types.js';

export type GaFormat = { type: 'audio/pcm'; rate: 24000 } | { type: 'audio/pcmu' } | { type: 'audio/pcma' };

export function toGaFormat(f: AiAudioFormat): GaFormat {
  if (f.codec === 'pcm16') {
    if (f.rate !== 24000) throw new RangeError(`OpenAI Realtime PCM is 24 kHz only, not ${f.rate}`);
    return { type: 'audio/pcm', rate: 24000 };
  }
  if (f.rate !== 8000) throw new RangeError(`G.711 is 8 kHz only, not ${f.rate}`);
  return f.codec === 'mulaw' ? { type: 'audio/pcmu' } : { type: 'audio/pcma' };
}

/** GA format object (or beta string) → AudioFormat, undefined when unknown. */
export function fromWireFormat(v: unknown): AiAudioFormat | undefined {
  if (v === 'pcm16') return { codec: 'pcm16', rate: 24000 };
  if (v === 'g711_ulaw') return { codec: 'mulaw', rate: 8000 };
  if (v === 'g711_alaw') return { codec: 'alaw', rate: 8000 };
  if (typeof v !== 'object' || v === null) return undefined;
  const { type, rate } = v as { type?: unknown; rate?: unknown };
  if (type === 'audio/pcm' && (rate === undefined || rate === 24000)) return { codec: 'pcm16', rate: 24000 };
  if (type === 'audio/pcmu') return { codec: 'mulaw', rate: 8000 };
  if (type === 'audio/pcma') return { codec: 'alaw', rate: 8000 };
  return undefined;
}
