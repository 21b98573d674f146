// Stimuli of the playout machine: agent audio of the active response, its end, barge-in (the
// turn machine asks for the flush), and the media thread's reports let through the gate.
import { BIG_WRITE_MS, SMALL_WRITE_MS } from '../models/playout.js';
import { hangup } from './common.js';
import type { Stimulus, StimulusTable } from './types.js';

const write = (ms: number): Stimulus => async (w) => {
  await w.ensureResponse();
  if (!w.script().audioDelta(ms)) throw new Error('the agent has no active response to stream');
};

/** Lets the media thread's reports through until the playout machine took `type`. */
const mediaReport = (type: string): Stimulus => async (w) => {
  const from = w.observer.log('playout').length;
  await w.pump(() => w.observer.log('playout').slice(from).some((s) => s.event.type === type), type);
};

export const playoutStimuli: StimulusTable = {
  'WRITE:small': write(SMALL_WRITE_MS),
  'WRITE:big': write(BIG_WRITE_MS),
  'END_OF_RESPONSE:complete': (w) => {
    if (!w.script().completeResponse()) throw new Error('the agent has no active response to complete');
  },
  'FLUSH:bargeIn': async (w) => {
    await w.ensureLinkOpen();
    w.script().speechStarted();
  },
  'MEDIA_FLUSHED:pump': mediaReport('MEDIA_FLUSHED'),
  'MEDIA_DRAINED:pump': mediaReport('MEDIA_DRAINED'),
  'CLOSE:hangup': hangup,
};
