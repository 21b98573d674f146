// An offline OpenAI TTS server: POST …/audio/speech with {model, input, voice,
// response_format: "pcm"} streams raw PCM16 at 24 kHz (chunked), paced faster than real time.
// Errors use the API's JSON shape; a client abort stops the stream.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { FaultBox } from './faults.js';
import { Pacer, pcmBytes, speechFor } from './speech.js';
import type { OpenAiTtsFakeOptions, SpokenText, TtsFake } from './types.js';

export const OPENAI_TTS_FAKE_RATE = 24000;
const MAX_BODY = 64 * 1024;
const TEXT_LOG = 10_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)).unref());

function apiError(res: ServerResponse, status: number, type: string, code: string | null, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message, type, param: null, code } }));
}

export async function startOpenAiTtsFake(o: OpenAiTtsFakeOptions & { host?: string; port?: number } = {}): Promise<TtsFake> {
  const faults = new FaultBox();
  const c = { connections: 0, requests: 0, chunks: 0, chunksAfterClose: 0, audioMs: 0, contextsClosed: 0, errorsSent: 0, aborted: 0 };
  const texts: SpokenText[] = [];
  const sockets = new Set<Socket>();
  let seq = 0;

  async function speak(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !/\/audio\/speech$/.test(new URL(req.url ?? '/', 'http://x').pathname)) {
      return apiError(res, 404, 'invalid_request_error', null, 'Unknown request URL.');
    }
    if (o.apiKey !== undefined && req.headers.authorization !== `Bearer ${o.apiKey}`) {
      c.errorsSent += 1;
      return apiError(res, 401, 'invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const d of req) {
      size += (d as Buffer).length;
      if (size > MAX_BODY) return apiError(res, 413, 'invalid_request_error', null, 'Request body too large.');
      chunks.push(d as Buffer);
    }
    let body: Record<string, unknown>;
    try {
      const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      body = v as Record<string, unknown>;
    } catch {
      return apiError(res, 400, 'invalid_request_error', null, 'We could not parse the JSON body of your request.');
    }
    const input = body['input'];
    if (typeof input !== 'string' || input.length === 0 || input.length > 4096) {
      return apiError(res, 400, 'invalid_request_error', null, "'input' must be a string of 1 to 4096 characters.");
    }
    if (typeof body['model'] !== 'string' || typeof body['voice'] !== 'string') {
      return apiError(res, 400, 'invalid_request_error', null, "'model' and 'voice' are required.");
    }
    if ((body['response_format'] ?? 'mp3') !== 'pcm') {
      return apiError(res, 400, 'invalid_request_error', null, 'This stand-in only speaks response_format "pcm".');
    }
    const connId = ++seq;
    c.requests += 1;
    texts.push({ connId, contextId: '', text: input, t: Date.now() });
    if (texts.length > 2 * TEXT_LOG) texts.splice(0, texts.length - TEXT_LOG);
    const fault = faults.take(['refuse', 'error', 'drop', 'stall', 'delay']);
    if (fault?.kind === 'refuse') {
      c.errorsSent += 1;
      return apiError(res, fault.status, fault.status === 429 ? 'rate_limit_error' : 'server_error', null, `Simulated HTTP ${fault.status}.`);
    }
    const cutAt = fault && (fault.kind === 'error' || fault.kind === 'drop' || fault.kind === 'stall') ? (fault.afterChunks ?? 0) : undefined;
    if (fault?.kind === 'error' && cutAt === 0) {
      c.errorsSent += 1;
      return apiError(res, 500, 'server_error', fault.code ?? null, 'The server had an error while processing your request.');
    }
    let aborted = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        aborted = true;
        c.aborted += 1;
      }
    });
    const rate = OPENAI_TTS_FAKE_RATE;
    const pcm = speechFor(input, rate, o);
    const per = Math.max(1, Math.round(((o.chunkMs ?? 200) * rate) / 1000));
    res.writeHead(200, { 'content-type': 'audio/pcm', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    await sleep((o.firstChunkDelayMs ?? 80) + (fault?.kind === 'delay' ? fault.ms : 0));
    const pacer = new Pacer(o.speed ?? 4);
    for (let from = 0, k = 0; from < pcm.length && !aborted; from += per, k++) {
      if (fault && k === cutAt) {
        if (fault.kind === 'stall') return; // headers sent, no more audio, never ends
        req.socket.destroy(); // error or drop mid-body: the client sees a cut stream
        return;
      }
      const to = Math.min(pcm.length, from + per);
      res.write(pcmBytes(pcm, from, to));
      c.chunks += 1;
      const ms = ((to - from) / rate) * 1000;
      c.audioMs += ms;
      await pacer.after(ms);
    }
    if (!aborted) res.end();
  }

  const http = createServer((req, res) => {
    speak(req, res).catch(() => {
      if (!res.headersSent) apiError(res, 500, 'server_error', null, 'internal error');
      else res.destroy();
    });
  });
  http.on('connection', (s: Socket) => {
    c.connections += 1;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  http.listen(o.port ?? 0, o.host ?? '127.0.0.1');
  await once(http, 'listening');
  const addr = http.address() as AddressInfo;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${addr.port}/v1/audio/speech`,
    port: addr.port,
    arm: (fault, times) => faults.arm(fault, times),
    heal: () => faults.heal(),
    stats: () => ({ ...c, faultsFired: faults.fired }),
    texts: () => [...texts],
    closes: () => [],
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
