// The generated transition relation against the real machine: random event sequences drive a
// real playout actor (real guards, real context), and before every event the generated decision
// tree, with each guard evaluated by the machine's own implementation, must predict the next
// configuration and the effects that actually run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { playoutMachine, type PlayoutEvent } from '../../../machines/playout.js';
import { configurationNameOf } from '../../../src/tools/gen/configurations.js';
import { extractModel } from '../../../src/tools/gen/extract.js';
import type { Decision, GuardInstance } from '../../../src/tools/gen/model.js';

type Leaf = Extract<Decision, { kind: 'leaf' }>;
function evaluate(d: Decision, guard: (g: GuardInstance) => boolean): Leaf {
  return d.kind === 'leaf' ? d : evaluate(guard(d.guard) ? d.then : d.else, guard);
}

const model = extractModel({ name: 'playout', source: 'machines/playout.ts', machine: playoutMachine });
const EFFECTS = ['requestFlush', 'releaseCall'];

type GuardImpl = (args: { context: unknown; event: unknown }, params: unknown) => boolean;
const guards = playoutMachine.implementations.guards as unknown as Record<string, GuardImpl>;

const eventArb: fc.Arbitrary<PlayoutEvent> = fc.oneof(
  fc.record({ type: fc.constant('WRITE' as const), bufferedMs: fc.integer({ min: 0, max: 200 }) }),
  fc.constant({ type: 'END_OF_RESPONSE' as const }),
  fc.constant({ type: 'FLUSH' as const }),
  fc.constant({ type: 'CLOSE' as const }),
  fc.constant({ type: 'MEDIA_FLUSHED' as const }),
  fc.record({ type: fc.constant('MEDIA_DRAINED' as const), caughtUp: fc.boolean() }),
);

describe('generated Next agrees with XState on the live machine', () => {
  it('predicts every step of random runs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 40, max: 200 }), fc.array(eventArb, { maxLength: 40 }), (lookaheadMs, events) => {
        const ran: string[] = [];
        const machine = playoutMachine.provide({
          actions: { requestFlush: () => void ran.push('requestFlush'), releaseCall: () => void ran.push('releaseCall') },
        });
        const actor = createActor(machine, { input: { lookaheadMs } }).start();
        for (const event of events) {
          const before = actor.getSnapshot();
          if (before.status === 'done') break;
          const config = configurationNameOf(before.value);
          const step = model.steps.find((s) => s.configuration === config && s.event === event.type);
          const predicted: Leaf = step
            ? evaluate(step.decision, (g) => {
                const impl = guards[g.name];
                if (!impl) throw new Error(`no implementation of guard ${g.name}`);
                return impl({ context: before.context, event }, g.params);
              })
            : { kind: 'leaf', target: config, actions: [] };
          ran.length = 0;
          actor.send(event);
          expect(configurationNameOf(actor.getSnapshot().value)).toBe(predicted.target);
          expect(ran).toEqual(predicted.actions.filter((a) => EFFECTS.includes(a)));
        }
        actor.stop();
      }),
      { numRuns: 300 },
    );
  });
});
