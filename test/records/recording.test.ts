// Recordings (issue 19, the call record): one stereo WAV per call at the telephony rate, left = what the
// caller sent, right = what the caller heard (cleared audio not included), checked against the
// simulated caller's own recording of the same call; a full disk stops the recording, counted,
// and the call goes on.
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeWav } from '../../src/tools/sim/audio/wav.js';
import { simCall, type ScriptStep } from '../../src/tools/sim/caller/index.js';
import { ended, startRecordsBridge, type RecordsBridge } from './harness.js';

const BIN_MS = 1;

/** Mean |sample| per 1 ms bin of one channel of interleaved stereo. */
function envelope(samples: Int16Array, channel: 0 | 1, rate: number): Float64Array {
  const per = (rate * BIN_MS) / 1000;
  const n = Math.floor(samples.length / 2 / per);
  const out = new Float64Array(n);
  for (let b = 0; b < n; b++) {
    let s = 0;
    for (let i = 0; i < per; i++) s += Math.abs(samples[2 * (b * per + i) + channel]!);
    out[b] = s / per;
  }
  return out;
}

/** The lag (bins) of `b` against `a` with the highest normalised correlation, and that correlation. */
function bestLag(a: Float64Array, b: Float64Array, maxLag: number): { lag: number; r: number } {
  let best = { lag: 0, r: -Infinity };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    for (let i = Math.max(0, -lag); i < a.length && i + lag < b.length; i++) {
      const x = a[i]!;
      const y = b[i + lag]!;
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
    const r = sab / Math.sqrt(saa * sbb || 1);
    if (r > best.r) best = { lag, r };
  }
  return best;
}

const BARGE: readonly ScriptStep[] = [
  { kind: 'say', ms: 600 },
  { kind: 'listen', quietMs: 300 },
  { kind: 'say', ms: 400 },
  { kind: 'barge', afterMs: 400, sayMs: 500 },
  { kind: 'silence', ms: 800 },
  { kind: 'hangup' },
];

let bridge: RecordsBridge | undefined;
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
});

describe('call recording', () => {
  it('left = what the caller sent, right = what it heard (the cut reply as far as heard), aligned within 20 ms', async () => {
    const rec = mkdtempSync(join(tmpdir(), 'parley-rec-'));
    bridge = await startRecordsBridge('local', { records: { recordingDir: rec } });
    const outDir = join(bridge.dir, 'caller');
    const report = await simCall({ url: bridge.url('twilio'), callId: 'CA-rec', script: BARGE, outDir, maxCallMs: 20_000 });
    expect(report.failure).toBeUndefined();
    expect(report.clears).toBe(1);
    await bridge.idle();
    const [end] = ended(bridge.events);
    expect(end!.recording).toBe(join(rec, 'CA-rec.wav'));
    await bridge.close(); // the recording is closed by the drain
    bridge = undefined;
    const parley = decodeWav(readFileSync(end!.recording!));
    const caller = decodeWav(readFileSync(join(outDir, 'CA-rec.wav')));
    expect(parley.sampleRate).toBe(8000);
    expect(parley.channels).toBe(2);
    const said = bestLag(envelope(caller.samples, 0, 8000), envelope(parley.samples, 0, 8000), 1000);
    const heard = bestLag(envelope(caller.samples, 1, 8000), envelope(parley.samples, 1, 8000), 1000);
    expect(said.r).toBeGreaterThan(0.9);
    // Each reply lands within a tick of where the caller heard it (the tick's phase varies).
    expect(heard.r).toBeGreaterThan(0.8);
    expect(Math.abs(said.lag - heard.lag) * BIN_MS).toBeLessThanOrEqual(20);
    // What was cleared is not in the file: as much agent audio as the caller heard, no more.
    const agentMs = (ch: Int16Array) => {
      let n = 0;
      for (let i = 1; i < ch.length; i += 2) if (ch[i] !== 0) n++;
      return (n / 8000) * 1000;
    };
    expect(agentMs(caller.samples)).toBeGreaterThan(1000);
    // (within a few frames: on a busy machine the simulated phone takes the clear a little late and
    // plays on meanwhile; recorder.test.ts checks the cut exactly)
    expect(Math.abs(agentMs(parley.samples) - agentMs(caller.samples))).toBeLessThan(100);
  }, 30_000);

  it('a full disk stops the recording (counted, named in call.ended) and the call goes on', async () => {
    const rec = mkdtempSync(join(tmpdir(), 'parley-rec-'));
    bridge = await startRecordsBridge('local', { records: { recordingDir: rec } });
    // Every write to /dev/full fails with ENOSPC, as on a full disk.
    if (!existsSync('/dev/full')) return;
    symlinkSync('/dev/full', join(rec, 'CA-full.wav'));
    const report = await simCall({ url: bridge.url('twilio'), callId: 'CA-full', script: [{ kind: 'say', ms: 500 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }], maxCallMs: 20_000 });
    expect(report.failure).toBeUndefined();
    expect(report.heardMs).toBeGreaterThan(500);
    await bridge.idle();
    expect(await bridge.app.metrics.value('parley_recording_errors_total', { reason: 'disk_full' })).toBe(1);
    expect(ended(bridge.events)[0]!.recordingError).toBe('disk_full');
  }, 30_000);
});
