// The events webhook (issue 19, the call record): at least once and in order per call, signed, retried with
// backoff through failures and stalls; a bounded queue that drops the oldest call.transcript
// first and never a call.ended; with an outbox, a SIGKILLed process's events delivered by the next.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/functions/http.js';
import { EventDelivery } from '../../src/records/delivery.js';
import { RecordsMetrics } from '../../src/records/metrics.js';
import type { CallEvent } from '../../src/records/index.js';
import { decodeWav } from '../../src/tools/sim/audio/wav.js';
import { simCall } from '../../src/tools/sim/caller/index.js';

type Behaviour = 'ok' | 'fail' | 'stall';

/** A receiver that answers as told, checks signatures and keeps what it acknowledged. */
async function receiver(secret?: string) {
  let behaviour: (n: number) => Behaviour = () => 'ok';
  const acked: CallEvent[] = [];
  const seen: string[] = [];
  let badSignatures = 0;
  let n = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      const b = behaviour(++n);
      const ev = JSON.parse(body) as CallEvent;
      seen.push(ev.eventId);
      if (secret && req.headers['x-parley-signature'] !== signBody(secret, body)) badSignatures++;
      if (req.headers['x-parley-event-id'] !== ev.eventId) badSignatures++;
      if (b === 'stall') return; // never answers: the sender's timeout
      if (b === 'fail') return void res.writeHead(503).end();
      // Acknowledged: the receiver dedups by eventId, as the README tells receivers to.
      if (!acked.some((e) => e.eventId === ev.eventId)) acked.push(ev);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    acked,
    seen,
    get badSignatures() {
      return badSignatures;
    },
    set(f: (n: number) => Behaviour) {
      behaviour = f;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

let seqs = new Map<string, number>();
function ev(callId: string, type: CallEvent['type']): CallEvent {
  const seq = (seqs.get(callId) ?? 0) + 1;
  seqs.set(callId, seq);
  const base = { eventId: `${callId}-rec.${seq}`, callId, seq, at: new Date().toISOString() };
  switch (type) {
    case 'call.ended':
      return { ...base, type, reason: 'hangup', profile: 'default', transcript: [], durationMs: 1, bargeIns: 0, reconnects: 0, firstAudioMs: [], drops: {}, framesIn: 0, framesOut: 0 };
    case 'call.transcript':
      return { ...base, type, turn: { role: 'caller', text: `turn ${seq}`, startMs: 0, endMs: 1 } };
    default:
      return { ...base, type: 'call.started', protocol: 'twilio', streamId: 's', format: { codec: 'mulaw', rate: 8000 }, profile: 'default' };
  }
}

async function until(cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  seqs = new Map();
});

describe('events webhook delivery', () => {
  it('delivers every event once per eventId, in order per call, through failures and stalls', async () => {
    const rx = await receiver('whsec');
    cleanups.push(rx.close);
    // Requests 3-6 fail, 7-8 stall past the timeout, then the server recovers.
    rx.set((n) => (n >= 3 && n <= 6 ? 'fail' : n === 7 || n === 8 ? 'stall' : 'ok'));
    const metrics = new RecordsMetrics(new Registry());
    const d = new EventDelivery({ url: rx.url, secret: 'whsec', queueMax: 1000, timeoutMs: 300, metrics, backoffMs: [20, 40, 80] });
    cleanups.push(() => d.close());
    const sent: CallEvent[] = [];
    for (let i = 0; i < 6; i++) {
      for (const call of ['a', 'b', 'c']) {
        const e = ev(call, i === 0 ? 'call.started' : i === 5 ? 'call.ended' : 'call.transcript');
        sent.push(e);
        d.enqueue(e);
      }
    }
    expect(await d.drain(Date.now() + 10_000)).toBe(true);
    expect(rx.badSignatures).toBe(0);
    expect(new Set(rx.acked.map((e) => e.eventId))).toEqual(new Set(sent.map((e) => e.eventId)));
    for (const call of ['a', 'b', 'c']) {
      expect(rx.acked.filter((e) => e.callId === call).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    // Some ids were seen more than once (the retries after a stall): at least once, deduped by id.
    expect(rx.seen.length).toBeGreaterThan(sent.length);
    expect(await metrics.eventsRetries.get().then((m) => m.values.reduce((a, v) => a + v.value, 0))).toBeGreaterThanOrEqual(6);
  });

  it('over the bound drops the oldest call.transcript first and never a call.ended (counted)', async () => {
    const rx = await receiver();
    cleanups.push(rx.close);
    rx.set(() => 'fail'); // nothing is acknowledged while the queue fills
    const metrics = new RecordsMetrics(new Registry());
    const d = new EventDelivery({ url: rx.url, queueMax: 5, timeoutMs: 300, metrics, backoffMs: [30] });
    cleanups.push(() => d.close());
    d.enqueue(ev('a', 'call.started'));
    for (let i = 0; i < 6; i++) d.enqueue(ev('a', 'call.transcript'));
    for (const c of ['x', 'y', 'z']) d.enqueue(ev(c, 'call.ended'));
    rx.set(() => 'ok');
    expect(await d.drain(Date.now() + 5000)).toBe(true);
    const types = rx.acked.map((e) => e.type);
    expect(types.filter((t) => t === 'call.ended').length).toBe(3);
    expect(types[0]).toBe('call.started');
    const dropped = await metrics.eventsDropped.get();
    const byType = Object.fromEntries(dropped.values.map((v) => [v.labels.type, v.value]));
    expect(byType['call.ended']).toBeUndefined();
    // started + 4 transcripts fill the 5 places; transcripts 5 and 6 push out the two oldest; the
    // three call.ended are taken beyond the bound.
    expect(byType['call.transcript']).toBe(2);
    expect(byType['call.started']).toBeUndefined();
    // The transcripts that survived are the newest ones, still in order.
    const kept = rx.acked.filter((e) => e.type === 'call.transcript').map((e) => e.seq);
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
    expect(kept).toEqual([4, 5, 6, 7]);
  });
});

describe('durable outbox (parley serve as a real process)', () => {
  it('SIGKILLed with undelivered events, the next process delivers them; a recording cut by the kill is a readable WAV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-'));
    const outboxDir = join(dir, 'events');
    const recordings = join(dir, 'rec');
    const rx = await receiver('whsec');
    cleanups.push(rx.close);
    rx.set(() => 'stall'); // the first process never gets an acknowledgement
    const env = { PARLEY_EVENTS_URL: rx.url, PARLEY_EVENTS_DIR: outboxDir, PARLEY_WEBHOOK_SECRET: 'whsec', PARLEY_EVENTS_TIMEOUT_MS: '500', PARLEY_RECORDING_DIR: recordings };
    const first = serve(env);
    cleanups.push(() => void first.child.kill('SIGKILL'));
    const port = await first.port;
    // One whole call (its call.ended reaches the outbox), then a second still talking.
    const done = await simCall({ url: `ws://127.0.0.1:${port}/twilio`, callId: 'CA-done', script: [{ kind: 'say', ms: 300 }, { kind: 'hangup' }] });
    expect(done.failure).toBeUndefined();
    void simCall({ url: `ws://127.0.0.1:${port}/twilio`, callId: 'CA-live', script: [{ kind: 'say', ms: 8000 }, { kind: 'hangup' }], maxCallMs: 15_000 }).catch(() => {});
    await until(() => outboxText(outboxDir).includes('"call.ended"') && wavBytes(join(recordings, 'CA-live.wav')) > 44 + 4 * 8000 * 0.5);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(rx.acked.length).toBe(0);
    // The live call's recording, cut by the kill, is a WAV a reader accepts.
    const wav = decodeWav(readFileSync(join(recordings, 'CA-live.wav')));
    expect(wav.channels).toBe(2);
    expect(wav.sampleRate).toBe(8000);
    expect(wav.samples.length / 2 / 8000).toBeGreaterThan(0.3);
    // The next process on the same outbox: delivers what the first left, then nothing is left.
    rx.set(() => 'ok');
    const second = serve(env);
    cleanups.push(() => void second.child.kill('SIGKILL'));
    await second.port;
    await until(() => rx.acked.some((e) => e.type === 'call.ended' && e.callId === 'CA-done'), 10_000);
    expect(rx.badSignatures).toBe(0);
    const call = rx.acked.filter((e) => e.callId === 'CA-done');
    expect(call.map((e) => e.seq)).toEqual(call.map((_, i) => i + 1));
    expect(call[0]!.type).toBe('call.started');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(outboxText(outboxDir)).not.toContain('"add"');
  }, 30_000);
});

function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [`${process.cwd()}/dist/src/cli/main.js`, 'serve'], {
    cwd: mkdtempSync(join(tmpdir(), 'parley-serve-')),
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', PARLEY_HOST: '127.0.0.1', PARLEY_LOG_LEVEL: 'info', PARLEY_AI: 'local', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const port = (async () => {
    await until(() => /"msg":"listening"/.test(out), 15_000);
    return Number(/"port":(\d+),"host":"127\.0\.0\.1","msg":"listening"/.exec(out)![1]);
  })();
  return { child, exited, port };
}

/** The outbox's segments' text, minus the acknowledged events. */
function outboxText(dir: string): string {
  if (!existsSync(dir)) return '';
  const lines = readdirSync(dir).flatMap((n) => readFileSync(join(dir, n), 'utf8').split('\n').filter(Boolean));
  const acked = new Set(lines.filter((l) => l.startsWith('{"ack"')).map((l) => (JSON.parse(l) as { ack: string }).ack));
  return lines.filter((l) => l.startsWith('{"add"') && !acked.has((JSON.parse(l) as { add: CallEvent }).add.eventId)).join('\n');
}

const wavBytes = (path: string): number => (existsSync(path) ? statSync(path).size : 0);
