// ElevenLabs multi-context stream-input (docs/reference/tts-providers.md#multi-context): one socket
// per call, opened on the first sentence and re-opened after it closes; each sentence is sent
// flushed on a context of its turn (response id). A turn has two contexts, so its next sentence
// can be generated while the current one still plays (the speaker's one ahead, issue 20); a
// prefetch only takes a context while the socket stays one short of the service's limit. A
// sentence's audio is complete when the chunks' alignment has covered its characters (or the
// context reports final; or, for a server that sends no alignment, when no chunk came for
// `unalignedIdleMs`). Barge-in: `close_context` for both, and audio still in flight for a closed
// context is discarded by its context id (TT1).
import { WebSocket } from 'ws';
import { aborted, EvenBytes, failed, type TtsOutcome, type TtsProvider, type TtsRequest } from '../types.js';
import { DEFAULT_TTS_TIMEOUTS, Watchdog, type TtsTimeouts } from '../watchdog.js';
import { closeContext, closeSocket, contextText, elevenLabsUrl, initContext, parseElevenLabsMessage, visibleChars, type ElevenLabsUrlParts } from './messages.js';

export interface ElevenLabsOptions {
  readonly url: Omit<ElevenLabsUrlParts, 'endpoint'>;
  readonly apiKey?: string;
  /** Rate of `url.outputFormat`. */
  readonly rate: number;
  readonly timeouts?: TtsTimeouts;
  /** Completion of a sentence whose chunks carry no alignment (default 400 ms of no audio). */
  readonly unalignedIdleMs?: number;
  /** Messages the client could not use, and audio of closed contexts it discarded. */
  readonly onIgnored?: (why: string) => void;
}

interface InFlight {
  readonly req: TtsRequest;
  /** The context it was sent on, and which of the turn's two it is. */
  readonly ctx: string;
  readonly lane: Lane;
  readonly expected: number;
  seen: number;
  /** Some chunk carried alignment (so `seen` says how far the audio got). */
  aligned: boolean;
  bytes: number;
  readonly even: EvenBytes;
  readonly watchdog: Watchdog;
  watchdogFires: 'timeout' | 'complete';
  readonly done: (o: TtsOutcome) => void;
}

/** A turn speaks on at most two contexts: its sentence in progress and the next one asked for ahead. */
type Lane = 0 | 1;

/** ElevenLabs context ids: keep them short and plain. */
export const contextIdFor = (turn: string): string => turn.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'turn';

/**
 * Contexts a prefetch may leave open or closing on one socket: one short of the service's limit
 * of five (a closed context counts until its final), so the next turn's first sentence always
 * finds a free one.
 */
export const PREFETCH_CONTEXT_BUDGET = 4;

export class ElevenLabsMultiContext implements TtsProvider {
  readonly name = 'elevenlabs' as const;
  readonly voice: string;
  readonly model: string;
  readonly rate: number;
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private readonly open = new Set<string>();
  /** Contexts we closed whose final has not come yet (they still count against the service's limit). */
  private readonly closing = new Set<string>();
  /** Turn lanes whose context was closed after a failure: their next sentence uses a fresh context id. */
  private readonly reopened = new Map<string, number>();
  /** Requests per turn from synthesize() to their outcome (at most two: the current and the one ahead). */
  private readonly requests = new Map<string, number>();
  /** Sentences in flight, by context id. */
  private readonly flights = new Map<string, InFlight>();
  private readonly timeouts: TtsTimeouts;

  constructor(private readonly opts: ElevenLabsOptions) {
    this.voice = opts.url.voice;
    this.model = opts.url.model;
    this.rate = opts.rate;
    this.timeouts = opts.timeouts ?? DEFAULT_TTS_TIMEOUTS;
  }

  /** A second sentence of the turn may start now: a lane is free and the socket has a context to spare. */
  canPrefetch(turn: string): boolean {
    const n = this.requests.get(turn) ?? 0;
    if (n >= 2) return false;
    const ctx = this.ctxOf(turn, n === 0 ? 0 : 1);
    return this.open.has(ctx) || this.open.size + this.closing.size + 1 <= PREFETCH_CONTEXT_BUDGET;
  }

  async synthesize(req: TtsRequest): Promise<TtsOutcome> {
    if (req.signal.aborted) return aborted();
    // Counted from the call on (the socket may still be opening), so canPrefetch sees it at once.
    const n = this.requests.get(req.turn) ?? 0;
    if (n >= 2) return failed('busy', 'two sentences of a turn at a time', 0);
    this.requests.set(req.turn, n + 1);
    try {
      return await this.request(req);
    } finally {
      const left = (this.requests.get(req.turn) ?? 1) - 1;
      if (left > 0) this.requests.set(req.turn, left);
      else this.requests.delete(req.turn);
    }
  }

  private async request(req: TtsRequest): Promise<TtsOutcome> {
    let ws: WebSocket;
    try {
      ws = await this.socket(req.signal);
    } catch (err) {
      if (req.signal.aborted) return aborted();
      const e = err as Error & { code?: string };
      return failed(e.code ?? 'connect_failed', e.message, 0);
    }
    if (req.signal.aborted) return aborted();
    const lane = this.freeLane(req.turn);
    if (lane === undefined) return failed('busy', 'two sentences of a turn at a time', 0);
    const ctx = this.ctxOf(req.turn, lane);
    return new Promise<TtsOutcome>((resolve) => {
      const onAbort = () => this.finish(flight, aborted());
      const flight: InFlight = {
        req,
        ctx,
        lane,
        expected: visibleChars(req.text),
        seen: 0,
        aligned: false,
        bytes: 0,
        even: new EvenBytes(),
        watchdog: new Watchdog(() => this.onWatchdog(flight)),
        watchdogFires: 'timeout',
        done: (o) => {
          req.signal.removeEventListener('abort', onAbort);
          resolve(o);
        },
      };
      this.flights.set(ctx, flight);
      req.signal.addEventListener('abort', onAbort, { once: true });
      if (!this.open.has(ctx)) {
        ws.send(JSON.stringify(initContext(ctx)));
        this.open.add(ctx);
      }
      ws.send(JSON.stringify(contextText(ctx, req.text)));
      flight.watchdog.arm(this.timeouts.firstChunkMs);
    });
  }

  endTurn(turn: string, _cancelled = false): void {
    for (const lane of [0, 1] as const) {
      this.closeCtx(this.ctxOf(turn, lane));
      this.reopened.delete(laneKey(turn, lane));
    }
  }

  /** The lane a new sentence of the turn goes on: the first whose context has nothing in flight. */
  private freeLane(turn: string): Lane | undefined {
    if (!this.flights.has(this.ctxOf(turn, 0))) return 0;
    if (!this.flights.has(this.ctxOf(turn, 1))) return 1;
    return undefined;
  }

  /** The context id of a turn lane's next sentence (a closed context id is not reusable until its final). */
  private ctxOf(turn: string, lane: Lane): string {
    const base = lane === 0 ? contextIdFor(turn) : `${contextIdFor(turn).slice(0, 56)}_b`;
    const n = this.reopened.get(laneKey(turn, lane));
    return n === undefined ? base : `${base.slice(0, 58)}_r${n}`;
  }

  private closeCtx(ctx: string): void {
    if (!this.open.delete(ctx)) return;
    if (this.ws?.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(closeContext(ctx)));
      this.closing.add(ctx);
    }
  }

  /** Closes the socket now; a later sentence opens a new one. */
  close(): void {
    for (const f of [...this.flights.values()]) this.finish(f, aborted());
    const ws = this.ws;
    this.ws = undefined;
    this.open.clear();
    this.closing.clear();
    this.reopened.clear();
    if (ws?.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(closeSocket()));
      ws.close(1000, 'call ended');
    } else ws?.terminate();
  }

  private finish(f: InFlight, o: TtsOutcome): void {
    if (this.flights.get(f.ctx) !== f) return;
    this.flights.delete(f.ctx);
    f.watchdog.stop();
    if (o.kind !== 'ok') {
      // The context's state is unknown now (or its audio unwanted): close it; a later sentence
      // of the same turn lane starts a fresh one under a new id, so audio of the closed one
      // still in flight is never taken for it.
      this.closeCtx(f.ctx);
      const key = laneKey(f.req.turn, f.lane);
      this.reopened.set(key, (this.reopened.get(key) ?? 0) + 1);
    }
    f.done(o.kind === 'failed' ? failed(o.code, o.message, f.bytes, f.aligned ? f.seen : undefined) : o.kind === 'ok' ? { ...o, bytes: f.bytes } : o);
  }

  /** Every sentence in flight fails (the socket is gone, or the service reported an error for it). */
  private failAll(code: string, message: string): void {
    for (const f of [...this.flights.values()]) this.finish(f, failed(code, message, 0));
  }

  private onWatchdog(f: InFlight): void {
    if (f.watchdogFires === 'complete') this.finish(f, { kind: 'ok', bytes: 0, inferred: true });
    else this.finish(f, failed('timeout', f.bytes > 0 ? 'audio stalled' : 'no audio in time', 0));
  }

  private socket(signal: AbortSignal): Promise<WebSocket> {
    if (this.ws?.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      this.opening!.then(
        (ws) => {
          signal.removeEventListener('abort', onAbort);
          resolve(ws);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private connect(): Promise<WebSocket> {
    const url = elevenLabsUrl({ ...this.opts.url, endpoint: 'multi' });
    const ws = new WebSocket(url, {
      headers: this.opts.apiKey ? { 'xi-api-key': this.opts.apiKey } : {},
      handshakeTimeout: this.timeouts.connectMs,
      perMessageDeflate: false,
      maxPayload: 16 * 1024 * 1024,
    });
    this.ws = ws;
    this.open.clear();
    this.closing.clear();
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      if (isBinary) return this.opts.onIgnored?.('binary');
      this.onMessage(String(data));
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.open.clear();
      this.closing.clear();
      this.failAll(`close_${code}`, `socket closed: ${code} ${String(reason)}`.trim());
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', (err: Error & { code?: string }) => {
        const status = /Unexpected server response: (\d+)/.exec(err.message);
        const e = new Error(err.message) as Error & { code?: string };
        e.code = status ? `http_${status[1]}` : (err.code ?? 'socket_error');
        if (this.ws === ws) {
          this.ws = undefined;
          this.failAll(e.code, e.message);
        }
        reject(e);
      });
    });
  }

  /** The sentence a message is for: by its context id, or the only one in flight when it names none. */
  private flightOf(contextId: string | undefined): InFlight | undefined {
    if (contextId !== undefined) return this.flights.get(contextId);
    return this.flights.size === 1 ? this.flights.values().next().value : undefined;
  }

  private onMessage(text: string): void {
    for (const m of parseElevenLabsMessage(text)) {
      switch (m.kind) {
        case 'ignored':
          this.opts.onIgnored?.(m.why);
          break;
        case 'error':
          this.failAll(m.code, m.message);
          break;
        case 'final': {
          if (m.contextId !== undefined) {
            this.open.delete(m.contextId);
            this.closing.delete(m.contextId);
          }
          const f = this.flightOf(m.contextId);
          if (f) this.finish(f, { kind: 'ok', bytes: 0 });
          break;
        }
        case 'audio': {
          // Audio of a context with no sentence in flight (one closed on barge-in, still in
          // flight when we closed it) is never passed on.
          const f = this.flightOf(m.contextId);
          if (!f) {
            this.opts.onIgnored?.('closed_context_audio');
            break;
          }
          const pcm = f.even.push(m.audio);
          f.bytes += pcm.length;
          if (pcm.length > 0) f.req.onChunk({ pcm, rate: this.rate });
          if (this.flights.get(f.ctx) !== f) break; // the chunk handler aborted it
          if (m.alignedChars !== undefined) {
            f.seen += m.alignedChars;
            f.aligned = true;
            if (f.seen >= f.expected) {
              this.finish(f, { kind: 'ok', bytes: 0 });
              break;
            }
            f.watchdogFires = 'timeout';
            f.watchdog.arm(this.timeouts.idleMs);
          } else {
            f.watchdogFires = 'complete';
            f.watchdog.arm(this.opts.unalignedIdleMs ?? 400);
          }
          break;
        }
      }
    }
  }
}

const laneKey = (turn: string, lane: Lane): string => `${turn}\u0000${lane}`;
