// Fixture machines for the visualiser tests: every shape the renderer must draw (compound,
// parallel, final, initial states, root-level, internal, eventless and guarded transitions with
// and/or/not), in two versions for the diff. Graphs come from the real generator.
import { and, not, setup, type AnyStateMachine } from 'xstate';
import { emitJson } from '../../../src/tools/gen/emit/json.js';
import { extractModel } from '../../../src/tools/gen/extract.js';
import { parseGraphText, type MachineGraph } from '../../../src/tools/viz/graph.js';

const base = setup({
  types: { events: {} as { type: 'POWER' | 'RESET' | 'LOUD' | 'QUIET' | 'TICK' | 'UP' | 'DOWN' | 'FINISH' | 'WAKE' } },
  guards: { ready: () => true, calm: () => false },
  actions: { log: () => {}, beep: () => {}, hush: () => {} },
});

export const fixtureV1 = base.createMachine({
  id: 'fixture',
  initial: 'off',
  on: { RESET: '.off' },
  states: {
    off: { on: { POWER: { target: 'on', actions: 'log' } } },
    on: {
      type: 'parallel',
      entry: 'beep',
      on: { POWER: 'off', FINISH: 'done' },
      states: {
        audio: {
          initial: 'quiet',
          states: {
            quiet: { tags: ['media.capture'], on: { LOUD: { guard: and(['ready', not('calm')]), target: 'loud' } } },
            loud: { tags: ['media.playout'], exit: 'hush', on: { QUIET: 'quiet', TICK: { actions: 'log' } } },
          },
        },
        link: {
          initial: 'down',
          states: {
            down: { on: { UP: 'up' } },
            up: { always: { guard: 'calm', target: 'down' }, on: { DOWN: 'down' } },
          },
        },
      },
    },
    done: { type: 'final' },
  },
});

/** v1 with: `done` removed, `standby` added, `quiet` re-tagged, UP retargeted, TICK gone, WAKE added. */
export const fixtureV2 = base.createMachine({
  id: 'fixture',
  initial: 'off',
  on: { RESET: '.off' },
  states: {
    off: { on: { POWER: { target: 'on', actions: 'log' }, WAKE: 'standby' } },
    standby: { on: { POWER: 'on' } },
    on: {
      type: 'parallel',
      entry: 'beep',
      on: { POWER: 'off' },
      states: {
        audio: {
          initial: 'quiet',
          states: {
            quiet: { tags: ['media.capture', 'media.playout'], on: { LOUD: { guard: and(['ready', not('calm')]), target: 'loud' } } },
            loud: { tags: ['media.playout'], exit: 'hush', on: { QUIET: 'quiet' } },
          },
        },
        link: {
          initial: 'down',
          states: {
            down: { on: { UP: { target: 'up', actions: 'beep' } } },
            up: { always: { guard: 'calm', target: 'down' }, on: { DOWN: 'down' } },
          },
        },
      },
    },
  },
});

export function graphOf(name: string, machine: AnyStateMachine): MachineGraph {
  return parseGraphText(emitJson(extractModel({ name, source: `test/tools/viz/fixtures.ts`, machine })), name);
}

export function graphJson(name: string, machine: AnyStateMachine): string {
  return emitJson(extractModel({ name, source: `test/tools/viz/fixtures.ts`, machine }));
}

interface LiveNode {
  readonly id: string;
  readonly key: string;
  readonly states: Readonly<Record<string, LiveNode>>;
}

/** Every state node of a live machine except the root, walked from `machine.root`. */
export function liveStates(machine: AnyStateMachine): { id: string; key: string }[] {
  const out: { id: string; key: string }[] = [];
  const walk = (n: LiveNode): void => {
    for (const c of Object.values(n.states)) {
      out.push({ id: c.id, key: c.key });
      walk(c);
    }
  };
  walk(machine.root as unknown as LiveNode);
  return out;
}
