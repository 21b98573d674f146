// Energy VAD with adaptive noise floor, onset/gap/hangover and echo gate: the twin of
// native/src/core/dsp/vad.cc (see its header for the rules).
import { exp, log2, LOG2_10, pow10 } from './detmath.js';
import { msToSamples } from './sample.js';

export interface VadConfig {
  readonly blockMs: number;
  readonly onsetMs: number;
  readonly onsetGapMs: number;
  readonly hangoverMs: number;
  readonly onRatioDb: number;
  readonly offRatioDb: number;
  readonly minLevelDbfs: number;
  readonly floorFallMs: number;
  readonly floorTrackMs: number;
  readonly floorRiseDbPerS: number;
  readonly floorMinDbfs: number;
  readonly echoGate: boolean;
  readonly echoErlDb: number;
  readonly echoTailMs: number;
}

export const VAD_DEFAULTS: VadConfig = {
  blockMs: 10,
  onsetMs: 60,
  onsetGapMs: 30,
  hangoverMs: 300,
  onRatioDb: 6,
  offRatioDb: 3,
  minLevelDbfs: -50,
  floorFallMs: 100,
  floorTrackMs: 1000,
  floorRiseDbPerS: 1.5,
  floorMinDbfs: -90,
  echoGate: false,
  echoErlDb: 6,
  echoTailMs: 400,
};

export type VadEventKind = 'speech_start' | 'speech_end';

export interface VadEvent {
  readonly kind: VadEventKind;
  /** Capture sample index of the decision (end of its block). */
  readonly at: number;
  /** start: first sample of the first start-worthy block; end: of the first quiet block. */
  readonly onset: number;
}

const FULL_SCALE = 32768 * 32768;
const MAX_TAIL_BLOCKS = 128;
const powerRatio = (db: number): number => pow10(db / 10);

/** Block energy with the block's DC removed; the sums are exact integers (< 2^53). */
function blockEnergy(sum: number, sumSq: number, n: number): number {
  return (sumSq - (sum * sum) / n) / n;
}

const QUIET = 0;
const STARTING = 1;
const SPEAKING = 2;

export class Vad {
  readonly blockSamples: number;
  private readonly onsetBlocks: number;
  private readonly gapBlocks: number;
  private readonly hangoverBlocks: number;
  private readonly on: number;
  private readonly off: number;
  private readonly minLevel: number;
  private readonly fall: number;
  private readonly track: number;
  private readonly rise: number;
  private readonly floorMin: number;
  private readonly echoGate: boolean;
  private readonly echoErl: number;
  private readonly tailBlocks: number;
  private sum = 0;
  private sumSq = 0;
  private fill = 0;
  private pos = 0;
  private floor = 0;
  private last = 0;
  private floorInit = false;
  private state = QUIET;
  private run = 0;
  private gap = 0;
  private quiet = 0;
  private onsetAt = 0;
  private silenceAt = 0;
  private osum = 0;
  private osumSq = 0;
  private ofill = 0;
  private readonly outHist = new Float64Array(MAX_TAIL_BLOCKS);
  private outNext = 0;
  private outPeak = 0;

  constructor(rate: number, c: VadConfig = VAD_DEFAULTS) {
    this.blockSamples = msToSamples(c.blockMs, rate);
    this.onsetBlocks = Math.max(1, Math.trunc(c.onsetMs / c.blockMs + 0.5));
    this.gapBlocks = Math.trunc(c.onsetGapMs / c.blockMs + 0.5);
    this.hangoverBlocks = Math.max(1, Math.trunc(c.hangoverMs / c.blockMs + 0.5));
    this.on = powerRatio(c.onRatioDb);
    this.off = powerRatio(c.offRatioDb);
    this.minLevel = FULL_SCALE * powerRatio(c.minLevelDbfs);
    this.fall = 1 - exp(-c.blockMs / c.floorFallMs);
    this.track = 1 - exp(-c.blockMs / c.floorTrackMs);
    this.rise = powerRatio((c.floorRiseDbPerS * c.blockMs) / 1000);
    this.floorMin = FULL_SCALE * powerRatio(c.floorMinDbfs);
    this.echoGate = c.echoGate;
    this.echoErl = powerRatio(-c.echoErlDb);
    this.tailBlocks = Math.min(MAX_TAIL_BLOCKS, Math.max(1, Math.trunc(c.echoTailMs / c.blockMs + 0.5)));
  }

  get speaking(): boolean {
    return this.state === SPEAKING;
  }
  get position(): number {
    return this.pos;
  }
  get noiseFloorDbfs(): number {
    return (10 * log2(this.floor / FULL_SCALE)) / LOG2_10;
  }
  get lastLevelDbfs(): number {
    return (10 * log2((this.last > 0 ? this.last : 1e-300) / FULL_SCALE)) / LOG2_10;
  }

  /** Feeds capture audio; appends any events to `events`; returns how many were appended. */
  process(x: Int16Array, events: VadEvent[]): number {
    const before = events.length;
    const block = this.blockSamples;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      this.sum += v;
      this.sumSq += v * v;
      this.pos++;
      if (++this.fill === block) {
        const energy = blockEnergy(this.sum, this.sumSq, block);
        this.sum = this.sumSq = 0;
        this.fill = 0;
        this.endBlock(energy, events);
      }
    }
    return events.length - before;
  }

  /** Feeds what is being played to the caller (same rate), for the echo gate. */
  observeOutbound(x: Int16Array): void {
    const block = this.blockSamples;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      this.osum += v;
      this.osumSq += v * v;
      if (++this.ofill === block) {
        const energy = blockEnergy(this.osum, this.osumSq, block);
        this.osum = this.osumSq = 0;
        this.ofill = 0;
        this.outHist[this.outNext] = energy;
        this.outNext = this.outNext + 1 === this.tailBlocks ? 0 : this.outNext + 1;
        let peak = 0;
        for (let b = 0; b < this.tailBlocks; b++) peak = this.outHist[b]! > peak ? this.outHist[b]! : peak;
        this.outPeak = peak;
      }
    }
  }

  private endBlock(energy: number, events: VadEvent[]): void {
    this.last = energy;
    const blockStart = this.pos - this.blockSamples;
    if (!this.floorInit) {
      this.floor = energy > this.floorMin ? energy : this.floorMin;
      this.floorInit = true;
      return;
    }
    let thrOn = this.floor * this.on;
    let thrOff = this.floor * this.off;
    if (thrOn < this.minLevel) thrOn = this.minLevel;
    if (thrOff < this.minLevel) thrOff = this.minLevel;
    if (this.echoGate) {
      const echo = this.outPeak * this.echoErl;
      if (thrOn < echo * this.on) thrOn = echo * this.on;
      if (thrOff < echo * this.off) thrOff = echo * this.off;
    }
    const startWorthy = energy >= thrOn;
    const stillSpeech = energy >= thrOff;

    if (this.state !== SPEAKING) {
      if (!startWorthy) {
        if (!(this.state === STARTING && (stillSpeech || ++this.gap <= this.gapBlocks))) {
          this.state = QUIET;
          this.run = 0;
        }
      } else {
        if (this.state === QUIET) this.onsetAt = blockStart;
        this.state = STARTING;
        this.gap = 0;
        if (++this.run >= this.onsetBlocks) {
          this.state = SPEAKING;
          this.quiet = 0;
          events.push({ kind: 'speech_start', at: this.pos, onset: this.onsetAt });
        }
      }
    } else if (stillSpeech) {
      this.quiet = 0;
    } else {
      if (this.quiet === 0) this.silenceAt = blockStart;
      if (++this.quiet >= this.hangoverBlocks) {
        this.state = QUIET;
        this.run = 0;
        events.push({ kind: 'speech_end', at: this.pos, onset: this.silenceAt });
      }
    }

    if (energy < this.floor) {
      this.floor = this.floor + this.fall * (energy - this.floor);
    } else if (energy < this.floor * this.on && this.state === QUIET) {
      this.floor = this.floor + this.track * (energy - this.floor);
    } else {
      const crept = this.floor * this.rise;
      this.floor = crept < energy ? crept : energy;
    }
    if (this.floor < this.floorMin) this.floor = this.floorMin;
  }
}
