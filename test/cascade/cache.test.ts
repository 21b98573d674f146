// TTS cache: keys, LRU, TTL, and the two byte caps (TT4), including a randomised check that no
// sequence of puts, gets and call ends ever leaves the process or any call over its cap.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cacheKey, ENTRY_OVERHEAD_BYTES, TtsCache, type EvictReason } from '../../src/ai/cascade/cache.js';

const audio = (bytes: number, rate = 16000) => ({ pcm: Buffer.alloc(bytes, 1), rate });
const key = (text: string, voice = 'v') => cacheKey({ provider: 'elevenlabs', voice, model: 'm', text });
const cost = (k: string, bytes: number) => bytes + k.length * 2 + ENTRY_OVERHEAD_BYTES;

function cache(maxBytes: number, maxCallBytes: number, ttlMs = 60_000) {
  let now = 0;
  const evictions: EvictReason[] = [];
  const lookups: boolean[] = [];
  const c = new TtsCache({ maxBytes, maxCallBytes, ttlMs, now: () => now, onEvict: (r) => evictions.push(r), onLookup: (h) => lookups.push(h) });
  return { c, evictions, lookups, advance: (ms: number) => (now += ms) };
}

describe('TtsCache', () => {
  it('keys by provider, voice, model and whitespace-normalised text (case kept)', () => {
    expect(key('Hello  there\n')).toBe(key('Hello there'));
    expect(key('Hello there')).not.toBe(key('hello there'));
    expect(key('Hello', 'a')).not.toBe(key('Hello', 'b'));
    expect(cacheKey({ provider: 'openai', voice: 'v', model: 'm', text: 'x' })).not.toBe(cacheKey({ provider: 'elevenlabs', voice: 'v', model: 'm', text: 'x' }));
  });

  it('returns the audio with the rate it was stored at, and counts hits and misses', () => {
    const { c, lookups } = cache(1 << 20, 1 << 20);
    expect(c.get(key('a'))).toBeUndefined();
    c.put('call1', key('a'), audio(100, 24000));
    expect(c.get(key('a'))?.rate).toBe(24000);
    expect(lookups).toEqual([false, true]);
  });

  it('looks up the same text by either provider as one lookup', () => {
    const { c, lookups } = cache(1 << 20, 1 << 20);
    const other = cacheKey({ provider: 'openai', voice: 'alloy', model: 'tts', text: 'a' });
    expect(c.getAny([key('a'), other])).toBeUndefined();
    c.put('call1', other, audio(100, 24000));
    expect(c.getAny([key('a'), other])?.rate).toBe(24000);
    expect(lookups).toEqual([false, true]);
  });

  it('evicts the least recently used entry to stay under the process cap', () => {
    const k = [key('one'), key('two'), key('three')];
    const cap = cost(k[0]!, 1000) * 2 + 10;
    const { c, evictions } = cache(cap, cap);
    c.put('a', k[0]!, audio(1000));
    c.put('b', k[1]!, audio(1000));
    c.get(k[0]!); // 'one' is now the most recent
    c.put('c', k[2]!, audio(1000));
    expect(c.get(k[1]!)).toBeUndefined();
    expect(c.get(k[0]!)).toBeDefined();
    expect(evictions).toEqual(['lru']);
    expect(c.bytes).toBeLessThanOrEqual(cap);
  });

  it('a call over its own cap evicts its own entries, never another call’s', () => {
    const k = (i: number) => key(`sentence ${i}`);
    const per = cost(k(0), 500);
    const { c, evictions } = cache(per * 100, per * 2);
    c.put('other', k(0), audio(500));
    for (let i = 1; i <= 5; i++) c.put('chatty', k(i), audio(500));
    expect(c.callBytes('chatty')).toBeLessThanOrEqual(per * 2);
    expect(c.get(k(0))).toBeDefined();
    expect(c.get(k(5))).toBeDefined();
    expect(c.get(k(1))).toBeUndefined();
    expect(evictions.filter((r) => r === 'call_cap')).toHaveLength(3);
  });

  it('refuses an entry larger than either cap', () => {
    const { c } = cache(10_000, 5_000);
    expect(c.put('a', key('big'), audio(6_000))).toBe(false);
    expect(c.entries).toBe(0);
  });

  it('expires entries after the TTL', () => {
    const { c, evictions, advance } = cache(1 << 20, 1 << 20, 1000);
    c.put('a', key('x'), audio(10));
    advance(999);
    expect(c.get(key('x'))).toBeDefined();
    advance(2);
    expect(c.get(key('x'))).toBeUndefined();
    expect(evictions).toEqual(['ttl']);
    expect(c.bytes).toBe(0);
  });

  it('a call that ends leaves its entries for others, charged to no one', () => {
    const { c } = cache(1 << 20, 1 << 20);
    c.put('a', key('hello'), audio(100));
    c.release('a');
    expect(c.callBytes('a')).toBe(0);
    expect(c.get(key('hello'))).toBeDefined();
  });

  it('never exceeds either cap (TT4), for any sequence of operations', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), call: fc.integer({ min: 0, max: 3 }), text: fc.integer({ min: 0, max: 30 }), bytes: fc.integer({ min: 1, max: 4000 }) }),
      fc.record({ kind: fc.constant('get' as const), text: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('release' as const), call: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 400 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 20_000 }), fc.integer({ min: 500, max: 20_000 }), fc.array(op, { maxLength: 200 }), (maxBytes, maxCall, ops) => {
        const { c, advance } = cache(maxBytes, maxCall, 1000);
        for (const o of ops) {
          if (o.kind === 'put') c.put(`c${o.call}`, key(`t${o.text}`), audio(o.bytes));
          else if (o.kind === 'get') c.get(key(`t${o.text}`));
          else if (o.kind === 'release') c.release(`c${o.call}`);
          else advance(o.ms);
          expect(c.bytes).toBeLessThanOrEqual(maxBytes);
          for (let i = 0; i < 4; i++) expect(c.callBytes(`c${i}`)).toBeLessThanOrEqual(maxCall);
        }
      }),
    );
  });
});
