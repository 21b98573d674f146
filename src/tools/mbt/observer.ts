// Watches the runtime's own actors of one call (XState's inspection API on their systems): every
// event each machine processed, the configuration and context before and after, and the
// transitions it took (computed on the pure machine, so a step the runtime took that the machine
// would not take shows up as a mismatch of states).
import { createActor, type AnyActorRef, type AnyStateMachine, type EventObject, type InspectionEvent } from 'xstate';
import { flattenState } from '../../obs/trace.js';
import type { Call } from '../../session/call.js';
import { takenTransitions } from './machineInfo.js';
import { MBT_MACHINES, type MbtMachineName } from './models/index.js';

export interface MachineState {
  readonly value: string;
  readonly context: Record<string, unknown>;
  readonly tags: readonly string[];
  readonly status: string;
}

export interface ObservedStep {
  readonly machine: MbtMachineName;
  /** Position in this machine's log. */
  readonly index: number;
  readonly event: EventObject;
  readonly before: MachineState;
  readonly after: MachineState;
  /** Transition keys the step took (empty: the event changed nothing). */
  readonly transitions: readonly string[];
}

interface SnapshotLike {
  readonly value: unknown;
  readonly context: Record<string, unknown>;
  readonly tags?: ReadonlySet<string>;
  readonly status?: string;
}

const stateOf = (s: SnapshotLike): MachineState => ({
  value: flattenState(s.value),
  context: structuredClone(s.context),
  tags: s.tags ? [...s.tags].sort() : [],
  status: s.status ?? 'active',
});

export class Observer {
  private readonly logs = new Map<MbtMachineName, ObservedStep[]>();
  private readonly last = new Map<MbtMachineName, MachineState>();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(call: Call) {
    const actors = call.machineActors;
    for (const name of Object.keys(MBT_MACHINES) as MbtMachineName[]) {
      this.logs.set(name, []);
      if (name === 'toolCalls') {
        // One actor per response with tool calls, created as the calls come: one log over all of
        // them (a new group starts where the last one ended, in idle).
        this.last.set(name, stateOf(createActor(MBT_MACHINES.toolCalls).getSnapshot() as unknown as SnapshotLike));
        this.unsubscribers.push(call.watchToolCalls((actor) => this.watch(name, actor)));
        continue;
      }
      this.last.set(name, stateOf(actors[name].getSnapshot() as unknown as SnapshotLike));
      this.watch(name, actors[name]);
    }
  }

  private watch(name: MbtMachineName, actor: AnyActorRef): void {
    const machine: AnyStateMachine = MBT_MACHINES[name];
    const sub = actor.system.inspect((ev: InspectionEvent) => {
      if (ev.type !== '@xstate.snapshot' || ev.actorRef !== actor) return;
      const before = this.last.get(name)!;
      const after = stateOf(ev.snapshot as unknown as SnapshotLike);
      const event = ev.event as EventObject;
      const log = this.logs.get(name)!;
      log.push({ machine: name, index: log.length, event, before, after, transitions: takenTransitions(machine, before.value, before.context, event) });
      this.last.set(name, after);
      for (const w of [...this.waiters]) w();
    });
    this.unsubscribers.push(() => sub.unsubscribe());
  }

  log(machine: MbtMachineName): readonly ObservedStep[] {
    return this.logs.get(machine)!;
  }

  current(machine: MbtMachineName): MachineState {
    return this.last.get(machine)!;
  }

  /** Resolves when `check` holds (checked now and after every observed step), else rejects. */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
    const now = check();
    if (now) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      let poll: NodeJS.Timeout | undefined;
      const done = (): void => {
        this.waiters.delete(test);
        clearTimeout(timer);
        clearInterval(poll);
      };
      const test = (): void => {
        const v = check();
        if (v) {
          done();
          resolve(v);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      // Conditions on things other than machine steps (sockets, the agent) are polled too.
      poll = setInterval(test, 5);
      this.waiters.add(test);
    });
  }

  close(): void {
    for (const u of this.unsubscribers) u();
    this.waiters.clear();
  }
}
