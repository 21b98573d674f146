// The named actions of each machine that are effects: the ones a trace records. Assignments
// (xstate.assign) change only the context and do not show up in traces.
import { MBT_MACHINES, type MbtMachineName } from '../models/index.js';

export function effectActions(): Record<MbtMachineName, string[]> {
  const out = {} as Record<MbtMachineName, string[]>;
  for (const [name, machine] of Object.entries(MBT_MACHINES) as [MbtMachineName, (typeof MBT_MACHINES)[MbtMachineName]][]) {
    const actions = (machine.implementations as { actions: Record<string, unknown> }).actions;
    out[name] = Object.entries(actions)
      .filter(([, impl]) => (impl as { type?: unknown } | undefined)?.type !== 'xstate.assign')
      .map(([n]) => n)
      .sort();
  }
  return out;
}
