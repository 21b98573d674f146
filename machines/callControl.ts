/**
 * callControl — the agent ends or transfers the call (issue 19: CC1–CC4): the decision (the
 * model's end_call / transfer_call, or a timeout), the wait until the rest of the response has
 * been heard at the far side (or the bound), the one platform action, and its outcome.
 *
 *   live → ending      → hangingUp  → ended            (hang-up; a failed hang-up ends the call anyway)
 *   live → transferring → handingOff → ended | live    (a failed transfer: the conversation goes on)
 *
 * From the decision on the conversation is closing: no new response is requested and the
 * caller's audio no longer reaches the model (caller speech does not revive the conversation,
 * nor cut the goodbye); only the rest of the deciding response plays.
 *
 * EVENTS (exact type and payload the runtime sends)
 *   END_CALL { reason }                  decided to hang up (agent_ended, idle, max_duration)
 *   TRANSFER                             decided to transfer (the target is the runtime's, already checked)
 *   FAR_DRAINED { responseDone }         the far side has played everything it was sent (Twilio: the
 *                                        last mark echoed; audio-stream: the far-side model empty)
 *                                        and the ring and backlog are empty; responseDone: no response
 *                                        is active any more (its last audio is in)
 *   TIMER_FIRED                          the endCallMaxWaitMs bound passed
 *   ACTION_OK                            the platform accepted the action
 *   ACTION_FAILED                        the platform refused it, or it failed or timed out
 *   CALL_ENDED                           the call's cleanup began (caller hung up, stop, error, …)
 *
 * GUARDS   responseDone (event.responseDone)
 * TAGS     cc.closing (no new response, caller audio not forwarded), cc.acting (a platform action is
 *          in flight)
 * CONTEXT  reason: why the call is being ended (for the call record).
 *
 * ACTIONS the runtime must perform (everything else is an assign):
 *   closeConversation    stop forwarding caller audio to the model; responses are no longer requested
 *   startWaitTimer       arm the endCallMaxWaitMs timer (it sends TIMER_FIRED)
 *   cancelWaitTimer      cancel it
 *   issueHangup          end the call the platform's way (Twilio REST Status=completed, ESL uuid_kill,
 *                        or the audio-stream JSON action); answers ACTION_OK / ACTION_FAILED
 *   issueTransfer        transfer the call (Twilio REST <Dial>, ESL uuid_transfer, or the JSON action);
 *                        answers ACTION_OK / ACTION_FAILED
 *   reportFailed         count and trace the failure, tell the model (the tool's output says so)
 *   reopenConversation   the transfer failed: caller audio reaches the model again
 *   endSession           the session stops with the call-control reason (agent_ended, transferred, …)
 */
import { assign, setup } from 'xstate';

export type CallControlReason = 'agent_ended' | 'idle' | 'max_duration';

export type CallControlEvent =
  | { type: 'END_CALL'; reason: CallControlReason }
  | { type: 'TRANSFER' }
  | { type: 'FAR_DRAINED'; responseDone: boolean }
  | { type: 'TIMER_FIRED' }
  | { type: 'ACTION_OK' }
  | { type: 'ACTION_FAILED' }
  | { type: 'CALL_ENDED' };

export interface CallControlContext {
  reason: CallControlReason | 'transferred' | null;
}

/** The goodbye is over (or the bound passed): the platform action goes out. */
const waitOver = <T extends string>(target: T) =>
  ({
    FAR_DRAINED: { guard: 'responseDone', target, actions: 'cancelWaitTimer' },
    TIMER_FIRED: { target },
    CALL_ENDED: { target: '#callControl.ended', actions: 'cancelWaitTimer' },
  }) as const;

export const callControlMachine = setup({
  types: {
    context: {} as CallControlContext,
    events: {} as CallControlEvent,
    tags: {} as 'cc.closing' | 'cc.acting',
  },
  guards: {
    responseDone: ({ event }) => event.type === 'FAR_DRAINED' && event.responseDone,
  },
  actions: {
    setReason: assign({ reason: ({ event }) => (event.type === 'END_CALL' ? event.reason : 'transferred') }),
    clearReason: assign({ reason: null }),
    // Effects: performed by the session runtime (machine.provide), no-ops here.
    closeConversation: () => {},
    startWaitTimer: () => {},
    cancelWaitTimer: () => {},
    issueHangup: () => {},
    issueTransfer: () => {},
    reportFailed: () => {},
    reopenConversation: () => {},
    endSession: () => {},
  },
}).createMachine({
  id: 'callControl',
  initial: 'live',
  context: { reason: null },
  states: {
    live: {
      on: {
        END_CALL: { target: 'ending', actions: ['setReason', 'closeConversation', 'startWaitTimer'] },
        TRANSFER: { target: 'transferring', actions: ['setReason', 'closeConversation', 'startWaitTimer'] },
        CALL_ENDED: 'ended',
      },
    },
    // The goodbye plays to its end at the far side.
    ending: { tags: ['cc.closing'], on: waitOver('hangingUp') },
    // The hand-off line plays to its end at the far side.
    transferring: { tags: ['cc.closing'], on: waitOver('handingOff') },
    hangingUp: {
      tags: ['cc.closing', 'cc.acting'],
      entry: 'issueHangup',
      on: {
        ACTION_OK: { target: 'ended', actions: 'endSession' },
        // The platform did not hang up: Parley ends its side (closing the stream) all the same.
        ACTION_FAILED: { target: 'ended', actions: ['reportFailed', 'endSession'] },
        CALL_ENDED: 'ended',
      },
    },
    handingOff: {
      tags: ['cc.closing', 'cc.acting'],
      entry: 'issueTransfer',
      on: {
        ACTION_OK: { target: 'ended', actions: 'endSession' },
        // The caller is still here: the conversation goes on.
        ACTION_FAILED: { target: 'live', actions: ['reportFailed', 'clearReason', 'reopenConversation'] },
        CALL_ENDED: 'ended',
      },
    },
    ended: {
      type: 'final',
      tags: ['cc.closing'],
    },
  },
});

export type CallControlMachine = typeof callControlMachine;
