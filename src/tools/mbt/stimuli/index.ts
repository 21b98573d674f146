// Every machine's stimuli, by "<EVENT>:<role>".
import type { MbtMachineName } from '../models/index.js';
import { aiLinkStimuli } from './aiLink.js';
import { playoutStimuli } from './playout.js';
import { sessionStimuli } from './session.js';
import { toolCallsStimuli } from './toolCalls.js';
import { turnStimuli } from './turn.js';
import type { StimulusTable } from './types.js';

export const STIMULI: Readonly<Record<MbtMachineName, StimulusTable>> = {
  session: sessionStimuli,
  aiLink: aiLinkStimuli,
  turn: turnStimuli,
  playout: playoutStimuli,
  toolCalls: toolCallsStimuli,
};

export type { Stimulus, StimulusTable } from './types.js';
