// Security limits of `parley serve` on real sockets (issue 10 item 5): Twilio request
// signatures beside the bearer token, a deadline for a complete request against slow and silent
// clients, a bound on the request head, per-IP connection limits, concurrent calls and
// per-connection message rate — each configurable and counted — and no secret in any log line,
// trace or metric.
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createLogger } from '../../src/obs/index.js';
import { loadConfig, redactedConfig, type ConfigInput } from '../../src/config/index.js';
import { startParley, type ParleyApp } from '../../src/app.js';
import { twilioSignature } from '../../src/server/twilioSignature.js';
import { startSimAgent } from '../../src/tools/sim/agent/index.js';
import { simCall } from '../../src/tools/sim/caller/index.js';

async function bridge(overrides: ConfigInput, log?: ReturnType<typeof createLogger>): Promise<ParleyApp> {
  const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', logLevel: 'silent', ...overrides, ai: { mode: 'local', ...overrides.ai } } });
  return startParley({ config, ...(log ? { log } : {}) });
}

const refused = (app: ParleyApp, reason: string) => app.metrics.value('parley_upgrades_refused_total', { reason });

/** HTTP status of a WebSocket upgrade (101 when it opened). */
function upgrade(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('error', () => {});
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
  });
}

function raw(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Everything the server writes until it closes the connection, and when that happened. */
function readUntilClose(s: Socket): Promise<{ text: string; at: number }> {
  return new Promise((resolve) => {
    let text = '';
    s.on('data', (d) => (text += String(d)));
    s.on('error', () => {});
    s.on('close', () => resolve({ text, at: Date.now() }));
  });
}

describe('Twilio request signature (X-Twilio-Signature)', () => {
  it('computes Twilio\'s documented example (URL + sorted POST parameters, HMAC-SHA1, base64)', () => {
    // The string Twilio signs for a POST is the URL followed by each parameter's name and value, sorted by name.
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    const signed = url + Object.keys(params).sort().map((k) => k + params[k as keyof typeof params]).join('');
    expect(twilioSignature('12345', signed)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
  });

  it('accepts a valid signature on /twilio, refuses a wrong one (403) or none (401), counts both', async () => {
    const app = await bridge({ twilioAuthToken: 'tw-token', publicUrl: 'wss://parley.example.com' });
    try {
      const base = `ws://127.0.0.1:${app.port}`;
      const good = twilioSignature('tw-token', 'wss://parley.example.com/twilio');
      expect(await upgrade(`${base}/twilio`, { 'X-Twilio-Signature': good })).toBe(101);
      // Twilio may sign the URL with the default port spelled out.
      expect(await upgrade(`${base}/twilio`, { 'X-Twilio-Signature': twilioSignature('tw-token', 'wss://parley.example.com:443/twilio') })).toBe(101);
      expect(await upgrade(`${base}/twilio`, { 'X-Twilio-Signature': twilioSignature('other-token', 'wss://parley.example.com/twilio') })).toBe(403);
      expect(await upgrade(`${base}/twilio`, { 'X-Twilio-Signature': twilioSignature('tw-token', 'wss://evil.example.com/twilio') })).toBe(403);
      expect(await upgrade(`${base}/twilio`)).toBe(401);
      // The Twilio token guards /twilio only; /audio-stream has its own credential (none here).
      expect(await upgrade(`${base}/audio-stream`)).toBe(101);
      expect(await refused(app, 'bad_signature')).toBe(2);
      expect(await refused(app, 'unauthorized')).toBe(1);
    } finally {
      await app.shutdown();
    }
  });

  it('without a public URL, checks against wss://<Host>; with a bearer token too, either credential opens /twilio', async () => {
    const app = await bridge({ twilioAuthToken: 'tw-token', authToken: 'bearer-token' });
    try {
      const base = `ws://127.0.0.1:${app.port}`;
      const host = `127.0.0.1:${app.port}`;
      expect(await upgrade(`${base}/twilio`, { 'X-Twilio-Signature': twilioSignature('tw-token', `wss://${host}/twilio`) })).toBe(101);
      expect(await upgrade(`${base}/twilio`, { Authorization: 'Bearer bearer-token' })).toBe(101);
      expect(await upgrade(`${base}/twilio`, { Authorization: 'Bearer wrong' })).toBe(401);
      expect(await upgrade(`${base}/audio-stream`)).toBe(401);
      expect(await upgrade(`${base}/audio-stream?token=bearer-token`)).toBe(101);
      // A whole call over a signed upgrade.
      const report = await simCall({ url: `${base}/twilio?token=bearer-token`, script: [{ kind: 'say', ms: 300 }, { kind: 'hangup' }] });
      expect(report.failure).toBeUndefined();
    } finally {
      await app.shutdown();
    }
  });
});

describe('slow and oversized requests', () => {
  it('closes a connection that sends nothing, and one that sends its head too slowly, at the deadline (counted)', async () => {
    const app = await bridge({ limits: { upgradeTimeoutMs: 400 } });
    try {
      const t0 = Date.now();
      const silent = await raw(app.port);
      const silentClosed = readUntilClose(silent);
      const slow = await raw(app.port);
      const slowClosed = readUntilClose(slow);
      slow.write('GET /twilio HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => slow.writable && slow.write(`X-Drip-${Date.now()}: 1\r\n`), 100);
      const [a, b] = await Promise.all([silentClosed, slowClosed]);
      clearInterval(drip);
      for (const { at } of [a, b]) {
        expect(at - t0).toBeGreaterThanOrEqual(350);
        expect(at - t0).toBeLessThan(2500);
      }
      expect(await refused(app, 'upgrade_timeout')).toBe(2);
      // A prompt client is unaffected.
      expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
    } finally {
      await app.shutdown();
    }
  });

  it('answers a request head over the limit with 431 (counted)', async () => {
    const app = await bridge({ limits: { maxHeaderBytes: 2048 } });
    try {
      const s = await raw(app.port);
      const done = readUntilClose(s);
      s.write(`GET /twilio HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`);
      const { text } = await done;
      expect(text).toMatch(/^HTTP\/1\.1 431/);
      expect(await refused(app, 'header_too_large')).toBe(1);
    } finally {
      await app.shutdown();
    }
  });

  it('answers a malformed WebSocket handshake with 400 (counted)', async () => {
    const app = await bridge({});
    try {
      const s = await raw(app.port);
      const done = readUntilClose(s);
      s.write('GET /twilio HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n');
      const { text } = await done;
      expect(text).toMatch(/^HTTP\/1\.1 400/);
      expect(text).toMatch(/Sec-WebSocket-Key/);
      expect(await refused(app, 'bad_request')).toBe(1);
      expect(app.server.activeCalls).toBe(0);
    } finally {
      await app.shutdown();
    }
  });

  it('answers garbage with 400 (counted) and stays up', async () => {
    const app = await bridge({});
    try {
      const s = await raw(app.port);
      const done = readUntilClose(s);
      s.write('\u0000\u0001NOT HTTP\r\n\r\n');
      expect((await done).text).toMatch(/^HTTP\/1\.1 400/);
      expect(await refused(app, 'bad_request')).toBe(1);
      expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status).toBe(200);
    } finally {
      await app.shutdown();
    }
  });
});

describe('connection, call and message limits', () => {
  it('limits open connections per remote address (counted); a closed one frees its place', async () => {
    const app = await bridge({ limits: { maxConnectionsPerIp: 3, upgradeTimeoutMs: 20_000 } });
    try {
      const held = await Promise.all([raw(app.port), raw(app.port), raw(app.port)]);
      const extra = await raw(app.port);
      const { text } = await readUntilClose(extra);
      expect(text).toBe('');
      expect(await refused(app, 'per_ip_limit')).toBe(1);
      held[0]!.destroy();
      await new Promise((r) => setTimeout(r, 50));
      expect((await fetch(`http://127.0.0.1:${app.port}/healthz`)).status).toBe(200);
      for (const s of held) s.destroy();
    } finally {
      await app.shutdown();
    }
  });

  it('refuses calls beyond maxCalls with 503 and the reason, and drops messages over the rate (counted)', async () => {
    const app = await bridge({ limits: { maxCalls: 1, rateMessagesPerSec: 10 } });
    try {
      const base = `ws://127.0.0.1:${app.port}`;
      const ws = new WebSocket(`${base}/audio-stream`);
      await new Promise((r) => ws.once('open', r));
      const busy = await new Promise<{ status: number; body: string }>((resolve) => {
        const w = new WebSocket(`${base}/twilio`);
        w.on('error', () => {});
        w.once('unexpected-response', (_q, res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += String(d)));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
      });
      expect(busy.status).toBe(503);
      expect(busy.body).toMatch(/busy: 1 calls in progress \(limit PARLEY_MAX_CALLS\)/);
      expect(await refused(app, 'busy')).toBe(1);
      // 10 messages/s with a 2 s burst: of 100 sent at once, at most 20 pass.
      for (let i = 0; i < 100; i++) ws.send(Buffer.alloc(320));
      const deadline = Date.now() + 3000;
      while ((await app.metrics.value('parley_drops_total', { reason: 'rate_limit' })) < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await app.metrics.value('parley_drops_total', { reason: 'rate_limit' })).toBeGreaterThanOrEqual(80);
      ws.close();
    } finally {
      await app.shutdown();
    }
  });
});

describe('secrets never reach logs, traces or metrics', () => {
  it('runs calls with every credential at the most verbose log level and finds none of them anywhere', async () => {
    const SECRETS = { bearer: 'tok-SECRET-3f9a', twilio: 'tw-SECRET-77c1', openai: 'sk-SECRET-0b2e' };
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const log = createLogger({ level: 'trace', destination: sink });
    const agent = await startSimAgent({ host: '127.0.0.1', port: 0, apiKey: SECRETS.openai, replyMs: 600 });
    const traceDir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
    const app = await bridge(
      {
        logLevel: 'trace',
        traceDir,
        authToken: SECRETS.bearer,
        twilioAuthToken: SECRETS.twilio,
        ai: { mode: 'openai', openaiUrl: agent.url, openaiApiKey: SECRETS.openai },
      },
      log,
    );
    try {
      const base = `ws://127.0.0.1:${app.port}`;
      const script = [{ kind: 'say', ms: 600 }, { kind: 'listen', quietMs: 200, timeoutMs: 5000 }, { kind: 'hangup' }] as const;
      const byHeader = await simCall({ url: `${base}/twilio`, token: SECRETS.bearer, script });
      const byQuery = await simCall({ url: `${base}/audio-stream?token=${SECRETS.bearer}`, script });
      expect(byHeader.failure).toBeUndefined();
      expect(byQuery.failure).toBeUndefined();
      // Refusals log the request (with the query token in it) and the signature outcome.
      expect(await upgrade(`${base}/twilio?token=${SECRETS.bearer}x`)).toBe(401);
      expect(await upgrade(`${base}/twilio`, { 'X-Twilio-Signature': twilioSignature(SECRETS.twilio, 'wss://elsewhere/twilio') })).toBe(403);
      await new Promise((r) => setTimeout(r, 200));
      const metrics = await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text();
      const traces = readdirSync(traceDir).map((f) => readFileSync(join(traceDir, f), 'utf8'));
      // What `parley serve --print-config` prints.
      const printed = JSON.stringify(redactedConfig(loadConfig({ env: { PARLEY_AUTH_TOKEN: SECRETS.bearer, PARLEY_TWILIO_AUTH_TOKEN: SECRETS.twilio, OPENAI_API_KEY: SECRETS.openai } })));
      expect(lines.some((l) => l.includes('upgrade refused'))).toBe(true);
      expect(lines.some((l) => l.includes('call ended'))).toBe(true);
      expect(traces.length).toBe(2);
      const everything = [...lines, ...traces, metrics, printed].join('\n');
      for (const [name, secret] of Object.entries(SECRETS)) {
        // The whole secret, and any 8-character piece of it, are absent.
        expect(everything.includes(secret), `${name} secret found`).toBe(false);
        expect(everything.includes(secret.slice(-8)), `${name} secret's tail found`).toBe(false);
      }
    } finally {
      await app.shutdown();
      await agent.close();
    }
  });
});
