// `parley sim-tts`, run in-process: prints its URLs, serves both protocols with the armed
// faults, prints its stats and exits 0 on SIGTERM; bad options are refused with exit 2.
import { describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/sim-tts.js';
import { ElevenLabsMultiContext } from '../../src/ai/cascade/tts/elevenlabs/multiContext.js';
import { OpenAiTts } from '../../src/ai/cascade/tts/openaiTts.js';
import type { TtsProvider } from '../../src/ai/cascade/tts/types.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err, restore: () => (o.mockRestore(), e.mockRestore()) };
}

const say = (p: TtsProvider, text: string) => p.synthesize({ text, turn: 't1', signal: new AbortController().signal, onChunk: () => {} });

describe('parley sim-tts', () => {
  it('serves ElevenLabs and OpenAI TTS on the printed URLs until SIGTERM', async () => {
    const io = capture();
    let code: number | undefined;
    try {
      const done = run(['--elevenlabs-port', '0', '--openai-port', '0', '--elevenlabs-key', 'k', '--speed', '50', '--openai-fault', 'refuse:status=503']).then((c) => (code = c));
      const deadline = Date.now() + 3000;
      while (!io.out.some((l) => l.includes('elevenlabsUrl')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const urls = JSON.parse(io.out.find((l) => l.includes('elevenlabsUrl'))!) as { elevenlabsUrl: string; openaiTtsUrl: string };
      const el = new ElevenLabsMultiContext({ url: { base: urls.elevenlabsUrl, voice: 'v', model: 'm', outputFormat: 'pcm_16000' }, apiKey: 'k', rate: 16000 });
      expect(await say(el, 'Hello from the command line.')).toMatchObject({ kind: 'ok' });
      el.close();
      const oa = new OpenAiTts({ url: urls.openaiTtsUrl, model: 'tts', voice: 'alloy' });
      expect(await say(oa, 'Refused by the armed fault.')).toMatchObject({ kind: 'failed', code: 'http_503' });
      process.emit('SIGTERM');
      await done;
    } finally {
      io.restore();
    }
    expect(code).toBe(0);
    const stats = JSON.parse(io.out.find((l) => l.includes('"stats"'))!) as { stats: { elevenlabs: { requests: number }; openai: { faultsFired: number } } };
    expect(stats.stats.elevenlabs.requests).toBe(1);
    expect(stats.stats.openai.faultsFired).toBe(1);
  });

  it('refuses bad options with exit 2', async () => {
    const io = capture();
    try {
      expect(await run(['--speed', 'fast'])).toBe(2);
      expect(await run(['--elevenlabs-fault', 'explode'])).toBe(2);
      expect(await run(['--nope'])).toBe(2);
    } finally {
      io.restore();
    }
    expect(io.err.join('')).toMatch(/--speed must be a number/);
    expect(io.err.join('')).toMatch(/unknown fault 'explode'/);
  });
});
