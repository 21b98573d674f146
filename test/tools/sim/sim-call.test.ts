// The simulated caller against a tiny echo bridge over real loopback sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simCall, runLoad } from '../../../src/tools/sim/caller/index.js';
import type { ScriptStep } from '../../../src/tools/sim/caller/types.js';
import { readWav } from '../../../src/tools/sim/audio/wav.js';
import { rmsDbfs } from '../../../src/tools/sim/audio/pcm.js';
import { startEchoServer, type EchoServer } from './echo-server.js';

const SCRIPT: ScriptStep[] = [
  { kind: 'say', ms: 600 },
  { kind: 'listen', quietMs: 400 },
  { kind: 'say', ms: 800 },
  { kind: 'barge', afterMs: 300, sayMs: 600 },
  { kind: 'listen', quietMs: 400 },
  { kind: 'hangup' },
];

/** Channel `ch` of a stereo WAV, level per 20 ms frame. */
function levels(samples: Int16Array, rate: number, ch: number): number[] {
  const frame = rate / 50;
  const mono = new Int16Array(samples.length / 2);
  for (let i = 0; i < mono.length; i++) mono[i] = samples[2 * i + ch]!;
  const out: number[] = [];
  for (let i = 0; i + frame <= mono.length; i += frame) out.push(rmsDbfs(mono, i, i + frame));
  return out;
}

describe('sim-call', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    // A generous lead: the module's 60 ms minimum fill leaves an 80 ms lead only 20 ms of slack,
    // too little on a loaded CI machine (the underrun test below exercises starvation on purpose).
    echo = await startEchoServer({ leadMs: 160 });
  });
  afterAll(() => echo.close());

  it('Twilio: speaks at real time, hears replies through marks, barges in and is cut off by clear', async () => {
    const out = mkdtempSync(join(tmpdir(), 'simcall-'));
    const report = await simCall({ url: echo.url('/twilio'), script: SCRIPT, outDir: out, customParameters: { tenant: 'acme' }, callId: 'tw1' });
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
    // real time: one 20 ms frame per tick for the whole call
    expect(Math.abs(report.framesSent + report.ticksSkipped - report.durationMs / 20)).toBeLessThanOrEqual(3);
    const server = echo.calls.at(-1)!;
    expect(server.framesIn).toBe(report.framesSent);
    expect(server.stopped).toBe(true);
    // every mark came back: played, or returned by the clear
    expect(report.marksSent).toBe(server.marksSent);
    expect(report.marksEchoed).toBe(report.marksSent);
    expect(server.marksEchoed).toBe(report.marksSent);
    expect(report.turns.map((t) => t.bargeIn)).toEqual([false, false, true]);
    for (const t of report.turns) {
      expect(t.responseLatencyMs).toBeGreaterThan(150); // the server's 300 ms end-of-turn silence (less the last syllable gap)
      expect(t.responseLatencyMs).toBeLessThan(600);
    }
    const [b] = report.bargeIns;
    expect(b).toBeDefined();
    expect(b!.heardAtSpeechMs).toBeGreaterThanOrEqual(300);
    expect(b!.heardAtSpeechMs).toBeLessThan(340);
    expect(b!.cutoffLatencyMs).toBeGreaterThan(20); // two voiced frames for the server to notice
    expect(b!.cutoffLatencyMs).toBeLessThan(150);
    expect(b!.heardMs).toBeGreaterThanOrEqual(b!.heardAtSpeechMs);
    expect(b!.staleFramesAfterClear).toBe(0);
    expect(report.clears).toBe(1);
    expect(report.underruns).toBe(0);
    expect(report.lateness.p99).toBeLessThan(30);
    expect(report.observedLeadMs).toBeGreaterThanOrEqual(140); // the bridge's 160 ms lead, seen as each run's burst
    expect(report.observedLeadMs).toBeLessThanOrEqual(180);
    expect(report.protocolErrors).toBe(0);
    expect(report.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['connected', 'speech_start', 'agent_audio_start', 'clear', 'hangup', 'closed']));
    // the recording: stereo 8 kHz, caller on the left, what was heard on the right
    const wav = readWav(report.wavPath!);
    expect(wav).toMatchObject({ sampleRate: 8000, channels: 2 });
    expect(wav.samples.length / 2 / 8000).toBeCloseTo(report.durationMs / 1000, 0);
    const left = levels(wav.samples, 8000, 0);
    const right = levels(wav.samples, 8000, 1);
    expect(left.slice(2, 25).filter((l) => l > -40).length).toBeGreaterThan(12); // the first turn is speech
    const heardFrames = right.filter((l) => l > -40).length * 20;
    expect(heardFrames).toBeGreaterThan(report.heardMs * 0.5);
    expect(right.slice(0, 25).every((l) => l < -60)).toBe(true); // nothing heard while the caller first speaks
    const json = JSON.parse(readFileSync(report.timelinePath!, 'utf8')) as { callId: string; bargeIns: unknown[] };
    expect(json.callId).toBe('tw1');
    expect(json.bargeIns).toHaveLength(1);
  });

  it('audio-stream 16 kHz: metadata first, binary PCM up, streamAudio down, clear:true on barge-in', async () => {
    const out = mkdtempSync(join(tmpdir(), 'simcall-'));
    const report = await simCall({ url: echo.url('/audio-stream'), sampleRate: 16000, script: SCRIPT, outDir: out });
    expect(report.failure).toBeUndefined();
    const server = echo.calls.at(-1)!;
    expect(server.metadata).toEqual({ callId: report.callId, sampleRate: 16000 });
    expect(server.framesIn).toBe(report.framesSent);
    expect(report.marksSent).toBe(0);
    expect(report.clears).toBe(1);
    expect(report.bargeIns[0]!.staleFramesAfterClear).toBe(0);
    expect(report.underruns).toBe(0);
    // the module keeps < 60 ms of each reply stranded in its buffer (minimum fill), so heard < received
    expect(report.agentAudioMs - report.heardMs).toBeGreaterThan(0);
    expect(readWav(report.wavPath!)).toMatchObject({ sampleRate: 16000, channels: 2 });
  });

  it('detects underruns when the bridge stops feeding mid-reply', async () => {
    const gappy = await startEchoServer({ pauseAtMs: 200, pauseMs: 250 });
    try {
      const report = await simCall({ url: gappy.url('/twilio'), script: [{ kind: 'say', ms: 800 }, { kind: 'listen', quietMs: 500 }, { kind: 'hangup' }] });
      expect(report.ok).toBe(true);
      expect(report.underruns).toBe(1);
      expect(report.underrunMs).toBeGreaterThanOrEqual(100);
      expect(report.underrunMs).toBeLessThanOrEqual(260);
      expect(report.lateness.max).toBeGreaterThan(100); // frames after the pause arrive late
    } finally {
      await gappy.close();
    }
  });

  it('counts what mod_audio_stream would cut: messages not a multiple of 20 ms lose their tail', async () => {
    const odd = await startEchoServer({ chunkMs: 30 });
    try {
      const report = await simCall({ url: odd.url('/audio-stream'), script: [{ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 400 }, { kind: 'hangup' }] });
      expect(report.ok).toBe(true);
      // every 30 ms message keeps 20 ms
      expect(report.alignmentLossMs).toBeGreaterThan(report.agentAudioMs / 3 - 40);
      expect(report.alignmentLossMs).toBeLessThan(report.agentAudioMs / 3 + 40);
    } finally {
      await odd.close();
    }
  });

  it('flags messages the far side would reject, and carries on', async () => {
    const junky = await startEchoServer({ junk: true });
    try {
      const tw = await simCall({ url: junky.url('/twilio'), script: [{ kind: 'say', ms: 400 }, { kind: 'listen', quietMs: 300 }, { kind: 'dtmf', digit: '5' }, { kind: 'hangup' }] });
      expect(tw.ok).toBe(true);
      expect(tw.protocolErrors).toBe(3); // binary, unknown event, wrong streamSid
      expect(tw.timeline.filter((e) => e.kind === 'protocol_error').map((e) => e.detail)).toEqual([
        '31950 binary frame',
        "31951 unknown event 'nonsense'",
        "31951 wrong or missing streamSid on 'clear'",
      ]);
      expect(junky.calls.at(-1)!.dtmf).toEqual(['5']);
      const as = await simCall({ url: junky.url('/audio-stream'), metadata: { callId: 'x' }, script: [{ kind: 'say', ms: 300 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }] });
      expect(as.protocolErrors).toBe(3);
    } finally {
      await junky.close();
    }
  });

  it('sends the bearer token, and reports refusals and dead endpoints as failures', async () => {
    const locked = await startEchoServer({ token: 's3cret' });
    try {
      const refused = await simCall({ url: locked.url('/twilio'), script: [{ kind: 'hangup' }] });
      expect(refused).toMatchObject({ ok: false, failure: 'refused: HTTP 401' });
      const ok = await simCall({ url: locked.url('/twilio'), token: 's3cret', script: [{ kind: 'say', ms: 100 }, { kind: 'hangup' }] });
      expect(ok.ok).toBe(true);
    } finally {
      await locked.close();
    }
    const dead = await simCall({ url: 'ws://127.0.0.1:1/twilio', script: [{ kind: 'hangup' }] });
    expect(dead.ok).toBe(false);
    expect(dead.failure).toMatch(/ECONNREFUSED/);
  });

  it('fails a listen that hears nothing, and a call the server hangs up', async () => {
    const r = await simCall({ url: echo.url('/twilio'), script: [{ kind: 'listen', timeoutMs: 300 }, { kind: 'hangup' }] });
    expect(r.ok).toBe(false);
    expect(r.failure).toMatch(/listen timed out/);
  });

  it('--calls N: concurrent calls with a summary', async () => {
    const summary = await runLoad({ url: echo.url('/twilio'), calls: 6, rampMs: 100, script: SCRIPT });
    expect(summary).toMatchObject({ calls: 6, ok: 6, failed: 0, bargeIns: 6, staleFramesAfterClear: 0, protocolErrors: 0, underruns: 0 });
    expect(summary.cutoffLatency.count).toBe(6);
    expect(summary.cutoffLatency.p99).toBeLessThan(150);
    expect(summary.lateness.count).toBe(summary.framesReceived);
    expect(summary.reports.map((r) => r.callId)).toEqual(['load-0', 'load-1', 'load-2', 'load-3', 'load-4', 'load-5']);
  });
});
