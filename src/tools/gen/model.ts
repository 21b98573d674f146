// The generator's view of one machine: everything the emitters need, extracted once from the
// live StateNode objects (never from JSON.stringify, which drops guard combinators).

/** A JSON value, the only thing allowed as guard params. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** A guard as written on a transition: a named guard, or and/or/not of guards. */
export type GuardExpr =
  | { readonly kind: 'named'; readonly name: string; readonly params?: Json }
  | { readonly kind: 'and' | 'or'; readonly args: readonly GuardExpr[] }
  | { readonly kind: 'not'; readonly arg: GuardExpr };

/** One occurrence of a named guard with concrete params: the unit an abstract spec decides. */
export interface GuardInstance {
  readonly name: string;
  readonly params?: Json;
  /** name + canonical JSON of params; equal keys are the same predicate. */
  readonly key: string;
}

export interface TransitionInfo {
  /** Id of the state node the transition is declared on. */
  readonly source: string;
  /** Event type; '' for an eventless (always) transition. */
  readonly event: string;
  readonly guard?: GuardExpr;
  /** Ids of target state nodes; empty for a targetless transition. */
  readonly targets: readonly string[];
  readonly actions: readonly string[];
  readonly reenter: boolean;
}

export type NodeType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface StateNodeInfo {
  readonly id: string;
  /** Keys from the root, e.g. ['active', 'speaking']; [] for the root. */
  readonly path: readonly string[];
  readonly type: NodeType;
  readonly tags: readonly string[];
  /** Id of the initial child (compound only). */
  readonly initial?: string;
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  readonly transitions: readonly TransitionInfo[];
  readonly children: readonly StateNodeInfo[];
}

/**
 * A legal configuration: the set of active atomic states. Its name is the dotted path of each
 * active leaf, joined with '|' for parallel regions ('idle', 'active.speaking|link.open').
 */
export interface Configuration {
  readonly name: string;
  /** Position in document order: the index the runtime writes into a state word. */
  readonly index: number;
  readonly leaves: readonly (readonly string[])[];
  /** Union of the tags of every active node, sorted. */
  readonly tags: readonly string[];
  /** The machine is done in this configuration: it takes no further transitions. */
  readonly done: boolean;
}

/** What one event does in one configuration, as a decision tree over guard instances. */
export type Decision =
  | { readonly kind: 'leaf'; readonly target: string; readonly actions: readonly string[] }
  | { readonly kind: 'branch'; readonly guard: GuardInstance; readonly then: Decision; readonly else: Decision };

export interface Step {
  readonly configuration: string;
  readonly event: string;
  readonly decision: Decision;
}

export interface MachineModel {
  readonly name: string;
  readonly id: string;
  readonly source: string;
  readonly root: StateNodeInfo;
  readonly configurations: readonly Configuration[];
  readonly initial: string;
  readonly events: readonly string[];
  /** Every named guard and whether any reference passes params. */
  readonly guards: readonly { readonly name: string; readonly instances: readonly GuardInstance[] }[];
  readonly actions: readonly string[];
  readonly tags: readonly string[];
  /** Only the (configuration, event) pairs in which the event can do something. */
  readonly steps: readonly Step[];
}

export class GeneratorError extends Error {
  constructor(machine: string, message: string) {
    super(`machine '${machine}': ${message}`);
    this.name = 'GeneratorError';
  }
}
