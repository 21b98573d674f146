// sim-agent conformance at the wire level, with a plain `ws` client (not Parley's own client).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { startSimAgent } from '../../../src/tools/sim/agent/server.js';
import type { SimAgent } from '../../../src/tools/sim/agent/types.js';
import { parseFaultSpec } from '../../../src/tools/sim/agent/faults.js';
import { turnPcm24k } from '../../ai/helpers.js';

type Ev = Record<string, unknown> & { type: string; t: number };

class Raw {
  readonly events: Ev[] = [];
  closed: { code: number } | undefined;
  private constructor(readonly ws: WebSocket) {
    const t0 = Date.now();
    ws.on('message', (d) => this.events.push({ ...(JSON.parse(String(d)) as Ev), t: Date.now() - t0 }));
    ws.on('close', (code) => (this.closed = { code }));
  }
  static async open(url: string, headers: Record<string, string> = {}): Promise<Raw> {
    const ws = new WebSocket(url, { headers });
    const raw = new Raw(ws);
    await once(ws, 'open');
    return raw;
  }
  send(o: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(o));
  }
  async until(pred: (e: Ev) => boolean, timeoutMs = 5000): Promise<Ev> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`timeout; saw ${this.events.map((e) => e.type).join(',')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  types(from = 0): string[] {
    return this.events.slice(from).map((e) => e.type);
  }
}

const gaSession = (extra: Record<string, unknown> = {}) => ({
  type: 'session.update',
  session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } }, ...extra },
});

describe('sim-agent protocol conformance', () => {
  let agent: SimAgent;
  beforeAll(async () => {
    agent = await startSimAgent({ replyMs: 600, speed: 20, deltaMs: 100, firstAudioDelayMs: 10 });
  });
  afterAll(() => agent.close());

  it('greets with session.created carrying a full GA session; every server event has an event_id', async () => {
    const r = await Raw.open(agent.url);
    const created = await r.until((e) => e.type === 'session.created');
    expect(created['session']).toMatchObject({
      type: 'realtime',
      object: 'realtime.session',
      audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: { type: 'server_vad', interrupt_response: true } }, output: { format: { type: 'audio/pcm', rate: 24000 } } },
    });
    r.send(gaSession());
    const updated = await r.until((e) => e.type === 'session.updated');
    expect(updated['session']).toMatchObject({ audio: { input: { turn_detection: { silence_duration_ms: 200 } } } });
    expect(r.events.every((e) => typeof e['event_id'] === 'string')).toBe(true);
    r.ws.close();
  });

  it('emits the documented GA event sequence for a VAD turn and its response', async () => {
    const r = await Raw.open(agent.url);
    r.send(gaSession());
    await r.until((e) => e.type === 'session.updated');
    const from = r.events.length;
    const audio = turnPcm24k(100, 500, 400);
    for (let i = 0; i < audio.length; i += 4800) r.send({ type: 'input_audio_buffer.append', audio: audio.subarray(i, i + 4800).toString('base64') });
    await r.until((e) => e.type === 'response.done');
    const seq = r.types(from).filter((t) => !t.endsWith('.delta'));
    expect(seq).toEqual([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'response.created',
      'rate_limits.updated',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_audio.done',
      'response.output_audio_transcript.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    const deltas = r.events.filter((e) => e.type === 'response.output_audio.delta');
    expect(deltas).toHaveLength(6); // 600 ms in 100 ms deltas
    // faster than real time: 600 ms of audio at speed 20 arrives in well under 600 ms
    expect(deltas[5]!.t - deltas[0]!.t).toBeLessThan(300);
    r.ws.close();
  });

  it('echoes the client event_id in errors, and answers bad input with invalid_request_error', async () => {
    const r = await Raw.open(agent.url);
    r.send({ type: 'response.cancel', event_id: 'mine_1' });
    const err = await r.until((e) => e.type === 'error');
    expect(err['error']).toMatchObject({ type: 'invalid_request_error', code: 'response_cancel_not_active', event_id: 'mine_1' });
    r.ws.send('{broken');
    await r.until((e) => e.type === 'error' && (e['error'] as { code: string }).code === 'invalid_json');
    r.send({ type: 'input_audio_buffer.append', audio: '@@@' });
    await r.until((e) => e.type === 'error' && (e['error'] as { param: string }).param === 'audio');
    r.send({ type: 'session.update', session: { instructions: 'x' } });
    await r.until((e) => e.type === 'error' && (e['error'] as { param: string }).param === 'session.type');
    r.send({ type: 'input_audio_buffer.commit', event_id: 'c1' });
    await r.until((e) => e.type === 'error' && (e['error'] as { code: string }).code === 'input_audio_buffer_commit_empty');
    r.send({ type: 'response.create' });
    await r.until((e) => e.type === 'response.created');
    r.send({ type: 'response.create' });
    await r.until((e) => e.type === 'error' && (e['error'] as { code: string }).code === 'conversation_already_has_active_response');
    r.ws.close();
  });

  it('honours interrupt_response false and create_response false: VAD events only, no automatic cancel or reply', async () => {
    const slow = await startSimAgent({ replyMs: 600, speed: 1, firstAudioDelayMs: 0 });
    const r = await Raw.open(slow.url);
    r.send(gaSession({ audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 200, interrupt_response: false, create_response: false } } } }));
    await r.until((e) => e.type === 'session.updated');
    r.send({ type: 'response.create' });
    await r.until((e) => e.type === 'response.output_audio.delta');
    const audio = turnPcm24k(0, 400, 300);
    r.send({ type: 'input_audio_buffer.append', audio: audio.toString('base64') });
    await r.until((e) => e.type === 'input_audio_buffer.committed');
    const done = await r.until((e) => e.type === 'response.done');
    expect((done['response'] as { status: string }).status).toBe('completed'); // not cancelled by the speech
    expect(r.types().indexOf('input_audio_buffer.speech_started')).toBeLessThan(r.types().indexOf('response.done'));
    await new Promise((res) => setTimeout(res, 150));
    expect(r.types().filter((t) => t === 'response.created')).toHaveLength(1); // no reply to the turn
    // a threshold of 1 (−10 dBFS) ignores ordinary speech
    r.send(gaSession({ audio: { input: { turn_detection: { type: 'server_vad', threshold: 1 } } } }));
    await r.until((e) => e.type === 'session.updated' && r.events.filter((x) => x.type === 'session.updated').length === 2);
    const before = r.types().filter((t) => t === 'input_audio_buffer.speech_started').length;
    r.send({ type: 'input_audio_buffer.append', audio: turnPcm24k(0, 600, 600).toString('base64') });
    await new Promise((res) => setTimeout(res, 100));
    expect(r.types().filter((t) => t === 'input_audio_buffer.speech_started')).toHaveLength(before);
    r.ws.close();
    await slow.close();
  });

  it('manual turns (turn_detection null): commit then response.create', async () => {
    const r = await Raw.open(agent.url);
    r.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
    await r.until((e) => e.type === 'session.updated');
    r.send({ type: 'input_audio_buffer.append', audio: turnPcm24k(0, 300, 0).toString('base64') });
    r.send({ type: 'input_audio_buffer.commit' });
    await r.until((e) => e.type === 'input_audio_buffer.committed');
    expect(r.types()).not.toContain('input_audio_buffer.speech_started');
    r.send({ type: 'response.create' });
    await r.until((e) => e.type === 'response.done');
    r.ws.close();
  });

  it('faults by query parameter: stall holds events, delay adds latency, close sends the code', async () => {
    const stalled = await Raw.open(`${agent.url}&sim_fault=stall:ms=300`);
    await stalled.until((e) => e.type === 'session.created');
    expect(stalled.events[0]!.t).toBeGreaterThanOrEqual(250);
    stalled.ws.close();
    const delayed = await Raw.open(`${agent.url}&sim_fault=delay:ms=150`);
    await delayed.until((e) => e.type === 'session.created');
    const t0 = Date.now();
    delayed.send({ type: 'response.cancel' });
    await delayed.until((e) => e.type === 'error');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    delayed.ws.close();
    const closing = await Raw.open(`${agent.url}&sim_fault=close:code=4321,afterMs=50`);
    await new Promise((r) => closing.ws.once('close', r));
    expect(closing.closed?.code).toBe(4321);
    const bad = new WebSocket(`${agent.url}&sim_fault=explode`);
    const [, res] = (await once(bad, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(400);
  });

  it('faults by control message: an error mid-response after N deltas, then drop', async () => {
    const r = await Raw.open(agent.url);
    r.send({ type: 'sim.fault', fault: { kind: 'error', code: 'server_error', afterDeltas: 2 } });
    r.send({ type: 'sim.fault', fault: { kind: 'drop', afterDeltas: 4 } });
    r.send({ type: 'response.create' });
    await new Promise((res) => r.ws.once('close', res));
    const types = r.types();
    const errAt = types.indexOf('error');
    expect(types.slice(0, errAt).filter((t) => t === 'response.output_audio.delta')).toHaveLength(2);
    expect(types.filter((t) => t === 'response.output_audio.delta')).toHaveLength(4);
    expect(r.closed?.code).toBe(1006); // no close frame
    expect(types).not.toContain('response.done');
  });

  it('tracks connections and stats, and parses compact fault specs', () => {
    const s = agent.stats();
    expect(s.connections).toBeGreaterThan(5);
    expect(s.responses).toBeGreaterThan(0);
    expect(parseFaultSpec('error:code=server_error,close=true,afterDeltas=3')).toEqual({
      ok: true,
      fault: { kind: 'error', code: 'server_error', close: true, afterDeltas: 3 },
    });
    expect(parseFaultSpec('stall')).toEqual({ ok: false, error: 'fault.ms is required' });
    expect(parseFaultSpec('close:code=2000').ok).toBe(false);
    expect(parseFaultSpec('slow_reader:ms=100')).toEqual({ ok: true, fault: { kind: 'slow_reader', ms: 100 } });
  });
});
