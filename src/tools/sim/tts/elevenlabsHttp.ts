// The ElevenLabs HTTP streaming endpoint of the offline stand-in: POST
// /v1/text-to-speech/{voice_id}/stream?output_format=pcm_16000 with `xi-api-key` and a JSON body
// {text, model_id, voice_settings?} streams the audio as the response body (chunked; for `pcm_*`
// raw PCM16 little-endian mono at that rate). Errors are the API's JSON shape
// {"detail": {"status", "message"}}: 401 invalid_api_key, 422 for a body it cannot use, 400 for
// an unknown output format. Faults: refuse (that status), error (500 before audio, else the body
// is cut), drop (the socket destroyed), stall (no more audio), delay.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultBox } from './faults.js';
import { Pacer, pcmBytes, speechFor } from './speech.js';
import type { ElevenLabsFakeOptions, SpokenText } from './types.js';

export const HTTP_STREAM_PATH = /^(.*)\/v1\/text-to-speech\/([^/]+)\/stream$/;
const MAX_BODY = 64 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)).unref());

export interface HttpCounters {
  requests: number;
  chunks: number;
  audioMs: number;
  errorsSent: number;
  aborted: number;
}

function detail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: { status: code, message } }));
}

export async function speakHttp(
  req: IncomingMessage,
  res: ServerResponse,
  d: { o: ElevenLabsFakeOptions; faults: FaultBox; c: HttpCounters; texts: SpokenText[]; formats: Readonly<Record<string, number>>; connId: number },
): Promise<void> {
  const { o, c } = d;
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method !== 'POST' || !HTTP_STREAM_PATH.test(url.pathname)) return detail(res, 404, 'not_found', 'Not found.');
  if (o.apiKey !== undefined && req.headers['xi-api-key'] !== o.apiKey) {
    c.errorsSent += 1;
    return detail(res, 401, 'invalid_api_key', 'Invalid API key.');
  }
  const rate = d.formats[url.searchParams.get('output_format') ?? 'mp3_44100_128'];
  if (rate === undefined) return detail(res, 400, 'invalid_output_format', 'This stand-in speaks pcm_* output formats only.');
  const parts: Buffer[] = [];
  let size = 0;
  for await (const b of req) {
    size += (b as Buffer).length;
    if (size > MAX_BODY) return detail(res, 413, 'payload_too_large', 'Request body too large.');
    parts.push(b as Buffer);
  }
  let text: unknown;
  try {
    text = (JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>)['text'];
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string' || text.trim().length === 0) return detail(res, 422, 'invalid_request', "'text' is required.");
  c.requests += 1;
  d.texts.push({ connId: d.connId, contextId: '', text: text.trim(), t: Date.now() });
  const fault = d.faults.take(['refuse', 'error', 'drop', 'stall', 'delay']);
  if (fault?.kind === 'refuse') {
    c.errorsSent += 1;
    return detail(res, fault.status, fault.status === 429 ? 'too_many_concurrent_requests' : 'service_unavailable', `Simulated HTTP ${fault.status}.`);
  }
  const cutAt = fault && (fault.kind === 'error' || fault.kind === 'drop' || fault.kind === 'stall') ? (fault.afterChunks ?? 0) : undefined;
  if (fault?.kind === 'error' && cutAt === 0) {
    c.errorsSent += 1;
    return detail(res, 500, fault.code ?? 'internal_error', 'An internal error occurred.');
  }
  let aborted = false;
  res.on('close', () => {
    if (!res.writableFinished) {
      aborted = true;
      c.aborted += 1;
    }
  });
  const pcm = speechFor(text.trim(), rate, o);
  const per = Math.max(1, Math.round(((o.chunkMs ?? 200) * rate) / 1000));
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
  await sleep((o.firstChunkDelayMs ?? 80) + (fault?.kind === 'delay' ? fault.ms : 0));
  const pacer = new Pacer(o.speed ?? 4);
  for (let from = 0, k = 0; from < pcm.length && !aborted; from += per, k++) {
    if (fault && k === cutAt) {
      if (fault.kind === 'stall') return;
      req.socket.destroy();
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
