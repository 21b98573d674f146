// Fixed gain in dB; 0 dB is an exact pass-through (twin of native gain.h).
import { dbToGain } from './detmath.js';
import { saturateRound } from './sample.js';

export class Gain {
  private g = 1;
  private unity = true;
  constructor(db = 0) {
    this.setDb(db);
  }
  setDb(db: number): void {
    this.unity = db === 0;
    this.g = dbToGain(db);
  }
  process(x: Int16Array): void {
    if (this.unity) return;
    for (let i = 0; i < x.length; i++) x[i] = saturateRound(x[i]! * this.g);
  }
}
