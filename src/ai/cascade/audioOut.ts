// Provider PCM → the call's AI playout format, chunk by chunk, each chunk resampled from the rate
// of the provider that produced it (TT2; X-8 was audio resampled with the primary's rate after a
// failover). One streaming resampler per source rate is kept while that rate lasts, so sentence
// after sentence from one provider is filtered continuously; a change of rate drains the old
// filter first (its tail belongs before the new audio). Barge-in resets everything.
import type { AudioFormat } from '../../media/types.js';
import { alawEncode, ulawEncode } from '../../media/index.js';
import { createResampler, type ResamplerKind, type StreamResampler } from './resample.js';

/** PCM16 little-endian bytes → samples (copying when unaligned). */
export function pcmSamples(bytes: Buffer): Int16Array {
  const n = bytes.length >> 1;
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, n);
  const copy = Buffer.from(bytes.subarray(0, n * 2));
  return new Int16Array(copy.buffer, copy.byteOffset, n);
}

export class TtsAudioOut {
  private resampler: StreamResampler | undefined;
  /** Source rate of the audio converted last (what the next chunk must match to continue). */
  private lastRate: number | undefined;

  constructor(
    readonly target: AudioFormat,
    private readonly kind: ResamplerKind,
  ) {}

  /** The rate the current filter was built for (tests: TT2). */
  get sourceRate(): number | undefined {
    return this.lastRate;
  }

  /** Converts one chunk of PCM16 at `rate`; may return less (or more) than one chunk's worth. */
  convert(pcm: Buffer, rate: number): Buffer {
    if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`tts audio: bad source rate ${rate}`);
    const parts: Buffer[] = [];
    if (this.lastRate !== undefined && this.lastRate !== rate) {
      const tail = this.end();
      if (tail.length > 0) parts.push(tail);
    }
    this.lastRate = rate;
    const samples = pcmSamples(pcm);
    if (rate === this.target.rate) {
      parts.push(this.encode(samples));
    } else {
      if (!this.resampler || this.resampler.inRate !== rate) this.resampler = createResampler(rate, this.target.rate, this.kind);
      parts.push(this.encode(this.resampler.process(samples)));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** End of a stretch of speech (a response's last sentence): the filter's tail. */
  end(): Buffer {
    const r = this.resampler;
    this.resampler = undefined;
    this.lastRate = undefined;
    return r ? this.encode(r.drain()) : Buffer.alloc(0);
  }

  /** Barge-in: whatever is inside the filter belongs to the cancelled response. */
  reset(): void {
    this.resampler = undefined;
    this.lastRate = undefined;
  }

  private encode(pcm: Int16Array): Buffer {
    switch (this.target.codec) {
      case 'pcm16':
        return Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      case 'mulaw': {
        const out = Buffer.alloc(pcm.length);
        ulawEncode(pcm, out);
        return out;
      }
      case 'alaw': {
        const out = Buffer.alloc(pcm.length);
        alawEncode(pcm, out);
        return out;
      }
    }
  }
}
