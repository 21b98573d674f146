// The OpenAI Realtime client against the sim-agent over real loopback sockets.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { OpenAIRealtimeClient } from '../../src/ai/openai/client.js';
import type { AiSessionConfig } from '../../src/ai/types.js';
import { startSimAgent } from '../../src/tools/sim/agent/server.js';
import type { SimAgent } from '../../src/tools/sim/agent/types.js';
import { appendAll, Recorder, sleep, turnMulaw, turnPcm24k } from './helpers.js';

const PCM24 = { codec: 'pcm16', rate: 24000 } as const;
const ULAW = { codec: 'mulaw', rate: 8000 } as const;
const session = (over: Partial<AiSessionConfig> = {}): AiSessionConfig => ({
  instructions: 'be brief',
  voice: 'marin',
  inputFormat: PCM24,
  outputFormat: PCM24,
  turnDetection: { type: 'server_vad', silenceDurationMs: 300, interruptResponse: true },
  ...over,
});

describe('OpenAI Realtime client ⇄ sim-agent', () => {
  let agent: SimAgent;
  const clients: OpenAIRealtimeClient[] = [];
  beforeAll(async () => {
    agent = await startSimAgent({ replyMs: 1000, speed: 10, deltaMs: 100, firstAudioDelayMs: 20 });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => agent.close());

  async function open(url = agent.url, extra: Partial<ConstructorParameters<typeof OpenAIRealtimeClient>[0]> = {}) {
    const c = new OpenAIRealtimeClient({ url, ...extra });
    clients.push(c);
    const rec = new Recorder(c);
    c.connect();
    await rec.waitFor('session_created');
    return { c, rec };
  }

  it('opens a generation, configures the session in GA shape and gets session.updated', async () => {
    const { c, rec } = await open();
    expect(c.state).toBe('open');
    expect(c.generation).toBe(1);
    expect(rec.events[0]).toEqual({ type: 'open', gen: 1 });
    const before = agent.received().length;
    expect(
      c.updateSession(
        session({ inputFormat: ULAW, outputFormat: ULAW, transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' }, turnDetection: { type: 'server_vad', threshold: 0.6, interruptResponse: false } }),
      ),
    ).toBe('sent');
    await rec.waitFor('session_updated');
    const sent = agent.received().slice(before).find((e) => e.type === 'session.update')!.event;
    expect(sent).toMatchObject({
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['audio'],
        instructions: 'be brief',
        audio: {
          input: {
            format: { type: 'audio/pcmu' },
            turn_detection: { type: 'server_vad', threshold: 0.6, create_response: true, interrupt_response: false },
            transcription: { model: 'gpt-4o-mini-transcribe', language: 'en' },
          },
          output: { format: { type: 'audio/pcmu' }, voice: 'marin' },
        },
      },
    });
    expect(typeof sent['event_id']).toBe('string');
  });

  it('batches appends to the configured duration and flushes the remainder', async () => {
    const { c, rec } = await open(agent.url, { appendBatchMs: 60 });
    c.updateSession(session({ inputFormat: ULAW, outputFormat: ULAW }));
    await rec.waitFor('session_updated');
    const before = agent.received().length;
    for (let i = 0; i < 7; i++) expect(c.appendAudio(Buffer.alloc(160, 0xff))).toBe('sent'); // 7 × 20 ms µ-law
    expect(c.pendingAppendBytes).toBe(160);
    c.flushAudio();
    expect(c.pendingAppendBytes).toBe(0);
    await sleep(100);
    const appends = agent.received().slice(before).filter((e) => e.type === 'input_audio_buffer.append');
    // 480 B (60 ms) → 640 base64 chars; the flushed 160 B → 216 chars
    expect(appends.map((e) => e.event['audio_chars'])).toEqual([640, 640, 216]);
  });

  it('turns a caller turn into VAD events, a response lifecycle and decoded audio deltas', async () => {
    const { c, rec } = await open();
    c.updateSession(session({ transcription: { model: 'x' } }));
    await rec.waitFor('session_updated');
    appendAll(c, turnPcm24k(200, 800, 500), 960);
    const started = await rec.waitFor('speech_started');
    const stopped = await rec.waitFor('speech_stopped');
    expect(started.audioStartMs).toBe(0); // onset 200 ms − 300 ms prefix padding, clamped
    expect(stopped.audioEndMs).toBeGreaterThanOrEqual(1000 + 300);
    expect(stopped.audioEndMs).toBeLessThanOrEqual(1000 + 300 + 200);
    expect(stopped.itemId).toBe(started.itemId);
    await rec.waitFor('input_committed', (e) => e.itemId === started.itemId);
    await rec.waitFor('input_transcript', (e) => e.itemId === started.itemId);
    const created = await rec.waitFor('response_created');
    const item = await rec.waitFor('output_item_added');
    const done = await rec.waitFor('response_done');
    expect(done).toMatchObject({ responseId: created.responseId, status: 'completed' });
    const deltas = rec.of('audio_delta');
    expect(deltas.every((d) => d.responseId === created.responseId && d.itemId === item.itemId)).toBe(true);
    expect(deltas.reduce((n, d) => n + d.audio.length, 0)).toBe(48 * 1000); // 1000 ms of PCM16 24 kHz
    const transcript = await rec.waitFor('transcript_done');
    expect(transcript.transcript).toContain('[reply');
    // order: created < item added < first delta < audio done < response done
    const order = ['response_created', 'output_item_added', 'audio_delta', 'audio_done', 'response_done'].map((t) => rec.events.findIndex((e) => e.type === t));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('streams G.711 µ-law deltas when the output format is pcmu', async () => {
    const { c, rec } = await open();
    c.updateSession(session({ inputFormat: ULAW, outputFormat: ULAW }));
    await rec.waitFor('session_updated');
    appendAll(c, turnMulaw(100, 600, 400), 160);
    await rec.waitFor('response_done');
    expect(rec.of('audio_delta').reduce((n, d) => n + d.audio.length, 0)).toBe(8 * 1000);
  });

  it('cancels an active response (response.done cancelled/client_cancelled), and refuses cancel when none is active', async () => {
    const { c, rec } = await open();
    c.updateSession(session({ turnDetection: null }));
    await rec.waitFor('session_updated');
    expect(c.cancelResponse()).toBe('sent');
    const benign = await rec.waitFor('error');
    expect(benign.error).toMatchObject({ severity: 'benign', code: 'response_cancel_not_active' });
    c.createResponse();
    const created = await rec.waitFor('response_created');
    await rec.waitFor('audio_delta');
    c.cancelResponse(created.responseId);
    const done = await rec.waitFor('response_done');
    expect(done).toMatchObject({ status: 'cancelled', reason: 'client_cancelled' });
    const n = rec.of('audio_delta').length;
    await sleep(150);
    expect(rec.of('audio_delta').length).toBe(n); // nothing after the cancel
    expect(n).toBeLessThan(10);
  });

  it('barge-in: speech during a response cancels it with turn_detected (interrupt_response)', async () => {
    const { c, rec } = await open();
    c.updateSession(session());
    await rec.waitFor('session_updated');
    c.createResponse();
    await rec.waitFor('audio_delta');
    appendAll(c, turnPcm24k(0, 400, 0), 960);
    await rec.waitFor('speech_started');
    const done = await rec.waitFor('response_done');
    expect(done).toMatchObject({ status: 'cancelled', reason: 'turn_detected' });
  });

  it('truncates within what was sent, refuses overshoot and unknown items', async () => {
    const { c, rec } = await open();
    c.updateSession(session({ turnDetection: null }));
    await rec.waitFor('session_updated');
    c.createResponse();
    const item = await rec.waitFor('output_item_added');
    await rec.waitFor('response_done');
    expect(c.truncate(item.itemId, 400)).toBe('sent');
    expect(await rec.waitFor('item_truncated')).toMatchObject({ itemId: item.itemId, audioEndMs: 400 });
    c.truncate(item.itemId, 1500);
    expect((await rec.waitFor('error', (e) => e.error.param === 'audio_end_ms')).error).toMatchObject({ severity: 'benign', code: 'invalid_value' });
    c.truncate('item_nope', 10);
    expect((await rec.waitFor('error', (e) => e.error.code === 'item_truncate_invalid_item_id')).error.severity).toBe('benign');
    expect(c.truncate(item.itemId, -1)).toBe('invalid');
    expect(c.truncate(item.itemId, 1.5)).toBe('invalid');
    const accepted = agent.stats().truncates.filter((t) => t.itemId === item.itemId);
    expect(accepted.map((t) => [t.audioEndMs, t.accepted])).toEqual([[400, true], [1500, false]]);
  });

  it('classifies errors: fatal (bad key) closes fatal; retryable server_error keeps the socket; benign request errors', async () => {
    const { c, rec } = await open();
    c.sendRaw({ type: 'sim.fault', fault: { kind: 'error', code: 'server_error' } });
    expect((await rec.waitFor('error')).error).toMatchObject({ severity: 'retryable', code: 'server_error', type: 'server_error' });
    expect(c.state).toBe('open');
    c.sendRaw({ type: 'no.such.event' });
    expect((await rec.waitFor('error', (e) => e.error.param === 'type')).error.severity).toBe('benign');
    c.sendRaw({ type: 'sim.fault', fault: { kind: 'error', code: 'invalid_api_key', close: true } });
    const fatal = await rec.waitFor('error', (e) => e.error.code === 'invalid_api_key');
    expect(fatal.error.severity).toBe('fatal');
    const closed = await rec.waitFor('closed');
    expect(closed).toMatchObject({ gen: 1, code: 1008, error: { severity: 'fatal', code: 'invalid_api_key' } });
    expect(c.state).toBe('closed');
    expect(c.appendAudio(Buffer.alloc(10))).toBe('not_open');
  });

  it('a refused session.update is a fatal configuration error', async () => {
    const { c, rec } = await open();
    c.sendRaw({ type: 'session.update', session: { type: 'realtime', audio: { input: { format: 'pcm16' } } } });
    expect((await rec.waitFor('error')).error).toMatchObject({ severity: 'fatal', param: 'session.audio.input.format' });
  });

  it('session expiry: session_expired then close 1001, both retryable', async () => {
    const short = await startSimAgent({ sessionMaxMs: 150 });
    try {
      const { rec } = await open(short.url);
      expect((await rec.waitFor('error')).error).toMatchObject({ code: 'session_expired', severity: 'retryable' });
      expect(await rec.waitFor('closed')).toMatchObject({ code: 1001, error: { severity: 'retryable' } });
    } finally {
      await short.close();
    }
  });

  it('handshake failures: 401 is fatal, 503 and refused connections are retryable', async () => {
    const keyed = await startSimAgent({ apiKey: 'sk-right' });
    try {
      const bad = new OpenAIRealtimeClient({ url: keyed.url, apiKey: 'sk-wrong' });
      const rb = new Recorder(bad);
      bad.connect();
      expect((await rb.waitFor('closed')).error).toMatchObject({ severity: 'fatal', code: 'http_401' });
      expect(rb.of('open')).toHaveLength(0);
      const good = new OpenAIRealtimeClient({ url: keyed.url, apiKey: 'sk-right' });
      clients.push(good);
      const rg = new Recorder(good);
      good.connect();
      await rg.waitFor('session_created');
    } finally {
      await keyed.close();
    }
    const busy = new OpenAIRealtimeClient({ url: `${agent.url}&sim_reject=503` });
    const rbusy = new Recorder(busy);
    busy.connect();
    expect((await rbusy.waitFor('closed')).error).toMatchObject({ severity: 'retryable', code: 'http_503' });
    const port = await freePort();
    const none = new OpenAIRealtimeClient({ url: `ws://127.0.0.1:${port}/v1/realtime` });
    const rnone = new Recorder(none);
    none.connect();
    expect((await rnone.waitFor('closed')).error).toMatchObject({ severity: 'retryable', code: 'ECONNREFUSED' });
    const junk = new OpenAIRealtimeClient({ url: 'not a url' });
    const rjunk = new Recorder(junk);
    junk.connect();
    expect((await rjunk.waitFor('closed')).error).toMatchObject({ severity: 'fatal', code: 'bad_url' });
  });

  it('the beta header is refused like today’s service: fatal, close 4000', async () => {
    const c = new OpenAIRealtimeClient({ url: agent.url, headers: { 'OpenAI-Beta': 'realtime=v1' } });
    const rec = new Recorder(c);
    c.connect();
    expect((await rec.waitFor('error')).error).toMatchObject({ code: 'beta_api_shape_disabled', severity: 'fatal' });
    expect(await rec.waitFor('closed')).toMatchObject({ code: 4000, error: { severity: 'fatal' } });
    expect(rec.of('session_created')).toHaveLength(0);
  });

  it('generations: a drop closes gen 1 (retryable); connect() opens gen 2; stale gen-1 events are labelled', async () => {
    const { c, rec } = await open(`${agent.url}&sim_fault=drop:afterDeltas=2`);
    c.updateSession(session({ turnDetection: null }));
    await rec.waitFor('session_updated');
    c.appendAudio(Buffer.alloc(4800));
    c.createResponse();
    const closed = await rec.waitFor('closed');
    expect(closed).toMatchObject({ gen: 1, code: 1006, error: { severity: 'retryable' } });
    expect(rec.of('audio_delta').length).toBeLessThanOrEqual(2);
    expect(c.createResponse()).toBe('not_open');
    expect(c.connect()).toBe(2);
    await rec.waitFor('session_created', (e) => e.gen === 2);
    expect(c.state).toBe('open');
    // superseding an open generation: gen 2's close arrives labelled gen 2 while gen 3 is current
    c.connect();
    await rec.waitFor('closed', (e) => e.gen === 2);
    await rec.waitFor('open', (e) => e.gen === 3);
    expect(rec.of('closed').find((e) => e.gen === 2)?.error).toBeUndefined(); // our own close is not an error
    expect(c.generation).toBe(3);
  });

  it('reports dropped batched audio on close, and backpressure through bufferedAmount', async () => {
    const { c, rec } = await open(agent.url, { appendBatchMs: 100 });
    c.updateSession(session({ inputFormat: ULAW, outputFormat: ULAW }));
    await rec.waitFor('session_updated');
    c.appendAudio(Buffer.alloc(160, 0xff)); // below the 800 B batch
    c.sendRaw({ type: 'sim.fault', fault: { kind: 'slow_reader', ms: 1500 } });
    await sleep(50);
    let peak = 0;
    const big = { type: 'sim.padding', pad: 'x'.repeat(1 << 20) };
    for (let i = 0; i < 24; i++) {
      c.sendRaw(big);
      peak = Math.max(peak, c.bufferedAmount);
    }
    expect(peak).toBeGreaterThan(1 << 20);
    c.sendRaw({ type: 'sim.fault', fault: { kind: 'drop' } });
    const closed = await rec.waitFor('closed', () => true, 10_000);
    expect(closed.droppedAudioBytes).toBe(160);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe('input_audio_buffer.append bytes', () => {
  it('are exactly JSON.stringify of the append command with its event id', async () => {
    const { append, appendBytes } = await import('../../src/ai/openai/commands.js');
    for (const n of [1, 2, 3, 160, 959, 960, 1920]) {
      const audio = Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + n) & 255));
      const id = `evt_3_${n}`;
      const bytes = appendBytes(audio, id);
      expect(bytes.toString('latin1')).toBe(JSON.stringify({ ...append(audio), event_id: id }));
      expect(JSON.parse(bytes.toString('utf8'))).toEqual({ type: 'input_audio_buffer.append', audio: audio.toString('base64'), event_id: id });
    }
  });
});
