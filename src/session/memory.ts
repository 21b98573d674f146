// A bounded record of the conversation (caller transcripts, agent transcripts, and each function
// call together with its output), replayed into a new AI connection after a reconnect so the
// agent keeps its context (docs/ARCHITECTURE.md#ai-link-and-reconnect).
// A function call is taken only with its output, when the outputs are sent on the connection
// that issued it, and forgotten with it: the replay never holds a call without its output (TC5).

export type MemoryItem =
  | { readonly role: 'user' | 'assistant'; readonly text: string }
  | { readonly role: 'tool'; readonly callId: string; readonly name: string; readonly arguments: string; readonly output: string };

const MAX_ITEMS = 16;
const MAX_CHARS = 2000;

const bound = (t: string): string => (t.length > MAX_CHARS ? t.slice(0, MAX_CHARS) : t);

export class ConversationMemory {
  private list: MemoryItem[] = [];

  add(role: 'user' | 'assistant', text: string): void {
    const t = text.trim();
    if (!t) return;
    this.push({ role, text: bound(t) });
  }

  /** A function call and its output, as one item (sent together on the issuing connection). */
  addToolCall(callId: string, name: string, args: string, output: string): void {
    this.push({ role: 'tool', callId, name, arguments: bound(args), output: bound(output) });
  }

  items(): readonly MemoryItem[] {
    return this.list;
  }

  private push(item: MemoryItem): void {
    this.list.push(item);
    if (this.list.length > MAX_ITEMS) this.list = this.list.slice(-MAX_ITEMS);
  }
}
