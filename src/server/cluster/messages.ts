// What the primary and its workers say to each other over the cluster IPC channel (`parley serve
// --workers N`). Every message carries `t`, prefixed `parley:` so other users of the channel
// (Node's own cluster messages) are never mistaken for ours.
import type { Registry } from 'prom-client';
import type { CallSummary, InspectMessage } from '../../obs/inspect/protocol.js';
import type { TelephonyProtocol } from '../../telephony/types.js';

/** One registry's metrics as prom-client's getMetricsAsJSON() gives them (aggregatable). */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

export type WorkerMessage =
  /** The worker's server is listening; calls may land on it. */
  | { readonly t: 'parley:ready'; readonly port: number }
  /** A call attached (+1, taking over its admission grant) or ended (-1) on this worker. */
  | { readonly t: 'parley:calls'; readonly protocol: TelephonyProtocol; readonly delta: 1 | -1 }
  /** May this worker take one more call (PARLEY_MAX_CALLS is the whole cluster's)? */
  | { readonly t: 'parley:admit'; readonly id: number }
  /** A place the primary granted is free again: the attempt failed (a live call's +1 takes it over). */
  | { readonly t: 'parley:settle' }
  /** An HTTP scrape landed on this worker: it asks the primary for the aggregate. */
  | { readonly t: 'parley:scrape'; readonly id: number }
  /** The answer to the primary's `collect`: this worker's own metrics. */
  | { readonly t: 'parley:snapshot'; readonly id: number; readonly metrics: MetricsSnapshot }
  /** Shutdown complete; every `calls` message of this worker was sent before this one. */
  | { readonly t: 'parley:bye' }
  /** This worker has /inspect clients (on) or no longer has any (off). */
  | { readonly t: 'parley:inspect.want'; readonly on: boolean }
  /** What this worker's hub reported (connection ids already prefixed with the worker). */
  | { readonly t: 'parley:inspect.msgs'; readonly msgs: readonly InspectMessage[] }
  /** A new /inspect client here (`req` names it): the other workers should announce their calls to it. */
  | { readonly t: 'parley:inspect.announce'; readonly req: number }
  /** This worker's calls, for worker `to`'s new client `req`. */
  | { readonly t: 'parley:inspect.calls'; readonly to: number; readonly req: number; readonly calls: readonly CallSummary[] };

export type PrimaryMessage =
  /** Send your own metrics (answer with `snapshot`). */
  | { readonly t: 'parley:collect'; readonly id: number }
  /** The aggregate for the worker's `scrape`, or why there is none. */
  | { readonly t: 'parley:aggregate'; readonly id: number; readonly text?: string; readonly error?: string }
  /** The answer to `admit`: when ok, the place is held for this worker until it settles. */
  | { readonly t: 'parley:admitted'; readonly id: number; readonly ok: boolean }
  /** Shut down gracefully (the primary got SIGTERM or SIGINT). */
  | { readonly t: 'parley:drain' }
  /** Forward your hub's messages (some worker has /inspect clients), or stop. */
  | { readonly t: 'parley:inspect.forward'; readonly on: boolean }
  /** Other workers' inspect messages, for this worker's clients. */
  | { readonly t: 'parley:inspect.msgs'; readonly msgs: readonly InspectMessage[] }
  /** Send your calls for worker `to`'s new client `req` (answer with `inspect.calls`). */
  | { readonly t: 'parley:inspect.announce'; readonly to: number; readonly req: number }
  /** Another worker's live calls, for this worker's new client `req` only (as call.start). */
  | { readonly t: 'parley:inspect.calls'; readonly req: number; readonly calls: readonly CallSummary[] }
  /** Worker `worker` died: the calls of it that this worker's clients see have ended. */
  | { readonly t: 'parley:inspect.gone'; readonly worker: number };

function tagged(m: unknown): m is { t: string } {
  return typeof m === 'object' && m !== null && typeof (m as { t?: unknown }).t === 'string' && (m as { t: string }).t.startsWith('parley:');
}

export const isWorkerMessage = (m: unknown): m is WorkerMessage => tagged(m);
export const isPrimaryMessage = (m: unknown): m is PrimaryMessage => tagged(m);
