// Echoed marks into the turn machine without a machine step per echo. The far side echoes one
// mark per outbound write (up to 50 a second); for an echo of the current epoch the machine only
// overwrites `mark` with the newest heard position (recordMark: no state change, no effect), so
// a run of such echoes leaves the same context as its last one. The newest is held here and
// delivered before any other event reaches the turn machine (the truncate decision on
// SPEECH_STARTED reads the mark: it sees exactly what it would have seen), and otherwise at most
// every FLUSH_TICKS media ticks, so the machine's view lags the wire by at most that much. The
// machine still decides: the epoch check here reads its context and any echo that would not be
// a plain recordMark (a stale epoch, an actor not running) is sent at once, in order.

/** Media ticks (20 ms each) a held echo may wait for another turn event before it is delivered. */
export const FLUSH_TICKS = 5;

interface MarkEcho {
  readonly type: 'MARK_ECHO';
  readonly epoch: number;
  readonly itemId: string;
  readonly ms: number;
}

interface TurnLike {
  send(ev: { type: string }): void;
  getSnapshot(): { status: string; context: { epoch: number } };
}

export interface MarkEchoes {
  /**
   * Called once per media wake-up with the ticks it covers (media.wakeEveryTicks): delivers a held
   * echo once it has waited FLUSH_TICKS ticks.
   */
  tick(ticks?: number): void;
  /** Delivers a held echo now. */
  flush(): void;
  /** Echoes delivered to the machine and echoes replaced by a newer one before delivery. */
  readonly delivered: number;
  readonly coalesced: number;
}

/** Overrides `turn.send` so echoes of the current epoch are coalesced; returns the flush handle. */
export function coalesceMarkEchoes(turn: TurnLike): MarkEchoes {
  const send = turn.send.bind(turn);
  let held: MarkEcho | undefined;
  let ticks = 0;
  const state = {
    delivered: 0,
    coalesced: 0,
    flush(): void {
      if (!held) return;
      const ev = held;
      held = undefined;
      state.delivered += 1;
      send(ev);
    },
    tick(n = 1): void {
      if (held && (ticks += n) >= FLUSH_TICKS) state.flush();
    },
  };
  turn.send = (ev: { type: string }) => {
    if (ev.type === 'MARK_ECHO') {
      const snap = turn.getSnapshot();
      if (snap.status === 'active' && (ev as MarkEcho).epoch === snap.context.epoch) {
        if (held) state.coalesced += 1;
        else ticks = 0;
        held = ev as MarkEcho;
        return;
      }
    }
    state.flush();
    if (ev.type === 'MARK_ECHO') state.delivered += 1;
    send(ev);
  };
  return state;
}
