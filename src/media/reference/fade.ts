// Linear fade with integer steps of 2^-30 (twin of native fade.h): the largest step it adds
// is full scale / length; a fade-out ends in exact zeros.
import { saturateRound } from './sample.js';

const UNIT = 1073741824; // 2^30

export class Fade {
  readonly outLen: number;
  readonly inLen: number;
  private level = UNIT;
  private dir = 0;
  private readonly outStep: number;
  private readonly inStep: number;
  constructor(outLen: number, inLen: number) {
    this.outLen = outLen < 1 ? 1 : outLen;
    this.inLen = inLen < 1 ? 1 : inLen;
    this.outStep = Math.floor((UNIT + this.outLen - 1) / this.outLen);
    this.inStep = Math.floor((UNIT + this.inLen - 1) / this.inLen);
  }
  startOut(): void {
    this.dir = -1;
  }
  startIn(): void {
    this.dir = 1;
  }
  /** Silence now, then ramp up over inLen samples (the first audio after a flush). */
  restartFromSilence(): void {
    this.level = 0;
    this.dir = 1;
  }
  get muted(): boolean {
    return this.level === 0 && this.dir <= 0;
  }
  get unity(): boolean {
    return this.level === UNIT && this.dir >= 0;
  }
  process(x: Int16Array): void {
    if (this.unity) return;
    for (let i = 0; i < x.length; i++) {
      if (this.dir < 0) this.level = this.level > this.outStep ? this.level - this.outStep : 0;
      else if (this.dir > 0) this.level = this.level + this.inStep < UNIT ? this.level + this.inStep : UNIT;
      x[i] = this.level === 0 ? 0 : saturateRound(x[i]! * (this.level / UNIT));
    }
  }
  reset(): void {
    this.level = UNIT;
    this.dir = 0;
  }
}
