// TTS cache (docs/reference/original-engine.md#tts-cache, fixed for #13): synthesized audio keyed
// by (provider, voice, model, text), shared by every call of the process, LRU with a TTL, and two
// byte caps — one for the whole process and one per call (what a single call may hold, so one
// chatty call cannot evict everyone else's greetings). Audio is stored at the provider's own rate
// with that rate (TT2). Bytes are counted as audio + key + a fixed per-entry overhead, and a put
// never leaves either cap exceeded (TT4): it first evicts (expired, then least recently used), or
// refuses the entry.

export interface CachedAudio {
  /** PCM16 little-endian mono at `rate`, exactly as the provider produced it. */
  readonly pcm: Buffer;
  readonly rate: number;
}

export interface CacheKeyParts {
  readonly provider: string;
  readonly voice: string;
  readonly model: string;
  readonly text: string;
}

export type EvictReason = 'lru' | 'ttl' | 'call_cap' | 'replaced';

export interface TtsCacheOptions {
  /** Process-wide cap, bytes. */
  readonly maxBytes: number;
  /** What one call's insertions may hold, bytes (≤ maxBytes). */
  readonly maxCallBytes: number;
  /** Entries older than this (since insertion) are misses and are evicted. */
  readonly ttlMs: number;
  readonly now?: () => number;
  /** Metrics hooks. */
  readonly onLookup?: (hit: boolean) => void;
  readonly onEvict?: (reason: EvictReason, bytes: number) => void;
  readonly onRefuse?: (bytes: number) => void;
}

/** Fixed bookkeeping cost charged per entry (map slots, objects), so tiny entries still count. */
export const ENTRY_OVERHEAD_BYTES = 128;

interface Entry {
  readonly key: string;
  readonly audio: CachedAudio;
  readonly bytes: number;
  readonly createdAt: number;
  /** The call whose insertion it is charged to; undefined once that call ended. */
  owner: string | undefined;
}

/** Whitespace runs collapsed, ends trimmed; case and punctuation kept (they change the speech). */
export function normaliseText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function cacheKey(p: CacheKeyParts): string {
  return `${p.provider}\u0000${p.voice}\u0000${p.model}\u0000${normaliseText(p.text)}`;
}

export class TtsCache {
  private readonly all = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Map<string, Entry>>();
  private readonly ownerBytes = new Map<string, number>();
  private total = 0;
  private lastSweep = 0;
  private readonly now: () => number;

  constructor(private readonly opts: TtsCacheOptions) {
    if (!(opts.maxBytes >= 0 && opts.maxCallBytes >= 0 && opts.ttlMs > 0)) throw new RangeError('tts cache: caps must be >= 0 and ttl > 0');
    this.now = opts.now ?? Date.now;
  }

  /** Bytes held (audio + keys + overhead), always ≤ maxBytes. */
  get bytes(): number {
    return this.total;
  }

  get entries(): number {
    return this.all.size;
  }

  /** Bytes charged to a call, always ≤ maxCallBytes. */
  callBytes(owner: string): number {
    return this.ownerBytes.get(owner) ?? 0;
  }

  get(key: string): CachedAudio | undefined {
    return this.getAny([key]);
  }

  /** Whether `key` would hit now — a peek: not counted as a lookup, the LRU order untouched. */
  has(key: string): boolean {
    const e = this.all.get(key);
    return e !== undefined && this.now() - e.createdAt <= this.opts.ttlMs;
  }

  /** The first of `keys` held (e.g. the same text by either provider): one lookup, counted once. */
  getAny(keys: readonly string[]): CachedAudio | undefined {
    for (const key of keys) {
      const e = this.all.get(key);
      if (!e) continue;
      if (this.now() - e.createdAt > this.opts.ttlMs) {
        this.remove(e, 'ttl');
        continue;
      }
      this.opts.onLookup?.(true);
      this.touch(e);
      return e.audio;
    }
    this.opts.onLookup?.(false);
    return undefined;
  }

  /** Inserts (or replaces) an entry charged to `owner`. False when it can never fit. */
  put(owner: string, key: string, audio: CachedAudio): boolean {
    const bytes = audio.pcm.length + key.length * 2 + ENTRY_OVERHEAD_BYTES;
    if (audio.pcm.length === 0 || bytes > this.opts.maxCallBytes || bytes > this.opts.maxBytes) {
      this.opts.onRefuse?.(bytes);
      return false;
    }
    const old = this.all.get(key);
    if (old) this.remove(old, 'replaced');
    this.sweepExpired();
    const mine = this.byOwner.get(owner);
    while (this.callBytes(owner) + bytes > this.opts.maxCallBytes && mine && mine.size > 0) {
      this.remove(mine.values().next().value!, 'call_cap');
    }
    while (this.total + bytes > this.opts.maxBytes && this.all.size > 0) {
      this.remove(this.all.values().next().value!, 'lru');
    }
    const e: Entry = { key, audio, bytes, createdAt: this.now(), owner };
    this.all.set(key, e);
    let m = this.byOwner.get(owner);
    if (!m) this.byOwner.set(owner, (m = new Map()));
    m.set(key, e);
    this.ownerBytes.set(owner, this.callBytes(owner) + bytes);
    this.total += bytes;
    return true;
  }

  /** The call ended: its entries stay (shared, under the process cap) but are charged to no one. */
  release(owner: string): void {
    const m = this.byOwner.get(owner);
    if (m) for (const e of m.values()) e.owner = undefined;
    this.byOwner.delete(owner);
    this.ownerBytes.delete(owner);
  }

  clear(): void {
    for (const e of [...this.all.values()]) this.remove(e, 'lru');
  }

  private touch(e: Entry): void {
    this.all.delete(e.key);
    this.all.set(e.key, e);
    if (e.owner !== undefined) {
      const m = this.byOwner.get(e.owner);
      m?.delete(e.key);
      m?.set(e.key, e);
    }
  }

  private remove(e: Entry, reason: EvictReason): void {
    if (this.all.get(e.key) !== e) return;
    this.all.delete(e.key);
    this.total -= e.bytes;
    if (e.owner !== undefined) {
      this.byOwner.get(e.owner)?.delete(e.key);
      this.ownerBytes.set(e.owner, this.callBytes(e.owner) - e.bytes);
    }
    this.opts.onEvict?.(reason, e.bytes);
  }

  /** Expired entries go at most every ttl/8 (a full scan), so puts stay O(1) amortised. */
  private sweepExpired(): void {
    const now = this.now();
    if (now - this.lastSweep < this.opts.ttlMs / 8) return;
    this.lastSweep = now;
    for (const e of [...this.all.values()]) if (now - e.createdAt > this.opts.ttlMs) this.remove(e, 'ttl');
  }
}
