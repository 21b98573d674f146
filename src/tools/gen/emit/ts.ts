// src/generated/<name>.ts: the configuration list in enum order (= state word index), the
// event and tag vocabularies, and per tag the states carrying it.
import type { MachineModel } from '../model.js';
import { pascal, upperSnake } from '../names.js';
import { banner } from './banner.js';

const list = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;

export function emitTs(m: MachineModel): string {
  const C = upperSnake(m.name);
  const T = pascal(m.name);
  const out: string[] = [];
  out.push(banner('//', m.source, `States, events and tags of the '${m.id}' machine.`));
  out.push(`/** Every configuration, in enum order: the index is the value written into the state word. */`);
  out.push(`export const ${C}_STATES = ${list(m.configurations.map((c) => c.name))} as const;`);
  out.push(`export type ${T}State = (typeof ${C}_STATES)[number];`, '');
  out.push(`export const ${C}_INITIAL: ${T}State = ${JSON.stringify(m.initial)};`);
  out.push(`/** Configurations in which the machine is done. */`);
  out.push(`export const ${C}_DONE: readonly ${T}State[] = ${list(m.configurations.filter((c) => c.done).map((c) => c.name))};`, '');
  out.push(`export const ${C}_STATE_INDEX: Readonly<Record<${T}State, number>> = {`);
  for (const c of m.configurations) out.push(`  ${JSON.stringify(c.name)}: ${c.index},`);
  out.push('};', '');
  out.push(`export const ${C}_EVENTS = ${list(m.events)} as const;`);
  out.push(`export type ${T}EventType = (typeof ${C}_EVENTS)[number];`, '');
  out.push(`export const ${C}_TAG_NAMES = ${list(m.tags)} as const;`);
  out.push(`export type ${T}Tag = (typeof ${C}_TAG_NAMES)[number];`, '');
  out.push(`/** Per tag, the states that carry it (enum order). */`);
  out.push(`export const ${C}_TAGS: Readonly<Record<${T}Tag, readonly ${T}State[]>> = {`);
  for (const tag of m.tags) {
    out.push(`  ${JSON.stringify(tag)}: ${list(m.configurations.filter((c) => c.tags.includes(tag)).map((c) => c.name))},`);
  }
  out.push('};', '');
  return out.join('\n');
}
