// When armed faults fire: at once, after N more audio deltas, or after a delay.
import type { SimFault } from './types.js';

interface Armed {
  readonly fault: SimFault;
  readonly deltasAtArm: number;
  timer: NodeJS.Timeout | undefined;
}

export class FaultSchedule {
  private readonly armed = new Set<Armed>();

  constructor(private readonly fire: (f: SimFault) => void) {}

  arm(fault: SimFault, deltasNow: number): void {
    const a: Armed = { fault, deltasAtArm: deltasNow, timer: undefined };
    if (fault.afterDeltas !== undefined && fault.afterDeltas > 0) {
      this.armed.add(a);
    } else if (fault.afterMs !== undefined && fault.afterMs > 0) {
      a.timer = setTimeout(() => {
        this.armed.delete(a);
        this.fire(fault);
      }, fault.afterMs);
      this.armed.add(a);
    } else {
      this.fire(fault);
    }
  }

  /** Called after every audio delta with the connection's delta count. */
  delta(deltasNow: number): void {
    for (const a of this.armed) {
      if (a.fault.afterDeltas !== undefined && deltasNow - a.deltasAtArm >= a.fault.afterDeltas) {
        this.armed.delete(a);
        this.fire(a.fault);
      }
    }
  }

  clear(): void {
    for (const a of this.armed) if (a.timer) clearTimeout(a.timer);
    this.armed.clear();
  }
}
