// The TTS clients against the offline fakes over loopback: ElevenLabs multi-context and
// single-context WebSockets, OpenAI TTS over HTTP streaming. Completion, abort (never a failure,
// TT3), every fault kind as a failure, and the field spellings of
// docs/reference/tts-providers.md#field-spellings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ElevenLabsMultiContext, type ElevenLabsOptions } from '../../src/ai/cascade/tts/elevenlabs/multiContext.js';
import { ElevenLabsSingleContext } from '../../src/ai/cascade/tts/elevenlabs/singleContext.js';
import { parseElevenLabsMessage } from '../../src/ai/cascade/tts/elevenlabs/messages.js';
import { OpenAiTts } from '../../src/ai/cascade/tts/openaiTts.js';
import type { TtsChunk, TtsOutcome, TtsProvider } from '../../src/ai/cascade/tts/types.js';
import { startElevenLabsFake, startOpenAiTtsFake, type TtsFake } from '../../src/tools/sim/tts/index.js';

const KEY = 'test-key';
const MS_PER_CHAR = 40;
const TIMEOUTS = { connectMs: 1000, firstChunkMs: 600, idleMs: 600 };

function run(p: TtsProvider, text: string, turn = 'resp_1', abortAfterChunks?: number) {
  const chunks: TtsChunk[] = [];
  const ctl = new AbortController();
  const done: Promise<TtsOutcome> = p.synthesize({
    text,
    turn,
    signal: ctl.signal,
    onChunk: (c) => {
      chunks.push(c);
      if (abortAfterChunks !== undefined && chunks.length >= abortAfterChunks) ctl.abort();
    },
  });
  return { chunks, done, ctl };
}

const expectedBytes = (text: string, rate: number) => Math.round(([...text].filter((c) => c.trim()).length * MS_PER_CHAR * rate) / 1000) * 2;
const total = (chunks: TtsChunk[]) => chunks.reduce((n, c) => n + c.pcm.length, 0);

describe('ElevenLabs clients against the fake', () => {
  let fake: TtsFake;
  beforeAll(async () => {
    fake = await startElevenLabsFake({ apiKey: KEY, msPerChar: MS_PER_CHAR, chunkMs: 100, speed: 20, firstChunkDelayMs: 10 });
  });
  afterAll(() => fake.close());
  const opts = (over: Partial<ElevenLabsOptions> = {}): ElevenLabsOptions => ({
    url: { base: fake.url, voice: 'voice1', model: 'eleven_flash_v2_5', outputFormat: 'pcm_16000' },
    apiKey: KEY,
    rate: 16000,
    timeouts: TIMEOUTS,
    ...over,
  });

  it('multi-context: sentences of a turn on one socket and one context, complete by alignment, close_context at the end', async () => {
    const p = new ElevenLabsMultiContext(opts());
    const before = fake.stats().connections;
    try {
      const a = run(p, 'Thanks for calling Parley.', 'resp_a');
      expect(await a.done).toEqual({ kind: 'ok', bytes: expectedBytes('Thanks for calling Parley.', 16000) });
      expect(a.chunks.every((c) => c.rate === 16000 && c.pcm.length % 2 === 0)).toBe(true);
      const b = run(p, 'How can I help you today?', 'resp_a');
      expect((await b.done).kind).toBe('ok');
      expect(total(b.chunks)).toBe(expectedBytes('How can I help you today?', 16000));
      p.endTurn('resp_a', false);
      await new Promise((r) => setTimeout(r, 50));
      expect(fake.stats().connections).toBe(before + 1);
      const texts = fake.texts().filter((t) => t.contextId === 'resp_a').map((t) => t.text);
      expect(texts).toEqual(['Thanks for calling Parley.', 'How can I help you today?']);
      expect(fake.closes().map((c) => c.contextId)).toContain('resp_a');
    } finally {
      p.close();
    }
  });

  it('multi-context: a sentence asked for ahead runs on the turn\'s second context, each gets only its own audio; the socket keeps a context spare', async () => {
    const p = new ElevenLabsMultiContext(opts());
    try {
      expect(p.canPrefetch('resp_p')).toBe(true);
      const a = run(p, 'The sentence being spoken now.', 'resp_p');
      const b = run(p, 'And the one asked for ahead.', 'resp_p');
      // Both lanes of the turn are busy: a third sentence waits (the speaker never asks for one).
      expect(p.canPrefetch('resp_p')).toBe(false);
      expect(await run(p, 'A third one.', 'resp_p').done).toMatchObject({ kind: 'failed', code: 'busy' });
      expect((await a.done).kind).toBe('ok');
      expect((await b.done).kind).toBe('ok');
      expect(total(a.chunks)).toBe(expectedBytes('The sentence being spoken now.', 16000));
      expect(total(b.chunks)).toBe(expectedBytes('And the one asked for ahead.', 16000));
      const contexts = fake.texts().filter((t) => t.contextId.startsWith('resp_p')).map((t) => [t.contextId, t.text]);
      expect(contexts).toEqual([
        ['resp_p', 'The sentence being spoken now.'],
        ['resp_p_b', 'And the one asked for ahead.'],
      ]);
      // Two turns' contexts open (four): a prefetch would leave none spare for the next turn.
      expect((await run(p, 'Another turn.', 'resp_q').done).kind).toBe('ok');
      expect((await run(p, 'Its second sentence.', 'resp_q').done).kind).toBe('ok');
      const q = run(p, 'Busy on lane one.', 'resp_q');
      await q.done;
      expect((await run(p, 'Then lane two.', 'resp_r').done).kind).toBe('ok');
      // open: resp_p, resp_p_b, resp_q, resp_r — a second context for resp_r would be the fifth.
      const r = run(p, 'Spoken on resp_r.', 'resp_r');
      expect(p.canPrefetch('resp_r')).toBe(false);
      await r.done;
      p.endTurn('resp_p', false);
      await new Promise((res) => setTimeout(res, 100));
      const s = run(p, 'Spoken on resp_r again.', 'resp_r');
      expect(p.canPrefetch('resp_r')).toBe(true);
      await s.done;
      expect(fake.stats().contextLimitHits).toBe(0);
    } finally {
      p.close();
    }
  });

  it('multi-context: an abort is "aborted", and audio still in flight for the context is never passed on (TT1, TT3)', async () => {
    const p = new ElevenLabsMultiContext(opts());
    try {
      const r = run(p, 'This is a rather long sentence that takes a while to say.', 'resp_b', 1);
      expect(await r.done).toEqual({ kind: 'aborted' });
      p.endTurn('resp_b', true);
      await new Promise((res) => setTimeout(res, 150));
      expect(r.chunks).toHaveLength(1);
      // The next turn's sentence on the same socket only gets its own audio.
      const next = run(p, 'Sure, go ahead.', 'resp_c');
      expect((await next.done).kind).toBe('ok');
      expect(total(next.chunks)).toBe(expectedBytes('Sure, go ahead.', 16000));
    } finally {
      p.close();
    }
  });

  it('multi-context: the socket is re-opened after the server closed it', async () => {
    const p = new ElevenLabsMultiContext(opts());
    try {
      expect((await run(p, 'First one here.', 'r1').done).kind).toBe('ok');
      fake.arm({ kind: 'drop', afterChunks: 1 });
      const dropped = await run(p, 'Second one here.', 'r2').done;
      expect(dropped).toMatchObject({ kind: 'failed' });
      expect((await run(p, 'Third one here.', 'r3').done).kind).toBe('ok');
    } finally {
      p.close();
    }
  });

  it.each([
    [{ kind: 'error', code: 'quota_exceeded' } as const, 'quota_exceeded'],
    [{ kind: 'error', code: 'system_busy', afterChunks: 2 } as const, 'system_busy'],
    [{ kind: 'stall', afterChunks: 1 } as const, 'timeout'],
    [{ kind: 'delay', ms: 2000 } as const, 'timeout'],
    [{ kind: 'refuse', status: 401 } as const, 'http_401'],
  ])('multi-context: fault %o is a failure (%s)', async (fault, code) => {
    fake.arm(fault);
    const p = new ElevenLabsMultiContext(opts());
    try {
      const o = await run(p, 'A sentence that will not make it.', 'rf').done;
      expect(o).toMatchObject({ kind: 'failed', code });
    } finally {
      p.close();
    }
  });

  it('a wrong key is refused at the upgrade; no key at all is refused after the first message', async () => {
    const wrong = new ElevenLabsMultiContext(opts({ apiKey: 'nope' }));
    const none = new ElevenLabsMultiContext(opts({ apiKey: undefined }));
    try {
      expect(await run(wrong, 'Hello there friend.').done).toMatchObject({ kind: 'failed', code: 'http_401' });
      expect(await run(none, 'Hello there friend.').done).toMatchObject({ kind: 'failed', code: 'invalid_api_key' });
    } finally {
      wrong.close();
      none.close();
    }
  });

  it('single-context: one socket per sentence, complete on the final message; abort closes it', async () => {
    const p = new ElevenLabsSingleContext(opts());
    try {
      const r = run(p, 'Single context works too.');
      expect(await r.done).toEqual({ kind: 'ok', bytes: expectedBytes('Single context works too.', 16000) });
      const a = run(p, 'This one is cut off after the first chunk of audio.', 't', 1);
      expect(await a.done).toEqual({ kind: 'aborted' });
      fake.arm({ kind: 'error', code: 'internal_error', afterChunks: 1 });
      expect(await run(p, 'And this one fails midway through.').done).toMatchObject({ kind: 'failed', code: 'internal_error' });
    } finally {
      p.close();
    }
  });
});

describe('ElevenLabs without alignment', () => {
  it('completes sentences when the audio stops for a while', async () => {
    const fake = await startElevenLabsFake({ msPerChar: MS_PER_CHAR, chunkMs: 100, speed: 20, firstChunkDelayMs: 10, noAlignment: true });
    const p = new ElevenLabsMultiContext({
      url: { base: fake.url, voice: 'v', model: 'm', outputFormat: 'pcm_24000' },
      rate: 24000,
      timeouts: TIMEOUTS,
      unalignedIdleMs: 100,
    });
    try {
      const r = run(p, 'No timing data here.');
      expect(await r.done).toMatchObject({ kind: 'ok' });
      expect(total(r.chunks)).toBe(expectedBytes('No timing data here.', 24000));
    } finally {
      p.close();
      await fake.close();
    }
  });
});

describe('ElevenLabs server messages', () => {
  it('accepts both spellings of the final flag and the context id, and both alignments', () => {
    const audio = Buffer.from([1, 0, 2, 0]).toString('base64');
    expect(parseElevenLabsMessage(JSON.stringify({ audio, contextId: 'a', alignment: { chars: ['H', 'i', ' '] } }))).toEqual([
      { kind: 'audio', audio: Buffer.from([1, 0, 2, 0]), contextId: 'a', alignedChars: 2 },
    ]);
    expect(parseElevenLabsMessage(JSON.stringify({ audio, context_id: 'b', normalizedAlignment: { chars: ['x'] } }))[0]).toMatchObject({ contextId: 'b', alignedChars: 1 });
    expect(parseElevenLabsMessage(JSON.stringify({ is_final: true, context_id: 'c' }))).toEqual([{ kind: 'final', contextId: 'c' }]);
    expect(parseElevenLabsMessage(JSON.stringify({ isFinal: true, contextId: 'd', audio: null }))).toEqual([{ kind: 'final', contextId: 'd' }]);
    expect(parseElevenLabsMessage(JSON.stringify({ audio, isFinal: true }))).toHaveLength(2);
  });

  it('reads the error shape and ignores what it cannot use', () => {
    expect(parseElevenLabsMessage(JSON.stringify({ message: 'Have not received…', error: 'input_timeout_exceeded', code: 1008 }))).toEqual([
      { kind: 'error', code: 'input_timeout_exceeded', message: 'Have not received…' },
    ]);
    expect(parseElevenLabsMessage('{nope')).toEqual([{ kind: 'ignored', why: 'bad_json' }]);
    expect(parseElevenLabsMessage('[1]')).toEqual([{ kind: 'ignored', why: 'bad_shape' }]);
    expect(parseElevenLabsMessage(JSON.stringify({ audio: '***' }))).toEqual([{ kind: 'ignored', why: 'bad_audio' }]);
  });
});

describe('OpenAI TTS client against the fake', () => {
  let fake: TtsFake;
  beforeAll(async () => {
    fake = await startOpenAiTtsFake({ apiKey: KEY, msPerChar: MS_PER_CHAR, chunkMs: 100, speed: 20, firstChunkDelayMs: 10 });
  });
  afterAll(() => fake.close());
  const client = (apiKey = KEY) => new OpenAiTts({ url: fake.url, apiKey, model: 'gpt-4o-mini-tts', voice: 'alloy', timeouts: TIMEOUTS });

  it('streams 24 kHz PCM of the whole sentence', async () => {
    const r = run(client(), 'The fallback speaks now.');
    expect(await r.done).toEqual({ kind: 'ok', bytes: expectedBytes('The fallback speaks now.', 24000) });
    expect(r.chunks.every((c) => c.rate === 24000 && c.pcm.length % 2 === 0)).toBe(true);
  });

  it('an abort is "aborted" (TT3) and the server sees the request go', async () => {
    const before = fake.stats().aborted;
    const r = run(client(), 'A long sentence to be interrupted by the caller speaking over it.', 't', 1);
    expect(await r.done).toEqual({ kind: 'aborted' });
    await new Promise((res) => setTimeout(res, 100));
    expect(fake.stats().aborted).toBe(before + 1);
  });

  it.each([
    [{ kind: 'refuse', status: 429 } as const, 'http_429'],
    [{ kind: 'error' } as const, 'http_500'],
    [{ kind: 'drop', afterChunks: 1 } as const, undefined],
    [{ kind: 'stall', afterChunks: 1 } as const, 'timeout'],
  ])('fault %o is a failure', async (fault, code) => {
    fake.arm(fault);
    const o = await run(client(), 'This one will fail somehow.').done;
    expect(o.kind).toBe('failed');
    if (code) expect(o).toMatchObject({ code });
  });

  it('a wrong key is HTTP 401', async () => {
    expect(await run(client('bad'), 'Hello there.').done).toMatchObject({ kind: 'failed', code: 'http_401' });
  });
});
