// The sim-agent and sim-call commands, run in-process.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as simCallCmd } from '../../../src/cli/commands/sim-call.js';
import { run as simAgentCmd } from '../../../src/cli/commands/sim-agent.js';
import { writeWav } from '../../../src/tools/sim/audio/wav.js';
import { speech } from '../../../src/tools/sim/audio/synth.js';
import { OpenAIRealtimeClient } from '../../../src/ai/openai/client.js';
import { startEchoServer, type EchoServer } from './echo-server.js';
import { Recorder } from '../../ai/helpers.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return {
    out,
    err,
    restore() {
      o.mockRestore();
      e.mockRestore();
    },
  };
}

describe('parley sim-call', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEchoServer();
  });
  afterAll(() => echo.close());

  it('plays a WAV file as the caller, prints the live timeline and a JSON report, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simcli-'));
    const wav = join(dir, 'caller.wav');
    // a 44.1 kHz stereo WAV: resampled and mixed down by the caller
    const mono = speech(1500, { sampleRate: 44100, seed: 9 });
    const stereo = new Int16Array(mono.length * 2);
    mono.forEach((v, i) => ((stereo[2 * i] = v), (stereo[2 * i + 1] = v)));
    writeWav(wav, { sampleRate: 44100, channels: 2, samples: stereo });
    const io = capture();
    let code: number;
    try {
      code = await simCallCmd(['--url', echo.url('/audio-stream'), '--rate', '16000', '--wav', wav, '--script', 'say:700,listen:400,hangup', '--out', dir]);
    } finally {
      io.restore();
    }
    expect(code).toBe(0);
    const report = JSON.parse(io.out.at(-1)!) as { ok: boolean; protocol: string; turns: { responseLatencyMs?: number }[]; wavPath: string };
    expect(report).toMatchObject({ ok: true, protocol: 'audio-stream' });
    expect(report.turns[0]!.responseLatencyMs).toBeGreaterThan(0); // the echo bridge heard the WAV speech
    expect(io.err.join('')).toMatch(/speech_start/);
    expect(report.wavPath.startsWith(dir)).toBe(true);
  });

  it('--calls N prints a load summary', async () => {
    const io = capture();
    let code: number;
    try {
      code = await simCallCmd(['--url', echo.url('/twilio'), '--calls', '3', '--ramp-ms', '50', '--script', 'say:400,listen:300,hangup']);
    } finally {
      io.restore();
    }
    expect(code).toBe(0);
    expect(JSON.parse(io.out.at(-1)!)).toMatchObject({ calls: 3, ok: 3, failed: 0 });
  });

  it('refuses bad options with exit 2 and a message naming the option', async () => {
    for (const [args, msg] of [
      [['--url', 'http://x/twilio'], /--url/],
      [['--rate', '44100'], /--rate/],
      [['--script', 'jump:3'], /unknown script step/],
      [['--calls', '0'], /--calls/],
      [['--param', 'novalue'], /--param/],
      [['--bogus'], /Unknown option/],
    ] as const) {
      const io = capture();
      let code: number;
      try {
        code = await simCallCmd([...args]);
      } finally {
        io.restore();
      }
      expect(code).toBe(2);
      expect(io.err.join('')).toMatch(msg);
    }
  });
});

describe('parley sim-agent', () => {
  it('serves until SIGTERM, with faults from flags, then prints its stats', async () => {
    const io = capture();
    const running = simAgentCmd(['--port', '0', '--reply', 'melody', '--reply-ms', '400', '--speed', '20', '--fault', 'error:code=server_error']);
    let url = '';
    for (let i = 0; i < 100 && !url; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const line = io.out.find((l) => l.includes('"url"'));
      if (line) url = (JSON.parse(line) as { url: string }).url;
    }
    io.restore();
    expect(url).toMatch(/^ws:\/\//);
    const c = new OpenAIRealtimeClient({ url });
    const rec = new Recorder(c);
    c.connect();
    expect((await rec.waitFor('error')).error).toMatchObject({ code: 'server_error', severity: 'retryable' });
    c.close();
    const io2 = capture();
    process.emit('SIGTERM');
    const code = await running;
    io2.restore();
    expect(code).toBe(0);
    expect(JSON.parse(io2.out.at(-1)!)).toMatchObject({ stopped: true, connections: 1, errorsSent: 1 });
  });

  it('refuses bad flags with exit 2', async () => {
    for (const args of [['--reply', 'sing'], ['--fault', 'explode'], ['--port', '70000'], ['--speed', 'fast']]) {
      const io = capture();
      let code: number;
      try {
        code = await simAgentCmd(args);
      } finally {
        io.restore();
      }
      expect(code).toBe(2);
      expect(io.err.join('')).toMatch(/--(reply|fault|port|speed)/);
    }
  });
});
