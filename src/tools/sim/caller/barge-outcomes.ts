// Were the callers' barge-ins honoured? Counts the attempts the scripts made, the barge-ins that
// produced a clear, and the ones that did not — each with why — so "0 stale frames" cannot come
// from barge-ins that never happened.
import type { CallReport } from './types.js';

/** Why a barge-in attempt got no clear. */
export type NoClearWhy =
  | 'no_agent_audio_to_interrupt' // the script's barge step timed out waiting for agent audio
  | 'call_ended_before_barge_in' // the call ended (caller action, server, fault) before the barge step
  | 'nothing_left_to_clear' // the agent's audio had all played: nothing queued, nothing arriving
  | 'call_ended_while_speaking' // the caller's speech never finished: the call ended under it
  | 'ai_fault' // the call's AI connection met a fault (the bench says so)
  | 'agent_stopped' // the AI agent's process was frozen (SIGSTOP) around the barge-in (the bench says so)
  | 'ai_reported_late' // the AI reported the speech only once Parley had no agent audio left to cut, or never (the bench reads Parley's trace)
  | 'not_honoured'; // agent audio was there and kept coming, and no clear came

export interface BargeInCall {
  readonly callId: string;
  /** Undefined when the call never reported (crashed generator, lost call). */
  readonly report: Pick<CallReport, 'bargeIns' | 'failure'> | undefined;
  /** Barge steps in the call's script. */
  readonly attempts: number;
  /** The bench knows the call's AI link met a fault. */
  readonly aiFault?: boolean;
  /** The bench froze the AI agent's process around this call's barge-in. */
  readonly agentStopped?: boolean;
  /**
   * Parley's trace says the AI's speech_started for this barge-in came only when the turn machine
   * no longer held agent audio (or never came): in realtime mode the barge-in follows the AI's
   * report, so an overloaded or slow AI, not Parley, left the audio running.
   */
  readonly aiReportedLate?: boolean;
}

export interface BargeInsHonoured {
  readonly attempts: number;
  /** The caller spoke over agent audio. */
  readonly started: number;
  /** ...and a clear arrived. */
  readonly cleared: number;
  readonly notCleared: number;
  readonly notClearedWhy: Readonly<Partial<Record<NoClearWhy, number>>>;
  /** Up to 20 calls whose barge-in was not honoured although nothing explains it. */
  readonly notHonoured: readonly string[];
}

export function bargeInsHonoured(calls: readonly BargeInCall[]): BargeInsHonoured {
  let attempts = 0;
  let started = 0;
  let cleared = 0;
  const why: Partial<Record<NoClearWhy, number>> = {};
  const notHonoured: string[] = [];
  const add = (w: NoClearWhy, n = 1) => {
    if (n > 0) why[w] = (why[w] ?? 0) + n;
  };
  for (const c of calls) {
    attempts += c.attempts;
    const barges = c.report?.bargeIns ?? [];
    started += barges.length;
    const missing = Math.max(0, c.attempts - barges.length);
    add(/barge-in timed out/.test(c.report?.failure ?? '') ? 'no_agent_audio_to_interrupt' : 'call_ended_before_barge_in', missing);
    for (const b of barges) {
      if (b.clearAtMs !== undefined) {
        cleared++;
        continue;
      }
      if (b.queuedAtSpeechMs === 0 && b.framesBeforeClear === 0) add('nothing_left_to_clear');
      else if (!b.speechEnded) add('call_ended_while_speaking');
      else if (c.aiFault) add('ai_fault');
      else if (c.agentStopped) add('agent_stopped');
      else if (c.aiReportedLate) add('ai_reported_late');
      else {
        add('not_honoured');
        if (notHonoured.length < 20) notHonoured.push(c.callId);
      }
    }
  }
  return { attempts, started, cleared, notCleared: attempts - cleared, notClearedWhy: why, notHonoured };
}

/** Barge steps in a script. */
export const bargeSteps = (script: readonly { readonly kind: string }[]): number => script.filter((s) => s.kind === 'barge').length;
