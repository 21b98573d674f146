// Builds the MachineModel of one registered machine: the node tree, the legal
// configurations in document order, the vocabulary (events, guards, actions, tags) and, for
// every configuration × event, what the event does.
import type { AnyStateMachine } from 'xstate';
import { configurationName, legalConfigurations } from './configurations.js';
import { Explorer } from './explore.js';
import { guardLeaves } from './guards.js';
import { GeneratorError, type Configuration, type GuardInstance, type MachineModel, type StateNodeInfo, type Step } from './model.js';
import { allNodes, walkMachine } from './walk.js';

export interface MachineSource {
  readonly name: string;
  readonly source: string;
  readonly machine: AnyStateMachine;
}

const uniq = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
const BUILTIN = (a: string): boolean => a.startsWith('xstate.') || a.startsWith('inline:');

function configurations(root: StateNodeInfo, done: (name: string) => boolean): Configuration[] {
  const byPath = new Map(allNodes(root).map((n) => [n.path.join('.'), n]));
  return legalConfigurations(root).map((leaves, index) => {
    const active = new Set<StateNodeInfo>();
    for (const leaf of leaves) for (let i = 0; i <= leaf.length; i++) {
      const n = byPath.get(leaf.slice(0, i).join('.'));
      if (n) active.add(n);
    }
    const name = configurationName(leaves);
    return { name, index, leaves, tags: uniq([...active].flatMap((n) => n.tags)).sort(), done: done(name) };
  });
}

export function extractModel(src: MachineSource): MachineModel {
  if (!/^[a-z][A-Za-z0-9]*$/.test(src.name)) throw new GeneratorError(src.name, 'name must be lowerCamelCase');
  const root = walkMachine(src.name, src.machine);
  const nodes = allNodes(root);
  const transitions = nodes.flatMap((n) => n.transitions);

  const instances = new Map<string, GuardInstance>();
  for (const t of transitions) for (const g of t.guard ? guardLeaves(t.guard) : []) instances.set(g.key, g);
  const guardNames = uniq([...instances.values()].map((g) => g.name)).sort();
  const actions = uniq(nodes.flatMap((n) => [...n.entry, ...n.exit, ...n.transitions.flatMap((t) => t.actions)]))
    .filter((a) => !BUILTIN(a))
    .sort();
  const events = uniq(transitions.map((t) => t.event))
    .filter((e) => e !== '' && !e.startsWith('xstate.'))
    .sort();

  const explorer = new Explorer(src.name, src.machine, root, guardNames, new Set(actions));
  const configs = configurations(root, (name) => explorer.snapshot(name).status === 'done');
  if (configs.length > 64) throw new GeneratorError(src.name, `${configs.length} configurations; the state word holds at most 64`);

  const steps: Step[] = [];
  for (const c of configs) {
    for (const event of events) {
      const decision = explorer.decide(c.name, event);
      if (decision) steps.push({ configuration: c.name, event, decision });
    }
  }

  return {
    name: src.name,
    id: src.machine.id,
    source: src.source,
    root,
    configurations: configs,
    initial: initialConfiguration(root),
    events,
    guards: guardNames.map((name) => ({
      name,
      instances: [...instances.values()].filter((g) => g.name === name).sort((a, b) => a.key.localeCompare(b.key)),
    })),
    actions,
    tags: uniq(nodes.flatMap((n) => n.tags)).sort(),
    steps,
  };
}

/** Follow initial children (all regions of a parallel node) down to the leaves. */
function initialConfiguration(root: StateNodeInfo): string {
  const byId = new Map(allNodes(root).map((n) => [n.id, n]));
  const leaves = (n: StateNodeInfo): string[][] => {
    if (n.type === 'parallel') return n.children.filter((c) => c.type !== 'history').flatMap(leaves);
    if (n.children.length === 0) return [[...n.path]];
    const init = n.initial ? byId.get(n.initial) : undefined;
    return init ? leaves(init) : [[...n.path]];
  };
  return configurationName(leaves(root));
}
