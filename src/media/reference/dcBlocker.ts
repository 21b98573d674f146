// First-order DC blocker y = x - x1 + r*y1, r = 0.995 at 8 kHz rescaled by rate (twin of
// native dc_blocker.h).
import { saturateRound } from './sample.js';

export class DcBlocker {
  readonly r: number;
  private x1 = 0;
  private y1 = 0;
  constructor(rate: number, rAt8k = 0.995) {
    this.r = 1 - ((1 - rAt8k) * 8000) / rate;
  }
  step(x: number): number {
    const y = x - this.x1 + this.r * this.y1;
    this.x1 = x;
    this.y1 = y;
    return y;
  }
  process(x: Int16Array): void {
    for (let i = 0; i < x.length; i++) x[i] = saturateRound(this.step(x[i]!));
  }
  reset(): void {
    this.x1 = 0;
    this.y1 = 0;
  }
}
