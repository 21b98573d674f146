// A serve worker's side of the cluster: it asks the primary before it admits a call, reports its
// live calls to the primary as they attach and end, answers the primary's requests for its
// metrics, turns an HTTP scrape into a request for the aggregate, and hears the primary's drain.
// The runtime itself is the ordinary one.
import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import type { InspectHub } from '../../obs/inspect/hub.js';
import type { TelephonyProtocol } from '../../telephony/types.js';
import { ClusterInspect } from './inspect.js';
import { isPrimaryMessage, type PrimaryMessage, type WorkerMessage } from './messages.js';

/** How long an HTTP scrape on a worker waits for the primary's aggregate. */
export const SCRAPE_TIMEOUT_MS = 5000;
/** How long a new call waits for the primary's admission before it is refused as busy. */
export const ADMIT_TIMEOUT_MS = 2000;

export class WorkerLink {
  private nextId = 1;
  private readonly scrapes = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  private readonly admissions = new Map<number, (ok: boolean) => void>();
  private registry: Registry | undefined;
  private drainHandler: (() => void) | undefined;
  private drainAsked = false;
  private inspector: ClusterInspect | undefined;
  /** The primary's last word on forwarding, kept until the runtime's hub exists. */
  private forwarding = false;

  /** Listens on the IPC channel at once, so a drain sent during start-up is not lost. */
  constructor() {
    if (!process.send) throw new Error('WorkerLink outside a cluster worker');
    process.on('message', (m: unknown) => {
      if (isPrimaryMessage(m)) this.receive(m);
    });
    // If the primary dies, Node's cluster ends this worker at once (process.exit on the channel's
    // disconnect), before any drain could run: its calls are cut. Nothing here can change that.
  }

  /** Which registry `collect` answers from (set once the runtime has started). */
  serve(registry: Registry, port: number): void {
    this.registry = registry;
    this.send({ t: 'parley:ready', port });
  }

  /** /inspect across workers: this worker's hub, joined with the others' through the primary. */
  inspect(hub: InspectHub): ClusterInspect {
    this.inspector = new ClusterInspect(hub, cluster.worker?.id ?? 0, (m) => this.send(m));
    this.inspector.forward(this.forwarding);
    return this.inspector;
  }

  /** The server's onCallCount hook. */
  readonly callCount = (protocol: TelephonyProtocol, delta: 1 | -1): void => {
    this.send({ t: 'parley:calls', protocol, delta });
  };

  /**
   * The server's admission hook: may this worker take one more call? A yes holds a place at the
   * primary until the call's live report takes it over, or `settle`. No answer in time is a no
   * (and a late yes is settled at once).
   */
  readonly admit = (): Promise<boolean> =>
    new Promise((resolve) => {
      const id = this.nextId++;
      // After a stalled event loop the timer runs before the loop reads an answer already
      // waiting on the channel (timers come before I/O): decide after that read (setImmediate).
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            if (this.admissions.delete(id)) resolve(false);
          }),
        ADMIT_TIMEOUT_MS,
      );
      this.admissions.set(id, (ok) => (clearTimeout(timer), resolve(ok)));
      if (!this.send({ t: 'parley:admit', id })) this.admissions.get(id)?.(false);
    });

  /** A place the primary granted is free again: the attempt failed. */
  readonly settle = (): void => {
    this.send({ t: 'parley:settle' });
  };

  /** The server's scrape hook: the aggregate over every worker, from the primary. */
  readonly scrape = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.scrapes.delete(id);
        reject(new Error(`no aggregate from the primary within ${SCRAPE_TIMEOUT_MS} ms`));
      }, SCRAPE_TIMEOUT_MS);
      this.scrapes.set(id, {
        resolve: (text) => (clearTimeout(timer), resolve(text)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      if (!this.send({ t: 'parley:scrape', id })) this.scrapes.get(id)?.reject(new Error('the primary is gone'));
    });

  /** Called once when the primary asks for a drain; at once if it already did. */
  onDrain(handler: () => void): void {
    this.drainHandler = handler;
    if (this.drainAsked) handler();
  }

  /** Shutdown is complete: say so after every call report, then let the channel close. */
  bye(): Promise<void> {
    return new Promise((resolve) => {
      if (!process.connected) return resolve();
      process.send!({ t: 'parley:bye' } satisfies WorkerMessage, undefined, undefined, () => {
        // cluster's own disconnect (not process.disconnect(), after which Node exits the worker
        // with 0 at once): the process then ends by itself, with its own exit code.
        cluster.worker?.once('disconnect', () => resolve());
        cluster.worker?.disconnect();
      });
    });
  }

  private drainRequested(): void {
    if (this.drainAsked) return;
    this.drainAsked = true;
    this.drainHandler?.();
  }

  private receive(m: PrimaryMessage): void {
    switch (m.t) {
      case 'parley:drain':
        return this.drainRequested();
      case 'parley:collect':
        if (!this.registry) return; // not serving yet (the primary asks only workers that said ready)
        void this.registry.getMetricsAsJSON().then((metrics) => this.send({ t: 'parley:snapshot', id: m.id, metrics }));
        return;
      case 'parley:inspect.forward':
        this.forwarding = m.on;
        return this.inspector?.forward(m.on);
      case 'parley:inspect.msgs':
        return this.inspector?.remote(m.msgs);
      case 'parley:inspect.announce':
        if (this.inspector) this.send({ t: 'parley:inspect.calls', to: m.to, req: m.req, calls: this.inspector.calls() });
        return;
      case 'parley:inspect.calls':
        return this.inspector?.announced(m.req, m.calls);
      case 'parley:inspect.gone':
        return this.inspector?.gone(m.worker);
      case 'parley:admitted': {
        const answer = this.admissions.get(m.id);
        this.admissions.delete(m.id);
        if (answer) return answer(m.ok);
        if (m.ok) this.settle(); // it came after the timeout: nobody holds the place
        return;
      }
      case 'parley:aggregate': {
        const s = this.scrapes.get(m.id);
        this.scrapes.delete(m.id);
        if (m.text !== undefined) s?.resolve(m.text);
        else s?.reject(new Error(m.error ?? 'no aggregate'));
        return;
      }
    }
  }

  private send(m: WorkerMessage): boolean {
    if (!process.connected) return false;
    process.send!(m);
    return true;
  }
}
