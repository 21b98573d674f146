// The process's call records: one CallRecord per call (the observer the session notifies), the
// events webhook queue with its optional durable outbox, and the recordings being written.
// Started by the composition root; drained on shutdown after the calls have ended.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Registry } from 'prom-client';
import type { ParleyConfig } from '../config/index.js';
import type { Logger } from '../obs/index.js';
import { CallRecord } from './callRecord.js';
import { EventDelivery } from './delivery.js';
import { RecordsMetrics } from './metrics.js';
import { Outbox } from './outbox.js';
import { NO_OBSERVER, type CallEvent, type CallObserver, type CallRecorder } from './types.js';

export interface RecordsOptions {
  readonly config: ParleyConfig;
  readonly registry: Registry;
  readonly log: Logger;
  /** Also receives every event (the demo writes them next to its report; tests read them). */
  readonly onEvent?: (ev: CallEvent) => void;
  /** Delivery backoff steps (tests shorten them). */
  readonly backoffMs?: readonly number[];
}

export class CallRecords implements CallRecorder {
  readonly metrics: RecordsMetrics;
  private readonly pending = new Set<Promise<void>>();

  private constructor(
    private readonly opts: RecordsOptions,
    readonly delivery: EventDelivery | undefined,
    private readonly outbox: Outbox | undefined,
    metrics: RecordsMetrics,
  ) {
    this.metrics = metrics;
  }

  static async start(opts: RecordsOptions): Promise<CallRecords> {
    const r = opts.config.records;
    const metrics = new RecordsMetrics(opts.registry);
    const onError = (err: unknown) => opts.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'events outbox I/O failed');
    let outbox: Outbox | undefined;
    let leftovers: CallEvent[] = [];
    if (r.eventsUrl && r.eventsDir) ({ outbox, leftovers } = await Outbox.open(r.eventsDir, r.eventsOutboxBytes, onError));
    const delivery = r.eventsUrl
      ? new EventDelivery({
          url: r.eventsUrl,
          ...(opts.config.webhookSecret ? { secret: opts.config.webhookSecret } : {}),
          queueMax: r.eventsQueueMax,
          timeoutMs: r.eventsTimeoutMs,
          metrics,
          ...(outbox ? { outbox } : {}),
          ...(opts.backoffMs ? { backoffMs: opts.backoffMs } : {}),
        })
      : undefined;
    if (r.recordingDir && r.record) mkdirSync(r.recordingDir, { recursive: true });
    const records = new CallRecords(opts, delivery, outbox, metrics);
    if (leftovers.length > 0) opts.log.info({ events: leftovers.length }, 'redelivering events a previous process left');
    for (const ev of leftovers) {
      metrics.eventsRecovered.inc();
      delivery?.enqueue(ev, true);
    }
    return records;
  }

  get enabled(): boolean {
    const r = this.opts.config.records;
    return this.delivery !== undefined || (r.recordingDir !== undefined && r.record) || this.opts.onEvent !== undefined;
  }

  observe(connId: string): CallObserver {
    if (!this.enabled) return NO_OBSERVER;
    const r = this.opts.config.records;
    return new CallRecord(connId, {
      emit: (ev) => {
        this.delivery?.enqueue(ev);
        this.opts.onEvent?.(ev);
      },
      metrics: this.metrics,
      ...(r.recordingDir && r.record ? { recordingDir: resolve(r.recordingDir) } : {}),
      logToolArguments: r.logToolArguments,
      pending: this.pending,
      onError: (what, err) => this.opts.log.warn({ what, err: err instanceof Error ? err.message : String(err) }, 'call record failed'),
    });
  }

  /** After the calls ended: recordings closed, then events delivered until `deadline` (epoch ms); the rest stays in the outbox. */
  async drain(deadline: number): Promise<void> {
    await Promise.all([...this.pending]);
    const all = (await this.delivery?.drain(deadline)) ?? true;
    if (!all) this.opts.log.warn({ queued: this.delivery?.queued }, 'events not delivered by the drain deadline');
    this.delivery?.close();
    await this.outbox?.close();
  }
}
