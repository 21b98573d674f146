// What a fuzz target is (one per protocol entry point) and how its runs are tallied. A target
// runs one generated input through the real entry point and returns one outcome label per
// message ("accepted:media", "rejected:bad_base64", "ignored:unknown_type", …). It throws
// PropertyViolation when the entry point answered wrongly; any other exception escaping the
// entry point is a crash.
import type fc from 'fast-check';

export class PropertyViolation extends Error {
  override readonly name = 'PropertyViolation';
}

/** Throws PropertyViolation with `what` unless `cond`. */
export function check(cond: unknown, what: string | (() => string)): asserts cond {
  if (!cond) throw new PropertyViolation(typeof what === 'string' ? what : what());
}

export interface FuzzTarget<I> {
  /** Protocol name as reported by the bench ("twilio", "audio-stream", "openai", …). */
  readonly protocol: string;
  readonly arbitrary: fc.Arbitrary<I>;
  /** One input through the real entry point; outcome labels, one per message. */
  run(input: I): readonly string[];
}

/** Outcome counts of many runs: "rejected:bad_json" → n. */
export class Tally {
  readonly counts = new Map<string, number>();
  inputs = 0;
  messages = 0;

  add(labels: readonly string[]): void {
    this.inputs += 1;
    this.messages += labels.length;
    for (const l of labels) this.counts.set(l, (this.counts.get(l) ?? 0) + 1);
  }

  /** Counts of labels starting with `prefix:` keyed by the rest, sorted by key. */
  by(prefix: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of [...this.counts].sort(([a], [b]) => a.localeCompare(b))) {
      if (k.startsWith(`${prefix}:`)) out[k.slice(prefix.length + 1)] = v;
    }
    return out;
  }
}

/** Runs the target on one input and tallies it; never throws (the caller checks the result). */
export function runOne<I>(target: FuzzTarget<I>, input: I, tally?: Tally): { ok: true } | { ok: false; crash: boolean; error: Error } {
  try {
    const labels = target.run(input);
    tally?.add(labels);
    return { ok: true };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return { ok: false, crash: !(error instanceof PropertyViolation), error };
  }
}
