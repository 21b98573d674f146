// One assistant response with its full GA event lifecycle
// (docs/reference/openai-realtime.md#server-events): created → rate_limits → output_item.added →
// conversation.item.added → content_part.added → audio and transcript deltas (faster than real
// time) → the .done events → response.done. A cancel ends it early with status `cancelled` and the
// reason given (client_cancelled or turn_detected).
import type { AudioFormat } from '../../../media/types.js';

export interface ResponseDeps {
  readonly send: (event: Record<string, unknown>) => void;
  readonly eventId: () => string;
  /** Called after each audio delta is handed to the outbox (fault triggers count these). */
  readonly onDelta: (bytes: number) => void;
  readonly onEnd: (r: ResponseStream, status: 'completed' | 'cancelled') => void;
  /** A completed response's further output (a function call after the speech), before response.done. */
  readonly beforeDone?: (responseId: string) => void;
}

export interface ResponseTiming {
  readonly deltaMs: number;
  readonly speed: number;
  readonly firstAudioDelayMs: number;
  /** Scripted agents: no delta timer; a test sends each delta (sendAudio / sendWord / complete). */
  readonly manual?: boolean;
}

/** The ids every delta of a response carries. */
export interface DeltaIds {
  readonly response_id: string;
  readonly item_id: string;
  readonly output_index: number;
  readonly content_index: number;
}

export const audioDeltaEvent = (eventId: string, ids: DeltaIds, chunk: Buffer): Record<string, unknown> => ({
  type: 'response.output_audio.delta',
  event_id: eventId,
  ...ids,
  delta: chunk.toString('base64'),
});

export const transcriptDeltaEvent = (eventId: string, ids: DeltaIds, word: string): Record<string, unknown> => ({
  type: 'response.output_audio_transcript.delta',
  event_id: eventId,
  ...ids,
  delta: word,
});

/** The assistant message item a response produces (GA `realtime.item`). */
export const assistantItem = (id: string, status: string, content: unknown[]): Record<string, unknown> => ({
  id,
  object: 'realtime.item',
  type: 'message',
  status,
  role: 'assistant',
  content,
});

/** The GA `realtime.response` object of response.created / response.done. */
export const responseObject = (
  r: { readonly id: string; readonly conversationId: string; readonly modality: 'audio' | 'text' },
  status: string,
  output: unknown[],
): Record<string, unknown> => ({
  object: 'realtime.response',
  id: r.id,
  status,
  status_details: null,
  output,
  conversation_id: r.conversationId,
  output_modalities: [r.modality],
  usage: status === 'in_progress' ? null : { total_tokens: 0, input_tokens: 0, output_tokens: 0 },
  metadata: null,
});

export class ResponseStream {
  sentBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private wordIndex = 0;
  private readonly deltaBytes: number;
  readonly bytesPerMs: number;

  constructor(
    readonly id: string,
    readonly itemId: string,
    readonly conversationId: string,
    private readonly audio: Buffer,
    private readonly words: readonly string[],
    format: AudioFormat,
    private readonly timing: ResponseTiming,
    private readonly deps: ResponseDeps,
  ) {
    this.bytesPerMs = (format.rate * (format.codec === 'pcm16' ? 2 : 1)) / 1000;
    const raw = Math.max(1, Math.round(timing.deltaMs * this.bytesPerMs));
    this.deltaBytes = format.codec === 'pcm16' ? raw + (raw % 2) : raw;
  }

  get sentMs(): number {
    return this.sentBytes / this.bytesPerMs;
  }

  get active(): boolean {
    return !this.ended;
  }

  start(): void {
    const { send, eventId } = this.deps;
    send({ type: 'response.created', event_id: eventId(), response: this.responseObject('in_progress', []) });
    send({
      type: 'rate_limits.updated',
      event_id: eventId(),
      rate_limits: [
        { name: 'requests', limit: 1000, remaining: 999, reset_seconds: 0.06 },
        { name: 'tokens', limit: 100_000, remaining: 99_000, reset_seconds: 0.6 },
      ],
    });
    const item = this.item('in_progress', []);
    send({ type: 'response.output_item.added', event_id: eventId(), response_id: this.id, output_index: 0, item });
    send({ type: 'conversation.item.added', event_id: eventId(), previous_item_id: null, item });
    send({
      type: 'response.content_part.added',
      event_id: eventId(),
      response_id: this.id,
      item_id: this.itemId,
      output_index: 0,
      content_index: 0,
      part: { type: 'audio', transcript: '' },
    });
    if (!this.timing.manual) this.timer = setTimeout(() => this.tick(), this.timing.firstAudioDelayMs);
  }

  /** Scripted: one audio delta of the next `bytes` of the reply (looped) now; false once ended. */
  sendAudio(bytes: number): boolean {
    if (this.ended || this.audio.length === 0) return false;
    const n = Math.max(1, Math.min(bytes, this.audio.length));
    const from = this.sentBytes % this.audio.length;
    const chunk = from + n <= this.audio.length ? this.audio.subarray(from, from + n) : Buffer.concat([this.audio.subarray(from), this.audio.subarray(0, n - (this.audio.length - from))]);
    this.sentBytes += chunk.length;
    this.deps.send(audioDeltaEvent(this.deps.eventId(), this.ids(), chunk));
    this.deps.onDelta(chunk.length);
    return true;
  }

  /** Scripted: the next transcript word now; false once ended. */
  sendWord(): boolean {
    if (this.ended) return false;
    const word = this.words[this.wordIndex % Math.max(1, this.words.length)] ?? 'word ';
    this.wordIndex++;
    this.deps.send(transcriptDeltaEvent(this.deps.eventId(), this.ids(), word));
    return true;
  }

  /** Scripted: end now with status completed. */
  complete(): void {
    if (!this.ended) this.finish('completed');
  }

  private ids(): DeltaIds {
    return { response_id: this.id, item_id: this.itemId, output_index: 0, content_index: 0 };
  }

  /** End early; emits the closing events with status cancelled. */
  cancel(reason: 'client_cancelled' | 'turn_detected'): void {
    if (this.ended) return;
    this.finish('cancelled', reason);
  }

  /** The socket went away: stop without sending anything. */
  abort(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.ended) return;
    if (this.sentBytes >= this.audio.length) {
      this.finish('completed');
      return;
    }
    const { send, eventId } = this.deps;
    const chunk = this.audio.subarray(this.sentBytes, this.sentBytes + this.deltaBytes);
    this.sentBytes += chunk.length;
    const ids = this.ids();
    send(audioDeltaEvent(eventId(), ids, chunk));
    const word = this.words[this.wordIndex];
    if (word !== undefined) {
      this.wordIndex++;
      send(transcriptDeltaEvent(eventId(), ids, word));
    }
    this.deps.onDelta(chunk.length);
    if (this.ended) return; // a fault fired by onDelta may have closed the socket
    const interval = (chunk.length / this.bytesPerMs) / this.timing.speed;
    this.timer = setTimeout(() => this.tick(), interval);
  }

  private finish(status: 'completed' | 'cancelled', reason?: string): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    const { send, eventId } = this.deps;
    const ids = { response_id: this.id, item_id: this.itemId, output_index: 0 };
    const transcript = this.words.slice(0, this.wordIndex).join('').trim();
    const itemStatus = status === 'completed' ? 'completed' : 'incomplete';
    const content = [{ type: 'output_audio', transcript }];
    send({ type: 'response.output_audio.done', event_id: eventId(), ...ids, content_index: 0 });
    send({ type: 'response.output_audio_transcript.done', event_id: eventId(), ...ids, content_index: 0, transcript });
    send({ type: 'response.content_part.done', event_id: eventId(), ...ids, content_index: 0, part: { type: 'audio', transcript } });
    const item = this.item(itemStatus, content);
    send({ type: 'response.output_item.done', event_id: eventId(), response_id: this.id, output_index: 0, item });
    send({ type: 'conversation.item.done', event_id: eventId(), previous_item_id: null, item });
    if (status === 'completed') this.deps.beforeDone?.(this.id);
    const response = this.responseObject(status, [item]);
    if (reason) response['status_details'] = { type: 'cancelled', reason };
    send({ type: 'response.done', event_id: eventId(), response });
    this.deps.onEnd(this, status);
  }

  private item(status: string, content: unknown[]): Record<string, unknown> {
    return assistantItem(this.itemId, status, content);
  }

  private responseObject(status: string, output: unknown[]): Record<string, unknown> {
    return responseObject({ id: this.id, conversationId: this.conversationId, modality: 'audio' }, status, output);
  }
}
