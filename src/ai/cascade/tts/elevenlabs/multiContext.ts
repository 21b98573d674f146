// ElevenLabs multi-context stream-input (docs/reference/tts-providers.md#multi-context): one socket
// per call, opened on the first sentence and re-opened after it closes; one context per turn
// (response id); each sentence is sent flushed, one at a time. A sentence's audio is complete when
// the chunks' alignment has covered its characters (or the context reports final; or, for a server
// that sends no alignment, when no chunk came for `unalignedIdleMs`). Barge-in: `close_context`,
// and audio still in flight for that context is discarded by its context id (TT1).
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
  readonly expected: number;
  seen: number;
  /** Some chunk carried alignment (so `seen` says how far the audio got). */
  aligned: boolean;
  bytes: number;
  readonly even: EvenBytes;
  readonly done: (o: TtsOutcome) => void;
}

/** ElevenLabs context ids: keep them short and plain. */
export const contextIdFor = (turn: string): string => turn.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'turn';

export class ElevenLabsMultiContext implements TtsProvider {
  readonly name = 'elevenlabs' as const;
  readonly voice: string;
  readonly model: string;
  readonly rate: number;
  private ws: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private readonly open = new Set<string>();
  /** Turns whose context was closed after a failure: their next sentence uses a fresh context id. */
  private readonly reopened = new Map<string, number>();
  private current: InFlight | undefined;
  private readonly timeouts: TtsTimeouts;
  private readonly watchdog = new Watchdog(() => this.onWatchdog());
  private watchdogFires: 'timeout' | 'complete' = 'timeout';

  constructor(private readonly opts: ElevenLabsOptions) {
    this.voice = opts.url.voice;
    this.model = opts.url.model;
    this.rate = opts.rate;
    this.timeouts = opts.timeouts ?? DEFAULT_TTS_TIMEOUTS;
  }

  async synthesize(req: TtsRequest): Promise<TtsOutcome> {
    if (req.signal.aborted) return aborted();
    if (this.current) return failed('busy', 'one sentence at a time', 0);
    let ws: WebSocket;
    try {
      ws = await this.socket(req.signal);
    } catch (err) {
      if (req.signal.aborted) return aborted();
      const e = err as Error & { code?: string };
      return failed(e.code ?? 'connect_failed', e.message, 0);
    }
    if (req.signal.aborted) return aborted();
    const ctx = this.ctxOf(req.turn);
    return new Promise<TtsOutcome>((resolve) => {
      const onAbort = () => this.finish(aborted());
      const flight: InFlight = {
        req,
        expected: visibleChars(req.text),
        seen: 0,
        aligned: false,
        bytes: 0,
        even: new EvenBytes(),
        done: (o) => {
          req.signal.removeEventListener('abort', onAbort);
          resolve(o);
        },
      };
      this.current = flight;
      req.signal.addEventListener('abort', onAbort, { once: true });
      if (!this.open.has(ctx)) {
        ws.send(JSON.stringify(initContext(ctx)));
        this.open.add(ctx);
      }
      ws.send(JSON.stringify(contextText(ctx, req.text)));
      this.watchdogFires = 'timeout';
      this.watchdog.arm(this.timeouts.firstChunkMs);
    });
  }

  endTurn(turn: string, _cancelled = false): void {
    this.closeCtx(turn);
    this.reopened.delete(turn);
  }

  /** The context id of a turn's next sentence (a closed context id is not reusable until its final). */
  private ctxOf(turn: string): string {
    const n = this.reopened.get(turn);
    return n === undefined ? contextIdFor(turn) : `${contextIdFor(turn).slice(0, 58)}_r${n}`;
  }

  private closeCtx(turn: string): void {
    const ctx = this.ctxOf(turn);
    if (!this.open.delete(ctx)) return;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(closeContext(ctx)));
  }

  /** Closes the socket now; a later sentence opens a new one. */
  close(): void {
    this.finish(aborted());
    const ws = this.ws;
    this.ws = undefined;
    this.open.clear();
    this.reopened.clear();
    if (ws?.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(closeSocket()));
      ws.close(1000, 'call ended');
    } else ws?.terminate();
  }

  private finish(o: TtsOutcome): void {
    const f = this.current;
    if (!f) return;
    this.current = undefined;
    this.watchdog.stop();
    if (o.kind !== 'ok') {
      // The context's state is unknown now (or its audio unwanted): close it; a later sentence
      // of the same turn starts a fresh one under a new id, so audio of the closed one still in
      // flight is never taken for it.
      this.closeCtx(f.req.turn);
      this.reopened.set(f.req.turn, (this.reopened.get(f.req.turn) ?? 0) + 1);
    }
    f.done(o.kind === 'failed' ? failed(o.code, o.message, f.bytes, f.aligned ? f.seen : undefined) : o.kind === 'ok' ? { ...o, bytes: f.bytes } : o);
  }

  private onWatchdog(): void {
    if (this.watchdogFires === 'complete') this.finish({ kind: 'ok', bytes: 0, inferred: true });
    else this.finish(failed('timeout', this.current && this.current.bytes > 0 ? 'audio stalled' : 'no audio in time', 0));
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
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws) return;
      if (isBinary) return this.opts.onIgnored?.('binary');
      this.onMessage(String(data));
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.open.clear();
      this.finish(failed(`close_${code}`, `socket closed: ${code} ${String(reason)}`.trim(), 0));
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', (err: Error & { code?: string }) => {
        const status = /Unexpected server response: (\d+)/.exec(err.message);
        const e = new Error(err.message) as Error & { code?: string };
        e.code = status ? `http_${status[1]}` : (err.code ?? 'socket_error');
        if (this.ws === ws) {
          this.ws = undefined;
          this.finish(failed(e.code, e.message, 0));
        }
        reject(e);
      });
    });
  }

  private onMessage(text: string): void {
    for (const m of parseElevenLabsMessage(text)) {
      const f = this.current;
      switch (m.kind) {
        case 'ignored':
          this.opts.onIgnored?.(m.why);
          break;
        case 'error':
          this.finish(failed(m.code, m.message, 0));
          break;
        case 'final':
          if (m.contextId !== undefined) this.open.delete(m.contextId);
          if (f && (m.contextId === undefined || m.contextId === this.ctxOf(f.req.turn))) this.finish({ kind: 'ok', bytes: 0 });
          break;
        case 'audio': {
          // Audio of any context but the sentence in flight (one closed on barge-in, still in
          // flight when we closed it) is never passed on.
          if (!f || (m.contextId !== undefined && m.contextId !== this.ctxOf(f.req.turn))) {
            this.opts.onIgnored?.('closed_context_audio');
            break;
          }
          const pcm = f.even.push(m.audio);
          f.bytes += pcm.length;
          if (pcm.length > 0) f.req.onChunk({ pcm, rate: this.rate });
          if (this.current !== f) break; // the chunk handler aborted it
          if (m.alignedChars !== undefined) {
            f.seen += m.alignedChars;
            f.aligned = true;
            if (f.seen >= f.expected) {
              this.finish({ kind: 'ok', bytes: 0 });
              break;
            }
            this.watchdogFires = 'timeout';
            this.watchdog.arm(this.timeouts.idleMs);
          } else {
            this.watchdogFires = 'complete';
            this.watchdog.arm(this.opts.unalignedIdleMs ?? 400);
          }
          break;
        }
      }
    }
  }
}
