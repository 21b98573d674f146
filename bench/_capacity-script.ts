// The capacity bench's caller script and lead, shared by the bench and its caller processes.
import type { ScriptStep } from '../src/tools/sim/caller/index.js';

/** Lateness is measured against real-time pacing with this lead: the default lookahead minus the frame in flight. */
export const LEAD_MS = 60;

/** Long enough that every call is still running when the ramp has started the last one. */
export function script(rampMs: number): ScriptStep[] {
  return [
    { kind: 'say', ms: 1200 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    { kind: 'say', ms: 800 },
    { kind: 'barge', afterMs: 600, sayMs: 1000, timeoutMs: 20_000 },
    { kind: 'listen', quietMs: 500, timeoutMs: 20_000 },
    { kind: 'silence', ms: Math.max(1000, rampMs) },
    { kind: 'hangup' },
  ];
}
