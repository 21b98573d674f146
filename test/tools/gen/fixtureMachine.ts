// A machine that exercises everything the generator must handle: compound and parallel states,
// a top-level final state, initial states, named guards with and without params inside
// and/or/not, tags (with '.' and '-'), entry/exit/transition actions, a reentering transition.
import { and, assign, not, or, setup } from 'xstate';

export const fixtureMachine = setup({
  types: {
    context: {} as { n: number },
    events: {} as { type: 'GO' } | { type: 'STOP' } | { type: 'TICK' } | { type: 'RESET' },
  },
  guards: {
    ready: () => true,
    atMost: (_, params: { max: number }) => params.max > 0,
    busy: () => false,
  },
  actions: {
    start: () => undefined,
    stop: () => undefined,
    bump: assign({ n: ({ context }) => Math.min(context.n + 1, 3) }),
  },
}).createMachine({
  id: 'fixture',
  initial: 'off',
  context: { n: 0 },
  states: {
    off: {
      tags: ['media.accept'],
      on: {
        GO: [
          { guard: and(['ready', not({ type: 'atMost', params: { max: 2 } })]), target: 'on' },
          { guard: or(['busy', 'ready']), target: 'done' },
        ],
      },
    },
    on: {
      type: 'parallel',
      entry: 'start',
      exit: 'stop',
      on: { STOP: 'off', RESET: { target: 'on', reenter: true } },
      states: {
        audio: {
          initial: 'quiet',
          states: {
            quiet: { on: { TICK: 'loud' } },
            loud: { tags: ['media.playout'], on: { TICK: { target: 'quiet', actions: 'bump' } } },
          },
        },
        link: {
          initial: 'down',
          states: { down: { on: { TICK: 'up' } }, up: {} },
        },
      },
    },
    done: { type: 'final', tags: ['media-closing'] },
  },
});
