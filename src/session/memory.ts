// A bounded record of the conversation's text (caller transcripts, agent transcripts), replayed
// into a new AI connection after a reconnect so the agent keeps its context (docs/ARCHITECTURE.md#ai-link-and-reconnect).

export interface MemoryItem {
  readonly role: 'user' | 'assistant';
  readonly text: string;
}

const MAX_ITEMS = 16;
const MAX_CHARS = 2000;

export class ConversationMemory {
  private list: MemoryItem[] = [];

  add(role: MemoryItem['role'], text: string): void {
    const t = text.trim();
    if (!t) return;
    this.list.push({ role, text: t.length > MAX_CHARS ? t.slice(0, MAX_CHARS) : t });
    if (this.list.length > MAX_ITEMS) this.list = this.list.slice(-MAX_ITEMS);
  }

  items(): readonly MemoryItem[] {
    return this.list;
  }
}
