// PCM16 helpers for the simulators: bytes ⇄ samples in any AudioFormat, linear resampling, levels.
import { endianness } from 'node:os';
import type { AudioFormat } from '../../../media/types.js';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from './g711.js';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Little-endian PCM16 bytes → samples (a trailing odd byte is ignored). */
export function pcm16FromBytes(bytes: Buffer): Int16Array {
  const n = bytes.length >> 1;
  const out = new Int16Array(n);
  if (LITTLE_ENDIAN) {
    Buffer.from(out.buffer, out.byteOffset, n * 2).set(bytes.subarray(0, n * 2)); // one memcpy
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(i * 2);
  return out;
}

export function pcm16ToBytes(pcm: Int16Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength)); // copies
  const out = Buffer.allocUnsafe(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i]!, i * 2);
  return out;
}

export function decodeAudio(format: AudioFormat, bytes: Buffer): Int16Array {
  if (format.codec === 'pcm16') return pcm16FromBytes(bytes);
  return format.codec === 'mulaw' ? mulawDecode(bytes) : alawDecode(bytes);
}

export function encodeAudio(format: AudioFormat, pcm: Int16Array): Buffer {
  if (format.codec === 'pcm16') return pcm16ToBytes(pcm);
  return format.codec === 'mulaw' ? mulawEncode(pcm) : alawEncode(pcm);
}

export function bytesPerSample(format: AudioFormat): number {
  return format.codec === 'pcm16' ? 2 : 1;
}

/** Linear-interpolation resampler: good enough for simulated speech, not for the product. */
export function resampleLinear(input: Int16Array, from: number, to: number): Int16Array {
  if (from === to || input.length === 0) return input;
  const n = Math.floor((input.length * to) / from);
  const out = new Int16Array(n);
  const step = from / to;
  for (let i = 0; i < n; i++) {
    const x = i * step;
    const j = Math.floor(x);
    const a = input[j]!;
    const b = input[Math.min(j + 1, input.length - 1)]!;
    out[i] = Math.round(a + (b - a) * (x - j));
  }
  return out;
}

/** RMS level in dBFS (−100 for digital silence). */
export function rmsDbfs(pcm: Int16Array, start = 0, end = pcm.length): number {
  if (end <= start) return -100;
  let sum = 0;
  for (let i = start; i < end; i++) sum += pcm[i]! * pcm[i]!;
  const rms = Math.sqrt(sum / (end - start));
  return rms === 0 ? -100 : 20 * Math.log10(rms / 32768);
}
