// Test model of machines/toolCalls.ts: one response's tool calls (at most two outstanding, to keep
// the configurations finite), their outputs, the response's end, a newer caller turn, the link's
// loss and the call's end. Roles name the stimulus (src/tools/mbt/stimuli/toolCalls.ts). END is
// offered only while a group is live: with no tool call the runtime has no actor to end. A caller
// turn in `collecting` is followed only by the response's end (the runtime cancels it).
import { toolCallsMachine } from '../../../../machines/toolCalls.js';
import { template, inStates, type Ctx, type MachineModel } from './types.js';

const MAX_OUTSTANDING = 2;
/** Not stale: no caller turn has cancelled the running response yet. */
const live = (ctx: Ctx): boolean => ctx['stale'] !== true;
/** Offered in `running` states while the response is live, and in `always` states regardless. */
const when =
  (running: readonly string[], always: readonly string[] = []) =>
  (v: string, ctx: Ctx): Record<string, unknown> | undefined =>
    (running.includes(v) && live(ctx)) || always.includes(v) ? {} : undefined;

export const toolCallsModel: MachineModel = {
  name: 'toolCalls',
  machine: toolCallsMachine,
  variants: [{ label: 'default' }],
  templates: [
    template('FUNCTION_CALL', 'call', (v, ctx) => (v === 'idle' || (v === 'collecting' && live(ctx))) && Number(ctx['outstanding']) < MAX_OUTSTANDING ? {} : undefined),
    template('RESPONSE_DONE', 'done', when(['collecting'])),
    // A caller turn while the response runs makes the turn machine cancel it (barge-in on a pending
    // response): its response.done is the only thing that can follow in the runtime.
    template('RESPONSE_DONE', 'cancelled', (v, ctx) => (v === 'collecting' && ctx['stale'] === true ? {} : undefined)),
    // While the response runs it is the active one; once it ended, another may be active or none.
    template('OUTPUT', 'output', (v, ctx) => ((v === 'collecting' && live(ctx)) || v === 'orphaned' ? { responseActive: true } : undefined)),
    inStates('OUTPUT', 'outputBusy', ['awaiting'], { responseActive: true }),
    inStates('OUTPUT', 'outputFree', ['awaiting'], { responseActive: false }),
    template('CALLER_TURN', 'speech', when(['collecting'], ['awaiting'])),
    template('LINK_LOST', 'drop', when(['collecting'], ['awaiting'])),
    template('END', 'hangup', when(['collecting'], ['awaiting', 'orphaned'])),
  ],
  abstract: (value, ctx) => `${value}|${String(ctx['outstanding'])}|${String(ctx['stale'])}`,
  project: (ctx) => ({ outstanding: ctx['outstanding'], stale: ctx['stale'] }),
};
