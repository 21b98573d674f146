// AI-side fuzzing through the running bridge: a live Twilio call whose AI provider (a hostile
// fake speaking the OpenAI Realtime wire protocol) sends a generated script of server events —
// valid, mutated, truncated, wrong types, bad base64, huge. Properties: nothing escapes, the
// call continues (its socket stays open and a sentinel event is read; a recoverable error keeps
// the same AI connection) unless the script holds a fatal error — then it ends with the
// protocol's answer (the give-up notice, then a normal close) — and every event Parley cannot
// use is counted in parley_ai_ignored_total by the reason the parser gives.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config/index.js';
import { parseServerEvent } from '../../src/ai/openai/server-events.js';
import { startParley, type ParleyApp } from '../../src/app.js';
import { openaiEvent } from '../../bench/_fuzz-ai.js';
import { startFakeOpenAi, type FakeOpenAi } from './fake-openai.js';

const RUNS = Number(process.env.PARLEY_FUZZ_RUNTIME_RUNS ?? 25);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 20251125);
const SID = 'MZ0123456789abcdef0123456789abcdef';

const startMsg = (callSid: string) =>
  JSON.stringify({
    event: 'start',
    streamSid: SID,
    start: { streamSid: SID, callSid, tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
  });

async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function ignoredCounts(app: ParleyApp): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await app.metrics.aiIgnored.get()).values) out.set(String(v.labels['reason']), v.value);
  return out;
}

/** What the script means for the link: ignored events by reason up to the first error the link acts on. */
function reference(script: readonly string[]) {
  const ignored = new Map<string, number>();
  let linkError: 'fatal' | 'retryable' | undefined;
  for (const text of script) {
    const ev = parseServerEvent(text, 1);
    if (ev?.type === 'ignored') ignored.set(ev.why, (ignored.get(ev.why) ?? 0) + 1);
    if (ev?.type === 'error' && ev.error.severity !== 'benign') {
      linkError = ev.error.severity;
      break;
    }
  }
  return { ignored, linkError };
}

describe('AI provider fuzzing through the running bridge', () => {
  let fake: FakeOpenAi;
  let app: ParleyApp;
  let call = 0;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    const config = loadConfig({
      env: {},
      overrides: {
        port: 0,
        host: '127.0.0.1',
        logLevel: 'silent',
        ai: { mode: 'openai', openaiUrl: fake.url },
        // One quick retry, then give up: a run ends in well under a second either way.
        reconnect: { delaysMs: [20], attempts: 1, giveUpNotice: 'none' },
      },
    });
    app = await startParley({ config });
  });
  afterAll(async () => {
    await app.shutdown();
    await fake.close();
  });

  it('every script: the call goes on or ends by the link rules; every unusable event is counted by reason', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(openaiEvent, { minLength: 1, maxLength: 12 }), async (events) => {
        const script = events.map((e) => e.text);
        const ref = reference(script);
        const before = await ignoredCounts(app);
        const ended0 = await app.metrics.value('parley_calls_ended_total', { reason: 'ai_gave_up' });
        const conns0 = fake.connections;
        fake.arm(script);
        const ws = new WebSocket(`ws://127.0.0.1:${app.port}/twilio`, { perMessageDeflate: false });
        let closeCode: number | undefined;
        ws.on('close', (code) => (closeCode = code));
        ws.on('error', () => {});
        await new Promise((r) => ws.once('open', r));
        ws.send(startMsg(`CAfuzz${++call}`));
        const sentinelSeen = async () => ((await ignoredCounts(app)).get('unknown_type') ?? 0) - (before.get('unknown_type') ?? 0) > (ref.ignored.get('unknown_type') ?? 0);
        if (ref.linkError === undefined) {
          await until(sentinelSeen, 5000, 'sentinel read');
          expect(closeCode, 'the call survived the provider').toBeUndefined();
          const after = await ignoredCounts(app);
          const got = Object.fromEntries([...after].map(([k, v]) => [k, v - (before.get(k) ?? 0)]).filter(([, v]) => (v as number) > 0));
          const want = Object.fromEntries(ref.ignored);
          want['unknown_type'] = (want['unknown_type'] ?? 0) + 1;
          expect(got).toEqual(want);
        } else if (ref.linkError === 'fatal') {
          // Fatal: no reconnect; the call ends with the give-up path and a normal close.
          await until(() => closeCode !== undefined, 5000, 'close after a fatal AI error');
          expect(closeCode).toBe(1000);
          await until(async () => (await app.metrics.value('parley_calls_ended_total', { reason: 'ai_gave_up' })) === ended0 + 1, 2000, 'ai_gave_up counted');
        } else {
          // Recoverable on an open socket: the provider keeps the session open after most errors,
          // so the link stays (no reconnect, the conversation is kept) and the call reads on.
          await until(sentinelSeen, 5000, 'sentinel read');
          expect(fake.connections, 'no reconnect for a recoverable error').toBe(conns0 + 1);
          expect(closeCode, 'a retryable AI error does not end the call').toBeUndefined();
        }
        if (closeCode === undefined) {
          ws.send(JSON.stringify({ event: 'stop', streamSid: SID }));
          await until(() => closeCode !== undefined, 5000, 'close after stop');
        }
        await until(() => app.server.activeCalls === 0, 5000, 'call released');
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    expect(await app.metrics.value('parley_calls_active')).toBe(0);
  }, 120_000);
});
