// OpenAI Realtime GA client on `ws` directly, so `ws://` overrides (the sim-agent) work.
// It owns one socket per generation and no policy: no reconnect, no retry, no queueing while
// closed. Every event carries the generation of the socket it came from.
import { WebSocket } from 'ws';
import type {
  AiAudioFormat,
  AiClient,
  AiClientOptions,
  AiError,
  AiEvent,
  AiListener,
  AiSessionConfig,
  ConnectionState,
  SendResult,
} from '../types.js';
import * as cmd from './commands.js';
import { bytesPerMs } from '../../base/audio.js';
import { classifyClose, classifyHandshakeStatus, transportError } from './errors.js';
import { parseServerEvent } from './server-events.js';

export const DEFAULT_OPENAI_URL = 'wss://api.openai.com/v1/realtime?model=gpt-realtime';
const DEFAULT_FORMAT: AiAudioFormat = { codec: 'pcm16', rate: 24000 };

interface Link {
  readonly gen: number;
  readonly ws: WebSocket;
  /** Close requested by us (close()/connect()): not an error. */
  local: boolean;
  /** A fatal server error seen on this link: the close that follows inherits it. */
  fatal: AiError | undefined;
  transport: AiError | undefined;
}

export class OpenAIRealtimeClient implements AiClient {
  generation = 0;
  private link: Link | undefined;
  private linkState: ConnectionState = 'idle';
  private readonly listeners = new Set<AiListener>();
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private batchTarget: number;
  private readonly batchMs: number;
  private eventSeq = 0;

  constructor(private readonly options: AiClientOptions) {
    this.batchMs = Math.min(100, Math.max(20, options.appendBatchMs ?? 40));
    this.batchTarget = Math.round(this.batchMs * bytesPerMs(options.inputFormat ?? DEFAULT_FORMAT));
  }

  get state(): ConnectionState {
    return this.linkState;
  }

  get bufferedAmount(): number {
    return this.link?.ws.bufferedAmount ?? 0;
  }

  get pendingAppendBytes(): number {
    return this.batchBytes;
  }

  on(listener: AiListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(): number {
    const old = this.link;
    if (old) this.retire(old, 1000, 'superseded');
    const gen = ++this.generation;
    this.dropBatch();
    const headers: Record<string, string> = { ...(this.options.headers ?? {}) };
    if (this.options.apiKey) headers['Authorization'] = `Bearer ${this.options.apiKey}`;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url, {
        headers,
        handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
        maxPayload: this.options.maxPayloadBytes ?? 16 * 1024 * 1024,
        perMessageDeflate: false,
      });
    } catch (err) {
      // A malformed URL throws synchronously: report it like any failed connect (fatal: config).
      this.linkState = 'closed';
      const error = transportError('bad_url', err instanceof Error ? err.message : String(err), 'fatal');
      queueMicrotask(() => this.emit({ type: 'closed', gen, code: 1006, reason: 'bad url', error, droppedAudioBytes: 0 }));
      return gen;
    }
    const link: Link = { gen, ws, local: false, fatal: undefined, transport: undefined };
    this.link = link;
    this.linkState = 'connecting';
    ws.on('open', () => {
      if (this.link === link) this.linkState = 'open';
      this.emit({ type: 'open', gen });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.emit({ type: 'ignored', gen, serverType: '', why: 'bad_shape' });
        return;
      }
      const ev = parseServerEvent(String(data), gen);
      if (!ev) return;
      if (ev.type === 'error' && ev.error.severity === 'fatal') link.fatal = ev.error;
      this.emit(ev);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      const status = /Unexpected server response: (\d+)/.exec(err.message);
      if (status) {
        const code = Number(status[1]);
        link.transport = transportError(`http_${code}`, err.message, classifyHandshakeStatus(code));
      } else {
        link.transport = transportError(err.code ?? 'socket_error', err.message, 'retryable');
      }
    });
    ws.on('close', (code, reasonBuf) => {
      const reason = reasonBuf.toString();
      const current = this.link === link;
      const dropped = current ? this.dropBatch() : 0;
      if (current) this.linkState = 'closed';
      let error: AiError | undefined;
      if (link.fatal) error = link.fatal;
      else if (link.local) error = undefined; // we asked for this close
      else if (link.transport) error = link.transport;
      else error = transportError(`close_${code}`, `server closed: ${code} ${reason}`, classifyClose(code));
      this.emit({ type: 'closed', gen, code, reason, droppedAudioBytes: dropped, ...(error ? { error } : {}) });
    });
    return gen;
  }

  close(code = 1000, reason = 'bye'): void {
    if (this.link) this.retire(this.link, code, reason);
    if (this.linkState !== 'closed' && this.linkState !== 'idle') this.linkState = 'closing';
  }

  updateSession(config: AiSessionConfig): SendResult {
    let event: Record<string, unknown>;
    try {
      event = cmd.sessionUpdate(config);
    } catch {
      return 'invalid';
    }
    const r = this.send(event);
    if (r === 'sent') {
      // Batches are sized in the new input format; flush what was batched in the old one first.
      this.batchTarget = Math.round(this.batchMs * bytesPerMs(config.inputFormat));
    }
    return r;
  }

  appendAudio(audio: Buffer): SendResult {
    if (audio.length === 0) return 'invalid';
    if (!this.isOpen()) return 'not_open';
    this.batch.push(audio);
    this.batchBytes += audio.length;
    return this.batchBytes >= this.batchTarget ? this.flushAudio() : 'sent';
  }

  flushAudio(): SendResult {
    if (this.batchBytes === 0) return this.isOpen() ? 'sent' : 'not_open';
    if (!this.isOpen()) return 'not_open';
    const audio = this.batch.length === 1 ? this.batch[0]! : Buffer.concat(this.batch);
    // A text frame of prebuilt bytes (the same bytes send() would produce; see appendBytes).
    this.link!.ws.send(cmd.appendBytes(audio, this.nextEventId()), { binary: false });
    this.dropBatch();
    return 'sent';
  }

  commitAudio(): SendResult {
    const f = this.flushAudio();
    return f === 'sent' ? this.send(cmd.commit()) : f;
  }

  createResponse(options?: { readonly instructions?: string }): SendResult {
    return this.send(cmd.responseCreate(options?.instructions));
  }

  cancelResponse(responseId?: string): SendResult {
    return this.send(cmd.responseCancel(responseId));
  }

  truncate(itemId: string, audioEndMs: number): SendResult {
    if (!Number.isInteger(audioEndMs) || audioEndMs < 0 || itemId.length === 0) return 'invalid';
    return this.send(cmd.truncate(itemId, audioEndMs));
  }

  sendRaw(event: Readonly<Record<string, unknown>>): SendResult {
    if (typeof event['type'] !== 'string') return 'invalid';
    return this.send(event);
  }

  private isOpen(): boolean {
    return this.link !== undefined && this.link.ws.readyState === WebSocket.OPEN;
  }

  private send(event: Readonly<Record<string, unknown>>): SendResult {
    if (!this.isOpen()) return 'not_open';
    const withId = event['event_id'] === undefined ? { ...event, event_id: this.nextEventId() } : event;
    this.link!.ws.send(JSON.stringify(withId));
    return 'sent';
  }

  private nextEventId(): string {
    return `evt_${this.generation}_${++this.eventSeq}`;
  }

  private retire(link: Link, code: number, reason: string): void {
    link.local = true;
    if (link.ws.readyState === WebSocket.CONNECTING) link.ws.terminate();
    else if (link.ws.readyState === WebSocket.OPEN) link.ws.close(code, reason);
  }

  private dropBatch(): number {
    const n = this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    return n;
  }

  private emit(ev: AiEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        // A listener's bug must not break this socket's event handling; surface it as a warning.
        process.emitWarning(`AI client listener threw on '${ev.type}': ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
