// Test model of machines/session.ts. Roles name the stimulus (src/tools/mbt/stimuli/session.ts).
import { sessionMachine } from '../../../../machines/session.js';
import { inStates, template, type MachineModel } from './types.js';

const LIVE = ['connecting', 'active.live', 'active.paused', 'farewell'];
const RUNNING = ['active.live', 'active.paused', 'farewell'];

export const sessionModel: MachineModel = {
  name: 'session',
  machine: sessionMachine,
  variants: [{ label: 'default' }],
  templates: [
    inStates('CALL_STARTED', 'start', ['connecting']),
    inStates('PAUSE', 'operator', ['active.live']),
    inStates('RESUME', 'operator', ['active.paused']),
    inStates('HANGUP', 'farSide', LIVE),
    // Before the call started, stop comes from the start timeout; afterwards from the operator.
    inStates('STOP', 'startTimeout', ['connecting']),
    inStates('STOP', 'operator', RUNNING),
    inStates('SOCKET_ERROR', 'drop', LIVE),
    template('SHUTDOWN', 'sigterm', (v, ctx) => (LIVE.includes(v) && ctx['shuttingDown'] !== true ? {} : undefined)),
    inStates('AI_GAVE_UP', 'fatalError', ['active.live', 'active.paused']),
    inStates('PLAYOUT_DRAINED', 'notice', ['farewell']),
    // The drain deadline is shorter than the notice bound, so after SHUTDOWN it fires first.
    template('TIMER_FIRED', 'drainDeadline', (v, ctx) => (RUNNING.includes(v) && ctx['shuttingDown'] === true ? { timer: 'drainDeadline' } : undefined)),
    template('TIMER_FIRED', 'noticeDeadline', (v, ctx) => (v === 'farewell' && ctx['shuttingDown'] !== true ? { timer: 'noticeDeadline' } : undefined)),
    inStates('AI_STOPPED', 'auto', ['draining.stoppingAi']),
    inStates('MEDIA_RELEASED', 'auto', ['draining.releasingMedia']),
  ],
  abstract: (value, ctx) => `${value}|${String(ctx['reason'])}|${String(ctx['shuttingDown'])}`,
  project: (ctx) => ({ reason: ctx['reason'], shuttingDown: ctx['shuttingDown'] }),
};
