// PARLEY_AI=cascade: an AiClient made of an OpenAI Realtime text-only session (the LLM, with
// server VAD) and streaming TTS. To the session runtime it looks like any realtime speech AI —
// same events, same aiLink and turn machines — so barge-in, truncation and reconnect need nothing
// cascade-specific there:
//
// - response_created / output_item_added pass through; text deltas go into the response's own
//   sentence buffer and each completed sentence to the speaker; the speaker's audio comes out
//   as audio_delta of that response (in the call's AI format);
// - the provider's response.done only ends the response's *text*: response_done is held until
//   its last sentence has been spoken, so the turn machine keeps the response active while TTS
//   is still producing it;
// - cancelResponse (barge-in) drops the response at every stage — sentence buffer, queue,
//   request in flight, converter, late chunks (TT1) — sends response.cancel upstream only while
//   the provider's response is still active (BI2), and reports the response cancelled;
// - truncate replaces the provider's text item by the text the caller actually heard.
import type { AudioFormat } from '../../media/types.js';
import type {
  AiClient,
  AiEvent,
  AiListener,
  AiSessionConfig,
  ConnectionState,
  ResponseStatus,
  SendResult,
} from '../types.js';
import { SentenceBuffer, SENTENCE_RULES, type SentenceRules } from './sentenceBuffer.js';
import { Speaker, type SpeakerDeps } from './speaker.js';
import { textSessionUpdate } from './sessionUpdate.js';
import { heardText, type SpokenSentence } from './heard.js';
import type { CascadeMetrics } from './metrics.js';

export interface CascadeClientOptions {
  /** The realtime client the LLM session runs on (OpenAIRealtimeClient). */
  readonly inner: AiClient;
  /** Everything the speaker needs except the callbacks this client supplies. */
  readonly speaker: Omit<SpeakerDeps, 'onAudio' | 'onResponseSpoken'>;
  /** The call's AI format (what audio_delta carries). */
  readonly format: AudioFormat;
  readonly rules?: SentenceRules;
  readonly metrics?: CascadeMetrics;
  /**
   * Caller-audio transcription for the LLM session when the call's config names none (the
   * original engine's whisper-1); its transcripts feed the conversation replay after a reconnect.
   */
  readonly transcriptionModel?: string;
  /** The cache charge of this call is released when the client closes. */
  readonly onClose?: () => void;
}

interface ResponseRec {
  readonly id: string;
  readonly gen: number;
  itemId: string | undefined;
  readonly buffer: SentenceBuffer;
  seq: number;
  /** The provider's response is in progress (created, not done): only then may it be cancelled upstream. */
  upstreamActive: boolean;
  status: ResponseStatus;
  readonly spoken: SpokenSentence[];
}

/** Responses whose spoken sentences are kept for truncation. */
const RECENT = 8;

export class CascadeAiClient implements AiClient {
  private readonly listeners = new Set<AiListener>();
  private readonly responses = new Map<string, ResponseRec>();
  private readonly recent: ResponseRec[] = [];
  private readonly speaker: Speaker;
  private readonly inner: AiClient;
  private readonly bytesPerMs: number;

  constructor(private readonly opts: CascadeClientOptions) {
    this.inner = opts.inner;
    const f = opts.format;
    this.bytesPerMs = (f.rate * (f.codec === 'pcm16' ? 2 : 1)) / 1000;
    this.speaker = new Speaker({
      ...opts.speaker,
      onAudio: (responseId, audio, sentence) => this.onAudio(responseId, audio, sentence?.seq),
      onResponseSpoken: (responseId) => this.onSpoken(responseId),
    });
    this.inner.on((ev) => this.onInner(ev));
  }

  get generation(): number {
    return this.inner.generation;
  }
  get state(): ConnectionState {
    return this.inner.state;
  }
  get bufferedAmount(): number {
    return this.inner.bufferedAmount;
  }
  get pendingAppendBytes(): number {
    return this.inner.pendingAppendBytes;
  }
  /** Sentences waiting for TTS (tests, metrics). */
  get queuedSentences(): number {
    return this.speaker.queued;
  }

  on(listener: AiListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  connect(): number {
    this.dropAll();
    return this.inner.connect();
  }

  close(code?: number, reason?: string): void {
    this.dropAll();
    this.speaker.release();
    this.opts.onClose?.();
    this.inner.close(code, reason);
  }

  updateSession(config: AiSessionConfig): SendResult {
    const transcription = config.transcription ?? { model: this.opts.transcriptionModel ?? 'whisper-1' };
    return this.inner.sendRaw(textSessionUpdate({ ...config, transcription }));
  }

  appendAudio(audio: Buffer): SendResult {
    return this.inner.appendAudio(audio);
  }
  flushAudio(): SendResult {
    return this.inner.flushAudio();
  }
  commitAudio(): SendResult {
    return this.inner.commitAudio();
  }
  createResponse(options?: { readonly instructions?: string }): SendResult {
    return this.inner.createResponse(options);
  }

  cancelResponse(responseId?: string): SendResult {
    const rec = responseId !== undefined ? this.responses.get(responseId) : [...this.responses.values()].at(-1);
    if (!rec) {
      // Already spoken to its end (e.g. every sentence from the cache) and done upstream: the
      // provider has no active response to cancel (BI2) — nothing to send.
      if (responseId !== undefined && this.recent.some((r) => r.id === responseId && !r.upstreamActive)) return 'sent';
      return this.inner.cancelResponse(responseId);
    }
    const r = rec.upstreamActive ? this.inner.cancelResponse(rec.id) : 'sent';
    this.cancel(rec, 'cancelled', 'client_cancelled');
    return r;
  }

  truncate(itemId: string, audioEndMs: number): SendResult {
    if (!Number.isInteger(audioEndMs) || audioEndMs < 0 || itemId.length === 0) return 'invalid';
    return this.replaceHeard(itemId, audioEndMs, undefined);
  }

  sendRaw(event: Readonly<Record<string, unknown>>): SendResult {
    if (event['type'] === 'conversation.item.truncate') {
      const itemId = event['item_id'];
      const ms = event['audio_end_ms'];
      if (typeof itemId !== 'string' || typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) return 'invalid';
      return this.replaceHeard(itemId, ms, typeof event['event_id'] === 'string' ? event['event_id'] : undefined);
    }
    return this.inner.sendRaw(event);
  }

  // ---- provider events ------------------------------------------------------------------------

  private onInner(ev: AiEvent): void {
    switch (ev.type) {
      case 'response_created': {
        const rec: ResponseRec = {
          id: ev.responseId,
          gen: ev.gen,
          itemId: undefined,
          buffer: new SentenceBuffer(this.opts.rules ?? SENTENCE_RULES),
          seq: 0,
          upstreamActive: true,
          status: 'completed',
          spoken: [],
        };
        this.responses.set(rec.id, rec);
        this.remember(rec);
        this.speaker.open(rec.id);
        return this.emit(ev);
      }
      case 'output_item_added': {
        const rec = this.responses.get(ev.responseId);
        if (rec) rec.itemId ??= ev.itemId;
        return this.emit(ev);
      }
      case 'text_delta': {
        const rec = this.responses.get(ev.responseId);
        if (rec && this.speaker.isLive(rec.id)) {
          rec.itemId ??= ev.itemId;
          for (const text of rec.buffer.add(ev.delta)) this.say(rec, text);
        } else this.opts.metrics?.cancelledDrops.inc({ stage: 'text' });
        // The turn machine sees the text too (it drops text of responses that are not active).
        return this.emit({ type: 'transcript_delta', gen: ev.gen, responseId: ev.responseId, itemId: ev.itemId, delta: ev.delta });
      }
      case 'text_done': {
        const rec = this.responses.get(ev.responseId);
        if (rec) this.flushText(rec);
        return;
      }
      case 'response_done': {
        const rec = this.responses.get(ev.responseId);
        if (!rec) {
          // Cancelled by us earlier (already reported), or unknown: nothing more to say.
          return;
        }
        rec.upstreamActive = false;
        rec.status = ev.status;
        if (ev.status === 'completed' || ev.status === 'incomplete') {
          this.flushText(rec);
          this.speaker.end(rec.id);
        } else this.cancel(rec, ev.status, ev.reason);
        return;
      }
      case 'closed':
        this.dropAll();
        this.speaker.release();
        return this.emit(ev);
      case 'audio_delta':
      case 'audio_done':
      case 'transcript_delta':
      case 'transcript_done':
        // A text-only session sends none; if a server does, its audio is not ours to play.
        this.opts.metrics?.ignored.inc({ why: 'upstream_audio' });
        return;
      default:
        return this.emit(ev);
    }
  }

  private say(rec: ResponseRec, text: string): void {
    rec.spoken.push({ text, ms: 0 });
    this.speaker.enqueue({ responseId: rec.id, text, seq: rec.seq++ });
  }

  private flushText(rec: ResponseRec): void {
    const rest = rec.buffer.flush();
    if (rest !== undefined) this.say(rec, rest);
  }

  private onAudio(responseId: string, audio: Buffer, seq: number | undefined): void {
    const rec = this.responses.get(responseId);
    if (!rec) return;
    const ms = audio.length / this.bytesPerMs;
    const spoken = seq !== undefined ? rec.spoken[seq] : rec.spoken.at(-1);
    if (spoken) spoken.ms += ms;
    this.emit({ type: 'audio_delta', gen: rec.gen, responseId, itemId: this.itemOf(rec), contentIndex: 0, audio });
  }

  private onSpoken(responseId: string): void {
    const rec = this.responses.get(responseId);
    if (!rec) return;
    this.responses.delete(responseId);
    const itemId = this.itemOf(rec);
    this.emit({ type: 'audio_done', gen: rec.gen, responseId, itemId });
    this.emit({ type: 'transcript_done', gen: rec.gen, responseId, itemId, transcript: rec.spoken.map((s) => s.text).join(' ') });
    this.emit({ type: 'response_done', gen: rec.gen, responseId, status: rec.status });
  }

  /** Drops the response everywhere and reports it ended (asynchronously: we may be inside the turn machine's step). */
  private cancel(rec: ResponseRec, status: ResponseStatus, reason: string | undefined): void {
    rec.buffer.reset();
    this.speaker.cancel(rec.id, status === 'cancelled' ? 'barge_in' : 'response_failed');
    if (!this.responses.delete(rec.id)) return;
    queueMicrotask(() => this.emit({ type: 'response_done', gen: rec.gen, responseId: rec.id, status, ...(reason !== undefined ? { reason } : {}) }));
  }

  private dropAll(): void {
    for (const rec of this.responses.values()) rec.buffer.reset();
    this.responses.clear();
    this.speaker.cancelAll('call_ended');
  }

  private replaceHeard(itemId: string, audioEndMs: number, eventId: string | undefined): SendResult {
    const rec = this.recent.find((r) => r.itemId === itemId);
    if (!rec) return this.inner.sendRaw({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: audioEndMs, ...(eventId ? { event_id: eventId } : {}) });
    const full = rec.spoken.map((s) => s.text).join(' ');
    const heard = heardText(rec.spoken, audioEndMs);
    let r: SendResult = 'sent';
    if (heard !== full) {
      // The model's context should hold what the caller heard, not what it wrote.
      r = this.inner.sendRaw({ type: 'conversation.item.delete', item_id: itemId, ...(eventId ? { event_id: eventId } : {}) });
      if (r === 'sent' && heard.length > 0) {
        r = this.inner.sendRaw({ type: 'conversation.item.create', item: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: heard }] } });
      }
    }
    if (r === 'sent') queueMicrotask(() => this.emit({ type: 'item_truncated', gen: rec.gen, itemId, audioEndMs, heardTranscript: heard }));
    return r;
  }

  private itemOf(rec: ResponseRec): string {
    return rec.itemId ?? `${rec.id}:speech`;
  }

  private remember(rec: ResponseRec): void {
    this.recent.push(rec);
    if (this.recent.length > RECENT) this.recent.shift();
  }

  private emit(ev: AiEvent): void {
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch (err) {
        process.emitWarning(`cascade client listener threw on '${ev.type}': ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
