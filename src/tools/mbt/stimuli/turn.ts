// Stimuli of the turn machine: provider events from the scripted agent, Twilio mark echoes from
// the caller's held marks, the media thread's reports, an AI socket drop, the hang-up.
import { BIG_WRITE_MS } from '../models/playout.js';
import { hangup, playOut } from './common.js';
import type { Stimulus, StimulusTable } from './types.js';

/** Marks of the first epoch the caller holds before a barge-in (so a stale one can be echoed). */
const MARKS_HELD = 3;

const str = (v: unknown): string => {
  if (typeof v !== 'string') throw new Error(`expected a response id, got ${JSON.stringify(v)}`);
  return v;
};

/**
 * Audio of the active response. In the first epoch the audio is let through until the caller
 * holds a few of its marks; audio written while a flush is pending is let through until the
 * flush executed (otherwise the playout machine would wait in prefill for a write that never
 * comes — see the report's findings).
 */
const activeDelta: Stimulus = async (w, step) => {
  const from = w.observer.log('turn').length;
  if (!w.script().audioDelta(BIG_WRITE_MS)) throw new Error('the agent has no active response to stream');
  await w.stepAfter('turn', from, (s) => s.event.type === 'AUDIO_DELTA', 'AUDIO_DELTA');
  if (step.from.ctx['epoch'] === 0) {
    await w.pump(() => w.caller.marks.filter((m) => m.epoch === 0).length >= MARKS_HELD, 'marks of the first epoch');
  } else if (w.state('playout').value === 'flushing') {
    await w.pump(() => w.state('playout').value !== 'flushing', 'the pending flush to execute');
  }
};

const mediaReport = (type: string): Stimulus => async (w) => {
  const from = w.observer.log('turn').length;
  await w.pump(() => w.observer.log('turn').slice(from).some((s) => s.event.type === type), type);
};

export const turnStimuli: StimulusTable = {
  'RESPONSE_CREATED:create': async (w, step) => {
    await w.ensureLinkOpen();
    await w.createResponse(str(step.event['responseId']));
  },
  'AUDIO_DELTA:active': activeDelta,
  'AUDIO_DELTA:late': async (w, step) => {
    const r = w.real(str(step.event['responseId']));
    await w.ensureLinkOpen();
    w.script().lateAudioDelta(r.responseId, r.itemId, 40);
  },
  'TEXT_DELTA:active': (w) => {
    if (!w.script().transcriptDelta()) throw new Error('the agent has no active response');
  },
  'TEXT_DELTA:late': async (w, step) => {
    const r = w.real(str(step.event['responseId']));
    await w.ensureLinkOpen();
    w.script().lateTranscriptDelta(r.responseId, r.itemId);
  },
  'RESPONSE_DONE:complete': (w) => {
    if (!w.script().completeResponse()) throw new Error('the agent has no active response');
  },
  'SPEECH_STARTED:vad': async (w) => {
    await w.ensureLinkOpen();
    w.script().speechStarted();
  },
  'SPEECH_STOPPED:vad': async (w) => {
    await w.ensureLinkOpen();
    w.script().speechStopped();
  },
  'MARK_ECHO:current': async (w) => {
    await w.pump(() => w.caller.marks.some((m) => m.epoch === 0), 'a mark of the current epoch');
    w.caller.echoUntil((m) => m.epoch === 0);
  },
  'MARK_ECHO:stale': async (w, step) => {
    // The clear that made them stale may still be on its way to the caller.
    await w.observer.until(() => w.caller.clears >= Number(step.from.ctx['epoch']), 'the clear to reach the caller');
    if (w.caller.echoUntil((m) => m.epoch < w.caller.clears).length === 0) throw new Error('the caller holds no mark of a cleared epoch');
  },
  'PLAYOUT_DRAINED:pump': (w) => playOut(w, 'turn'),
  'MEDIA_FLUSHED:pump': mediaReport('MEDIA_FLUSHED'),
  'AI_LINK_LOST:drop': async (w) => {
    await w.ensureLinkOpen();
    if (w.bridge.net.dropAll() === 0) throw new Error('no AI connection to drop');
  },
  'END:hangup': hangup,
};
