// Legal configurations of a statechart (sets of active atomic states), their names, and the
// conversion between a name and an XState state value.
import type { StateValue } from 'xstate';
import type { StateNodeInfo } from './model.js';

/** Active-leaf paths of every legal configuration under `node`, in document order. */
export function legalConfigurations(node: StateNodeInfo): string[][][] {
  const children = node.children.filter((c) => c.type !== 'history');
  if (node.type === 'atomic' || node.type === 'final' || children.length === 0) return [[[...node.path]]];
  if (node.type === 'parallel') {
    // Cartesian product of the regions, first region varying slowest.
    return children.reduce<string[][][]>(
      (acc, region) => acc.flatMap((prefix) => legalConfigurations(region).map((c) => [...prefix, ...c])),
      [[]],
    );
  }
  return children.flatMap(legalConfigurations);
}

export function configurationName(leaves: readonly (readonly string[])[]): string {
  return leaves.map((p) => p.join('.')).join('|');
}

/** 'active.speaking|link.open' → { active: 'speaking', link: 'open' }, shaped like XState's values. */
export function configurationValue(root: StateNodeInfo, name: string): StateValue {
  const leaves = name.split('|').map((p) => p.split('.'));
  const active = (node: StateNodeInfo): boolean =>
    leaves.some((l) => node.path.every((k, i) => l[i] === k));
  const valueOf = (node: StateNodeInfo): StateValue => {
    const kids = node.children.filter((c) => c.type !== 'history');
    if (node.type === 'parallel') {
      return Object.fromEntries(kids.map((c) => [c.path.at(-1) ?? '', c.children.length === 0 ? {} : valueOf(c)]));
    }
    const child = kids.find(active);
    if (!child) return {};
    const key = child.path.at(-1) ?? '';
    return child.children.length === 0 ? key : { [key]: valueOf(child) };
  };
  return valueOf(root);
}

/** XState state value → configuration name (what the runtime maps to a state-word index). */
export function configurationNameOf(value: StateValue): string {
  const leaves: string[][] = [];
  const visit = (v: StateValue, prefix: string[]): void => {
    if (typeof v === 'string') leaves.push([...prefix, v]);
    else {
      const keys = Object.keys(v);
      if (keys.length === 0) leaves.push(prefix);
      for (const k of keys) visit(v[k] ?? {}, [...prefix, k]);
    }
  };
  visit(value, []);
  return configurationName(leaves);
}
