// G.711 and PCM16 encoding for JS-side audio Parley makes itself (the give-up notice, the
// cascade's TTS audio, the simulators): the media core's own reference codec, through the
// media module's public face.
import { endianness } from 'node:os';
import { alawEncode, ulawEncode } from './reference/g711.js';
import type { AudioFormat } from './types.js';

export { alawDecode, alawEncode, ulawDecode, ulawEncode } from './reference/g711.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** PCM16 samples → bytes of `format` (PCM16 little-endian, µ-law or A-law). */
export function encodeSamples(format: AudioFormat, pcm: Int16Array): Buffer {
  if (format.codec === 'pcm16') {
    if (LITTLE_ENDIAN) return Buffer.from(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    const out = Buffer.allocUnsafe(pcm.length * 2);
    for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, i * 2);
    return out;
  }
  const out = Buffer.allocUnsafe(pcm.length);
  (format.codec === 'mulaw' ? ulawEncode : alawEncode)(pcm, out);
  return out;
}
