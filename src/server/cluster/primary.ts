// `parley serve --workers N`, the primary: forks N workers (each a full runtime with its own
// media thread) that share the listening port through node:cluster (the primary accepts and
// hands connections round-robin), keeps each worker's live calls from its reports, admits calls
// against the whole cluster's limit (./admission.ts), answers the workers' requests for the
// /metrics aggregate, replaces a worker that dies (its live calls are counted as ended `error`
// and logged, never lost silently), relays /inspect messages between workers while any has a
// client (./inspect.ts), and on SIGTERM/SIGINT drains every worker at once and exits 0 when all
// of them have exited cleanly.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../../obs/index.js';
import type { TelephonyProtocol } from '../../telephony/types.js';
import { BACKSTOP_MS } from '../server.js';
import { ClusterAdmission } from './admission.js';
import { ClusterMetrics } from './metrics.js';
import { isWorkerMessage, type PrimaryMessage, type WorkerMessage } from './messages.js';

/** A worker that dies sooner than this after its start is replaced only after this delay. */
export const RESPAWN_DELAY_MS = 1000;
/** Beyond the workers' own drain deadline and backstop: then the primary kills what is left. */
const PRIMARY_GRACE_MS = 10_000;

export interface PrimaryOptions {
  readonly workers: number;
  readonly drainMs: number;
  /** PARLEY_MAX_CALLS: the limit over every worker together. */
  readonly maxCalls: number;
  readonly log: Logger;
}

interface WorkerState {
  readonly worker: Worker;
  readonly startedAt: number;
  ready: boolean;
  said: 'bye' | undefined;
  readonly live: Record<TelephonyProtocol, number>;
  /** It has /inspect clients: the others' inspect messages are relayed to it. */
  inspecting: boolean;
}

/** Runs the cluster until it has drained; resolves with the exit code. */
export function runPrimary(opts: PrimaryOptions): Promise<number> {
  const { log } = opts;
  const metrics = new ClusterMetrics();
  const states = new Map<number, WorkerState>();
  let stopping = false;
  let everReady = false;
  let failed = false;
  const liveCalls = () => {
    let n = 0;
    for (const s of states.values()) for (const v of Object.values(s.live)) n += v;
    return n;
  };
  const admission = new ClusterAdmission(opts.maxCalls, liveCalls);

  const readyWorkers = () => [...states.values()].filter((s) => s.ready).map((s) => s.worker);
  const send = (w: Worker, m: PrimaryMessage) => {
    if (w.isConnected()) w.send(m);
  };

  const fork = () => {
    const worker = cluster.fork();
    const s: WorkerState = { worker, startedAt: Date.now(), ready: false, said: undefined, live: {}, inspecting: false };
    states.set(worker.id, s);
    worker.on('message', (m: unknown) => {
      if (isWorkerMessage(m)) receive(s, m);
    });
  };

  // /inspect across workers (./inspect.ts): every worker forwards while any has a client.
  let forwarding = false;
  const inspectForwarding = () => {
    const on = [...states.values()].some((x) => x.inspecting);
    if (on === forwarding) return;
    forwarding = on;
    for (const w of readyWorkers()) send(w, { t: 'parley:inspect.forward', on });
  };
  const others = (s: WorkerState) => [...states.values()].filter((x) => x !== s && x.ready);

  const receive = (s: WorkerState, m: WorkerMessage) => {
    switch (m.t) {
      case 'parley:inspect.want':
        s.inspecting = m.on;
        return inspectForwarding();
      case 'parley:inspect.msgs':
        for (const x of others(s)) if (x.inspecting) send(x.worker, { t: 'parley:inspect.msgs', msgs: m.msgs });
        return;
      case 'parley:inspect.announce':
        for (const x of others(s)) send(x.worker, { t: 'parley:inspect.announce', to: s.worker.id, req: m.req });
        return;
      case 'parley:inspect.calls': {
        const to = states.get(m.to);
        if (to) send(to.worker, { t: 'parley:inspect.calls', req: m.req, calls: m.calls });
        return;
      }
      case 'parley:ready':
        s.ready = true;
        if (forwarding) send(s.worker, { t: 'parley:inspect.forward', on: true });
        metrics.workers.set(readyWorkers().length);
        if (!everReady) log.info({ port: m.port, workers: opts.workers }, 'parley serving (cluster)');
        everReady = true;
        if (stopping) send(s.worker, { t: 'parley:drain' });
        return;
      case 'parley:admit':
        return send(s.worker, { t: 'parley:admitted', id: m.id, ok: admission.request(s.worker.id) });
      case 'parley:settle':
        return admission.settle(s.worker.id);
      case 'parley:calls':
        s.live[m.protocol] = (s.live[m.protocol] ?? 0) + m.delta;
        if (m.delta > 0) admission.started(s.worker.id); // the call takes over its grant
        return;
      case 'parley:snapshot':
        return metrics.snapshot(s.worker.id, m.id, m.metrics);
      case 'parley:scrape':
        metrics.aggregate(readyWorkers()).then(
          (text) => send(s.worker, { t: 'parley:aggregate', id: m.id, text }),
          (err: unknown) => {
            const error = err instanceof Error ? err.message : String(err);
            log.error({ err: error }, 'metrics aggregate failed');
            send(s.worker, { t: 'parley:aggregate', id: m.id, error });
          },
        );
        return;
      case 'parley:bye':
        s.said = 'bye';
        return;
    }
  };

  return new Promise<number>((resolve) => {
    let backstop: NodeJS.Timeout | undefined;
    const finishIfDone = () => {
      if (states.size > 0) return;
      clearTimeout(backstop);
      log.info({ failed }, 'cluster shutdown complete');
      log.flush();
      resolve(failed ? 1 : 0);
    };

    cluster.on('exit', (worker, code, signal) => {
      const s = states.get(worker.id);
      if (!s) return;
      states.delete(worker.id);
      admission.forget(worker.id);
      metrics.forget(worker.id);
      // Its calls ended with it: the other workers' inspect clients are told.
      for (const x of states.values()) if (x.inspecting) send(x.worker, { t: 'parley:inspect.gone', worker: worker.id });
      inspectForwarding(); // it may have been the one with the clients
      metrics.workers.set(readyWorkers().length);
      const calls = Object.values(s.live).reduce((n, v) => n + v, 0);
      const clean = code === 0 && s.said === 'bye';
      if (calls > 0 || !clean) {
        // Calls it held ended without their worker counting them: they count here, as error.
        metrics.workerDied(s.live);
        log.error({ worker: worker.id, pid: worker.process.pid, code, signal, calls: { ...s.live } }, 'worker died; its live calls are counted as ended (error)');
      }
      if (!clean) failed ||= stopping;
      if (stopping) return finishIfDone();
      if (!everReady) {
        // It never served: a configuration or port problem that every replacement would repeat.
        log.fatal({ worker: worker.id, code, signal }, 'worker failed to start; stopping the cluster');
        failed = true;
        return stop('worker start failure');
      }
      const early = Date.now() - s.startedAt < RESPAWN_DELAY_MS;
      setTimeout(() => {
        if (!stopping) fork();
      }, early ? RESPAWN_DELAY_MS : 0);
    });

    const stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      admission.close();
      log.info({ signal: why, workers: states.size }, 'shutting down: draining every worker');
      for (const s of states.values()) if (s.ready) send(s.worker, { t: 'parley:drain' });
      backstop = setTimeout(() => {
        log.error({ workers: [...states.keys()] }, 'workers still running after the drain deadline; killing them');
        failed = true;
        for (const s of states.values()) s.worker.process.kill('SIGKILL');
      }, opts.drainMs + BACKSTOP_MS + PRIMARY_GRACE_MS);
      finishIfDone();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));

    for (let i = 0; i < opts.workers; i++) fork();
  });
}
