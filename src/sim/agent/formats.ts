// The GA Realtime `audio.*.format` objects as the simulated service reads and writes them,
// written from the API reference (docs/reference/openai-realtime.md), not from Parley's client:
// the simulator must not share the product's reading of the protocol it checks.
import type { AudioFormat } from '../../media/types.js';

export type WireFormat = { type: 'audio/pcm'; rate: number } | { type: 'audio/pcmu' } | { type: 'audio/pcma' };

/** A GA format object → the audio it names, or undefined when the service would refuse it. */
export function readWireFormat(v: Readonly<Record<string, unknown>>): AudioFormat | undefined {
  switch (v['type']) {
    case 'audio/pcm':
      // The service speaks PCM at 24 kHz only; `rate` may be left out.
      return v['rate'] === undefined || v['rate'] === 24000 ? { codec: 'pcm16', rate: 24000 } : undefined;
    case 'audio/pcmu':
      return { codec: 'mulaw', rate: 8000 };
    case 'audio/pcma':
      return { codec: 'alaw', rate: 8000 };
    default:
      return undefined;
  }
}

/** The GA format object the service reports for a format it accepted. */
export function writeWireFormat(f: AudioFormat): WireFormat {
  if (f.codec === 'mulaw') return { type: 'audio/pcmu' };
  if (f.codec === 'alaw') return { type: 'audio/pcma' };
  return { type: 'audio/pcm', rate: f.rate };
}
