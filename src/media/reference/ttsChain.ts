// The original TTS chain (docs/reference/original-engine.md#tts-chain): DC blocker -> noise gate -> compressor ->
// high shelf -> low-pass -> soft clipper, at the output rate (twin of native tts_chain.cc).
// The gate's and the compressor's control paths run at block rate (2 ms blocks counted across
// calls): at each block end the gate follows the block's peak and the compressor the block's
// mean square in dB (one log), the gain curve gives a linear gain (one exp, none under the
// knee), and the next block ramps both gains linearly to their new values (no zipper noise).
import { Biquad, rbjHighShelf, rbjLowpass } from './biquad.js';
import { DcBlocker } from './dcBlocker.js';
import { coarseExp2, coarseLog2, dbToGain, exp, LOG2_10 } from './detmath.js';
import { SoftClipper } from './limiter.js';
import { msToSamples, saturateRound } from './sample.js';

export interface TtsChainParams {
  readonly dcRAt8k: number;
  readonly gateThresholdDb: number;
  readonly gateAttackMs: number;
  readonly gateReleaseMs: number;
  readonly compThresholdDb: number;
  readonly compRatio: number;
  readonly compAttackMs: number;
  readonly compReleaseMs: number;
  readonly compMakeupDb: number;
  readonly compKneeDb: number;
  readonly shelfHz: number;
  readonly shelfDb: number;
  readonly shelfQ: number;
  readonly lpfHz: number;
  readonly lpfQ: number;
  readonly clipThreshold: number;
}

export const TTS_CHAIN_DEFAULTS: TtsChainParams = {
  dcRAt8k: 0.995,
  gateThresholdDb: -45,
  gateAttackMs: 1,
  gateReleaseMs: 50,
  compThresholdDb: -18,
  compRatio: 3,
  compAttackMs: 5,
  compReleaseMs: 50,
  compMakeupDb: 6,
  compKneeDb: 6,
  shelfHz: 3000,
  shelfDb: 3,
  shelfQ: 0.707,
  lpfHz: 3800,
  lpfQ: 0.707,
  clipThreshold: 0.85,
};

/** Length of the control blocks (gate and compressor gains); native kTtsControlBlockMs. */
export const TTS_CONTROL_BLOCK_MS = 2;

/** One-pole coefficient per step of `n` samples (n = 1: the original's per-sample one). */
const smoothing = (ms: number, rate: number, n: number): number => 1 - exp(-n / ((ms * rate) / 1000));

// 10*log10(p) = log2(p) * DB_PER_LOG2_POWER; 10^(g/20) = 2^(g * LOG2_PER_DB_GAIN).
const DB_PER_LOG2_POWER = 10 / LOG2_10;
const LOG2_PER_DB_GAIN = LOG2_10 / 20;

/** A block's linear gain ramp: sample k (from 1) gets from + step * k, reaching `to`. */
class Ramp {
  step = 0;
  constructor(
    public from: number,
    public to: number,
  ) {}
  set(next: number, invBlock: number): void {
    this.from = this.to;
    this.to = next;
    this.step = (this.to - this.from) * invBlock;
  }
}

export class TtsChain {
  private readonly dc: DcBlocker;
  private readonly shelf: Biquad;
  private readonly lpf: Biquad;
  private readonly clipper: SoftClipper;
  private readonly block: number;
  private readonly invBlock: number;
  private readonly gateThr: number;
  private readonly gateAtt: number;
  private readonly gateRel: number;
  private gateEnv = 0;
  private readonly compThr: number;
  private readonly compSlope: number;
  private readonly compKnee: number;
  private readonly inv2Knee: number;
  private readonly compAtt: number;
  private readonly compRel: number;
  private readonly compMakeup: number;
  private compEnvDb = -96;
  private pos = 0;
  private peak = 0;
  private sumSq = 0;
  private gateRamp = new Ramp(0, 0);
  private compRamp: Ramp;

  constructor(rate: number, p: TtsChainParams = TTS_CHAIN_DEFAULTS) {
    this.dc = new DcBlocker(rate, p.dcRAt8k);
    this.shelf = new Biquad(rbjHighShelf(rate, p.shelfHz, p.shelfDb, p.shelfQ));
    this.lpf = new Biquad(rbjLowpass(rate, p.lpfHz, p.lpfQ));
    this.clipper = new SoftClipper(p.clipThreshold);
    this.block = msToSamples(TTS_CONTROL_BLOCK_MS, rate);
    this.invBlock = 1 / this.block;
    this.gateThr = dbToGain(p.gateThresholdDb);
    this.gateAtt = smoothing(p.gateAttackMs, rate, this.block);
    this.gateRel = smoothing(p.gateReleaseMs, rate, this.block);
    this.compThr = p.compThresholdDb;
    this.compSlope = 1 - 1 / p.compRatio;
    this.compKnee = p.compKneeDb;
    this.inv2Knee = 1 / (2 * p.compKneeDb);
    this.compAtt = smoothing(p.compAttackMs, rate, this.block);
    this.compRel = smoothing(p.compReleaseMs, rate, this.block);
    this.compMakeup = dbToGain(p.compMakeupDb);
    this.compRamp = new Ramp(this.compMakeup, this.compMakeup);
  }

  /** Block end: the gains the next block ramps to, from the finished block's detectors. */
  private endBlock(): void {
    this.gateEnv = this.gateEnv + (this.peak > this.gateEnv ? this.gateAtt : this.gateRel) * (this.peak - this.gateEnv);
    const open = this.gateEnv > this.gateThr ? 1 : 0;
    const gateGain = this.gateRamp.to;
    this.gateRamp.set(gateGain + (open > gateGain ? this.gateAtt : this.gateRel) * (open - gateGain), this.invBlock);
    let level = coarseLog2(this.sumSq * this.invBlock + 1e-20) * DB_PER_LOG2_POWER;
    if (level < -96) level = -96;
    this.compEnvDb = this.compEnvDb + (level > this.compEnvDb ? this.compAtt : this.compRel) * (level - this.compEnvDb);
    const over = this.compEnvDb - this.compThr;
    const half = this.compKnee / 2;
    let g = 0;
    if (over >= half) {
      g = -over * this.compSlope;
    } else if (over > -half) {
      const k = over + half;
      g = -(k * k * this.inv2Knee) * this.compSlope;
    }
    this.compRamp.set(g === 0 ? this.compMakeup : coarseExp2(g * LOG2_PER_DB_GAIN) * this.compMakeup, this.invBlock);
    this.pos = 0;
    this.peak = 0;
    this.sumSq = 0;
  }

  process(x: Int16Array): void {
    const gr = this.gateRamp;
    const cr = this.compRamp;
    for (let i = 0; i < x.length; i++) {
      let v = this.dc.step(x[i]! / 32768);
      const a = v < 0 ? -v : v;
      if (a > this.peak) this.peak = a;
      const k = ++this.pos;
      v = v * (gr.from + gr.step * k);
      this.sumSq = this.sumSq + v * v;
      v = v * (cr.from + cr.step * k);
      x[i] = saturateRound(this.clipper.clip(this.lpf.step(this.shelf.step(v))) * 32768);
      if (k === this.block) this.endBlock();
    }
  }

  reset(): void {
    this.dc.reset();
    this.shelf.reset();
    this.lpf.reset();
    this.gateEnv = 0;
    this.compEnvDb = -96;
    this.pos = 0;
    this.peak = 0;
    this.sumSq = 0;
    this.gateRamp = new Ramp(0, 0);
    this.compRamp = new Ramp(this.compMakeup, this.compMakeup);
  }
}
