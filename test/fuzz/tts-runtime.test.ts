// ElevenLabs fuzzing through the running bridge in cascade mode: a live call whose TTS provider
// (a hostile fake speaking the multi-stream-input protocol) answers each sentence with a
// generated script of server frames — valid, mutated, truncated, wrong types, bad base64, huge —
// before the sentence's real audio. Properties: nothing escapes, the call goes on to the
// caller's hang-up (a provider error may fail the sentence over to OpenAI TTS, never end the
// call), and every frame the client cannot use is counted in parley_tts_ignored_total by the
// reason the parser gives.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { parseElevenLabsMessage } from '../../src/ai/cascade/tts/elevenlabs/messages.js';
import { startParley, type ParleyApp } from '../../src/app.js';
import { startSimAgent, type SimAgent } from '../../src/tools/sim/agent/index.js';
import { simCall } from '../../src/tools/sim/caller/index.js';
import { startTtsFakes, type TtsFakes } from '../../src/tools/sim/tts/index.js';
import { elevenLabsEvent } from '../../bench/_fuzz-ai.js';
import { startFakeElevenLabs, type FakeElevenLabs } from './fake-elevenlabs.js';

const RUNS = Number(process.env.PARLEY_FUZZ_TTS_RUNS ?? 6);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 20251125);
const PARSE_REASONS = ['bad_json', 'bad_shape', 'bad_audio'];

async function ignored(app: ParleyApp): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of PARSE_REASONS) out[r] = await app.metrics.value('parley_tts_ignored_total', { why: r });
  return out;
}

describe('ElevenLabs fuzzing through the running bridge (cascade mode)', () => {
  let hostile: FakeElevenLabs;
  let agent: SimAgent;
  let fakes: TtsFakes;
  let app: ParleyApp;
  beforeAll(async () => {
    hostile = await startFakeElevenLabs();
    agent = await startSimAgent({ host: '127.0.0.1', port: 0 });
    fakes = await startTtsFakes({ openai: { apiKey: 'sk-key', msPerChar: 25, chunkMs: 100, speed: 4, firstChunkDelayMs: 40 } });
    const config = loadConfig({
      env: {},
      overrides: {
        port: 0,
        host: '127.0.0.1',
        logLevel: 'silent',
        ai: { mode: 'cascade', openaiUrl: agent.url, openaiApiKey: 'sk-key', elevenlabsApiKey: 'el-key', elevenlabsUrl: hostile.url },
        tts: { timeoutMs: 1000, openaiTtsUrl: fakes.openai.url },
      },
    });
    app = await startParley({ config });
  });
  afterAll(async () => {
    await app.shutdown();
    await agent.close();
    await fakes.close();
    await hostile.close();
  });

  it('every script: the call reaches its hang-up; every unusable frame is counted by reason', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(elevenLabsEvent, { minLength: 1, maxLength: 8 }), async (events) => {
        const script = events.map((e) => e.text);
        const want: Record<string, number> = Object.fromEntries(PARSE_REASONS.map((r) => [r, 0]));
        let error = false;
        for (const t of script) {
          for (const m of parseElevenLabsMessage(t)) {
            if (m.kind === 'ignored') want[m.why] = (want[m.why] ?? 0) + 1;
            if (m.kind === 'error') error = true;
          }
        }
        const before = await ignored(app);
        const hangups = await app.metrics.value('parley_calls_ended_total', { reason: 'hangup' });
        const sent = hostile.scriptedSent;
        hostile.arm(script);
        const report = await simCall({
          url: `ws://127.0.0.1:${app.port}/twilio`,
          script: [{ kind: 'say', ms: 800 }, { kind: 'listen', quietMs: 300, timeoutMs: 5000 }, { kind: 'hangup' }],
          maxCallMs: 20_000,
        });
        // The call went on: the caller heard the reply (from ElevenLabs or its failover) and hung up.
        expect(report.failure).toBeUndefined();
        expect(hostile.scriptedSent - sent, 'the script was sent').toBe(script.length);
        const end = Date.now() + 5000;
        while ((await app.metrics.value('parley_calls_ended_total', { reason: 'hangup' })) < hangups + 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
        expect(await app.metrics.value('parley_calls_ended_total', { reason: 'hangup' })).toBe(hangups + 1);
        const after = await ignored(app);
        const got = Object.fromEntries(PARSE_REASONS.map((r) => [r, after[r]! - before[r]!]));
        // A provider error ends the sentence (and may close the socket): frames after it may go unread.
        if (error) for (const r of PARSE_REASONS) expect(got[r]).toBeLessThanOrEqual(want[r]!);
        else expect(got).toEqual(want);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(await app.metrics.value('parley_calls_active')).toBe(0);
  }, 120_000);
});
