import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { assign, createActor, setup } from 'xstate';
import { Metrics, callLogger, createLogger, flattenState, openCallTrace, redactUrl, watchEventLoop, type TraceRecord } from '../../src/obs/index.js';

function capture(): { stream: Writable & { write(s: string): boolean }; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  it('writes JSON with the call id and redacts secrets', () => {
    const c = capture();
    const log = createLogger({ level: 'info', destination: c.stream });
    const call = callLogger(log, 'call-1', 'twilio');
    call.info({ config: { authToken: 'tok-123', ai: { openaiApiKey: 'sk-abc' } }, headers: { authorization: 'Bearer tok-123' } }, 'hello');
    const [line] = c.lines();
    expect(line).toMatchObject({ callId: 'call-1', protocol: 'twilio', msg: 'hello', level: 30 });
    const text = JSON.stringify(line);
    expect(text).not.toContain('tok-123');
    expect(text).not.toContain('sk-abc');
    expect(text).toContain('<redacted>');
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('/twilio?token=abc&x=1')).toBe('/twilio?token=<redacted>&x=1');
    expect(redactUrl('wss://h/v1?api_key=zz')).toBe('wss://h/v1?api_key=<redacted>');
  });
});

describe('metrics', () => {
  it('exposes every named metric in Prometheus text and counts drops by reason', async () => {
    const m = new Metrics();
    m.drop('playout_full', 3);
    m.drop('stale_epoch');
    m.callsActive.inc({ protocol: 'twilio' });
    m.cutoffLatency.observe(0.012);
    const text = await m.text();
    for (const name of [
      'parley_calls_active',
      'parley_calls_total',
      'parley_frames_in_total',
      'parley_frames_out_total',
      'parley_underruns_total',
      'parley_drops_total',
      'parley_barge_ins_total',
      'parley_cutoff_latency_seconds',
      'parley_reconnects_total',
      'parley_ai_first_audio_seconds',
      'parley_event_loop_lag_seconds',
      'parley_protocol_rejections_total',
      'parley_process_resident_memory_bytes',
    ]) {
      expect(text).toContain(`# HELP ${name}`);
    }
    expect(text).toContain('parley_drops_total{reason="playout_full"} 3');
    expect(await m.value('parley_drops_total')).toBe(4);
    expect(await m.value('parley_drops_total', { reason: 'stale_epoch' })).toBe(1);
    expect(await m.value('parley_cutoff_latency_seconds')).toBe(1);
  });

  it('counts inbound audio messages by protocol, exact at every read and never twice', async () => {
    const m = new Metrics({ processMetrics: false });
    for (let i = 0; i < 3; i++) m.frameIn('twilio');
    m.frameIn('telnyx');
    expect(await m.text()).toContain('parley_frames_in_total{protocol="twilio"} 3');
    expect(await m.value('parley_frames_in_total', { protocol: 'twilio' })).toBe(3);
    m.frameIn('twilio');
    m.frameIn('twilio');
    expect(await m.value('parley_frames_in_total', { protocol: 'twilio' })).toBe(5);
    expect(await m.value('parley_frames_in_total', { protocol: 'telnyx' })).toBe(1);
    const json = await m.registry.getMetricsAsJSON(); // what the cluster aggregation reads
    const frames = json.find((x) => x.name === 'parley_frames_in_total')!;
    expect(frames.values.reduce((a, v) => a + v.value, 0)).toBe(6);
  });

  it('keeps registries separate', async () => {
    const a = new Metrics({ processMetrics: false });
    const b = new Metrics({ processMetrics: false });
    a.drop('closed');
    expect(await b.value('parley_drops_total')).toBe(0);
  });

  it('publishes event-loop lag', async () => {
    const m = new Metrics({ processMetrics: false });
    const stop = watchEventLoop(m, 300);
    await new Promise((r) => setTimeout(r, 20));
    const end = Date.now() + 40;
    while (Date.now() < end) {
      /* block the loop */
    }
    await new Promise((r) => setTimeout(r, 330));
    stop();
    const text = await m.text();
    const max = Number(/parley_event_loop_lag_seconds\{quantile="1"\} ([\d.e-]+)/.exec(text)?.[1]);
    expect(max).toBeGreaterThan(0.025);
  });
});

describe('trace', () => {
  const machine = setup({
    types: { context: {} as { n: number }, events: {} as { type: 'GO'; epoch: number } | { type: 'STOP' } | { type: 'NOPE' } },
    actions: { bump: assign({ n: ({ context }) => context.n + 1 }) },
  }).createMachine({
    id: 'toy',
    context: { n: 0 },
    initial: 'idle',
    states: {
      idle: { on: { GO: { target: 'running', actions: 'bump' } } },
      running: { tags: ['media.playout'], initial: 'a', states: { a: {} }, on: { STOP: 'done' } },
      done: { type: 'final' },
    },
  });

  it('records machine steps with from/to, tags, context and payload, one JSON per line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-trace-'));
    const trace = openCallTrace({ dir, callId: 'CA/1', protocol: 'twilio' });
    const actor = createActor(machine, { inspect: trace.inspector('toy') });
    actor.start();
    actor.send({ type: 'GO', epoch: 7 });
    actor.send({ type: 'NOPE' });
    trace.record('media', 'flushed', { data: { epoch: 7 } });
    actor.send({ type: 'STOP' });
    actor.send({ type: 'GO', epoch: 8 });
    trace.record('media', 'late');
    await trace.close();
    expect(trace.path).toBe(join(dir, 'CA_1.ndjson'));
    const recs = readFileSync(trace.path!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceRecord);
    expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i));
    expect(recs[0]).toMatchObject({ event: 'trace.start', data: { callId: 'CA/1', protocol: 'twilio', version: 1 } });
    const steps = recs.filter((r) => r.src === 'machine').map((r) => [r.event, r.from, r.to]);
    expect(steps).toEqual([
      ['xstate.init', undefined, 'idle'],
      ['GO', 'idle', 'running.a'],
      ['NOPE', 'running.a', 'running.a'],
      ['STOP', 'running.a', 'done'],
      ['GO', 'done', 'done'],
    ]);
    const go = recs.find((r) => r.event === 'GO')!;
    expect(go).toMatchObject({ machine: 'toy', tags: ['media.playout'], ctx: { n: 1 }, data: { epoch: 7 } });
    expect(recs.find((r) => r.src === 'media')).toMatchObject({ event: 'flushed', data: { epoch: 7 } });
    expect(recs.at(-1)).toMatchObject({ event: 'trace.end', data: { dropped: 0 } });
    // After the final state the actor takes no steps: the event is recorded as ignored.
    expect(recs.at(-2)).toMatchObject({ src: 'media', event: 'late' });
    expect(recs.at(-3)).toMatchObject({ machine: 'toy', event: 'GO', from: 'done', to: 'done', ignored: 'actor done' });
    for (let i = 1; i < recs.length; i++) expect(recs[i]!.t).toBeGreaterThanOrEqual(recs[i - 1]!.t);
  });

  it('writes steps in causal order: the step, then what its actions did, then the steps they drove', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-trace-'));
    const trace = openCallTrace({ dir, callId: 'causal', protocol: 'twilio' });
    const b = createActor(machine, { inspect: trace.inspector('b') });
    const a = createActor(
      machine.provide({
        actions: {
          bump: () => {
            trace.record('runtime', 'effect');
            b.send({ type: 'GO', epoch: 1 });
          },
        },
      }),
      { inspect: trace.inspector('a') },
    );
    b.start();
    a.start();
    a.send({ type: 'GO', epoch: 2 });
    await trace.close();
    const recs = readFileSync(trace.path!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceRecord)
      .filter((r) => r.event === 'GO' || r.event === 'effect');
    expect(recs.map((r) => `${r.machine ?? r.src}:${r.event}`)).toEqual(['a:GO', 'runtime:effect', 'b:GO']);
    expect(recs[0]!.actions).toEqual(['bump']);
    expect(recs[0]).toMatchObject({ from: 'idle', to: 'running.a' });
  });

  it('drops and counts lines under backpressure instead of growing without bound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-trace-'));
    let dropped = 0;
    const trace = openCallTrace({ dir, callId: 'c', protocol: 'audio-stream', maxBufferedBytes: 2000, onDrop: (n) => (dropped += n) });
    for (let i = 0; i < 500; i++) trace.record('runtime', 'spam', { data: { i, pad: 'x'.repeat(50) } });
    await trace.close();
    expect(dropped).toBeGreaterThan(0);
    const last = JSON.parse(readFileSync(trace.path!, 'utf8').trim().split('\n').at(-1)!) as TraceRecord;
    expect(last).toMatchObject({ event: 'trace.end', data: { dropped } });
  });

  it('renames the file after the call id, keeping what was written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-trace-'));
    const trace = openCallTrace({ dir, callId: 'conn-1', protocol: 'twilio' });
    trace.record('runtime', 'before');
    trace.rename('CA123');
    trace.record('runtime', 'after');
    await trace.close();
    expect(trace.path).toBe(join(dir, 'CA123.ndjson'));
    const events = readFileSync(trace.path!, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as TraceRecord).event);
    expect(events).toEqual(['trace.start', 'before', 'after', 'trace.end']);
  });

  it('is a no-op without a directory', async () => {
    const t = openCallTrace({ callId: 'x', protocol: 'twilio' });
    t.record('runtime', 'x');
    expect(t.path).toBeUndefined();
    await t.close();
  });

  it('flattens nested and parallel state values', () => {
    expect(flattenState('a')).toBe('a');
    expect(flattenState({ a: { b: 'c' } })).toBe('a.b.c');
    expect(flattenState({ x: 'p', y: 'q' })).toBe('x.p|y.q');
  });
});
