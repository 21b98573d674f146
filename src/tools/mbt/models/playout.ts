// Test model of machines/playout.ts. WRITE payloads are the ring's fill after the write (below or
// above the 80 ms lookahead); the stimulus writes a 20 ms or a 200 ms delta. Roles name the
// stimulus (src/tools/mbt/stimuli/playout.ts).
import { playoutMachine } from '../../../../machines/playout.js';
import { inStates, template, type MachineModel } from './types.js';

export const SMALL_WRITE_MS = 20;
export const BIG_WRITE_MS = 200;

export const playoutModel: MachineModel = {
  name: 'playout',
  machine: playoutMachine,
  variants: [{ label: 'default', input: { lookaheadMs: 80 } }],
  templates: [
    inStates('WRITE', 'small', ['idle', 'prefill', 'drained', 'finishing'], { bufferedMs: SMALL_WRITE_MS }),
    inStates('WRITE', 'big', ['idle', 'prefill', 'flushing', 'drained', 'finishing'], { bufferedMs: BIG_WRITE_MS }),
    inStates('END_OF_RESPONSE', 'complete', ['prefill', 'playing']),
    // A second flush needs the turn machine speaking again, i.e. new audio written meanwhile.
    template('FLUSH', 'bargeIn', (v, ctx) => (v === 'prefill' || v === 'playing' || v === 'finishing' || v === 'drained' || (v === 'flushing' && ctx['queuedDuringFlush'] === true) ? {} : undefined)),
    inStates('MEDIA_FLUSHED', 'pump', ['flushing']),
    // A dry ring while the response is live changes nothing (a late chunk): drained only once it ended.
    inStates('MEDIA_DRAINED', 'pump', ['finishing'], { caughtUp: true }),
    inStates('CLOSE', 'hangup', ['idle', 'prefill', 'playing', 'finishing', 'flushing', 'drained']),
  ],
  abstract: (value, ctx) => `${value}|${String(ctx['queuedDuringFlush'])}`,
  project: (ctx) => ({ queuedDuringFlush: ctx['queuedDuringFlush'] }),
};
