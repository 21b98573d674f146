// The sim-agent's own table of the OpenAI Realtime GA audio `format` objects (the service's
// documented `audio.input.format` / `audio.output.format`), kept apart from Parley's mapping so a
// mistake in Parley's is not agreed with by the service it talks to.
import type { AudioFormat } from '../../../media/types.js';

export type GaFormatObject = { type: 'audio/pcm'; rate: 24000 } | { type: 'audio/pcmu' } | { type: 'audio/pcma' };

/** A GA format object as the service reads it; undefined for anything else (beta strings too). */
export function readGaFormat(v: unknown): AudioFormat | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const { type, rate } = v as { type?: unknown; rate?: unknown };
  switch (type) {
    case 'audio/pcm':
      return rate === undefined || rate === 24000 ? { codec: 'pcm16', rate: 24000 } : undefined;
    case 'audio/pcmu':
      return { codec: 'mulaw', rate: 8000 };
    case 'audio/pcma':
      return { codec: 'alaw', rate: 8000 };
    default:
      return undefined;
  }
}

/** The GA object the service reports for a format it accepted. */
export function gaFormatObject(f: AudioFormat): GaFormatObject {
  if (f.codec === 'pcm16') return { type: 'audio/pcm', rate: 24000 };
  return f.codec === 'mulaw' ? { type: 'audio/pcmu' } : { type: 'audio/pcma' };
}

/** An append as the event log keeps it: its size, not its audio. */
export function summariseAppend(e: Record<string, unknown>): Record<string, unknown> {
  const audio = e['audio'];
  return { type: e['type'], audio_chars: typeof audio === 'string' ? audio.length : 0 };
}
