// The recording's timeline, deterministic (times given, no sockets): agent audio sits where the
// phone plays it, and what a clear removed from the far side is not in the file.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallRecording } from '../../src/records/recorder.js';
import { decodeWav } from '../../src/tools/sim/audio/wav.js';

const frame = (value: number) => {
  const b = Buffer.alloc(320);
  for (let i = 0; i < 160; i++) b.writeInt16LE(value, 2 * i);
  return b;
};

describe('CallRecording', () => {
  it('places agent frames after what the far side holds and leaves out what a clear dropped', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'parley-recorder-')), 'call.wav');
    const rec = new CallRecording(path, { codec: 'pcm16', rate: 8000 }, () => {
      throw new Error('recording failed');
    });
    let sent = 0;
    for (let tick = 0; tick < 60; tick++) {
      const now = 20 * tick;
      rec.caller(frame(1000), now);
      // The reply starts at tick 10 with a lookahead burst of 4 frames, then one per tick.
      const burst = tick === 10 ? 4 : tick > 10 && tick < 30 ? 1 : 0;
      for (let k = 0; k < burst; k++) rec.agent(frame(2000 + sent++), now, 0);
      if (tick === 30) rec.clear(now); // the caller barged in: the frames still queued are gone
    }
    await rec.close(20 * 60);
    const wav = decodeWav(readFileSync(path));
    expect(wav.channels).toBe(2);
    const right = Array.from({ length: wav.samples.length / 2 }, (_, i) => wav.samples[2 * i + 1]!);
    const left = Array.from({ length: wav.samples.length / 2 }, (_, i) => wav.samples[2 * i]!);
    expect(left.length).toBe(60 * 160);
    expect(left.every((s) => s === 1000)).toBe(true);
    const heard = right.map((s, i) => (s !== 0 ? i : -1)).filter((i) => i >= 0);
    // Heard from the phone's position at tick 10 (11 caller frames in) to the clear at tick 30.
    expect(heard[0]).toBe(11 * 160);
    expect(heard.at(-1)).toBe(31 * 160 - 1);
    expect(heard.length).toBe(20 * 160);
    // In order, frame after frame: the first 20 of the 23 sent (3 were still queued at the clear).
    expect(right[11 * 160]).toBe(2000);
    expect(right[30 * 160]).toBe(2019);
    expect(sent).toBe(23);
  });
});
