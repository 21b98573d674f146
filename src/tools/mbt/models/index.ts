// The machines the model-based tests drive against the running bridge, with their test models.
import type { AnyStateMachine } from 'xstate';
import { aiLinkModel } from './aiLink.js';
import { playoutModel } from './playout.js';
import { sessionModel } from './session.js';
import { toolCallsModel } from './toolCalls.js';
import { turnModel } from './turn.js';
import type { MachineModel } from './types.js';

export type MbtMachineName = 'session' | 'aiLink' | 'turn' | 'playout' | 'toolCalls';

export const MODELS: Readonly<Record<MbtMachineName, MachineModel>> = {
  session: sessionModel,
  aiLink: aiLinkModel,
  turn: turnModel,
  playout: playoutModel,
  toolCalls: toolCallsModel,
};

export const MBT_MACHINES: Readonly<Record<MbtMachineName, AnyStateMachine>> = {
  session: sessionModel.machine,
  aiLink: aiLinkModel.machine,
  turn: turnModel.machine,
  playout: playoutModel.machine,
  toolCalls: toolCallsModel.machine,
};
