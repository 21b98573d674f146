// The capacity bench's truncation error: each truncate the agent received (its event id starts
// with the call id) against what that caller heard of the reply it interrupted. A call whose agent
// saw more truncates than the caller made barge-ins (the caller spoke over a reply that had
// stalled, or Parley truncated a reply already heard) cannot say which one was the barge-in's: it
// is left out of the error figures and counted, never paired by a guess.
import type { LoadResult } from '../src/tools/sim/caller/index.js';
import { percentiles } from '../src/tools/sim/caller/index.js';

export interface TruncateLine {
  readonly truncate: { readonly eventId: string; readonly audioEndMs: number };
}

export function truncationErrors(reports: LoadResult['reports'], truncs: readonly TruncateLine[]) {
  const byCall = new Map<string, number[]>();
  for (const { truncate: t } of truncs) {
    // Platforms dress the caller's id (Twilio CA…, Telnyx v3:…); the rest pass it as is.
    const callId = String(t.eventId).split('.truncate.')[0]!;
    const xs = byCall.get(callId) ?? [];
    xs.push(t.audioEndMs);
    byCall.set(callId, xs);
  }
  const errors: number[] = [];
  let callsWithExtraTruncates = 0;
  let callsWithoutTruncate = 0;
  for (const r of reports) {
    const b = r.bargeIns[0];
    if (!b) continue;
    const ends = byCall.get(r.callId) ?? byCall.get(`CA${r.callId}`) ?? byCall.get(`v3:${r.callId}`) ?? [];
    if (ends.length === 0) callsWithoutTruncate++;
    else if (ends.length > r.bargeIns.length) callsWithExtraTruncates++;
    // What the caller heard of the interrupted reply: less the earlier reply's stranded tail.
    else errors.push(Math.abs(ends[0]! - (b.heardMs - b.carriedOverMs)));
  }
  return { ...percentiles(errors), truncates: truncs.length, callsWithExtraTruncates, callsWithoutTruncate };
}
