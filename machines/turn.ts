/**
 * turn — who is speaking, which response may be heard, and barge-in
 * (docs/ARCHITECTURE.md#barge-in).
 *
 * "Agent audio playing or queued" is the state agentSpeaking: entered when a chunk of the active
 * response is written, left only when the core reports the ring drained *after the last chunk
 * written* (seq match), so a chunk written while a drained report is in flight keeps the agent
 * speaking. Barge-in is decided from that state, never from "a response is active" (BI6).
 * Audio and text are accepted only for the active response; cancelling moves the id out of
 * `activeResponse`, so late deltas of a cancelled response are dropped, and a second cancel of
 * the same response is impossible (BI1, BI2). Barge-in bumps the playout epoch; chunks and marks
 * of older epochs are dead (the core drops the chunks, this machine ignores the marks, BI4).
 *
 * EVENTS (exact type and payload the runtime sends)
 *   RESPONSE_CREATED { responseId, hold? }           provider created a response; hold: it is a greeting
 *                                                    that must be heard to its end (greetingInterruptible false)
 *   AUDIO_DELTA      { responseId, itemId }          an audio chunk (the runtime writes it only on enqueueAudio)
 *   TEXT_DELTA       { responseId }                  text / transcript / TTS text of a response
 *   RESPONSE_DONE    { responseId }                  response.done (any status)
 *   SPEECH_STARTED   { itemId, deliveredMs, sentMs, heldUnheardMs? }
 *                                                    caller speech began (server VAD or local VAD); the
 *                                                    payload is the core's playout position of the item
 *                                                    playing (or queued first), itemId null if none, and
 *                                                    the ms of the held greeting's audio received but not
 *                                                    yet heard by the caller (0 or absent: none)
 *   SPEECH_STOPPED                                   caller speech ended
 *   MARK_ECHO        { epoch, itemId, ms }           Twilio echoed a mark the runtime sent with that epoch
 *   PLAYOUT_DRAINED  { epoch, written }              the core found the ring empty after chunk seq `written`
 *                                                    (equivalently: the runtime saw it empty with nothing
 *                                                    written since, in this JS turn, and sends context.written)
 *   MEDIA_FLUSHED    { epoch }                       the media thread executed the flush for `epoch`
 *   AI_LINK_LOST                                     aiLink lost the connection: its response is gone
 *   END                                              the call is being cleaned up
 *
 * GUARDS   bargeInEnabled, greetingHeard, hasActiveResponse, isActiveResponse, isCurrentEpoch, isDrainedAll
 *          greetingHeard: no greeting that may not be interrupted is still to be heard — its response
 *          is over and the caller has heard all of its audio (GR1: never cut; GR2: barge-in is on
 *          again the moment it has been heard, even with the next reply queued right behind it).
 * TAGS     agent.audio (agent audio playing or queued), user.speech, playout.flushing
 * CONTEXT  epoch (mod epochModulus), written (chunk seq mod seqModulus), activeResponse,
 *          cancelledResponse (the last one cancelled), mark (last mark of the current epoch),
 *          truncate (the last truncate decision), bargeIn and position (config), heldResponse
 *          (the non-interruptible greeting's response, once created).
 *
 * ACTIONS the runtime must perform (everything else is an assign):
 *   enqueueAudio    write the delta's audio to the playout ring tagged (context.epoch, context.written,
 *                   event.responseId, event.itemId); Twilio: send a mark named with context.epoch
 *   dropStaleAudio  count a delta of a response that is not the active one (never played)
 *   forwardText     pass the text on (transcript, cascade TTS)
 *   dropStaleText   count and drop text of a response that is not the active one
 *   requestFlush    tell the core: epoch is now context.epoch, flush everything written before
 *   sendClear       Twilio `clear` / audio-stream `"clear": true`
 *   sendCancel      response.cancel for context.cancelledResponse
 *   sendTruncate    context.truncate: op 'truncate' → conversation.item.truncate {itemId, audio_end_ms: ms};
 *                   op 'delete' → conversation.item.delete {itemId}; null → nothing
 *   reportBargeIn   metric + trace (cut-off latency starts at the SPEECH_STARTED event)
 *   dropStaleMark   count a mark echoed for a cleared epoch
 * Nothing here ever clears the caller's input buffer (BI5).
 */
import { and, assign, setup } from 'xstate';
import { decideTruncate, type Mark, type PositionSource, type TruncateDecision } from './truncate.js';

export const DEFAULT_EPOCH_MODULUS = 65536;
export const DEFAULT_SEQ_MODULUS = 1 << 20;

export type TurnEvent =
  | { type: 'RESPONSE_CREATED'; responseId: string; hold?: boolean }
  | { type: 'AUDIO_DELTA'; responseId: string; itemId: string }
  | { type: 'TEXT_DELTA'; responseId: string }
  | { type: 'RESPONSE_DONE'; responseId: string }
  | { type: 'SPEECH_STARTED'; itemId: string | null; deliveredMs: number; sentMs: number; heldUnheardMs?: number }
  | { type: 'SPEECH_STOPPED' }
  | { type: 'MARK_ECHO'; epoch: number; itemId: string; ms: number }
  | { type: 'PLAYOUT_DRAINED'; epoch: number; written: number }
  | { type: 'MEDIA_FLUSHED'; epoch: number }
  | { type: 'AI_LINK_LOST' }
  | { type: 'END' };

export interface TurnContext {
  bargeIn: boolean;
  position: PositionSource;
  epochModulus: number;
  seqModulus: number;
  epoch: number;
  written: number;
  activeResponse: string | null;
  cancelledResponse: string | null;
  mark: Mark | null;
  truncate: TruncateDecision | null;
  heldResponse: string | null;
}

export interface TurnInput {
  bargeIn?: boolean;
  position?: PositionSource;
  epochModulus?: number;
  seqModulus?: number;
}

/**
 * Barge-in: decide the truncate point from the marks of the epoch being cut (before the bump
 * forgets them), cut the audio (flush, clear), then tell the provider.
 */
const bargeInActions = ['recordTruncate', 'bumpEpoch', 'requestFlush', 'sendClear'] as const;
const truncateActions = ['sendTruncate', 'reportBargeIn'] as const;
const cancelActions = ['cancelActiveResponse', 'sendCancel'] as const;

const acceptAudio = {
  guard: 'isActiveResponse',
  target: '#turn.agentSpeaking',
  actions: ['countChunk', 'enqueueAudio'],
} as const;

export const turnMachine = setup({
  types: {
    context: {} as TurnContext,
    events: {} as TurnEvent,
    input: {} as TurnInput | undefined,
    tags: {} as 'agent.audio' | 'user.speech' | 'playout.flushing',
  },
  guards: {
    bargeInEnabled: ({ context }) => context.bargeIn,
    greetingHeard: ({ context, event }) =>
      context.heldResponse === null ||
      (context.activeResponse !== context.heldResponse && event.type === 'SPEECH_STARTED' && (event.heldUnheardMs ?? 0) <= 0),
    hasActiveResponse: ({ context }) => context.activeResponse !== null,
    isActiveResponse: ({ context, event }) =>
      'responseId' in event && context.activeResponse !== null && event.responseId === context.activeResponse,
    isCurrentEpoch: ({ context, event }) => 'epoch' in event && event.epoch === context.epoch,
    isDrainedAll: ({ context, event }) =>
      event.type === 'PLAYOUT_DRAINED' && event.epoch === context.epoch && event.written === context.written,
  },
  actions: {
    activateResponse: assign({
      activeResponse: ({ event }) => (event.type === 'RESPONSE_CREATED' ? event.responseId : null),
      heldResponse: ({ event, context }) => (event.type === 'RESPONSE_CREATED' && event.hold === true ? event.responseId : context.heldResponse),
    }),
    clearActiveResponse: assign({ activeResponse: null }),
    cancelActiveResponse: assign({
      cancelledResponse: ({ context }) => context.activeResponse,
      activeResponse: null,
    }),
    countChunk: assign({ written: ({ context }) => (context.written + 1) % context.seqModulus }),
    bumpEpoch: assign({
      epoch: ({ context }) => (context.epoch + 1) % context.epochModulus,
      mark: null,
    }),
    recordMark: assign({
      mark: ({ event, context }) =>
        event.type === 'MARK_ECHO' ? { itemId: event.itemId, ms: event.ms } : context.mark,
    }),
    recordTruncate: assign({
      truncate: ({ context, event }) =>
        event.type === 'SPEECH_STARTED' ? decideTruncate(context.position, context.mark, event) : null,
    }),
    // Effects: performed by the session runtime (machine.provide), no-ops here.
    enqueueAudio: () => {},
    dropStaleAudio: () => {},
    forwardText: () => {},
    dropStaleText: () => {},
    requestFlush: () => {},
    sendClear: () => {},
    sendCancel: () => {},
    sendTruncate: () => {},
    reportBargeIn: () => {},
    dropStaleMark: () => {},
  },
}).createMachine({
  id: 'turn',
  initial: 'listening',
  context: ({ input }) => ({
    bargeIn: input?.bargeIn ?? true,
    position: input?.position ?? 'delivered',
    epochModulus: input?.epochModulus ?? DEFAULT_EPOCH_MODULUS,
    seqModulus: input?.seqModulus ?? DEFAULT_SEQ_MODULUS,
    epoch: 0,
    written: 0,
    activeResponse: null,
    cancelledResponse: null,
    mark: null,
    truncate: null,
    heldResponse: null,
  }),
  on: {
    RESPONSE_CREATED: { actions: 'activateResponse' },
    RESPONSE_DONE: { guard: 'isActiveResponse', actions: 'clearActiveResponse' },
    AUDIO_DELTA: [acceptAudio, { actions: 'dropStaleAudio' }],
    TEXT_DELTA: [{ guard: 'isActiveResponse', actions: 'forwardText' }, { actions: 'dropStaleText' }],
    MARK_ECHO: [{ guard: 'isCurrentEpoch', actions: 'recordMark' }, { actions: 'dropStaleMark' }],
    AI_LINK_LOST: { actions: 'clearActiveResponse' },
    END: '.ended',
  },
  states: {
    listening: {
      on: {
        SPEECH_STARTED: [
          // A response is pending but nothing of it is queued: cancel it, nothing to cut.
          { guard: and(['bargeInEnabled', 'greetingHeard', 'hasActiveResponse']), target: 'userSpeaking', actions: cancelActions },
          { target: 'userSpeaking' },
        ],
      },
    },
    userSpeaking: {
      tags: ['user.speech'],
      on: {
        SPEECH_STOPPED: 'listening',
        SPEECH_STARTED: {
          guard: and(['bargeInEnabled', 'greetingHeard', 'hasActiveResponse']),
          actions: cancelActions,
        },
      },
    },
    agentSpeaking: {
      tags: ['agent.audio'],
      on: {
        SPEECH_STARTED: [
          {
            guard: and(['bargeInEnabled', 'greetingHeard', 'hasActiveResponse']),
            target: 'interrupted',
            actions: [...bargeInActions, ...cancelActions, ...truncateActions],
          },
          {
            guard: and(['bargeInEnabled', 'greetingHeard']),
            target: 'interrupted',
            actions: [...bargeInActions, ...truncateActions],
          },
        ],
        PLAYOUT_DRAINED: { guard: 'isDrainedAll', target: 'listening' },
      },
    },
    // Barge-in done on the JS side; waiting for the media thread to execute the flush.
    interrupted: {
      tags: ['user.speech', 'playout.flushing'],
      initial: 'speaking',
      states: {
        speaking: {
          on: {
            SPEECH_STOPPED: 'quiet',
            MEDIA_FLUSHED: { guard: 'isCurrentEpoch', target: '#turn.userSpeaking' },
          },
        },
        quiet: {
          on: {
            SPEECH_STARTED: 'speaking',
            MEDIA_FLUSHED: { guard: 'isCurrentEpoch', target: '#turn.listening' },
          },
        },
      },
    },
    ended: { type: 'final' },
  },
});

export type TurnMachine = typeof turnMachine;
