// A machine's test model: the concrete events a test may send in each configuration (each with a
// role that names the stimulus which produces it in the running system), the abstraction of the
// context that keeps path generation finite, and the context the runtime must agree on after
// each step.
import type { AnyStateMachine, EventObject } from 'xstate';

export type Ctx = Readonly<Record<string, unknown>>;

/** A model event: the machine event plus the role its stimulus plays. */
export type ModelEvent = EventObject & { readonly role: string; readonly [field: string]: unknown };

export interface EventTemplate {
  readonly type: string;
  /** Names the stimulus ("bargeIn", "drop", "late" …). */
  readonly role: string;
  /** The concrete event for this configuration, or undefined when the test never sends it here. */
  build(value: string, ctx: Ctx): Record<string, unknown> | undefined;
}

export interface ModelVariant {
  /** Shown in path names when a machine has several (e.g. "attempts=0"). */
  readonly label: string;
  /** Machine input of the model (the runtime is configured to match it). */
  readonly input?: unknown;
  /** Settings the bridge needs for this variant. */
  readonly attempts?: number;
}

export interface MachineModel {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly variants: readonly ModelVariant[];
  readonly templates: readonly EventTemplate[];
  /** The abstract configuration: the value plus the context the guards depend on. */
  abstract(value: string, ctx: Ctx): string;
  /** The context the runtime's actor must match after each step (ids abstracted away). */
  project(ctx: Ctx): Readonly<Record<string, unknown>>;
}

export const template = (type: string, role: string, build: EventTemplate['build']): EventTemplate => ({ type, role, build });

/** A template offered only in the listed configurations (with a fixed payload). */
export const inStates = (type: string, role: string, values: readonly string[], payload: Record<string, unknown> = {}): EventTemplate =>
  template(type, role, (value) => (values.includes(value) ? payload : undefined));
