// The session runtime: one Call per accepted telephony socket, all fed by the media engine's
// single coalesced wake-up per tick (never a timer per call).
import type { PlatformDrivers } from './callControl.js';
import type { AiClient } from '../ai/types.js';
import type { ParleyConfig } from '../config/index.js';
import type { AudioFormat, MediaEngine } from '../media/types.js';
import { openCallTrace, type CallTrace, type Logger, type Metrics } from '../obs/index.js';
import type { CallConnection, CallHandler, LiveCall } from './seam.js';
import { Call } from './call.js';
import type { Clock } from '../base/clock.js';
import type { ToolRegistry } from '../functions/registry.js';
import type { CallRecorder } from '../records/index.js';

export interface RuntimeOptions {
  readonly config: ParleyConfig;
  readonly engine: MediaEngine;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  /** Builds the AI client of one call (openai or the embedded local agent). */
  readonly createAiClient: (inputFormat: AudioFormat) => AiClient;
  /** Randomness for backoff jitter, in [0, 1) (default Math.random; tests seed it). */
  readonly random?: () => number;
  /** The functions the model may call (config `tools:`). */
  readonly tools?: ToolRegistry;
  /** How calls are hung up and transferred (call control). */
  readonly platform?: PlatformDrivers;
  /** The call records (transcripts, events webhook, recordings). */
  readonly records?: CallRecorder;
  /** Wraps each call's trace (the /inspect hub hooks in here). */
  readonly wrapTrace?: (trace: CallTrace, connId: string, protocol: string) => CallTrace;
}

export class SessionRuntime implements CallHandler {
  private readonly calls = new Set<Call>();
  private readonly unsubscribe: () => void;
  private tickErrors = 0;

  constructor(private readonly opts: RuntimeOptions) {
    this.unsubscribe = opts.engine.onTick(() => this.tick());
  }

  get liveCalls(): readonly Call[] {
    return [...this.calls];
  }

  accept(conn: CallConnection): LiveCall {
    const { config, metrics, log, clock, engine, random } = this.opts;
    const openTrace = (connId: string, protocol: string): CallTrace => {
      const trace = openCallTrace({
        ...(config.traceDir ? { dir: config.traceDir } : {}),
        callId: connId,
        protocol,
        onDrop: (n) => metrics.drop('trace_backpressure', n),
      });
      return this.opts.wrapTrace ? this.opts.wrapTrace(trace, connId, protocol) : trace;
    };
    const deps = { config, engine, metrics, log, clock, createAiClient: this.opts.createAiClient, openTrace, ...(random ? { random } : {}), ...(this.opts.tools ? { tools: this.opts.tools } : {}), ...(this.opts.platform ? { platform: this.opts.platform } : {}), ...(this.opts.records ? { records: this.opts.records } : {}) };
    const call = new Call(conn, deps, (c) => this.calls.delete(c));
    this.calls.add(call);
    return call;
  }

  private tick(): void {
    for (const call of this.calls) {
      try {
        call.onTick();
      } catch (err) {
        // One call's bug must not stall every other call's audio; log a few, then count.
        this.tickErrors += 1;
        if (this.tickErrors <= 10) this.opts.log.error({ err, callId: call.callId }, 'call tick failed');
      }
    }
  }

  close(): void {
    this.unsubscribe();
  }
}
