// What each event does in each configuration, computed by XState itself: every named guard is
// replaced by an oracle whose answers we choose, every named action by a recorder, and the
// machine is stepped with xstate's pure `transition()` once per combination of answers. The
// guards asked form a decision tree, so priority between candidates, and/or/not, parallel
// regions and eventless follow-ups are exactly XState's semantics, not a re-implementation.
// Abstraction: a guard instance (name + params) has one value per step, as in the pre-state.
import { initialTransition, transition, type AnyMachineSnapshot, type AnyStateMachine } from 'xstate';
import { configurationNameOf, configurationValue } from './configurations.js';
import { guardInstance, isJson } from './guards.js';
import { GeneratorError, type Decision, type GuardInstance, type StateNodeInfo } from './model.js';

class Oracle {
  private answers: readonly boolean[] = [];
  private asked = 0;
  private memo = new Map<string, boolean>();
  pending: GuardInstance | undefined;

  reset(answers: readonly boolean[]): void {
    this.answers = answers;
    this.asked = 0;
    this.memo.clear();
    this.pending = undefined;
  }

  ask(name: string, params: unknown): boolean {
    const inst = guardInstance(name, params !== undefined && isJson(params) ? params : undefined);
    const known = this.memo.get(inst.key);
    if (known !== undefined) return known;
    const i = this.asked++;
    const answer = this.answers[i];
    const v = answer ?? false;
    if (answer === undefined) this.pending ??= inst;
    this.memo.set(inst.key, v);
    return v;
  }
}

function sameDecision(a: Decision, b: Decision): boolean {
  if (a.kind === 'leaf' && b.kind === 'leaf') {
    return a.target === b.target && a.actions.length === b.actions.length && a.actions.every((x, i) => x === b.actions[i]);
  }
  if (a.kind === 'branch' && b.kind === 'branch') {
    return a.guard.key === b.guard.key && sameDecision(a.then, b.then) && sameDecision(a.else, b.else);
  }
  return false;
}

export class Explorer {
  private readonly oracle = new Oracle();
  private readonly machine: AnyStateMachine;
  private readonly context: unknown;

  constructor(
    private readonly name: string,
    machine: AnyStateMachine,
    private readonly root: StateNodeInfo,
    guards: readonly string[],
    private readonly actions: ReadonlySet<string>,
  ) {
    const oracle = this.oracle;
    this.machine = machine.provide({
      guards: Object.fromEntries(guards.map((g) => [g, (_: unknown, params: unknown) => oracle.ask(g, params)])),
      actions: Object.fromEntries([...actions].map((a) => [a, () => undefined])),
    });
    // Guards are oracles and named actions inert, so the context only has to be well-formed.
    let context: unknown = {};
    try {
      context = (initialTransition(this.machine)[0] as AnyMachineSnapshot).context;
    } catch {
      /* a machine that needs input: an empty context will do */
    }
    this.context = context;
  }

  snapshot(configuration: string): AnyMachineSnapshot {
    return this.machine.resolveState({ value: configurationValue(this.root, configuration), context: this.context as never });
  }

  /** The decision tree of `event` in `configuration`, or undefined when it never does anything. */
  decide(configuration: string, event: string): Decision | undefined {
    const from = this.snapshot(configuration);
    if (from.status === 'done') return undefined;
    const tree = this.explore(from, configuration, event, []);
    const inert = (d: Decision): boolean =>
      d.kind === 'leaf' ? d.target === configuration && d.actions.length === 0 : inert(d.then) && inert(d.else);
    return inert(tree) ? undefined : tree;
  }

  private explore(from: AnyMachineSnapshot, configuration: string, event: string, answers: boolean[]): Decision {
    this.oracle.reset(answers);
    let next: AnyMachineSnapshot;
    let executed: readonly { readonly type: string }[];
    try {
      [next, executed] = transition(this.machine, from, { type: event }) as [AnyMachineSnapshot, { type: string }[]];
    } catch (err) {
      throw new GeneratorError(this.name, `stepping '${configuration}' with '${event}': ${(err as Error).message}`);
    }
    const pending = this.oracle.pending;
    if (pending) {
      const then = this.explore(from, configuration, event, [...answers, true]);
      const otherwise = this.explore(from, configuration, event, [...answers, false]);
      return sameDecision(then, otherwise) ? then : { kind: 'branch', guard: pending, then, else: otherwise };
    }
    return {
      kind: 'leaf',
      target: configurationNameOf(next.value),
      actions: executed.map((a) => a.type).filter((t) => this.actions.has(t)),
    };
  }
}
