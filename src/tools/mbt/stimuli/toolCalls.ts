// Stimuli of the toolCalls machine. The scripted agent calls the bridge's held tool inside its
// active response (one is created when none is); outputs are the held requests answered one by
// one, with another response made active (or none left active) first when the model's event says
// so; a newer caller turn is the agent's speech_started; the loss is a socket drop; the end a hang-up.
import { hangup } from './common.js';
import type { Stimulus, StimulusTable } from './types.js';
import type { World } from '../world.js';

let made = 0;

/** The agent's active response on the current connection (created when none is). */
async function agentResponse(w: World): Promise<void> {
  await w.ensureLinkOpen();
  if (w.script().activeResponse !== undefined) return;
  await w.createResponse(`tools-${++made}`);
}

const call: Stimulus = async (w) => {
  await agentResponse(w);
  if (!w.script().callFunction('lookup', '{}')) throw new Error('the agent has no active response to call a function in');
};

/** Another response active (true) or none (false) in the runtime when the output arrives. */
const output =
  (active: boolean | undefined): Stimulus =>
  async (w) => {
    if (active === true && w.state('turn').context['activeResponse'] === null) {
      await w.createResponse(`busy-${++made}`);
      await w.observer.until(() => w.state('turn').context['activeResponse'] !== null, 'another response to be active');
    }
    if (active === false && w.state('turn').context['activeResponse'] !== null) {
      w.script().completeResponse();
      await w.observer.until(() => w.state('turn').context['activeResponse'] === null, 'no response to be active');
    }
    await w.bridge.tool.releaseNext();
  };

export const toolCallsStimuli: StimulusTable = {
  'FUNCTION_CALL:call': call,
  'RESPONSE_DONE:done': (w) => {
    if (!w.script().completeResponse()) throw new Error('the agent has no active response to end');
  },
  // The caller's turn made the runtime cancel the response: its response.done comes by itself.
  'RESPONSE_DONE:cancelled': () => {},
  'OUTPUT:output': output(undefined),
  'OUTPUT:outputBusy': output(true),
  'OUTPUT:outputFree': output(false),
  'CALLER_TURN:speech': (w) => w.script().speechStarted(),
  'LINK_LOST:drop': (w) => {
    if (w.bridge.net.dropAll() === 0) throw new Error('no AI connection to drop');
  },
  'END:hangup': hangup,
};
