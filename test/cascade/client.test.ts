// CascadeAiClient with the real TTS fakes over loopback and a stand-in for the LLM socket:
// sentences become audio of their response, held response.done, barge-in drops everything of
// the cancelled response at every stage (TT1), failover keeps each chunk at its own provider's
// rate (TT2), aborts never trip the breaker (TT3), the cache serves repeats under its caps.
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { CascadeAiClient } from '../../src/ai/cascade/client.js';
import { TtsAudioOut } from '../../src/ai/cascade/audioOut.js';
import { TtsBreaker } from '../../src/ai/cascade/breaker.js';
import { TtsCache } from '../../src/ai/cascade/cache.js';
import { CascadeMetrics } from '../../src/ai/cascade/metrics.js';
import { MAX_QUEUED_SENTENCES } from '../../src/ai/cascade/speaker.js';
import { ElevenLabsMultiContext } from '../../src/ai/cascade/tts/elevenlabs/multiContext.js';
import { OpenAiTts } from '../../src/ai/cascade/tts/openaiTts.js';
import type { AiEvent } from '../../src/ai/types.js';
import { startTtsFakes, type TtsFakes } from '../../src/tools/sim/tts/index.js';
import { frequency } from './signal.js';
import { StubRealtime } from './stubRealtime.js';

const FORMAT = { codec: 'pcm16', rate: 24000 } as const;
const EL_HZ = 440;
const OPENAI_HZ = 600;
const MS_PER_CHAR = 30;

interface Rig {
  fakes: TtsFakes;
  inner: StubRealtime;
  client: CascadeAiClient;
  breaker: TtsBreaker;
  cache: TtsCache;
  metrics: CascadeMetrics;
  registry: Registry;
  events: AiEvent[];
  audioOf(responseId: string): Int16Array;
}

let rig: Rig | undefined;
afterEach(async () => {
  if (!rig) return;
  rig.client.close();
  rig.breaker.stop();
  await rig.fakes.close();
  rig = undefined;
});

async function setup(o: { threshold?: number; cooldownMs?: number; speed?: number; cacheBytes?: number } = {}): Promise<Rig> {
  const voice = { msPerChar: MS_PER_CHAR, chunkMs: 100, speed: o.speed ?? 4, firstChunkDelayMs: 20 };
  const fakes = await startTtsFakes({ elevenlabs: { ...voice, toneHz: EL_HZ }, openai: { ...voice, toneHz: OPENAI_HZ } });
  const registry = new Registry();
  const metrics = new CascadeMetrics(registry);
  const cache = new TtsCache({ maxBytes: o.cacheBytes ?? 8 << 20, maxCallBytes: o.cacheBytes ?? 8 << 20, ttlMs: 60_000 });
  const breaker = new TtsBreaker({ threshold: o.threshold ?? 3, cooldownMs: o.cooldownMs ?? 60_000 });
  const timeouts = { connectMs: 1000, firstChunkMs: 1000, idleMs: 1000 };
  const inner = new StubRealtime();
  const client = new CascadeAiClient({
    inner,
    format: FORMAT,
    metrics,
    speaker: {
      primary: new ElevenLabsMultiContext({ url: { base: fakes.elevenlabs.url, voice: 'v', model: 'm', outputFormat: 'pcm_16000' }, rate: 16000, timeouts }),
      fallback: new OpenAiTts({ url: fakes.openai.url, model: 'tts', voice: 'alloy', timeouts }),
      breaker,
      cache,
      owner: 'call-1',
      out: new TtsAudioOut(FORMAT, 'native'),
      metrics,
    },
  });
  const events: AiEvent[] = [];
  client.on((e) => events.push(e));
  const audioOf = (responseId: string) => {
    const bufs = events.filter((e): e is Extract<AiEvent, { type: 'audio_delta' }> => e.type === 'audio_delta' && e.responseId === responseId).map((e) => e.audio);
    const b = Buffer.concat(bufs);
    return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  };
  rig = { fakes, inner, client, breaker, cache, metrics, registry, events, audioOf };
  return rig;
}

async function until(what: string, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const SENTENCES = ['Thanks for calling Parley today.', 'How can I help you with your order?', 'I am happy to look it up for you.'];

/** Streams the sentences as word deltas, like an LLM. */
function streamText(inner: StubRealtime, responseId: string, sentences: readonly string[]): void {
  for (const w of sentences.join(' ').split(/(?<= )/)) inner.text(responseId, w);
}

const ms = (samples: number) => (samples / FORMAT.rate) * 1000;
const visible = (s: string) => [...s].filter((c) => c.trim()).length;

describe('CascadeAiClient', () => {
  it('speaks each sentence as audio of its response, at the right pitch, and holds response_done until the last one', async () => {
    const { inner, client, events, fakes, audioOf } = await setup();
    client.updateSession({ inputFormat: FORMAT, outputFormat: FORMAT, turnDetection: { type: 'server_vad', interruptResponse: false } });
    const update = inner.sent[0] as { session: Record<string, unknown> };
    expect(update.session['output_modalities']).toEqual(['text']);
    const audio = update.session['audio'] as Record<string, Record<string, unknown>>;
    expect(audio['output']).toBeUndefined();
    expect(audio['input']!['transcription']).toEqual({ model: 'whisper-1' });

    inner.created('r1');
    streamText(inner, 'r1', SENTENCES);
    inner.done('r1');
    // The provider's response.done ended the text only: not passed on yet.
    expect(events.filter((e) => e.type === 'response_done')).toHaveLength(0);
    await until('response_done', () => events.some((e) => e.type === 'response_done'));
    const done = events.filter((e) => e.type === 'response_done');
    expect(done).toEqual([{ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' }]);
    // Every audio delta came before it, tagged with the response and its item.
    const last = events.findIndex((e) => e.type === 'response_done');
    expect(events.slice(last).some((e) => e.type === 'audio_delta')).toBe(false);
    expect(events.filter((e) => e.type === 'audio_delta').every((e) => 'itemId' in e && e.itemId === 'r1_item')).toBe(true);

    const pcm = audioOf('r1');
    const expectedMs = SENTENCES.reduce((n, s) => n + visible(s) * MS_PER_CHAR, 0);
    expect(Math.abs(ms(pcm.length) - expectedMs)).toBeLessThan(20);
    expect(frequency(pcm, FORMAT.rate)).toBeCloseTo(EL_HZ, -1);
    expect(fakes.elevenlabs.texts().map((t) => t.text)).toEqual(SENTENCES);
    // Both contexts of the turn (its sentences and the ones asked for ahead) are closed; the
    // close_context messages travel on the socket after the last audio: wait for them to land.
    await until('the contexts closed', () => fakes.elevenlabs.closes().length >= 2);
    expect(fakes.elevenlabs.closes().map((c) => c.contextId)).toEqual(['r1', 'r1_b']);
    const transcript = events.find((e) => e.type === 'transcript_done');
    expect(transcript).toMatchObject({ transcript: SENTENCES.join(' ') });
  });

  it('barge-in mid-sentence drops the rest of the response at every stage (TT1)', async () => {
    // Real-time TTS, so sentences 2 and 3 are still queued when the caller speaks.
    const { inner, client, events, fakes, audioOf, registry } = await setup({ speed: 1 });
    inner.created('r1');
    streamText(inner, 'r1', SENTENCES.slice(0, 2));
    await until('first audio', () => audioOf('r1').length > 0);
    // More text keeps coming while the first sentence plays; the provider's response is active.
    inner.text('r1', ' And here is ');
    const cancelAt = Date.now();
    const audioBefore = audioOf('r1').length;
    expect(client.cancelResponse('r1')).toBe('sent');
    expect(inner.types()).toContain('response.cancel'); // still active upstream (BI2)
    inner.text('r1', 'more text that must never be spoken. Truly never.');
    inner.done('r1', 'cancelled');
    await new Promise((r) => setTimeout(r, 600));

    expect(audioOf('r1').length).toBe(audioBefore);
    const spokenAfter = fakes.elevenlabs.texts().filter((t) => t.t > cancelAt + 5);
    expect(spokenAfter).toEqual([]);
    expect(fakes.elevenlabs.texts().map((t) => t.text)).toEqual([SENTENCES[0]]);
    expect(fakes.elevenlabs.closes().map((c) => c.contextId)).toEqual(['r1']);
    const done = events.filter((e) => e.type === 'response_done');
    expect(done).toEqual([{ type: 'response_done', gen: 1, responseId: 'r1', status: 'cancelled', reason: 'client_cancelled' }]);
    const drops = (await registry.getSingleMetric('parley_tts_cancelled_drops_total')!.get()).values;
    const byStage = Object.fromEntries(drops.map((v) => [v.labels['stage'], v.value]));
    expect(byStage['queue']).toBeGreaterThanOrEqual(1); // sentence 2 was waiting
    expect(byStage['text']).toBeGreaterThanOrEqual(1); // the late text delta

    // The next response speaks normally, and a finished response is never cancelled upstream.
    inner.created('r2');
    streamText(inner, 'r2', ['Sorry, go ahead please.']);
    inner.done('r2');
    await until('r2 done', () => events.some((e) => e.type === 'response_done' && e.responseId === 'r2'));
    expect(audioOf('r2').length).toBeGreaterThan(0);
  });

  it('a response whose text is complete is cancelled locally only (no response.cancel for a done response)', async () => {
    const { inner, client, audioOf } = await setup({ speed: 1 });
    inner.created('r1');
    streamText(inner, 'r1', SENTENCES);
    inner.done('r1');
    await until('first audio', () => audioOf('r1').length > 0);
    client.cancelResponse('r1');
    expect(inner.types()).not.toContain('response.cancel');
  });

  it('a response already spoken to its end and done upstream is not cancelled upstream (BI2, cache hits)', async () => {
    const { inner, client, events } = await setup();
    inner.created('r1');
    streamText(inner, 'r1', SENTENCES.slice(0, 1));
    inner.done('r1');
    await until('r1 done', () => events.some((e) => e.type === 'response_done' && e.responseId === 'r1'));
    expect(client.cancelResponse('r1')).toBe('sent');
    expect(inner.types()).not.toContain('response.cancel');
  });

  it('fails over to OpenAI TTS at its own rate, stays there after the threshold, and returns after the cooldown (TT2)', async () => {
    const { inner, events, fakes, audioOf, breaker } = await setup({ threshold: 2, cooldownMs: 400 });
    fakes.elevenlabs.arm({ kind: 'error', code: 'quota_exceeded' }, 'always');
    const speak = async (id: string, text: string) => {
      inner.created(id);
      streamText(inner, id, [text]);
      inner.done(id);
      await until(`${id} done`, () => events.some((e) => e.type === 'response_done' && e.responseId === id));
      return audioOf(id);
    };
    // Two sentences: each fails on ElevenLabs first, then the fallback says it.
    const a = await speak('r1', 'First failover sentence here.');
    const b = await speak('r2', 'Second failover sentence here.');
    for (const pcm of [a, b]) {
      expect(frequency(pcm, FORMAT.rate)).toBeCloseTo(OPENAI_HZ, -1);
      expect(Math.abs(ms(pcm.length) - visible('First failover sentence here.') * MS_PER_CHAR)).toBeLessThan(40);
    }
    expect(breaker.state).toBe('open');
    const elRequests = fakes.elevenlabs.stats().requests;
    const c = await speak('r3', 'Third sentence goes straight to the fallback.');
    expect(fakes.elevenlabs.stats().requests).toBe(elRequests);
    expect(frequency(c, FORMAT.rate)).toBeCloseTo(OPENAI_HZ, -1);

    fakes.elevenlabs.heal();
    await new Promise((r) => setTimeout(r, 450));
    const d = await speak('r4', 'Back on the primary after the cooldown.');
    expect(frequency(d, FORMAT.rate)).toBeCloseTo(EL_HZ, -1);
    expect(Math.abs(ms(d.length) - visible('Back on the primary after the cooldown.') * MS_PER_CHAR)).toBeLessThan(40);
    expect(breaker.state).toBe('closed');
  });

  it('barge-ins abort ElevenLabs requests without ever tripping the breaker (TT3)', async () => {
    const { inner, client, audioOf, breaker, registry } = await setup({ threshold: 1, speed: 1 });
    for (let i = 0; i < 4; i++) {
      const id = `r${i}`;
      inner.created(id);
      streamText(inner, id, [`This is sentence number ${i} and it is long enough to interrupt.`]);
      inner.done(id);
      await until('audio', () => audioOf(id).length > 0);
      client.cancelResponse(id);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(breaker.state).toBe('closed');
    expect(breaker.failures).toBe(0);
    const req = (await registry.getSingleMetric('parley_tts_requests_total')!.get()).values;
    expect(req.find((v) => v.labels['outcome'] === 'aborted')?.value).toBe(4);
    expect(req.find((v) => v.labels['outcome'] === 'failed')).toBeUndefined();
  });

  it('a primary failure after some audio: the fallback re-says that sentence at once (issue 20)', async () => {
    const { inner, events, fakes, audioOf, registry } = await setup({ threshold: 5 });
    fakes.elevenlabs.arm({ kind: 'drop', afterChunks: 2 });
    inner.created('r1');
    streamText(inner, 'r1', SENTENCES.slice(0, 2));
    inner.done('r1');
    await until('r1 done', () => events.some((e) => e.type === 'response_done'));
    expect(fakes.openai.stats().requests).toBe(1);
    const lost = (await registry.getSingleMetric('parley_tts_sentences_lost_total')!.get()).values.reduce((a, v) => a + v.value, 0);
    expect(lost).toBe(0);
    // Two chunks of the first sentence from ElevenLabs, all of it again from OpenAI TTS (no clause
    // boundary before the failure), then all of the second (ElevenLabs re-opened the socket).
    const expected = 2 * 100 + visible(SENTENCES[0]!) * MS_PER_CHAR + visible(SENTENCES[1]!) * MS_PER_CHAR;
    expect(Math.abs(ms(audioOf('r1').length) - expected)).toBeLessThan(40);
  });

  it('bounds the sentence queue: beyond it sentences are dropped and counted', async () => {
    const { inner, registry, client } = await setup();
    rig!.fakes.elevenlabs.arm({ kind: 'stall' }, 'always'); // the first sentence never finishes
    inner.created('r1');
    const sentences = Array.from({ length: 300 }, (_, i) => `Sentence number ${i} is here.`);
    streamText(inner, 'r1', [...sentences, 'End']);
    await new Promise((r) => setTimeout(r, 50));
    expect(client.queuedSentences).toBe(MAX_QUEUED_SENTENCES);
    const lost = (await registry.getSingleMetric('parley_tts_sentences_lost_total')!.get()).values.find((v) => v.labels['reason'] === 'queue_full')?.value;
    // One sentence in flight, one asked for ahead (stalled too), the bound queued, the rest lost.
    expect(lost).toBe(300 - 2 - MAX_QUEUED_SENTENCES);
  });

  it('serves a repeated sentence from the cache with its stored rate', async () => {
    const { inner, events, fakes, audioOf, cache } = await setup();
    for (const id of ['r1', 'r2']) {
      inner.created(id);
      streamText(inner, id, ['Thanks for calling Parley today.']);
      inner.done(id);
      await until(`${id} done`, () => events.some((e) => e.type === 'response_done' && e.responseId === id));
    }
    expect(fakes.elevenlabs.stats().requests).toBe(1);
    expect(cache.entries).toBe(1);
    const a = audioOf('r1');
    const b = audioOf('r2');
    expect(Math.abs(a.length - b.length)).toBeLessThan(64);
    expect(frequency(b, FORMAT.rate)).toBeCloseTo(EL_HZ, -1);
  });

  it('truncate replaces the text item with what the caller heard', async () => {
    const { inner, client, events } = await setup();
    inner.created('r1');
    streamText(inner, 'r1', SENTENCES);
    inner.done('r1');
    await until('done', () => events.some((e) => e.type === 'response_done'));
    const firstMs = visible(SENTENCES[0]!) * MS_PER_CHAR;
    // Heard the first sentence and half of the second.
    expect(client.sendRaw({ type: 'conversation.item.truncate', item_id: 'r1_item', content_index: 0, audio_end_ms: Math.round(firstMs + (visible(SENTENCES[1]!) * MS_PER_CHAR) / 2), event_id: 'call.truncate.1' })).toBe('sent');
    const [del, create] = inner.sent.slice(-2);
    expect(del).toEqual({ type: 'conversation.item.delete', item_id: 'r1_item', event_id: 'call.truncate.1' });
    const text = ((create as { item: { content: { text: string }[] } }).item.content[0]!).text;
    expect(text.startsWith(`${SENTENCES[0]} How can I`)).toBe(true);
    expect(text.length).toBeLessThan(`${SENTENCES[0]} ${SENTENCES[1]}`.length);
    await until('item_truncated', () => events.some((e) => e.type === 'item_truncated'));
  });

  it('a lost connection drops every pending response', async () => {
    const { inner, events, fakes, audioOf } = await setup({ speed: 1 });
    inner.created('r1');
    streamText(inner, 'r1', SENTENCES);
    await until('audio', () => audioOf('r1').length > 0);
    const n = audioOf('r1').length;
    // The sentence being spoken and the next one, asked for ahead; nothing after the drop.
    const asked = fakes.elevenlabs.texts().length;
    expect(asked).toBeLessThanOrEqual(2);
    inner.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
    await new Promise((r) => setTimeout(r, 400));
    expect(audioOf('r1').length).toBe(n);
    expect(fakes.elevenlabs.texts()).toHaveLength(asked);
    expect(events.at(-1)?.type).toBe('closed');
  });
});
