// A leg's wire audio: the format the platform negotiated (µ-law, A-law, or 16-bit linear in
// either byte order), encoded per clip frame once and cached, decoded strictly on the way back.
import type { AudioFormat } from '../../../media/types.js';
import { strictBase64, strictBase64Length } from '../audio/base64.js';
import { decodeAudio, encodeAudio } from '../audio/pcm.js';
import type { Clip } from './voice-source.js';

export class WireCodec {
  private readonly key: string;
  readonly bytesPerSample: number;

  constructor(
    readonly format: AudioFormat,
    /** 16-bit linear in network byte order (RTP L16, RFC 3551), as Telnyx sends it. */
    private readonly bigEndian = false,
  ) {
    this.key = `${format.codec}${bigEndian ? '-be' : ''}`;
    this.bytesPerSample = format.codec === 'pcm16' ? 2 : 1;
  }

  /** Frame `i` of `clip` as wire bytes. */
  bytes(clip: Clip, i: number): Buffer {
    return clip.encoded(this.key, i, (pcm) => this.encode(pcm));
  }

  base64(clip: Clip, i: number): string {
    return clip.encoded(`${this.key}-b64`, i, (pcm) => this.encode(pcm).toString('base64'));
  }

  encode(pcm: Int16Array): Buffer {
    const b = encodeAudio(this.format, pcm);
    return this.bigEndian ? b.swap16() : b;
  }

  decode(bytes: Buffer): Int16Array {
    return decodeAudio(this.format, this.bigEndian ? Buffer.from(bytes).swap16() : bytes);
  }

  /** Samples in a base64 payload (undefined when it is not strict base64 or a partial sample). */
  samplesOf64(text: string): number | undefined {
    const n = strictBase64Length(text);
    return n === undefined || n % this.bytesPerSample !== 0 ? undefined : n / this.bytesPerSample;
  }

  /** The payload decoded, or undefined when it is not strict base64 or a partial sample. */
  pcmOf64(text: string): Int16Array | undefined {
    const bytes = strictBase64(text);
    return bytes && bytes.length % this.bytesPerSample === 0 ? this.decode(bytes) : undefined;
  }
}

/** Parses a JSON text frame into an object, or returns why the platform would refuse it. */
export function jsonObject(data: string | Buffer, isBinary: boolean): Record<string, unknown> | string {
  if (isBinary) return 'binary frame (the platform takes JSON text)';
  let m: unknown;
  try {
    m = JSON.parse(String(data));
  } catch {
    return 'invalid JSON';
  }
  return typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Record<string, unknown>) : 'not a JSON object';
}
