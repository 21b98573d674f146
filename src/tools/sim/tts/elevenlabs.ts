// An offline ElevenLabs TTS WebSocket server (docs/reference/tts-providers.md): `…/{voice}/stream-input` and
// `…/{voice}/multi-stream-input`, speaking speech-like audio (or a tone) in the requested
// `pcm_*` format, with alignment, at a configurable speed. It follows the documented protocol
// where peers trip: the first message is exactly " ", the key may come in the header or the
// first message in either spelling, "" ends a single-context stream but keeps a context
// alive, close_context still lets chunks already in flight arrive, idle sockets get
// input_timeout_exceeded + 1008, bad JSON gets invalid_input_message + 1008. It emits
// camelCase `isFinal` / `contextId` like the service.
//
// It enforces the service's documented limits, so a client that leaks contexts fails a test:
// - "Each connection is limited to 5 concurrent contexts" (ElevenLabs, Multi-Context WebSocket
//   guide, elevenlabs.io/docs/eleven-api/guides/how-to/websockets/multi-context-web-socket): a
//   text for a sixth context gets the service's error `max_active_conversations` and close 1008
//   (the message the service sends: "Maximum simultaneous contexts per WebSocket connection
//   exceeded (5). …"). A closed context counts until its final has been sent.
// - `inactivity_timeout`: "Timeout for inactivity before a context is closed (seconds), can be up
//   to 180 seconds" (API reference, multi-stream-input; default 20): a larger value is refused
//   (HTTP 400), and a socket that receives nothing for that long gets input_timeout_exceeded.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer, type WebSocket } from 'ws';
import { FaultBox } from './faults.js';
import { speakHttp } from './elevenlabsHttp.js';
import { Pacer, pcmBytes, speechFor } from './speech.js';
import type { ElevenLabsFakeOptions, SpokenText, TtsFake, TtsFault } from './types.js';

const PATH = /^(.*)\/v1\/text-to-speech\/([^/]+)\/(stream-input|multi-stream-input)$/;
const FORMATS: Readonly<Record<string, number>> = { pcm_8000: 8000, pcm_16000: 16000, pcm_22050: 22050, pcm_24000: 24000, pcm_44100: 44100, pcm_48000: 48000 };
/** chunk_length_schedule[0] of the default schedule: text beyond it is generated without a flush. */
const FIRST_SCHEDULE_CHARS = 120;
const TEXT_LOG = 10_000;
/** Concurrent contexts per multi-context socket (documented limit). */
export const MAX_CONTEXTS_PER_SOCKET = 5;
/** Largest inactivity_timeout the service accepts, seconds (documented). */
export const MAX_INACTIVITY_TIMEOUT_S = 180;

interface Counters {
  connections: number;
  requests: number;
  chunks: number;
  chunksAfterClose: number;
  audioMs: number;
  contextsClosed: number;
  errorsSent: number;
  aborted: number;
  contextLimitHits: number;
  /** Most contexts one socket held at once. */
  maxContexts: number;
}

interface Shared {
  readonly o: ElevenLabsFakeOptions;
  readonly faults: FaultBox;
  readonly c: Counters;
  readonly texts: SpokenText[];
  readonly closes: { connId: number; contextId: string; t: number }[];
}

interface Ctx {
  readonly id: string;
  buffer: string;
  readonly segments: string[];
  generating: boolean;
  /** The client closed it: only `inFlight` more chunks, then final. */
  closed: boolean;
  inFlight: number;
  /** No more text will come: final after the last segment. */
  ended: boolean;
}

class Conn {
  private readonly contexts = new Map<string, Ctx>();
  private authed: boolean;
  private first = true;
  private gone = false;
  /** close_socket received: close once every context has sent its final. */
  private closingSocket = false;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly id: number,
    private readonly ws: WebSocket,
    private readonly socket: Socket,
    private readonly multi: boolean,
    private readonly rate: number,
    private readonly alignment: boolean,
    private readonly idleS: number,
    authed: boolean,
    private readonly s: Shared,
  ) {
    this.authed = authed;
    ws.on('message', (data, isBinary) => this.onMessage(String(data), isBinary));
    ws.on('close', () => this.teardown());
    ws.on('error', () => this.teardown());
    this.touch();
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      this.fail('input_timeout_exceeded', `Have not received a new text input within the timeout of ${this.idleS} seconds. Streaming input times out after the specified inactivity_timeout.`);
    }, this.idleS * 1000);
    this.idle.unref();
  }

  private send(o: Record<string, unknown>): void {
    if (!this.gone && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(o));
  }

  /** The service's error shape, then a close (1008 policy violation; 1011 for internal errors). */
  private fail(error: string, message: string, code = 1008): void {
    if (this.gone) return;
    this.s.c.errorsSent += 1;
    this.send({ message, error, code });
    this.ws.close(code, error.slice(0, 100));
    this.teardown();
  }

  private onMessage(text: string, isBinary: boolean): void {
    if (this.gone) return;
    this.touch();
    let m: unknown;
    try {
      m = isBinary ? undefined : JSON.parse(text);
    } catch {
      m = undefined;
    }
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return this.fail('invalid_input_message', 'Invalid message received: the message must be a JSON object.');
    const msg = m as Record<string, unknown>;
    const wasFirst = this.first;
    this.first = false;
    if (!this.authed) {
      const key = msg['xi-api-key'] ?? msg['xi_api_key'];
      if (wasFirst && typeof key === 'string' && key === this.s.o.apiKey) this.authed = true;
      else return this.fail('invalid_api_key', 'Invalid API key: send it in the xi-api-key header or in the first message.');
    }
    if (this.multi) this.multiMessage(msg);
    else this.singleMessage(msg, wasFirst);
  }

  private ctx(id: string): Ctx {
    let c = this.contexts.get(id);
    if (!c) {
      c = { id, buffer: '', segments: [], generating: false, closed: false, inFlight: 0, ended: false };
      this.contexts.set(id, c);
      this.s.c.maxContexts = Math.max(this.s.c.maxContexts, this.contexts.size);
    }
    return c;
  }

  private multiMessage(msg: Record<string, unknown>): void {
    if (msg['close_socket'] === true) {
      this.closingSocket = true;
      for (const c of this.contexts.values()) {
        this.cut(c);
        c.ended = true;
        this.generate(c);
      }
      if (this.contexts.size === 0) this.ws.close(1000, 'closed');
      return;
    }
    const id = typeof msg['context_id'] === 'string' ? msg['context_id'] : 'default';
    if (msg['close_context'] === true) {
      const c = this.contexts.get(id);
      this.s.closes.push({ connId: this.id, contextId: id, t: Date.now() });
      this.s.c.contextsClosed += 1;
      if (!c) return;
      c.closed = true;
      c.inFlight = this.s.o.inFlightAfterClose ?? 1;
      c.buffer = '';
      if (c.segments.length > 0 || c.generating) this.s.c.aborted += 1;
      c.segments.length = 0;
      c.ended = true;
      this.generate(c);
      return;
    }
    const t = msg['text'];
    if (t !== undefined && typeof t !== 'string') return this.fail('invalid_input_message', "Invalid message received: 'text' must be a string.");
    const isNew = !this.contexts.has(id);
    if (isNew && this.contexts.size >= MAX_CONTEXTS_PER_SOCKET) {
      this.s.c.contextLimitHits += 1;
      return this.fail(
        'max_active_conversations',
        `Maximum simultaneous contexts per WebSocket connection exceeded (${MAX_CONTEXTS_PER_SOCKET}). Please close an existing context before opening a new one.`,
      );
    }
    const c = this.ctx(id);
    if (c.closed) return; // a closed id is reusable only after its final
    if (t === '' || (t === ' ' && isNew)) return; // keep-alive / initialise
    if (t !== undefined) c.buffer += t;
    if (msg['flush'] === true || msg['try_trigger_generation'] === true || c.buffer.length >= FIRST_SCHEDULE_CHARS) this.cut(c);
    this.generate(c);
  }

  private singleMessage(msg: Record<string, unknown>, first: boolean): void {
    const t = msg['text'];
    if (typeof t !== 'string') return this.fail('invalid_input_message', "Invalid message received: 'text' is required.");
    if (first) {
      if (t !== ' ') return this.fail('invalid_input_message', 'The first message must initialise the stream with text " ".');
      return;
    }
    const c = this.ctx('');
    if (t === '') {
      this.cut(c);
      c.ended = true;
    } else {
      c.buffer += t;
      if (msg['flush'] === true || msg['try_trigger_generation'] === true || c.buffer.length >= FIRST_SCHEDULE_CHARS) this.cut(c);
    }
    this.generate(c);
  }

  /** The buffered text becomes a segment to generate. */
  private cut(c: Ctx): void {
    const text = c.buffer.trim();
    c.buffer = '';
    if (text.length === 0) return;
    c.segments.push(text);
    this.s.texts.push({ connId: this.id, contextId: c.id, text, t: Date.now() });
    if (this.s.texts.length > 2 * TEXT_LOG) this.s.texts.splice(0, this.s.texts.length - TEXT_LOG);
  }

  private generate(c: Ctx): void {
    if (c.generating) return;
    c.generating = true;
    void this.run(c).finally(() => {
      c.generating = false;
    });
  }

  private async run(c: Ctx): Promise<void> {
    const o = this.s.o;
    while (!this.gone) {
      const seg = c.closed ? undefined : c.segments.shift();
      if (seg === undefined) break;
      this.s.c.requests += 1;
      const fault = this.s.faults.take(['error', 'drop', 'stall', 'delay']);
      const cutAt = fault && (fault.kind === 'error' || fault.kind === 'drop' || fault.kind === 'stall') ? (fault.afterChunks ?? 0) : undefined;
      const pcm = speechFor(seg, this.rate, o);
      const per = Math.max(1, Math.round(((o.chunkMs ?? 200) * this.rate) / 1000));
      const n = Math.max(1, Math.ceil(pcm.length / per));
      await sleep((o.firstChunkDelayMs ?? 80) + (fault?.kind === 'delay' ? fault.ms : 0));
      const chars = [...seg];
      const pacer = new Pacer(o.speed ?? 4);
      for (let k = 0; k < n && !this.gone; k++) {
        if (fault && k === cutAt) {
          this.fire(fault);
          return;
        }
        if (c.closed) {
          if (c.inFlight <= 0) break;
          c.inFlight -= 1;
          this.s.c.chunksAfterClose += 1;
        }
        const from = k * per;
        const to = Math.min(pcm.length, from + per);
        const durMs = ((to - from) / this.rate) * 1000;
        const a = chars.slice(Math.floor((k * chars.length) / n), Math.floor(((k + 1) * chars.length) / n));
        const alignment = {
          chars: a,
          charStartTimesMs: a.map((_, i) => Math.round((i * durMs) / Math.max(1, a.length))),
          charsDurationsMs: a.map(() => Math.round(durMs / Math.max(1, a.length))),
        };
        this.send({
          audio: pcmBytes(pcm, from, to).toString('base64'),
          ...(this.alignment ? { alignment, normalizedAlignment: alignment } : {}),
          ...(this.multi ? { contextId: c.id } : {}),
        });
        this.s.c.chunks += 1;
        this.s.c.audioMs += durMs;
        await pacer.after(durMs);
      }
      if (fault && cutAt !== undefined && cutAt >= n) {
        this.fire(fault);
        return;
      }
    }
    if (c.ended && !this.gone) {
      this.send({ isFinal: true, ...(this.multi ? { contextId: c.id } : {}) });
      this.contexts.delete(c.id);
      if (!this.multi) this.ws.close(1000, 'done');
      else if (this.contexts.size === 0 && this.closingSocket) this.ws.close(1000, 'closed');
    }
  }

  private fire(f: TtsFault): void {
    switch (f.kind) {
      case 'error': {
        const code = f.code ?? 'internal_error';
        return this.fail(code, `Simulated ${code}.`, f.closeCode ?? (code === 'internal_error' ? 1011 : 1008));
      }
      case 'drop':
        this.socket.destroy();
        return this.teardown();
      case 'stall':
        // Nothing more for this context; the socket stays open.
        return;
      default:
        return;
    }
  }

  private teardown(): void {
    if (this.gone) return;
    this.gone = true;
    if (this.idle) clearTimeout(this.idle);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)).unref());

export async function startElevenLabsFake(o: ElevenLabsFakeOptions & { host?: string; port?: number } = {}): Promise<TtsFake> {
  const shared: Shared = {
    o,
    faults: new FaultBox(),
    c: { connections: 0, requests: 0, chunks: 0, chunksAfterClose: 0, audioMs: 0, contextsClosed: 0, errorsSent: 0, aborted: 0, contextLimitHits: 0, maxContexts: 0 },
    texts: [],
    closes: [],
  };
  // The HTTP streaming endpoint (POST …/{voice}/stream) on the same port.
  let httpSeq = 0;
  const http = createServer((req, res) => {
    speakHttp(req, res, { o, faults: shared.faults, c: shared.c, texts: shared.texts, formats: FORMATS, connId: ++httpSeq }).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const sockets = new Set<Socket>();
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  let seq = 0;
  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const refuse = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://x');
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(404, 'Not Found');
    const rate = FORMATS[url.searchParams.get('output_format') ?? 'pcm_16000'];
    if (rate === undefined) return refuse(400, 'Bad Request');
    const f = shared.faults.take(['refuse']);
    if (f && f.kind === 'refuse') return refuse(f.status, 'Refused');
    const header = req.headers['xi-api-key'];
    const query = url.searchParams.get('authorization') ?? url.searchParams.get('xi_api_key');
    const presented = typeof header === 'string' ? header : (query ?? undefined);
    if (o.apiKey !== undefined && presented !== undefined && presented !== o.apiKey) return refuse(401, 'Unauthorized');
    const authed = o.apiKey === undefined || presented === o.apiKey;
    const idleS = Math.max(1, Number(url.searchParams.get('inactivity_timeout') ?? o.inactivityTimeoutS ?? 20) || 20);
    if (idleS > MAX_INACTIVITY_TIMEOUT_S) return refuse(400, 'Bad Request');
    const alignment = !o.noAlignment;
    wss.handleUpgrade(req, socket, head, (ws) => {
      shared.c.connections += 1;
      new Conn(++seq, ws, socket, m[3] === 'multi-stream-input', rate, alignment, idleS, authed, shared);
    });
  });
  http.listen(o.port ?? 0, o.host ?? '127.0.0.1');
  await once(http, 'listening');
  const addr = http.address() as AddressInfo;
  return {
    url: `ws://${o.host ?? '127.0.0.1'}:${addr.port}/v1/text-to-speech`,
    httpUrl: `http://${o.host ?? '127.0.0.1'}:${addr.port}/v1/text-to-speech`,
    port: addr.port,
    arm: (fault, times) => shared.faults.arm(fault, times),
    heal: () => shared.faults.heal(),
    stats: () => ({ ...shared.c, faultsFired: shared.faults.fired }),
    texts: () => [...shared.texts],
    closes: () => [...shared.closes],
    async close() {
      for (const ws of wss.clients) ws.terminate();
      for (const s of sockets) s.destroy();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
