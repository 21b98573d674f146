// The capacity bench's caller script and lead, shared by the bench and its caller processes.
import type { ScriptStep } from '../src/tools/sim/caller/index.js';

/** Lateness is measured against real-time pacing with this lead: the default lookahead minus the frame in flight. */
export const LEAD_MS = 60;

/** Default of `--hold-s`: how long (at least) every call is up at once after the ramp. */
export const DEFAULT_HOLD_MS = 5000;

/** A turn of the hold phase lasts at least this: 800 ms said, the agent's reply (2400 ms by default), 500 ms quiet. */
const HOLD_TURN_MIN_MS = 3700;

export interface ScriptSpec {
  /** The whole run's ramp (every share of a split load uses the same script). */
  readonly rampMs: number;
  /** Extra time every call stays up after the last one has started. */
  readonly holdMs: number;
  /** 'talk' (default): the hold is plain turns; 'silence': the caller stays silent (a lighter load, fewer chances to time out). */
  readonly hold?: 'talk' | 'silence';
}

/**
 * A conversation with a barge-in, then plain turns (the caller says something, the agent answers)
 * for at least ramp + hold: the first call is still talking when the last one starts, and every
 * call is up at once for at least the hold — in conversation, not silent, so the peak is a real load.
 */
export function script(spec: ScriptSpec): ScriptStep[] {
  const holdMs = spec.rampMs + spec.holdMs;
  const hold: ScriptStep[] = [];
  if (spec.hold === 'silence') hold.push({ kind: 'silence', ms: holdMs });
  else for (let k = 0; k < Math.max(1, Math.ceil(holdMs / HOLD_TURN_MIN_MS)); k++) hold.push({ kind: 'say', ms: 800 }, { kind: 'listen', quietMs: 500, timeoutMs: 20_000 });
  return [
    { kind: 'say', ms: 1200 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    { kind: 'say', ms: 800 },
    { kind: 'barge', afterMs: 600, sayMs: 1000, timeoutMs: 20_000 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    ...hold,
    { kind: 'silence', ms: 1000 },
    { kind: 'hangup' },
  ];
}
