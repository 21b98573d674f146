// The call record end to end (issue 19, the call record): real calls through `parley serve` in
// process with the events webhook on. The records and the trace never hold a secret; a
// black-holed webhook server does not change what the callers hear.
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { signBody } from '../../src/functions/http.js';
import { simCall } from '../../src/tools/sim/caller/index.js';
import type { CallEvent } from '../../src/records/index.js';
import { startRecordsBridge, type RecordsBridge } from './harness.js';

const TOOL_ARGUMENT = '4111-PERSONAL-CARD';
const SECRETS = { webhookSecret: 'whsec-DO-NOT-LEAK-1', authToken: 'tok-DO-NOT-LEAK-2', twilioAuthToken: 'tw-DO-NOT-LEAK-3' };

/** Every file under `dir`, as text. */
function allText(dir: string): string {
  let out = '';
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    out += statSync(p).isDirectory() ? allText(p) : readFileSync(p).toString('latin1');
  }
  return out;
}

let bridge: RecordsBridge | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await bridge?.close();
  bridge = undefined;
  for (const c of closers.splice(0)) await c();
});

describe('call record end to end', () => {
  it('delivers the signed events of a real call; no secret in the events, the outbox, the recording or the trace', async () => {
    const bodies: string[] = [];
    let badSignatures = 0;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += String(d)));
      req.on('end', () => {
        bodies.push(body);
        if (req.headers['x-parley-signature'] !== signBody(SECRETS.webhookSecret, body)) badSignatures++;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(() => r())));
    const dir = mkdtempSync(join(tmpdir(), 'parley-records-e2e-'));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    // The agent calls a tool whose server is not there (port 9 on loopback): a network error.
    const tools = { lookup_order: { description: 'Look up an order.', url: 'http://127.0.0.1:9/lookup', timeoutMs: 500 } };
    const toolCalls = [{ turn: 1, name: 'lookup_order', arguments: { order: '12345', card: TOOL_ARGUMENT } }];
    bridge = await startRecordsBridge(
      'local',
      { ...SECRETS, tools, traceDir: join(dir, 'trace'), records: { eventsUrl: url, eventsDir: join(dir, 'outbox'), recordingDir: join(dir, 'rec') } },
      { toolCalls },
    );
    const report = await simCall({
      url: `${bridge.url('twilio')}?token=${SECRETS.authToken}`,
      callId: 'CA-secret',
      customParameters: { note: 'hello' },
      script: [{ kind: 'say', ms: 400 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }],
    });
    expect(report.failure).toBeUndefined();
    await bridge.idle();
    await bridge.close(); // drains the events
    bridge = undefined;
    const events = bodies.map((b) => JSON.parse(b) as CallEvent);
    expect(events[0]!.type).toBe('call.started');
    expect(events.at(-1)!.type).toBe('call.ended');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'call.transcript').length).toBeGreaterThanOrEqual(2);
    const tool = events.find((e) => e.type === 'call.tool');
    expect(tool).toMatchObject({ name: 'lookup_order', outcome: 'network' });
    expect((tool as { latencyMs: number }).latencyMs).toBeLessThan(1000);
    expect(badSignatures).toBe(0);
    const everything = bodies.join('\n') + allText(dir);
    expect(everything).toContain('CA-secret'); // the check reads the right files
    for (const s of Object.values(SECRETS)) expect(everything).not.toContain(s);
    // Tool arguments are left out unless logToolArguments.
    expect(everything).not.toContain(TOOL_ARGUMENT);
  }, 30_000);

  it('a black-holed webhook server does not change what the callers hear', async () => {
    // 16 calls here; the 50-call run with its figures is `npm run bench -- webhook-blackhole`.
    // Accepts connections and never answers a byte.
    const sockets: Socket[] = [];
    const hole = createTcpServer((s) => void sockets.push(s));
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => (sockets.forEach((s) => s.destroy()), hole.close(() => r()))));
    const url = `http://127.0.0.1:${(hole.address() as AddressInfo).port}/hook`;
    /** The media figures of N concurrent calls, with or without the black hole. */
    const figures = async (eventsUrl: string | undefined) => {
      bridge = await startRecordsBridge('local', { shutdown: { drainMs: 500 }, records: { ...(eventsUrl ? { eventsUrl } : {}), eventsTimeoutMs: 60_000 } });
      const reports = await Promise.all(
        Array.from({ length: CALLS }, (_, i) =>
          simCall({ url: bridge!.url(i % 2 ? 'twilio' : 'audio-stream'), callId: `CA-hole-${i}`, script: [{ kind: 'say', ms: 300 }, { kind: 'listen', quietMs: 300 }, { kind: 'hangup' }] }),
        ),
      );
      await bridge.idle(10_000);
      for (const r of reports) expect(r.failure).toBeUndefined();
      const queued = bridge.app.records.delivery?.queued ?? 0;
      const delivered = await bridge.app.metrics.value('parley_events_delivered_total');
      await bridge.close();
      bridge = undefined;
      return { heardMs: reports.map((r) => r.heardMs), underrunMs: reports.reduce((a, r) => a + r.underrunMs, 0), queued, delivered };
    };
    const base = await figures(undefined);
    const holed = await figures(url);
    // The events really were stuck: none delivered, all still queued.
    expect(holed.delivered).toBe(0);
    expect(holed.queued).toBeGreaterThanOrEqual(CALLS * 3);
    // Every caller heard the whole reply in both runs; gaps no worse than the machine's own noise.
    for (const ms of [...base.heardMs, ...holed.heardMs]) expect(ms).toBeGreaterThanOrEqual(1100);
    expect(holed.underrunMs).toBeLessThanOrEqual(base.underrunMs + 20 * CALLS);
  }, 40_000);
});

const CALLS = 16;
