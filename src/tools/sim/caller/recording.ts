// The call's recording: a stereo WAV (left: what the caller said, right: what the caller heard)
// and the JSON report next to it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeWav } from '../audio/wav.js';
import type { CallReport } from './types.js';

export class Recording {
  private readonly left: Int16Array[] = [];
  private readonly right: Int16Array[] = [];

  constructor(
    private readonly rate: number,
    private readonly frameSamples: number,
  ) {}

  frame(said: Int16Array, heard: Int16Array | undefined): void {
    this.left.push(said);
    this.right.push(heard ?? new Int16Array(this.frameSamples));
  }

  /** Write `<callId>.wav` and `<callId>.json` into `dir`; returns the report with their paths. */
  write(report: CallReport, dir: string): CallReport {
    mkdirSync(dir, { recursive: true });
    const wavPath = join(dir, `${report.callId}.wav`);
    const timelinePath = join(dir, `${report.callId}.json`);
    const n = this.frameSamples;
    const stereo = new Int16Array(this.left.length * n * 2);
    for (let f = 0; f < this.left.length; f++) {
      const l = this.left[f]!;
      const r = this.right[f]!;
      for (let i = 0; i < n; i++) {
        stereo[2 * (f * n + i)] = l[i] ?? 0;
        stereo[2 * (f * n + i) + 1] = r[i] ?? 0;
      }
    }
    writeWav(wavPath, { sampleRate: this.rate, channels: 2, samples: stereo });
    const withPaths = { ...report, wavPath, timelinePath };
    writeFileSync(timelinePath, JSON.stringify(withPaths, null, 2));
    return withPaths;
  }
}
