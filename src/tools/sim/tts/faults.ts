// Armed faults of a TTS fake: each request takes the first one that applies to it.
import type { TtsFault } from './types.js';

interface Armed {
  readonly fault: TtsFault;
  remaining: number | 'always';
}

export class FaultBox {
  private armed: Armed[] = [];
  fired = 0;

  arm(fault: TtsFault, times: number | 'always' = 1): void {
    if (times !== 'always' && (!Number.isInteger(times) || times < 1)) throw new RangeError('times must be a positive integer or always');
    this.armed.push({ fault, remaining: times });
  }

  heal(): void {
    this.armed = [];
  }

  /** Takes the first armed fault whose kind is in `kinds`. */
  take(kinds: readonly TtsFault['kind'][]): TtsFault | undefined {
    const a = this.armed.find((x) => kinds.includes(x.fault.kind));
    if (!a) return undefined;
    if (a.remaining !== 'always') {
      a.remaining -= 1;
      if (a.remaining === 0) this.armed.splice(this.armed.indexOf(a), 1);
    }
    this.fired += 1;
    return a.fault;
  }
}

/** `error:code=quota_exceeded,afterChunks=2` → a fault (for the CLI). */
export function parseTtsFault(spec: string): TtsFault {
  const [kind, rest = ''] = spec.split(':', 2);
  const kv = new Map(rest.split(',').filter(Boolean).map((p) => p.split('=', 2) as [string, string]));
  const num = (k: string): number | undefined => {
    const v = kv.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`fault ${spec}: ${k} must be a non-negative integer`);
    return n;
  };
  const after = num('afterChunks');
  switch (kind) {
    case 'refuse':
      return { kind, status: num('status') ?? 503 };
    case 'error': {
      const close = num('closeCode');
      return { kind, ...(kv.has('code') ? { code: kv.get('code')! } : {}), ...(after !== undefined ? { afterChunks: after } : {}), ...(close !== undefined ? { closeCode: close } : {}) };
    }
    case 'drop':
    case 'stall':
      return { kind, ...(after !== undefined ? { afterChunks: after } : {}) };
    case 'delay':
      return { kind, ms: num('ms') ?? 500 };
    default:
      throw new Error(`unknown fault '${kind}' (refuse, error, drop, stall, delay)`);
  }
}
