// Streaming rational resampler: the twin of native/src/core/dsp/resampler.cc. Produces the
// same samples (integer-exact arithmetic, see resamplerDesign.ts) and the same accounting:
// after `consumed` inputs exactly ceil(consumed * L / M) outputs; output j is the input at
// output time j - delayOut.
import { designResampler, type ResamplerDesign, type ResamplerQuality } from './resamplerDesign.js';
import { saturateRound } from './sample.js';

const INV_SCALE = 1 / 1073741824;
const BLOCK = 512;
const ZEROS = new Int16Array(BLOCK);

export class Resampler {
  readonly design: ResamplerDesign;
  private readonly hist: Float64Array;
  private idx = 0;
  private phase = 0;
  private readonly stepIdx: number;
  private readonly stepPhase: number;
  private consumedCount = 0;
  private producedCount = 0;

  constructor(inRate: number, outRate: number, quality: ResamplerQuality = 'voice') {
    this.design = designResampler(inRate, outRate, quality);
    this.hist = new Float64Array(this.design.taps - 1 + BLOCK + 8);
    this.stepIdx = Math.floor(this.design.down / this.design.up);
    this.stepPhase = this.design.down % this.design.up;
  }

  get delayIn(): number {
    return this.design.delayUp / this.design.up;
  }
  get delayOut(): number {
    return this.design.delayUp / this.design.down;
  }
  get consumed(): number {
    return this.consumedCount;
  }
  get produced(): number {
    return this.producedCount;
  }

  /** Exactly how many samples process() writes for the next n inputs. */
  outputsFor(n: number): number {
    const pos = this.idx * this.design.up + this.phase;
    const end = n * this.design.up;
    return pos >= end ? 0 : Math.floor((end - pos + this.design.down - 1) / this.design.down);
  }

  /** Upper bound of outputsFor(n) in any state. */
  maxOutputsFor(n: number): number {
    return Math.floor((n * this.design.up + this.design.down - 1) / this.design.down) + 1;
  }

  /** Consumes all of `input`, writes outputsFor(input.length) samples into `out` from 0. */
  process(input: Int16Array, out: Int16Array): number {
    const keep = this.design.taps - 1;
    let written = 0;
    let off = 0;
    while (off < input.length) {
      const b = Math.min(input.length - off, BLOCK);
      for (let i = 0; i < b; i++) this.hist[keep + i] = input[off + i]!;
      written += this.runBlock(b, out, written);
      this.hist.copyWithin(0, b, b + keep);
      off += b;
      this.consumedCount += b;
    }
    this.producedCount += written;
    return written;
  }

  /** Feeds delayIn zeros so everything consumed comes out; returns the count written. */
  drain(out: Int16Array): number {
    let left = this.delayIn;
    let written = 0;
    while (left > 0) {
      const b = Math.min(left, BLOCK);
      written += this.process(ZEROS.subarray(0, b), out.subarray(written));
      left -= b;
    }
    return written;
  }

  reset(): void {
    this.hist.fill(0);
    this.idx = 0;
    this.phase = 0;
    this.consumedCount = 0;
    this.producedCount = 0;
  }

  private runBlock(end: number, out: Int16Array, at: number): number {
    const { coefs, identityTap, taps, up } = this.design;
    const hist = this.hist;
    let n = at;
    let idx = this.idx;
    let phase = this.phase;
    while (idx < end) {
      const id = identityTap[phase]!;
      if (id >= 0) {
        out[n] = hist[idx + id]!;
      } else {
        const base = phase * taps;
        let acc = 0;
        for (let k = 0; k < taps; k++) acc += coefs[base + k]! * hist[idx + k]!;
        out[n] = saturateRound(acc * INV_SCALE);
      }
      n++;
      idx += this.stepIdx;
      phase += this.stepPhase;
      if (phase >= up) {
        phase -= up;
        idx++;
      }
    }
    this.idx = idx - end;
    this.phase = phase;
    return n - at;
  }
}
