// The original TTS chain (docs/reference/original-engine.md#tts-chain): DC blocker -> noise gate ->
// compressor -> high shelf -> low-pass -> soft clipper, at the output rate (twin of native
// tts_chain.cc).
import { Biquad, rbjHighShelf, rbjLowpass } from './biquad.js';
import { DcBlocker } from './dcBlocker.js';
import { dbToGain, exp, gainToDb } from './detmath.js';
import { SoftClipper } from './limiter.js';
import { saturateRound } from './sample.js';

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

const smoothing = (ms: number, rate: number): number => 1 - exp(-1 / ((ms * rate) / 1000));

export class TtsChain {
  private readonly dc: DcBlocker;
  private readonly shelf: Biquad;
  private readonly lpf: Biquad;
  private readonly clipper: SoftClipper;
  private readonly gateThr: number;
  private readonly gateAtt: number;
  private readonly gateRel: number;
  private gateEnv = 0;
  private gateGain = 0;
  private readonly compThr: number;
  private readonly compSlope: number;
  private readonly compKnee: number;
  private readonly compAtt: number;
  private readonly compRel: number;
  private readonly compMakeup: number;
  private compEnvDb = -96;

  constructor(rate: number, p: TtsChainParams = TTS_CHAIN_DEFAULTS) {
    this.dc = new DcBlocker(rate, p.dcRAt8k);
    this.shelf = new Biquad(rbjHighShelf(rate, p.shelfHz, p.shelfDb, p.shelfQ));
    this.lpf = new Biquad(rbjLowpass(rate, p.lpfHz, p.lpfQ));
    this.clipper = new SoftClipper(p.clipThreshold);
    this.gateThr = dbToGain(p.gateThresholdDb);
    this.gateAtt = smoothing(p.gateAttackMs, rate);
    this.gateRel = smoothing(p.gateReleaseMs, rate);
    this.compThr = p.compThresholdDb;
    this.compSlope = 1 - 1 / p.compRatio;
    this.compKnee = p.compKneeDb;
    this.compAtt = smoothing(p.compAttackMs, rate);
    this.compRel = smoothing(p.compReleaseMs, rate);
    this.compMakeup = dbToGain(p.compMakeupDb);
  }

  private gate(v: number): number {
    const a = v < 0 ? -v : v;
    this.gateEnv = this.gateEnv + (a > this.gateEnv ? this.gateAtt : this.gateRel) * (a - this.gateEnv);
    const target = this.gateEnv > this.gateThr ? 1 : 0;
    this.gateGain = this.gateGain + (target > this.gateGain ? this.gateAtt : this.gateRel) * (target - this.gateGain);
    return v * this.gateGain;
  }

  private compress(v: number): number {
    const a = v < 0 ? -v : v;
    let level = gainToDb(a + 1e-10);
    if (level < -96) level = -96;
    this.compEnvDb = this.compEnvDb + (level > this.compEnvDb ? this.compAtt : this.compRel) * (level - this.compEnvDb);
    const over = this.compEnvDb - this.compThr;
    const half = this.compKnee / 2;
    let g = 0;
    if (over >= half) {
      g = -over * this.compSlope;
    } else if (over > -half) {
      const k = over + half;
      g = -((k * k) / (2 * this.compKnee)) * this.compSlope;
    }
    const gain = g === 0 ? this.compMakeup : dbToGain(g) * this.compMakeup;
    return v * gain;
  }

  process(x: Int16Array): void {
    for (let i = 0; i < x.length; i++) {
      let v = x[i]! / 32768;
      v = this.dc.step(v);
      v = this.gate(v);
      v = this.compress(v);
      v = this.shelf.step(v);
      v = this.lpf.step(v);
      v = this.clipper.clip(v);
      x[i] = saturateRound(v * 32768);
    }
  }

  reset(): void {
    this.dc.reset();
    this.shelf.reset();
    this.lpf.reset();
    this.gateEnv = 0;
    this.gateGain = 0;
    this.compEnvDb = -96;
  }
}
