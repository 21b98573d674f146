// Telnyx media formats (docs/reference/telnyx-media-streaming.md#set-up): PCMU and PCMA
// at 8 kHz, L16 at 8 or 16 kHz. L16 is RTP's linear PCM, in network byte order (RFC 3551 §4.5.11),
// so it is byte-swapped to and from the media core's little-endian PCM16. G722, OPUS and AMR-WB
// are refused: the media core has no codec for them.
import type { AudioFormat } from '../../media/types.js';

export type TelnyxEncoding = 'PCMU' | 'PCMA' | 'L16';

export function telnyxFormat(encoding: string, rate: number): AudioFormat | string {
  if (encoding === 'PCMU' && rate === 8000) return { codec: 'mulaw', rate: 8000 };
  if (encoding === 'PCMA' && rate === 8000) return { codec: 'alaw', rate: 8000 };
  if (encoding === 'L16' && (rate === 8000 || rate === 16000)) return { codec: 'pcm16', rate };
  return `media_format ${encoding.slice(0, 20)}/${rate}: Parley takes PCMU/8000, PCMA/8000 or L16 at 8000 or 16000 (set stream_codec and stream_bidirectional_codec to one of them)`;
}

export function telnyxEncoding(format: AudioFormat): TelnyxEncoding {
  return format.codec === 'mulaw' ? 'PCMU' : format.codec === 'alaw' ? 'PCMA' : 'L16';
}

/** Swaps the bytes of each 16-bit sample (big-endian ↔ little-endian), into a new buffer. */
export function swap16(b: Buffer): Buffer {
  const out = Buffer.from(b);
  return out.length % 2 === 0 ? out.swap16() : out;
}
