// chan_websocket's negotiated formats Parley speaks: Asterisk format names → the media core's.
// Any other codec (g722, opus, …) is refused with what to dial instead.
import type { AudioFormat } from '../../media/types.js';

const FORMATS: Readonly<Record<string, AudioFormat>> = {
  ulaw: { codec: 'mulaw', rate: 8000 },
  alaw: { codec: 'alaw', rate: 8000 },
  slin: { codec: 'pcm16', rate: 8000 },
  slin16: { codec: 'pcm16', rate: 16000 },
};

export function asteriskFormat(name: string): AudioFormat | undefined {
  return Object.hasOwn(FORMATS, name) ? FORMATS[name] : undefined;
}

export function asteriskFormatName(format: AudioFormat): string {
  if (format.codec === 'mulaw') return 'ulaw';
  if (format.codec === 'alaw') return 'alaw';
  return format.rate === 16000 ? 'slin16' : 'slin';
}

/** Bytes of one 20 ms frame: chan_websocket's optimal_frame_size at ptime 20. */
export function frameBytes(format: AudioFormat): number {
  return (format.rate / 50) * (format.codec === 'pcm16' ? 2 : 1);
}
