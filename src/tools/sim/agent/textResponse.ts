// One assistant response of a text-only session (`output_modalities: ["text"]`, the LLM half of
// cascade mode): the GA text lifecycle — created, output_item.added, content_part.added (text),
// output_text deltas word by word (faster than real time), the .done events, response.done. The
// text is real sentences (with abbreviations, a question, a number) so a client's sentence
// splitting is exercised; the first names the connection, so calls do not all say the same.
import { assistantItem, responseObject, type ResponseDeps, type ResponseTiming } from './response.js';

export type TextResponseDeps = Omit<ResponseDeps, 'onEnd'> & { readonly onEnd: (status: 'completed' | 'cancelled') => void };

const REPLIES: readonly (readonly string[])[] = [
  ['Thanks for calling Parley, caller {conn}.', 'This is the simulated agent speaking.', 'How can I help you today?'],
  ['Sure, I can help with that.', 'Dr. Smith is available on Monday at 9 a.m. or on Tuesday afternoon.', 'Which one works better for you?'],
  ['Let me check that for you.', 'Your order shipped yesterday and should arrive in two days.', 'Is there anything else I can do?'],
];

/** The sentences of reply `turn` (1-based) on connection `conn`. */
export function replySentences(turn: number, conn: number): string[] {
  return REPLIES[(turn - 1) % REPLIES.length]!.map((s) => s.replace('{conn}', String(conn)));
}

export class TextResponseStream {
  /** Text responses have no audio: a truncate of their item is refused (unsupported_content_type). */
  readonly sentMs = 0;
  private readonly tokens: string[];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    readonly id: string,
    readonly itemId: string,
    readonly conversationId: string,
    sentences: readonly string[],
    private readonly timing: ResponseTiming,
    private readonly deps: TextResponseDeps,
  ) {
    // LLM-like tokens: a word with its leading space.
    this.tokens = sentences.join(' ').split(/(?= )/);
  }

  get active(): boolean {
    return !this.ended;
  }

  get text(): string {
    return this.tokens.slice(0, this.next).join('');
  }

  start(): void {
    const { send, eventId } = this.deps;
    send({ type: 'response.created', event_id: eventId(), response: this.responseObject('in_progress', []) });
    const item = this.item('in_progress', []);
    send({ type: 'response.output_item.added', event_id: eventId(), response_id: this.id, output_index: 0, item });
    send({ type: 'conversation.item.added', event_id: eventId(), previous_item_id: null, item });
    send({ type: 'response.content_part.added', event_id: eventId(), ...this.ids(), part: { type: 'text', text: '' } });
    if (!this.timing.manual) this.timer = setTimeout(() => this.tick(), this.timing.firstAudioDelayMs);
  }

  /** Scripted agents: text responses carry no audio. */
  sendAudio(_bytes: number): boolean {
    return false;
  }

  /** Scripted: the next text delta now; false once ended or out of text. */
  sendWord(): boolean {
    if (this.ended || this.next >= this.tokens.length) return false;
    this.delta();
    return true;
  }

  complete(): void {
    if (!this.ended) this.finish('completed');
  }

  cancel(reason: 'client_cancelled' | 'turn_detected'): void {
    if (!this.ended) this.finish('cancelled', reason);
  }

  abort(): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private ids() {
    return { response_id: this.id, item_id: this.itemId, output_index: 0, content_index: 0 };
  }

  private delta(): void {
    const token = this.tokens[this.next++]!;
    this.deps.send({ type: 'response.output_text.delta', event_id: this.deps.eventId(), ...this.ids(), delta: token });
    this.deps.onDelta(0);
  }

  private tick(): void {
    this.timer = undefined;
    if (this.ended) return;
    if (this.next >= this.tokens.length) return this.finish('completed');
    this.delta();
    if (this.ended) return; // a fault fired by onDelta may have closed the socket
    this.timer = setTimeout(() => this.tick(), this.timing.deltaMs / this.timing.speed);
  }

  private finish(status: 'completed' | 'cancelled', reason?: string): void {
    this.ended = true;
    if (this.timer) clearTimeout(this.timer);
    const { send, eventId } = this.deps;
    const text = this.text.trim();
    send({ type: 'response.output_text.done', event_id: eventId(), ...this.ids(), text });
    send({ type: 'response.content_part.done', event_id: eventId(), ...this.ids(), part: { type: 'text', text } });
    const item = this.item(status === 'completed' ? 'completed' : 'incomplete', [{ type: 'output_text', text }]);
    send({ type: 'response.output_item.done', event_id: eventId(), response_id: this.id, output_index: 0, item });
    send({ type: 'conversation.item.done', event_id: eventId(), previous_item_id: null, item });
    const response = this.responseObject(status, [item]);
    if (reason) response['status_details'] = { type: 'cancelled', reason };
    send({ type: 'response.done', event_id: eventId(), response });
    this.deps.onEnd(status);
  }

  private item(status: string, content: unknown[]): Record<string, unknown> {
    return assistantItem(this.itemId, status, content);
  }

  private responseObject(status: string, output: unknown[]): Record<string, unknown> {
    return responseObject({ id: this.id, conversationId: this.conversationId, modality: 'text' }, status, output);
  }
}
