// Per-connection inbound rate limits: two token buckets (messages and bytes), each holding two
// seconds of its rate, refilled continuously from a monotonic clock.

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes `n` tokens if there are enough; otherwise takes none. */
  take(n: number, now: number): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSec);
    this.last = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

export interface RateLimits {
  readonly rateMessagesPerSec: number;
  readonly rateBytesPerSec: number;
}

export const BURST_SECONDS = 2;

export class ConnectionLimiter {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;

  constructor(limits: RateLimits, now: number) {
    this.messages = new TokenBucket(limits.rateMessagesPerSec, limits.rateMessagesPerSec * BURST_SECONDS, now);
    this.bytes = new TokenBucket(limits.rateBytesPerSec, limits.rateBytesPerSec * BURST_SECONDS, now);
  }

  /** True when a message of `size` bytes is within both rates (and is then counted). */
  allow(size: number, now: number): boolean {
    // Check bytes first so a refused message does not consume a message token.
    if (!this.bytes.take(size, now)) return false;
    return this.messages.take(1, now);
  }
}
