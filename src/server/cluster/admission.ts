// PARLEY_MAX_CALLS as the whole cluster's limit. Node's round-robin hands a connection to
// whichever worker is free, so a busy worker gets fewer; a fixed share per worker refused calls
// while the server was below its limit. So a worker asks the primary before it admits a call:
// the primary admits while the live calls of every worker plus the places it has granted and not
// yet seen taken or settled stay below the limit. A call's live report (`calls +1`) takes its
// grant over, so the call is counted once, never twice and never zero times; an attempt that
// failed settles its grant. specs/Admission.tla checks this against every interleaving.

export class ClusterAdmission {
  /** Per worker: places granted, not yet taken over by a live call or settled. */
  private readonly granted = new Map<number, number>();
  private closed = false;

  /** `live()`: calls live over every worker, as their reports say. */
  constructor(
    private readonly max: number,
    private readonly live: () => number,
  ) {}

  /** May `worker` take one more call? A yes holds a place until `started` or `settle`. */
  request(worker: number): boolean {
    if (this.closed || this.live() + this.held() >= this.max) return false;
    this.granted.set(worker, (this.granted.get(worker) ?? 0) + 1);
    return true;
  }

  /** A call started on `worker` (its live report): it takes over one of the worker's grants. */
  started(worker: number): void {
    this.settle(worker);
  }

  /** The worker's attempt failed: its granted place is free. */
  settle(worker: number): void {
    const n = this.granted.get(worker) ?? 0;
    if (n <= 1) this.granted.delete(worker);
    else this.granted.set(worker, n - 1);
  }

  /** The worker exited: what it was granted is free. */
  forget(worker: number): void {
    this.granted.delete(worker);
  }

  /** Draining: no more calls anywhere. */
  close(): void {
    this.closed = true;
  }

  /** Granted places over every worker. */
  held(): number {
    let n = 0;
    for (const v of this.granted.values()) n += v;
    return n;
  }
}
