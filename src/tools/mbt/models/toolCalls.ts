// Test model of machines/toolCalls.ts: one response's tool calls (at most two outstanding, to keep
// the configurations finite), their outputs, the response's end, a newer caller turn, the link's
// loss and the call's end. Roles name the stimulus (src/tools/mbt/stimuli/toolCalls.ts). END is
// offered only while a group is live: with no tool call the runtime has no actor to end.
import { toolCallsMachine } from '../../../../machines/toolCalls.js';
import { template, inStates, type Ctx, type MachineModel } from './types.js';

const MAX_OUTSTANDING = 2;

export const toolCallsModel: MachineModel = {
  name: 'toolCalls',
  machine: toolCallsMachine,
  variants: [{ label: 'default' }],
  templates: [
    template('FUNCTION_CALL', 'call', (v, ctx: Ctx) => ((v === 'idle' || v === 'collecting') && Number(ctx['outstanding']) < MAX_OUTSTANDING ? {} : undefined)),
    inStates('RESPONSE_DONE', 'done', ['collecting']),
    // While the response runs it is the active one; once it ended, another may be active or none.
    inStates('OUTPUT', 'output', ['collecting', 'orphaned'], { responseActive: true }),
    inStates('OUTPUT', 'outputBusy', ['awaiting'], { responseActive: true }),
    inStates('OUTPUT', 'outputFree', ['awaiting'], { responseActive: false }),
    inStates('CALLER_TURN', 'speech', ['collecting', 'awaiting']),
    inStates('LINK_LOST', 'drop', ['collecting', 'awaiting']),
    inStates('END', 'hangup', ['collecting', 'awaiting', 'orphaned']),
  ],
  abstract: (value, ctx) => `${value}|${String(ctx['outstanding'])}|${String(ctx['stale'])}`,
  project: (ctx) => ({ outstanding: ctx['outstanding'], stale: ctx['stale'] }),
};
