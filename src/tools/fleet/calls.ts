// The fleet's callers: N simulated calls (parley sim-call's programmatic API) started at an even
// pace through the load balancer, each tagged `?fleet=<id>` so HAProxy's log names the instance
// that took it. Records when each call connected and ended, on this process's clock.
import { SimCall } from '../sim/caller/index.js';
import type { CallReport, ScriptStep } from '../sim/caller/types.js';
import type { TelephonyProtocol } from '../../telephony/types.js';
import { platformOf } from '../../telephony/registry.js';

export interface CallPlan {
  /** ws://host:port of the load balancer. */
  readonly lbUrl: string;
  readonly calls: number;
  /** Call starts are spread evenly over this many ms. */
  readonly spreadMs: number;
  /** Protocols used in turn (call i uses protocols[i % n]). */
  readonly protocols: readonly TelephonyProtocol[];
  readonly script?: readonly ScriptStep[];
  readonly maxCallMs?: number;
  readonly token?: string;
}

export interface CallRecord {
  readonly id: string;
  readonly protocol: TelephonyProtocol;
  /** performance.now() values; connectedAt is undefined when the call never connected. */
  readonly startedAt: number;
  readonly connectedAt: number | undefined;
  readonly endedAt: number;
  readonly report: Omit<CallReport, 'timeline' | 'frames'>;
  /** Outbound frame lateness samples (ms) the caller measured. */
  readonly lateness: readonly number[];
}

export interface CallDriver {
  /** Calls started so far. */
  started(): number;
  /** Resolves when every call has ended. */
  readonly done: Promise<CallRecord[]>;
}

export function driveCalls(plan: CallPlan): CallDriver {
  if (!Number.isInteger(plan.calls) || plan.calls < 1) throw new Error(`fleet: calls must be a positive integer, got ${plan.calls}`);
  if (plan.protocols.length === 0) throw new Error('fleet: at least one protocol is needed');
  let started = 0;
  const t0 = performance.now();
  const runs: Promise<CallRecord>[] = [];
  for (let i = 0; i < plan.calls; i++) {
    const at = plan.calls === 1 ? 0 : (plan.spreadMs * i) / (plan.calls - 1);
    runs.push(
      new Promise<CallRecord>((resolve) => {
        setTimeout(() => {
          const protocol = plan.protocols[i % plan.protocols.length]!;
          const id = `fleet-${i}`;
          const path = platformOf(protocol).path;
          let connectedAt: number | undefined;
          const call = new SimCall({
            url: `${plan.lbUrl}${path}?fleet=${id}`,
            protocol,
            callId: id,
            seed: 11 + i,
            ...(plan.script ? { script: plan.script } : {}),
            ...(plan.maxCallMs ? { maxCallMs: plan.maxCallMs } : {}),
            ...(plan.token ? { token: plan.token } : {}),
            onTimeline: (e) => {
              if (e.kind === 'connected') connectedAt = performance.now();
            },
          });
          started += 1;
          const startedAt = performance.now();
          void call.start().done.then((report) => {
            const { timeline: _t, frames: _f, ...rest } = report;
            resolve({ id, protocol, startedAt, connectedAt, endedAt: performance.now(), report: rest, lateness: call.latenessSamples() });
          });
        }, Math.max(0, t0 + at - performance.now()));
      }),
    );
  }
  return { started: () => started, done: Promise.all(runs) };
}
