// The bridge side of live inspection: every call's machines report their steps here (through
// XState's inspect API), and /inspect clients subscribe. A watched actor (watch()) is inspected
// only while someone subscribes: with nobody watching, XState builds no inspection events for it
// and its state is read from the actor when a summary is asked for. An actor whose trace already
// inspects it (tracing on) reports every step here too; the messages, the sanitised payloads and
// the rolling log are built only while someone subscribes.
import type { InspectionEvent } from 'xstate';
import type { CallTrace } from '../trace.js';
import { flattenState } from '../trace.js';
import {
  activePaths,
  INSPECT_PROTOCOL_VERSION,
  sanitize,
  type CallSummary,
  type InspectMessage,
  type MachineView,
  type StepMessage,
} from './protocol.js';

/** Steps kept per call for a client that connects mid-call. */
export const LOG_PER_CALL = 40;
/** Ended calls still listed (most recent first) so a short call can be looked at afterwards. */
export const ENDED_CALLS_KEPT = 10;

interface SnapshotLike {
  readonly value: unknown;
  readonly tags?: ReadonlySet<string>;
}

export type InspectListener = (msg: InspectMessage) => void;

/** An actor the hub can read and inspect on demand (an XState actor). */
export interface InspectableActor {
  getSnapshot(): unknown;
  readonly system: { inspect(fn: (ev: InspectionEvent) => void): { unsubscribe(): void } };
}

/** What a call's runtime holds: one XState inspect callback per machine, rename, end. */
export interface CallInspection {
  inspector(machine: string): (ev: InspectionEvent) => void;
  /** Inspects the actor only while someone subscribes (instead of an always-on inspector). */
  watch(machine: string, actor: InspectableActor): void;
  rename(callId: string): void;
  end(): void;
}

interface Watched {
  readonly actor: InspectableActor;
  sub: { unsubscribe(): void } | undefined;
}

function view(s: SnapshotLike): MachineView {
  return { value: flattenState(s.value), paths: activePaths(s.value), tags: s.tags ? [...s.tags].sort() : [] };
}

class HubCall {
  readonly startedAt: number;
  endedAt: number | null = null;
  /** end() was called; endedAt is set a microtask later. */
  ending = false;
  seq = 0;
  readonly snapshots = new Map<string, SnapshotLike>();
  /** Actors inspected on demand: attached while the hub has subscribers. */
  readonly watched = new Map<string, Watched>();
  last: StepMessage | null = null;
  log: StepMessage[] = [];

  constructor(
    readonly connId: string,
    public callId: string,
    readonly protocol: string,
    now: number,
  ) {
    this.startedAt = now;
  }

  summary(): CallSummary {
    const machines: Record<string, MachineView> = {};
    for (const [m, s] of this.snapshots) machines[m] = view(s);
    for (const [m, w] of this.watched) if (!w.sub) machines[m] = view(w.actor.getSnapshot() as SnapshotLike);
    return {
      connId: this.connId,
      callId: this.callId,
      protocol: this.protocol,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      machines,
      last: this.last,
      log: [...this.log],
    };
  }
}

export interface InspectHubOptions {
  /** Wall clock in ms (tests inject one). */
  readonly now?: () => number;
  /** Machine names in display order (the registry), sent in hello. */
  readonly machines?: readonly string[];
}

export class InspectHub {
  private readonly calls = new Map<string, HubCall>();
  private ended: CallSummary[] = [];
  private readonly listeners = new Set<InspectListener>();
  private readonly now: () => number;
  private readonly machineNames: readonly string[];
  /** Inspector callbacks that threw (a bug here must never break a call). */
  errors = 0;

  constructor(opts: InspectHubOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.machineNames = opts.machines ?? [];
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  get liveCalls(): number {
    return this.calls.size;
  }

  /** Subscribes; returns the unsubscribe function. Send `hello()` first yourself. */
  subscribe(fn: InspectListener): () => void {
    this.listeners.add(fn);
    if (this.listeners.size === 1) for (const call of this.calls.values()) for (const [m, w] of call.watched) this.attach(call, m, w);
    return () => {
      if (!this.listeners.delete(fn) || this.listeners.size > 0) return;
      for (const call of this.calls.values()) for (const w of call.watched.values()) this.detach(w);
    };
  }

  /** Starts inspecting a watched actor; its current state becomes the step's `from`. */
  private attach(call: HubCall, machine: string, w: Watched): void {
    if (w.sub) return;
    call.snapshots.set(machine, w.actor.getSnapshot() as SnapshotLike);
    w.sub = w.actor.system.inspect((ev) => {
      try {
        this.step(call, machine, ev);
      } catch {
        this.errors += 1;
      }
    });
  }

  private detach(w: Watched): void {
    w.sub?.unsubscribe();
    w.sub = undefined;
  }

  hello(): InspectMessage {
    return {
      type: 'hello',
      version: INSPECT_PROTOCOL_VERSION,
      t: this.now(),
      machines: this.machineNames,
      calls: [...[...this.calls.values()].map((c) => c.summary()), ...this.ended],
    };
  }

  private emit(msg: InspectMessage): void {
    for (const fn of this.listeners) {
      try {
        fn(msg);
      } catch {
        this.errors += 1;
      }
    }
  }

  openCall(connId: string, protocol: string): CallInspection {
    const call = new HubCall(connId, connId, protocol, this.now());
    this.calls.set(connId, call);
    if (this.listeners.size) this.emit({ type: 'call.start', call: call.summary() });
    return {
      inspector: (machine) => (ev) => {
        try {
          this.step(call, machine, ev);
        } catch {
          this.errors += 1;
        }
      },
      watch: (machine, actor) => {
        // A newer actor of the same machine (the next tool-call group) replaces the older one.
        const prev = call.watched.get(machine);
        if (prev) this.detach(prev);
        const w: Watched = { actor, sub: undefined };
        call.watched.set(machine, w);
        call.snapshots.delete(machine);
        if (this.listeners.size && !call.ending) this.attach(call, machine, w);
      },
      rename: (callId) => {
        if (call.ending || callId === call.callId) return;
        call.callId = callId;
        if (this.listeners.size) this.emit({ type: 'call.rename', connId, callId });
      },
      end: () => {
        if (call.ending) return;
        call.ending = true;
        // A runtime ends the call from inside the last machine step (an entry action of the final
        // state); XState reports that step's snapshot right after, synchronously. Finishing in a
        // microtask lets it through, so the final state is the one shown.
        queueMicrotask(() => {
          call.endedAt = this.now();
          this.calls.delete(connId);
          for (const w of call.watched.values()) this.detach(w);
          this.ended = [call.summary(), ...this.ended].slice(0, ENDED_CALLS_KEPT);
          if (this.listeners.size) this.emit({ type: 'call.end', connId, callId: call.callId, t: call.endedAt });
        });
      },
    };
  }

  private step(call: HubCall, machine: string, ev: InspectionEvent): void {
    if (ev.type !== '@xstate.snapshot' || call.endedAt !== null) return;
    const snap = ev.snapshot as unknown as SnapshotLike;
    const prev = call.snapshots.get(machine);
    call.snapshots.set(machine, snap);
    if (this.listeners.size === 0) return;
    const v = view(snap);
    const from = prev ? flattenState(prev.value) : null;
    const event = sanitize(ev.event) as StepMessage['event'];
    const msg: StepMessage = {
      type: 'step',
      connId: call.connId,
      callId: call.callId,
      machine,
      seq: ++call.seq,
      t: this.now(),
      event: { ...event, type: String((ev.event as { type?: unknown }).type ?? '?') },
      from,
      to: v.value,
      changed: from !== v.value,
      view: v,
    };
    call.last = msg;
    call.log.push(msg);
    if (call.log.length > LOG_PER_CALL) call.log = call.log.slice(-LOG_PER_CALL);
    this.emit(msg);
  }

  /**
   * Wraps a call's trace so that every machine it inspects also reports here: the one-line
   * hook for a runtime that already hands `trace.inspector(machine)` to its actors.
   */
  traced(trace: CallTrace, connId: string, protocol: string, opts: { readonly alwaysInspect?: boolean } = {}): CallTrace {
    const call = this.openCall(connId, protocol);
    const inspected = new Set<string>();
    return {
      record: (src, event, fields) => trace.record(src, event, fields),
      // With the trace inspecting anyway (tracing on), the hub rides along on every step;
      // otherwise nothing is inspected until someone subscribes (watch). alwaysInspect keeps
      // the earlier always-on hook (the capacity bench's baseline).
      inspector: (machine) => {
        const a = trace.inspector(machine);
        if (!a && !opts.alwaysInspect) return undefined;
        inspected.add(machine);
        const b = call.inspector(machine);
        if (!a) return b;
        return (ev) => {
          a(ev);
          b(ev);
        };
      },
      watch: (machine, actor) => {
        if (!inspected.has(machine)) call.watch(machine, actor);
      },
      rename: (id) => {
        trace.rename(id);
        call.rename(id);
      },
      get path() {
        return trace.path;
      },
      close: () => {
        call.end();
        return trace.close();
      },
    };
  }
}
