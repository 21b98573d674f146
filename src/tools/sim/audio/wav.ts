// RIFF/WAVE PCM16 reading and writing (mono or interleaved stereo).
import { readFileSync, writeFileSync } from 'node:fs';

export interface Wav {
  readonly sampleRate: number;
  readonly channels: number;
  /** Interleaved samples. */
  readonly samples: Int16Array;
}

export function encodeWav(wav: Wav): Buffer {
  const data = wav.samples.length * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVE', 8, 'ascii');
  b.write('fmt ', 12, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(wav.channels, 22);
  b.writeUInt32LE(wav.sampleRate, 24);
  b.writeUInt32LE(wav.sampleRate * wav.channels * 2, 28);
  b.writeUInt16LE(wav.channels * 2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  for (let i = 0; i < wav.samples.length; i++) b.writeInt16LE(wav.samples[i]!, 44 + i * 2);
  return b;
}

/** Parse a PCM16 WAV; throws an Error naming what is wrong. */
export function decodeWav(b: Buffer): Wav {
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let off = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16) throw new Error('fmt chunk too short');
      fmt = { format: b.readUInt16LE(body), channels: b.readUInt16LE(body + 2), rate: b.readUInt32LE(body + 4), bits: b.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      if ((fmt.format !== 1 && fmt.format !== 0xfffe) || fmt.bits !== 16) throw new Error(`only PCM16 WAV is supported (format ${fmt.format}, ${fmt.bits} bits)`);
      if (fmt.channels < 1 || fmt.channels > 2) throw new Error(`only mono or stereo WAV is supported (${fmt.channels} channels)`);
      const end = Math.min(b.length, body + size);
      const n = (end - body) >> 1;
      const samples = new Int16Array(n - (n % fmt.channels));
      for (let i = 0; i < samples.length; i++) samples[i] = b.readInt16LE(body + i * 2);
      return { sampleRate: fmt.rate, channels: fmt.channels, samples };
    }
    off = body + size + (size & 1);
  }
  throw new Error('no data chunk');
}

export const readWav = (path: string): Wav => decodeWav(readFileSync(path));
export const writeWav = (path: string, wav: Wav): void => writeFileSync(path, encodeWav(wav));

/** Mono mixdown of a WAV's samples. */
export function toMono(wav: Wav): Int16Array {
  if (wav.channels === 1) return wav.samples;
  const out = new Int16Array(wav.samples.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (wav.samples[2 * i]! + wav.samples[2 * i + 1]!) >> 1;
  return out;
}
