// Test model of machines/turn.ts. Response ids are the model's ("r1", "r2" …); the runner maps
// them to the ids the agent really used. Roles name the stimulus (src/tools/mbt/stimuli/turn.ts).
import { turnMachine } from '../../../../machines/turn.js';
import { inStates, template, type Ctx, type MachineModel } from './types.js';

const LIVE = ['listening', 'userSpeaking', 'agentSpeaking', 'interrupted.speaking', 'interrupted.quiet'];
const INTERRUPTED = ['interrupted.speaking', 'interrupted.quiet'];

const active = (ctx: Ctx) => ctx['activeResponse'] as string | null;
const cancelled = (ctx: Ctx) => ctx['cancelledResponse'] as string | null;
export const itemOf = (responseId: string) => `item-${responseId}`;

/** The smallest model id not in use. */
function fresh(ctx: Ctx): string {
  for (let k = 1; ; k++) if (`r${k}` !== active(ctx) && `r${k}` !== cancelled(ctx)) return `r${k}`;
}

const late = (v: string, ctx: Ctx) => {
  const c = cancelled(ctx);
  return LIVE.includes(v) && c !== null && c !== active(ctx) ? { responseId: c, itemId: itemOf(c) } : undefined;
};

export const turnModel: MachineModel = {
  name: 'turn',
  machine: turnMachine,
  variants: [{ label: 'default', input: { position: 'marks', bargeIn: true } }],
  templates: [
    template('RESPONSE_CREATED', 'create', (v, ctx) => (LIVE.includes(v) && active(ctx) === null ? { responseId: fresh(ctx) } : undefined)),
    template('AUDIO_DELTA', 'active', (v, ctx) => {
      const a = active(ctx);
      return LIVE.includes(v) && a !== null ? { responseId: a, itemId: itemOf(a) } : undefined;
    }),
    template('AUDIO_DELTA', 'late', late),
    template('TEXT_DELTA', 'active', (v, ctx) => (LIVE.includes(v) && active(ctx) !== null ? { responseId: active(ctx) } : undefined)),
    template('TEXT_DELTA', 'late', (v, ctx) => {
      const l = late(v, ctx);
      return l ? { responseId: l.responseId } : undefined;
    }),
    template('RESPONSE_DONE', 'complete', (v, ctx) => (LIVE.includes(v) && active(ctx) !== null ? { responseId: active(ctx) } : undefined)),
    inStates('SPEECH_STARTED', 'vad', ['listening', 'userSpeaking', 'agentSpeaking', 'interrupted.quiet'], { itemId: null, deliveredMs: 0, sentMs: 0 }),
    inStates('SPEECH_STOPPED', 'vad', ['userSpeaking', 'interrupted.speaking']),
    // Twilio echoes a mark when its audio played: one of the first epoch while the agent speaks,
    // and one of the epoch a barge-in just cut.
    template('MARK_ECHO', 'current', (v, ctx) => (v === 'agentSpeaking' && ctx['epoch'] === 0 ? { epoch: 0, itemId: 'heard', ms: 0 } : undefined)),
    template('MARK_ECHO', 'stale', (v, ctx) => (INTERRUPTED.includes(v) && ctx['epoch'] === 1 ? { epoch: 0, itemId: 'heard', ms: 0 } : undefined)),
    template('PLAYOUT_DRAINED', 'pump', (v, ctx) =>
      v === 'agentSpeaking' && active(ctx) === null ? { epoch: ctx['epoch'], written: ctx['written'] } : undefined,
    ),
    template('MEDIA_FLUSHED', 'pump', (v, ctx) => (INTERRUPTED.includes(v) ? { epoch: ctx['epoch'] } : undefined)),
    inStates('AI_LINK_LOST', 'drop', LIVE),
    inStates('END', 'hangup', LIVE),
  ],
  abstract: (value, ctx) =>
    [value, active(ctx) !== null, cancelled(ctx) !== null, ctx['mark'] !== null, Math.min(Number(ctx['epoch']), 2)].join('|'),
  project: (ctx) => ({
    active: active(ctx) !== null,
    cancelled: cancelled(ctx) !== null,
    epoch: ctx['epoch'],
    written: ctx['written'],
  }),
};
