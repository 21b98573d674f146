// Call-record metrics, registered in the server's registry beside the core ones (src/obs).
import { Counter, Gauge, type Registry } from 'prom-client';

export class RecordsMetrics {
  /** Events acknowledged by the webhook (2xx), by type. */
  readonly eventsDelivered: Counter<'type'>;
  /** Failed delivery attempts (retried with backoff), by why: http_<status>, timeout, network. */
  readonly eventsRetries: Counter<'why'>;
  /** Events given up, by type and reason: overflow (the queue's bound). */
  readonly eventsDropped: Counter<'type' | 'reason'>;
  /** Events kept in memory only: the outbox was over its bound or the disk failed. */
  readonly outboxRefused: Counter<'reason'>;
  readonly eventsQueued: Gauge;
  /** Events a previous process left unacknowledged in the outbox, redelivered at start. */
  readonly eventsRecovered: Counter;
  readonly recordings: Counter<'outcome'>;
  /** Recordings stopped before the call ended, by why: disk_full, io_error, slow_disk. */
  readonly recordingErrors: Counter<'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.eventsDelivered = new Counter({ name: 'parley_events_delivered_total', help: 'call events acknowledged by the events webhook, by type', labelNames: ['type'], registers });
    this.eventsRetries = new Counter({
      name: 'parley_events_retries_total',
      help: 'failed events webhook attempts, retried with backoff, by why (http_<status>, timeout, network)',
      labelNames: ['why'],
      registers,
    });
    this.eventsDropped = new Counter({
      name: 'parley_events_dropped_total',
      help: 'call events dropped by the per-process queue bound (oldest call.transcript first, never call.ended), by type',
      labelNames: ['type', 'reason'],
      registers,
    });
    this.outboxRefused = new Counter({
      name: 'parley_events_outbox_refused_total',
      help: 'call events not written to the durable outbox (over_bound, io_error): delivered from memory only',
      labelNames: ['reason'],
      registers,
    });
    this.eventsQueued = new Gauge({ name: 'parley_events_queued', help: 'call events waiting for delivery', registers });
    this.eventsRecovered = new Counter({ name: 'parley_events_recovered_total', help: 'unacknowledged events a previous process left in the outbox, redelivered', registers });
    this.recordings = new Counter({ name: 'parley_recordings_total', help: 'call recordings by outcome (complete, stopped)', labelNames: ['outcome'], registers });
    this.recordingErrors = new Counter({
      name: 'parley_recording_errors_total',
      help: 'recordings stopped early (the call went on), by reason: disk_full, io_error, slow_disk',
      labelNames: ['reason'],
      registers,
    });
  }
}
