// Test model of machines/aiLink.ts, in two variants: reconnects allowed (2 attempts, the runtime's
// reconnect.attempts) and none (a loss gives up at once). Roles name the stimulus
// (src/tools/mbt/stimuli/aiLink.ts).
import { aiLinkMachine } from '../../../../machines/aiLink.js';
import { template, inStates, type Ctx, type MachineModel } from './types.js';

const current = (ctx: Ctx) => ({ generation: ctx['generation'] });
const when = (values: readonly string[], payload: (ctx: Ctx) => Record<string, unknown>) => (v: string, ctx: Ctx) =>
  values.includes(v) ? payload(ctx) : undefined;

export const aiLinkModel: MachineModel = {
  name: 'aiLink',
  machine: aiLinkMachine,
  variants: [
    { label: 'attempts=2', input: { maxAttempts: 2 }, attempts: 2 },
    { label: 'attempts=0', input: { maxAttempts: 0 }, attempts: 0 },
  ],
  templates: [
    inStates('START', 'callStart', ['idle']),
    template('AI_OPEN', 'release', when(['connecting'], current)),
    // Connecting: the upgrade is refused (a close) or the provider answers with an error first.
    template('AI_CLOSE', 'refuseFatal', when(['connecting'], (c) => ({ ...current(c), fatal: true }))),
    template('AI_CLOSE', 'refuse', when(['connecting'], (c) => ({ ...current(c), fatal: false }))),
    template('AI_ERROR', 'errorFatal', when(['connecting', 'open'], (c) => ({ ...current(c), fatal: true }))),
    // Open: a recoverable error leaves the session open (no transition; the e2e test checks it).
    template('AI_ERROR', 'error', when(['connecting'], (c) => ({ ...current(c), fatal: false }))),
    // Open: the provider closes with a policy code, or the socket drops.
    template('AI_CLOSE', 'closeFatal', when(['open'], (c) => ({ ...current(c), fatal: true }))),
    template('AI_CLOSE', 'drop', when(['open'], (c) => ({ ...current(c), fatal: false }))),
    template('TIMER_FIRED', 'reconnect', when(['backoff'], (c) => ({ timer: 'reconnect', ...current(c) }))),
    inStates('STOP', 'hangup', ['idle', 'connecting', 'open', 'backoff', 'failed']),
  ],
  abstract: (value, ctx) => `${value}|${String(ctx['attempt'])}|${String(ctx['everOpened'])}|${String(ctx['maxAttempts'])}`,
  project: (ctx) => ({ generation: ctx['generation'], attempt: ctx['attempt'], everOpened: ctx['everOpened'] }),
};
