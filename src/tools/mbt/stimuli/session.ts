// Stimuli of the session machine.
import { MBT_TIMING } from '../sut/bridge.js';
import { hangup, NOTICE_DEADLINE_MS, playOut } from './common.js';
import type { StimulusTable } from './types.js';

export const sessionStimuli: StimulusTable = {
  'CALL_STARTED:start': (w) => w.caller.start(),
  'PAUSE:operator': (w) => w.call.pause(),
  'RESUME:operator': (w) => w.call.resume(),
  'STOP:operator': (w) => w.call.stop(),
  'STOP:startTimeout': (w) => {
    w.fireTimer((t) => t.ms === MBT_TIMING.startTimeoutMs, 'start timeout');
  },
  'HANGUP:farSide': hangup,
  'SOCKET_ERROR:drop': (w) => w.caller.drop(),
  'SHUTDOWN:sigterm': (w) => w.sendSigterm(),
  'AI_GAVE_UP:fatalError': async (w) => {
    await w.ensureLinkOpen();
    w.inject({ kind: 'error', code: 'invalid_api_key' });
  },
  // The notice plays out in real time and the far side plays it.
  'PLAYOUT_DRAINED:notice': (w) => playOut(w, 'session'),
  'TIMER_FIRED:drainDeadline': (w) => {
    w.fireTimer((t) => t.ms === MBT_TIMING.drainMs, 'drain deadline');
  },
  'TIMER_FIRED:noticeDeadline': (w) => {
    w.fireTimer((t) => t.ms === NOTICE_DEADLINE_MS, 'notice deadline');
  },
  // Follows STOP to the AI link in the same JS turn: nothing to do but observe.
  'AI_STOPPED:auto': () => {},
  // The media thread acknowledges the unregister on its own.
  'MEDIA_RELEASED:auto': () => {},
};
