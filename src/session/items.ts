// AI item ids (strings chosen by the provider) ↔ the small integers the media core tags chunks
// with, plus how much audio of each item Parley received. Bounded: old items are forgotten.

const MEMORY = 64;

export class ItemTable {
  private next = 1;
  private readonly byId = new Map<string, number>();
  private readonly byNum = new Map<number, string>();
  private readonly receivedMs = new Map<number, number>();
  /** The AI connection (client generation) each item came from: it exists only there. */
  private readonly source = new Map<number, number>();

  /** The item's number, allocating one for a new id (`source`: the connection it arrived on). */
  numberOf(itemId: string, source?: number): number {
    let n = this.byId.get(itemId);
    if (n === undefined) {
      n = this.next;
      if (source !== undefined) this.source.set(n, source);
      this.next = this.next >= 0xffff_fff0 ? 1 : this.next + 1;
      this.byId.set(itemId, n);
      this.byNum.set(n, itemId);
      if (this.byId.size > MEMORY) this.forgetOldest();
    }
    return n;
  }

  /** A number for audio that belongs to no AI item (the give-up notice). */
  anonymous(label: string): number {
    return this.numberOf(`parley:${label}:${this.next}`);
  }

  idOf(item: number): string | undefined {
    return this.byNum.get(item);
  }

  /** The connection the item with this id arrived on, if known. */
  sourceOf(itemId: string): number | undefined {
    const n = this.byId.get(itemId);
    return n === undefined ? undefined : this.source.get(n);
  }

  addReceived(item: number, ms: number): void {
    this.receivedMs.set(item, (this.receivedMs.get(item) ?? 0) + ms);
  }

  /** Milliseconds of the item's audio received from the provider. */
  received(item: number): number {
    return this.receivedMs.get(item) ?? 0;
  }

  private forgetOldest(): void {
    const [id, n] = this.byId.entries().next().value as [string, number];
    this.byId.delete(id);
    this.byNum.delete(n);
    this.receivedMs.delete(n);
    this.source.delete(n);
  }
}
