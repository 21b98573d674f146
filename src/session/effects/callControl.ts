// The callControl machine's actions (machines/callControl.ts header), one function each. The
// platform action goes out through the call's driver (Twilio REST, FreeSWITCH ESL, or the
// audio-stream JSON message); its answer comes back as ACTION_OK / ACTION_FAILED.
import type { CallControlContext } from '../../../machines/callControl.js';
import type { CallParts } from '../parts.js';
import type { CallControlEffects } from './types.js';

export function callControlEffects(c: CallParts): CallControlEffects {
  const { metrics, clock } = c.deps;
  const cc = () => c.actors.callControl;
  const act = (kind: 'hangup' | 'transfer') => {
    const action = c.callControl.pending ?? { kind: 'hangup' as const };
    const driver = c.callControl.driver;
    const started = c.now();
    c.trace.record('runtime', 'callControl.action', { data: { action: kind, via: driver.via } });
    void driver.act(c.callControl.platformCall(), kind === 'hangup' ? { kind: 'hangup' } : action).then((r) => {
      metrics.callControlActions.inc({ action: kind, via: driver.via, outcome: r.outcome });
      c.trace.record('runtime', 'callControl.answer', { data: { action: kind, outcome: r.outcome, detail: r.detail.slice(0, 120), ms: Math.round(c.now() - started) } });
      c.callControl.lastResult = r;
      cc().send({ type: r.outcome === 'ok' ? 'ACTION_OK' : 'ACTION_FAILED' });
    });
  };
  return {
    closeConversation() {
      // Caller audio stops reaching the model (in/media.ts reads the tag); no response is
      // requested any more (toolCalls' createResponse reads it too).
      c.trace.record('runtime', 'callControl.closing', {});
    },

    startWaitTimer() {
      c.callControl.waitTimer?.cancel();
      c.callControl.waitTimer = clock.setTimer(c.deps.config.callControl.endCallMaxWaitMs, () => {
        c.callControl.waitTimer = undefined;
        c.trace.record('runtime', 'callControl.wait_bound', {});
        cc().send({ type: 'TIMER_FIRED' });
      });
    },

    cancelWaitTimer() {
      c.callControl.waitTimer?.cancel();
      c.callControl.waitTimer = undefined;
    },

    issueHangup() {
      // The platform's hang-up ends the leg (Twilio then sends `stop`): that ending is this one.
      c.endOverride = endReason(cc().getSnapshot().context);
      act('hangup');
    },

    issueTransfer() {
      c.endOverride = 'transferred';
      act('transfer');
    },

    reportFailed() {
      const r = c.callControl.lastResult;
      const detail = r?.detail ?? 'the platform did not act';
      c.log.warn({ detail }, 'call-control action failed');
      metrics.callControlFailures.inc({ via: c.callControl.driver.via });
      c.callControl.transferOutput?.({ outcome: 'refused', output: JSON.stringify({ error: `the transfer failed: ${detail}`, status: 'the caller is still on the line' }) });
      c.callControl.transferOutput = undefined;
    },

    reopenConversation() {
      c.endOverride = undefined;
      c.callControl.pending = undefined;
      c.callControl.callerActivity();
      c.trace.record('runtime', 'callControl.reopened', {});
    },

    endSession() {
      c.endOverride ??= endReason(cc().getSnapshot().context);
      if (c.endOverride === 'transferred') c.observer.transferred(c.callControl.transferTarget ?? 'unknown');
      c.callControl.transferOutput?.({ outcome: 'ok', output: JSON.stringify({ status: 'transferred' }) });
      c.callControl.transferOutput = undefined;
    },
  };
}

function endReason(ctx: CallControlContext): 'agent_ended' | 'idle' | 'max_duration' | 'transferred' {
  return ctx.reason ?? 'agent_ended';
}
