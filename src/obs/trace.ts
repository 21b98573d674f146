// Per-call NDJSON traces under PARLEY_TRACE_DIR: one JSON object per line, the input of trace
// validation (a recorded run replayed against the TLA+ specs). Machine steps come from XState's
// inspect API; the runtime adds media-core, telephony and AI records.
//
// Line format (version 1):
//   { "seq": 0, "t": 0, "src": "runtime", "event": "trace.start",
//     "data": { "version": 1, "callId", "protocol", "wall": ISO-8601 } }
//   { "seq": n, "t": ms since trace.start (monotonic, 3 decimals), "src": "machine",
//     "machine": "turn", "event": "SPEECH_STARTED", "from": "agentSpeaking", "to": "interrupted",
//     "tags": [...], "actions": [...], "ctx": { ...machine context after the step },
//     "data": { ...event payload } }
//   { "seq": n, "t", "src": "media" | "telephony" | "ai" | "runtime", "event": "<kind>", "data": {...} }
//   last line: { "seq", "t", "src": "runtime", "event": "trace.end", "data": { "dropped": n } }
// seq is dense from 0 unless lines were dropped under backpressure (then trace.end says how many).
// Order is causal: a machine step's line comes where its event arrived, before the records its
// actions produced and before the steps of the machines those actions drove.
// from/to are state values flattened to dotted strings ("active.speaking"); an event that changes
// nothing has from === to. Audio bytes never appear in a trace.
import { createWriteStream, existsSync, mkdirSync, openSync, renameSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InspectionEvent } from 'xstate';
import type { InspectableActor } from './inspect/hub.js';

export type TraceSource = 'machine' | 'media' | 'telephony' | 'ai' | 'runtime';

export interface TraceRecord {
  readonly seq: number;
  readonly t: number;
  readonly src: TraceSource;
  readonly machine?: string;
  readonly event: string;
  readonly from?: string;
  readonly to?: string;
  readonly tags?: readonly string[];
  /** Machine lines: the actions the step executed, in order. */
  readonly actions?: readonly string[];
  /** Machine lines: set when the actor had already stopped, so the event changed nothing. */
  readonly ignored?: string;
  readonly ctx?: unknown;
  readonly data?: unknown;
}

export interface CallTrace {
  /** Records one step of a machine (called from the inspector) or any other source. */
  record(src: TraceSource, event: string, fields?: Omit<TraceRecord, 'seq' | 't' | 'src' | 'event'>): void;
  /**
   * An XState `inspect` callback that records every processed event of the named machine, or
   * undefined when nothing records them (XState then builds no inspection events at all).
   */
  inspector(machine: string): ((ev: InspectionEvent) => void) | undefined;
  /** Hands over a created actor for inspection on demand (the /inspect hub); optional. */
  watch?(machine: string, actor: InspectableActor): void;
  /** Renames the file after the call's id once it is known (keeps the old name on collision). */
  rename(id: string): void;
  /** The file path, or undefined when tracing is off. */
  readonly path: string | undefined;
  close(): Promise<void>;
}

/** Flattens an XState state value: "a", {a: "b"} → "a.b", parallel {a: "x", b: "y"} → "a.x|b.y". */
export function flattenState(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, sub]) => {
      const s = flattenState(sub);
      return s ? `${k}.${s}` : k;
    });
    return parts.join('|');
  }
  return '';
}

/** Copies an event for the trace, replacing binary payloads by their length. */
function eventData(e: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [k, v] of Object.entries(e)) {
    if (k === 'type') continue;
    any = true;
    out[k] = v instanceof Uint8Array ? { bytes: v.byteLength } : v;
  }
  return any ? out : undefined;
}

interface SnapshotLike {
  value: unknown;
  context: unknown;
  tags?: Set<string>;
  status?: string;
}

class NullTrace implements CallTrace {
  readonly path = undefined;
  record(): void {}
  rename(): void {}
  inspector(): undefined {
    return undefined;
  }
  async close(): Promise<void> {}
}

export const NULL_TRACE: CallTrace = new NullTrace();

export interface TraceOptions {
  readonly dir: string;
  readonly callId: string;
  readonly protocol: string;
  /** Lines are dropped (and counted) while this many bytes wait to be written. */
  readonly maxBufferedBytes?: number;
  readonly onDrop?: (n: number) => void;
}

const fileName = (id: string) => `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.ndjson`;

/** A machine step being processed: its line is written where the event arrived. */
interface Step {
  readonly t: number;
  readonly machine: string;
  readonly from: string | undefined;
  readonly actions: string[];
  record: Omit<TraceRecord, 'seq'> | undefined;
}

type Held = Omit<TraceRecord, 'seq'> | Step;
const isStep = (h: Held): h is Step => 'actions' in h;

/** Held lines beyond this are written even if a step never completed (a stopped actor). */
const MAX_HELD = 10_000;

class FileTrace implements CallTrace {
  path: string;
  private readonly out: WriteStream;
  private readonly t0 = performance.now();
  private seq = 0;
  private dropped = 0;
  private closed = false;
  private readonly last = new Map<string, string>();
  /** Steps in progress, per machine, and the lines waiting for the outermost one to finish. */
  private readonly open = new Map<string, Step>();
  /** Events that arrived while their machine was busy (an action sent them): processed next, in order. */
  private readonly queued = new Map<string, number>();
  private held: Held[] = [];

  constructor(private readonly opts: TraceOptions) {
    mkdirSync(opts.dir, { recursive: true });
    this.path = join(opts.dir, fileName(opts.callId));
    // Opened synchronously so the file exists at once (rename may follow immediately).
    this.out = createWriteStream('', { fd: openSync(this.path, 'w') });
    this.out.on('error', () => {
      this.closed = true;
    });
    this.write({ t: 0, src: 'runtime', event: 'trace.start', data: { version: 1, callId: opts.callId, protocol: opts.protocol, wall: new Date().toISOString() } });
  }

  private now(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  private write(r: Omit<TraceRecord, 'seq'>, force = false): void {
    if (this.closed) return;
    const seq = this.seq++;
    if (!force && this.out.writableLength > (this.opts.maxBufferedBytes ?? 1 << 20)) {
      this.dropped += 1;
      this.opts.onDrop?.(1);
      return;
    }
    let line: string;
    try {
      line = JSON.stringify({ seq, ...r });
    } catch {
      line = JSON.stringify({ seq, ...r, ctx: '<unserialisable>', data: '<unserialisable>' });
    }
    this.out.write(`${line}\n`);
  }

  /** Writes held lines once no step is in progress (or when too many are held). */
  private flushHeld(force = false): void {
    if (!force && this.open.size > 0 && this.held.length < MAX_HELD) return;
    const held = this.held;
    this.held = [];
    for (const h of held) {
      if (!isStep(h)) this.write(h);
      else if (h.record) this.write(h.record);
      else this.write({ t: h.t, src: 'machine', machine: h.machine, event: 'step.incomplete', ...(h.from !== undefined ? { from: h.from } : {}) });
    }
  }

  record(src: TraceSource, event: string, fields: Omit<TraceRecord, 'seq' | 't' | 'src' | 'event'> = {}): void {
    const r = { t: this.now(), src, event, ...fields };
    if (this.open.size > 0) {
      this.held.push(r);
      this.flushHeld();
    } else this.write(r);
  }

  rename(id: string): void {
    const next = join(this.opts.dir, fileName(id));
    if (next === this.path || existsSync(next)) return;
    try {
      renameSync(this.path, next); // the open descriptor keeps writing to the renamed file
      this.path = next;
    } catch {
      // keep the old name
    }
  }

  /**
   * Lines come out in causal order: a step's line sits where its event arrived, before the
   * records its actions produce and before the steps of the machines those actions drive.
   */
  inspector(machine: string): (ev: InspectionEvent) => void {
    return (ev) => {
      switch (ev.type) {
        case '@xstate.event': {
          if (this.open.has(machine)) {
            // Queued behind the current step; its step opens when that one completes, so the
            // actions it runs are recorded with it.
            this.queued.set(machine, (this.queued.get(machine) ?? 0) + 1);
            return;
          }
          const status = (ev.actorRef.getSnapshot() as { status?: string } | undefined)?.status;
          if (status !== undefined && status !== 'active') {
            // A finished actor takes no step (and reports no snapshot): record the event as ignored.
            const e = ev.event as Record<string, unknown> & { type: string };
            const last = this.last.get(machine);
            const data = eventData(e);
            this.record('machine', e.type, { machine, ...(last !== undefined ? { from: last, to: last } : {}), ignored: `actor ${status}`, ...(data ? { data } : {}) });
            return;
          }
          const step: Step = { t: this.now(), machine, from: this.last.get(machine), actions: [], record: undefined };
          this.open.set(machine, step);
          this.held.push(step);
          return;
        }
        case '@xstate.action': {
          const type = (ev as unknown as { action: { type: string } }).action.type;
          this.open.get(machine)?.actions.push(type);
          return;
        }
        case '@xstate.snapshot': {
          const snap = ev.snapshot as unknown as SnapshotLike;
          const to = flattenState(snap.value);
          this.last.set(machine, to);
          const e = ev.event as Record<string, unknown> & { type: string };
          const data = eventData(e);
          let step = this.open.get(machine);
          if (!step) {
            step = { t: this.now(), machine, from: undefined, actions: [], record: undefined };
            this.held.push(step);
          }
          this.open.delete(machine);
          // A finished actor processes nothing more: what was queued for it is dropped by XState.
          const waiting = snap.status === undefined || snap.status === 'active' ? (this.queued.get(machine) ?? 0) : 0;
          if (waiting === 0) this.queued.delete(machine);
          else {
            this.queued.set(machine, waiting - 1);
            const next: Step = { t: this.now(), machine, from: to, actions: [], record: undefined };
            this.open.set(machine, next);
            this.held.push(next);
          }
          step.record = {
            t: step.t,
            src: 'machine',
            machine,
            event: e.type,
            ...(step.from !== undefined ? { from: step.from } : {}),
            to,
            tags: snap.tags ? [...snap.tags].sort() : [],
            ...(step.actions.length ? { actions: step.actions } : {}),
            ctx: snap.context,
            ...(data ? { data } : {}),
          };
          this.flushHeld();
          return;
        }
        default:
          return;
      }
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.open.clear();
    this.flushHeld(true);
    this.write({ t: this.now(), src: 'runtime', event: 'trace.end', data: { dropped: this.dropped } }, true);
    this.closed = true;
    await new Promise<void>((resolve) => this.out.end(() => resolve()));
  }
}

/** A trace for one call, or the null trace when no directory is configured. */
export function openCallTrace(opts: Partial<TraceOptions> & { callId: string; protocol: string }): CallTrace {
  if (!opts.dir) return NULL_TRACE;
  return new FileTrace(opts as TraceOptions);
}
