/**
 * The truncate decision of a barge-in (docs/ARCHITECTURE.md#barge-in, step 4), pure so that the
 * turn machine, its tests and the runtime share one definition.
 *
 * heard = the last echoed mark of the item (Twilio: marks are the only trustworthy playback
 *         position) or the core's delivered count minus the far side's buffer (audio-stream);
 * ms    = heard clamped to [0, sent] (the provider rejects a point beyond what it sent, BI3);
 * op    = 'delete' when nothing of the item was heard (a truncate at 0 is rejected by the API).
 */
export type PositionSource = 'marks' | 'delivered';

export interface Mark {
  itemId: string;
  ms: number;
}

export interface TruncateDecision {
  itemId: string;
  ms: number;
  op: 'truncate' | 'delete';
}

export interface PlayoutPosition {
  /** Item whose audio was playing (or queued first) at speech start; null if none was written. */
  itemId: string | null;
  /** ms of the item delivered by the core, minus the far side's buffer estimate. */
  deliveredMs: number;
  /** ms of the item received from the provider (written to the playout ring). */
  sentMs: number;
}

export function decideTruncate(
  source: PositionSource,
  mark: Mark | null,
  position: PlayoutPosition,
): TruncateDecision | null {
  if (position.itemId === null) return null;
  const heard =
    source === 'marks' ? (mark !== null && mark.itemId === position.itemId ? mark.ms : 0) : position.deliveredMs;
  const ms = Math.floor(Math.min(Math.max(heard, 0), Math.max(position.sentMs, 0)));
  return { itemId: position.itemId, ms, op: ms === 0 ? 'delete' : 'truncate' };
}
