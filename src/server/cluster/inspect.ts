// /inspect across workers (`parley serve --workers N`): a client's WebSocket lands on one worker,
// but the calls it wants to see are spread over all of them. While some worker has an /inspect
// client, the primary has every worker forward its hub's messages (batched, connection ids
// prefixed with the worker: `w2/twilio-…`, since each process numbers its own), and relays them
// to the workers that have clients. A client that connects mid-call gets its own worker's calls
// in `hello` and the other workers' live calls as `call.start` messages a moment later (to it
// alone: the clients already here know them). When a worker dies, its calls end for every client.
// With no client anywhere nothing is forwarded (and no machine is inspected).
import type { InspectHub, InspectListener } from '../../obs/inspect/hub.js';
import type { CallSummary, InspectMessage, StepMessage } from '../../obs/inspect/protocol.js';
import type { InspectSource } from '../inspectEndpoint.js';
import type { WorkerMessage } from './messages.js';

/** How often a forwarding worker sends what its hub reported (the endpoint's own flush period). */
export const FORWARD_EVERY_MS = 50;
/** Steps per batch beyond this are dropped and counted (reported to clients as `dropped`). */
export const FORWARD_MAX_STEPS = 2000;

/** The message a remote client sees: the connection id names the worker that holds the call. */
export function fromWorker(worker: number, m: InspectMessage): InspectMessage {
  const id = (connId: string) => `w${worker}/${connId}`;
  const step = (s: StepMessage): StepMessage => ({ ...s, connId: id(s.connId) });
  switch (m.type) {
    case 'call.start':
      return { ...m, call: summaryFromWorker(worker, m.call) };
    case 'call.rename':
    case 'call.end':
      return { ...m, connId: id(m.connId) };
    case 'step':
      return step(m);
    default:
      return m;
  }
}

export function summaryFromWorker(worker: number, c: CallSummary): CallSummary {
  const id = (connId: string) => `w${worker}/${connId}`;
  return { ...c, connId: id(c.connId), last: c.last ? { ...c.last, connId: id(c.last.connId) } : null, log: c.log.map((s) => ({ ...s, connId: id(s.connId) })) };
}

/** The worker's view of /inspect: its own hub plus what the primary relays from the others. */
export class ClusterInspect implements InspectSource {
  private readonly clients = new Set<InspectListener>();
  private stopForwarding: (() => void) | undefined;
  private batch: InspectMessage[] = [];
  private steps = 0;
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private nextReq = 1;
  /** New clients waiting for the other workers' calls, by request. */
  private readonly announcing = new Map<number, InspectListener>();
  /** Other workers' calls its clients were told of and not yet told the end of: connId → callId. */
  private readonly remoteLive = new Map<string, string>();

  constructor(
    private readonly hub: InspectHub,
    private readonly worker: number,
    private readonly send: (m: WorkerMessage) => boolean,
  ) {}

  /** This worker's calls now (the other workers announce theirs once the client subscribes). */
  hello(): InspectMessage {
    return this.hub.hello();
  }

  subscribe(fn: InspectListener): () => void {
    this.clients.add(fn);
    const local = this.hub.subscribe(fn);
    if (this.clients.size === 1) this.send({ t: 'parley:inspect.want', on: true });
    const req = this.nextReq++;
    this.announcing.set(req, fn);
    this.send({ t: 'parley:inspect.announce', req });
    return () => {
      local();
      this.announcing.delete(req);
      if (this.clients.delete(fn) && this.clients.size === 0) {
        this.send({ t: 'parley:inspect.want', on: false });
        this.remoteLive.clear(); // nothing is relayed to a worker without clients: it would go stale
      }
    };
  }

  /** The primary: forward this hub's messages (some worker has a client), or stop. */
  forward(on: boolean): void {
    if (on && !this.stopForwarding) this.stopForwarding = this.hub.subscribe((m) => this.queue(m));
    if (!on && this.stopForwarding) {
      this.stopForwarding();
      this.stopForwarding = undefined;
      this.flush();
    }
  }

  /** Messages of other workers, relayed by the primary, to this worker's clients. */
  remote(msgs: readonly InspectMessage[]): void {
    for (const m of msgs) this.track(m);
    for (const fn of this.clients) for (const m of msgs) fn(m);
  }

  /** Another worker's live calls, for the new client `req` alone (the others know them). */
  announced(req: number, calls: readonly CallSummary[]): void {
    const fn = this.announcing.get(req);
    if (!fn || !this.clients.has(fn)) return;
    for (const call of calls) {
      const m: InspectMessage = { type: 'call.start', call };
      this.track(m);
      fn(m);
    }
  }

  /** Worker `worker` died: the calls of it that clients here were told of end now. */
  gone(worker: number): void {
    const prefix = `w${worker}/`;
    const t = Date.now(); // every hub's clock is Date.now
    for (const [connId, callId] of this.remoteLive) {
      if (!connId.startsWith(prefix)) continue;
      this.remoteLive.delete(connId);
      const m: InspectMessage = { type: 'call.end', connId, callId, t };
      for (const fn of this.clients) fn(m);
    }
  }

  private track(m: InspectMessage): void {
    if (m.type === 'call.start' && m.call.endedAt === null) this.remoteLive.set(m.call.connId, m.call.callId);
    else if (m.type === 'call.rename' && this.remoteLive.has(m.connId)) this.remoteLive.set(m.connId, m.callId);
    else if (m.type === 'call.end') this.remoteLive.delete(m.connId);
  }

  /** Another worker's new client asks for this worker's calls. */
  calls(): CallSummary[] {
    return (this.hub.hello() as { calls: readonly CallSummary[] }).calls.map((c) => summaryFromWorker(this.worker, c));
  }

  private queue(m: InspectMessage): void {
    if (m.type === 'step' && this.steps >= FORWARD_MAX_STEPS) {
      this.dropped += 1;
      return;
    }
    if (m.type === 'step') this.steps += 1;
    this.batch.push(fromWorker(this.worker, m));
    this.timer ??= setTimeout(() => this.flush(), FORWARD_EVERY_MS).unref();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dropped > 0) this.batch.push({ type: 'dropped', count: this.dropped });
    const msgs = this.batch;
    this.batch = [];
    this.steps = 0;
    this.dropped = 0;
    if (msgs.length > 0) this.send({ t: 'parley:inspect.msgs', msgs });
  }
}
