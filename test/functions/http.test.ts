// HTTP tools against a real local HTTP server: the request Parley sends (body, signature the
// server verifies), and every way the answer can go wrong, each an error output and counted.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ToolRegistry } from '../../src/functions/registry.js';
import { MAX_TOOL_RESPONSE_BYTES } from '../../src/functions/http.js';
import { Metrics } from '../../src/obs/metrics.js';

const SECRET = 'whsec-test';
type Handler = (body: string, req: IncomingMessage, res: ServerResponse) => void;
const routes = new Map<string, Handler>();
const seen: { path: string; body: string; signatureOk: boolean; auth: string | undefined }[] = [];
const closedEarly: string[] = [];
let server: Server;
let base: string;

/** The receiver's check, as a tool author would write it. */
function verify(body: string, header: string | undefined): boolean {
  const want = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ path: req.url ?? '', body, signatureOk: verify(body, req.headers['x-parley-signature'] as string | undefined), auth: req.headers['authorization'] });
      routes.get(req.url ?? '')?.(body, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  routes.set('/ok', (body, _req, res) => {
    const args = (JSON.parse(body) as { arguments: { order: string } }).arguments;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ output: { order: args.order, status: 'shipped' } }));
  });
  routes.set('/text', (_b, _r, res) => res.end(JSON.stringify({ output: 'plain words' })));
  routes.set('/slow', (_b, _r, res) => {
    setTimeout(() => res.end('{"output":1}'), 1000).unref();
    // The client gave up before the answer: its request (and connection) is gone (TC3).
    res.on('close', () => {
      if (!res.writableFinished) closedEarly.push('/slow');
    });
  });
  routes.set('/moved', (_b, _r, res) => {
    res.writeHead(302, { location: '/ok' });
    res.end();
  });
  routes.set('/declared-big', (_b, _r, res) => {
    res.writeHead(200, { 'content-length': String(MAX_TOOL_RESPONSE_BYTES + 1) });
    res.write('{"output":"');
  });
  routes.set('/500', (_b, _r, res) => {
    res.statusCode = 503;
    res.end('{"output":"never"}');
  });
  routes.set('/notjson', (_b, _r, res) => res.end('<html>oops</html>'));
  routes.set('/nooutput', (_b, _r, res) => res.end('{"result":1}'));
  routes.set('/big', (_b, _r, res) => {
    // Chunked (no content-length): the bound is on the bytes read.
    res.write(`{"output":"${'x'.repeat(MAX_TOOL_RESPONSE_BYTES)}`);
    res.end('"}');
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function registry(metrics: Metrics, timeoutMs = 300) {
  const tool = (path: string) => ({
    description: `tool at ${path}`,
    parameters: { type: 'object', properties: { order: { type: 'string', maxLength: 10 } }, required: ['order'], additionalProperties: false },
    url: `${base}${path}`,
    timeoutMs,
    headers: { authorization: 'Bearer from-env' },
  });
  const tools = Object.fromEntries(['ok', 'text', 'slow', '500', 'notjson', 'nooutput', 'big', 'moved', 'declared-big'].map((n) => [n, tool(`/${n}`)]));
  return new ToolRegistry(tools, { metrics, secret: SECRET });
}

const ctx = { callId: 'call-1', agent: 'default', callerId: '+15550100' };
const run = (r: ToolRegistry, name: string, args = '{"order":"123"}', signal = new AbortController().signal) => r.run(name, args, ctx, signal);

describe('HTTP tools', () => {
  it('posts the documented body, signed; the 2xx JSON output becomes the output', async () => {
    const metrics = new Metrics();
    const r = registry(metrics);
    const res = await run(r, 'ok');
    expect(res).toEqual({ outcome: 'ok', output: JSON.stringify({ order: '123', status: 'shipped' }) });
    const req = seen.findLast((s) => s.path === '/ok')!;
    expect(JSON.parse(req.body)).toEqual({ callId: 'call-1', agent: 'default', tool: 'ok', arguments: { order: '123' }, callerId: '+15550100' });
    expect(req.signatureOk).toBe(true);
    expect(req.auth).toBe('Bearer from-env');
    expect(await run(r, 'text')).toEqual({ outcome: 'ok', output: 'plain words' });
    expect(await metrics.value('parley_tool_calls_total', { tool: 'ok', outcome: 'ok' })).toBe(1);
    expect(await metrics.value('parley_tool_latency_seconds', { tool: 'ok' })).toBe(1);
  });

  it('a signature with another key does not verify (the check can fail)', async () => {
    const r = new ToolRegistry({ ok: { description: 'd', parameters: { type: 'object' }, url: `${base}/ok`, timeoutMs: 300, headers: {} } }, { metrics: new Metrics(), secret: 'other' });
    await run(r, 'ok');
    expect(seen.findLast((s) => s.path === '/ok')!.signatureOk).toBe(false);
  });

  const failures: [string, string, RegExp][] = [
    ['slow', 'timeout', /did not answer within 300 ms/],
    ['500', 'http_error', /HTTP 503/],
    ['notjson', 'bad_json', /not JSON/],
    ['nooutput', 'bad_json', /no output field/],
    ['big', 'oversize', /size limit/],
    ['declared-big', 'oversize', /size limit/],
    ['moved', 'http_error', /HTTP 302/],
  ];
  for (const [name, outcome, reason] of failures) {
    it(`${name}: an error output the model can apologise from (${outcome}), counted`, async () => {
      const metrics = new Metrics();
      const t0 = Date.now();
      const res = await run(registry(metrics), name);
      expect(res.outcome).toBe(outcome);
      expect((JSON.parse(res.output) as { error: string }).error).toMatch(reason);
      expect(Date.now() - t0).toBeLessThan(900);
      expect(await metrics.value('parley_tool_calls_total', { tool: name, outcome })).toBe(1);
    });
  }

  it('invalid arguments: an error output and no request', async () => {
    const metrics = new Metrics();
    const before = seen.length;
    for (const args of ['{"order":12}', '{"order":"12345678901"}', '{}', '{"order":"1","x":1}', 'not json']) {
      const res = await run(registry(metrics), 'ok', args);
      expect(res.outcome).toBe('invalid_arguments');
      expect(JSON.parse(res.output)).toHaveProperty('error');
    }
    expect(seen.length).toBe(before);
    expect(await metrics.value('parley_tool_calls_total', { tool: 'ok', outcome: 'invalid_arguments' })).toBe(5);
  });

  it('an unknown tool name is an error output, counted under "unknown"', async () => {
    const metrics = new Metrics();
    expect((await run(registry(metrics), 'nope')).outcome).toBe('unknown_tool');
    expect(await metrics.value('parley_tool_calls_total', { tool: 'unknown', outcome: 'unknown_tool' })).toBe(1);
  });

  it('the call ending aborts the request at once (aborted): the server sees it closed', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    const before = closedEarly.length;
    const pending = run(registry(new Metrics(), 5000), 'slow', '{"order":"1"}', ac.signal);
    setTimeout(() => ac.abort(), 50);
    const res = await pending;
    expect(res.outcome).toBe('aborted');
    expect(Date.now() - t0).toBeLessThan(500);
    await vi.waitFor(() => expect(closedEarly.length).toBe(before + 1), { timeout: 2000 });
  });

  it('does not go through fetch (its first use blocks the event loop while undici loads)', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('fetch must not be used'));
    try {
      expect((await run(registry(new Metrics()), 'ok')).outcome).toBe('ok');
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('lists the definitions for session.update', () => {
    const defs = registry(new Metrics()).definitions();
    expect(defs.map((d) => d.name)).toContain('ok');
    expect(defs.find((d) => d.name === 'ok')).toMatchObject({ type: 'function', description: 'tool at /ok', parameters: { type: 'object' } });
  });
});
