// Stimuli of the aiLink machine. New AI connections are held by the network until released;
// failures while connecting use the sim-agent's per-connection scripting in the upgrade request.
import { hangup, isReconnectTimer } from './common.js';
import type { Stimulus, StimulusTable } from './types.js';

const release = (query?: string): Stimulus => async (w) => {
  await w.bridge.net.waitPending();
  await w.bridge.net.releaseNext(query ? { query } : {});
};

/** Connecting: the provider's error comes before session.created; open: on the live socket. */
const error = (code: string): Stimulus => async (w, step) => {
  if (step.from.value === 'connecting') await release(`sim_fault=error:code=${code}`)(w, step);
  else w.inject({ kind: 'error', code });
};

export const aiLinkStimuli: StimulusTable = {
  'START:callStart': (w) => w.caller.start(),
  'AI_OPEN:release': release(),
  'AI_CLOSE:refuseFatal': release('sim_reject=401'),
  'AI_CLOSE:refuse': release('sim_reject=503'),
  'AI_ERROR:errorFatal': error('invalid_api_key'),
  'AI_ERROR:error': error('server_error'),
  'AI_CLOSE:closeFatal': (w) => w.inject({ kind: 'close', code: 1008 }),
  'AI_CLOSE:drop': (w) => {
    if (w.bridge.net.dropAll() === 0) throw new Error('no AI connection to drop');
  },
  'TIMER_FIRED:reconnect': (w) => {
    w.fireTimer(isReconnectTimer, 'reconnect');
  },
  'STOP:hangup': hangup,
};
