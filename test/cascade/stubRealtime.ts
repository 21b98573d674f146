// An in-process stand-in for the realtime LLM client (the cascade client's `inner`): tests emit
// provider events on it and read what the cascade client sent. The TTS side in these tests is
// real (the fakes over loopback); the LLM side's wire is covered by test/ai and the e2e tests.
import type { AiClient, AiEvent, AiListener, ConnectionState, SendResult } from '../../src/ai/types.js';

export class StubRealtime implements AiClient {
  generation = 1;
  state: ConnectionState = 'open';
  bufferedAmount = 0;
  pendingAppendBytes = 0;
  readonly sent: Record<string, unknown>[] = [];
  private readonly listeners = new Set<AiListener>();

  emit(ev: AiEvent): void {
    for (const l of this.listeners) l(ev);
  }
  /** A response with one text item, streamed delta by delta. */
  created(responseId: string, itemId = `${responseId}_item`): void {
    this.emit({ type: 'response_created', gen: this.generation, responseId });
    this.emit({ type: 'output_item_added', gen: this.generation, responseId, itemId });
  }
  text(responseId: string, delta: string, itemId = `${responseId}_item`): void {
    this.emit({ type: 'text_delta', gen: this.generation, responseId, itemId, delta });
  }
  done(responseId: string, status: 'completed' | 'cancelled' = 'completed'): void {
    this.emit({ type: 'response_done', gen: this.generation, responseId, status });
  }
  types(): string[] {
    return this.sent.map((e) => String(e['type']));
  }

  on(listener: AiListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  connect(): number {
    return ++this.generation;
  }
  close(): void {
    this.state = 'closed';
  }
  private record(e: Record<string, unknown>): SendResult {
    this.sent.push(e);
    return 'sent';
  }
  updateSession(): SendResult {
    return this.record({ type: 'session.update' });
  }
  appendAudio(): SendResult {
    return 'sent';
  }
  flushAudio(): SendResult {
    return 'sent';
  }
  commitAudio(): SendResult {
    return 'sent';
  }
  createResponse(): SendResult {
    return this.record({ type: 'response.create' });
  }
  cancelResponse(responseId?: string): SendResult {
    return this.record({ type: 'response.cancel', response_id: responseId });
  }
  truncate(itemId: string, audioEndMs: number): SendResult {
    return this.record({ type: 'conversation.item.truncate', item_id: itemId, audio_end_ms: audioEndMs });
  }
  sendRaw(event: Readonly<Record<string, unknown>>): SendResult {
    return this.record({ ...event });
  }
}
