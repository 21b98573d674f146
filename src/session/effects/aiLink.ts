// The aiLink machine's actions (machines/aiLink.ts header), one function each.
import { reconnectDelayMs, type AiLinkContext } from '../../../machines/aiLink.js';
import type { AiSessionConfig } from '../../ai/types.js';
import type { CallParts } from '../parts.js';
import type { AiLinkEffects } from './types.js';

/** The provider session this call asks for (voice, formats, VAD, instructions). */
export function sessionConfig(c: CallParts): AiSessionConfig {
  const a = c.deps.config.ai;
  const f = c.open?.aiFormat ?? { codec: 'pcm16', rate: 24000 };
  return {
    instructions: a.instructions,
    voice: a.voice,
    inputFormat: f,
    outputFormat: f,
    turnDetection: { type: 'server_vad', interruptResponse: a.interruptResponse, createResponse: true },
    // The caller's turns are transcribed in every mode: for the call record and the replay.
    transcription: { model: c.deps.config.records.transcriptionModel },
    ...(c.deps.tools && c.deps.tools.size > 0 ? { tools: c.deps.tools.definitions() } : {}),
  };
}

export function aiLinkEffects(c: CallParts): AiLinkEffects {
  const { config, metrics, clock } = c.deps;
  return {
    openConnection(ctx: AiLinkContext) {
      const ai = c.open?.ai;
      if (!ai) return;
      const clientGen = ai.connect();
      c.link = { machineGen: ctx.generation, clientGen };
      c.trace.record('ai', 'connect', { data: { generation: ctx.generation, clientGen, attempt: ctx.attempt } });
    },

    configureSession() {
      c.open?.ai.updateSession(sessionConfig(c));
    },

    replayConversation() {
      const ai = c.open?.ai;
      if (!ai) return;
      for (const m of c.memory.items()) {
        ai.sendRaw({
          type: 'conversation.item.create',
          item: { type: 'message', role: m.role, content: [{ type: m.role === 'user' ? 'input_text' : 'output_text', text: m.text }] },
        });
      }
    },

    flushCaptureBacklog() {
      const feed = c.open?.captureFeed;
      if (!feed) return;
      feed.linkEverOpened = true;
      feed.flushBacklog();
    },

    dropConnection() {
      // Detach first: whatever this socket reports from now on is stale by construction (AL1).
      c.link = undefined;
      c.open?.ai.close(1000, 'dropped');
    },

    scheduleReconnect(ctx: AiLinkContext) {
      const delay = reconnectDelayMs(ctx.attempt, config.reconnect, c.random);
      const generation = ctx.generation;
      c.reconnectTimer?.cancel();
      metrics.reconnects.inc({ outcome: 'attempt' });
      c.trace.record('runtime', 'reconnect.scheduled', { data: { generation, attempt: ctx.attempt, delayMs: delay } });
      c.reconnectTimer = clock.setTimer(delay, () => {
        c.reconnectTimer = undefined;
        c.actors.aiLink.send({ type: 'TIMER_FIRED', timer: 'reconnect', generation });
      });
    },

    reportLinkLost() {
      // Only the route: the turn machine forgets the lost connection's response.
    },

    giveUp() {
      c.open?.captureFeed.discard('reconnect_gap');
      c.log.error('AI link gave up');
    },

    cancelReconnectTimer() {
      c.reconnectTimer?.cancel();
      c.reconnectTimer = undefined;
    },

    reportStopped() {
      // Only the route: the session learns the link has stopped.
    },
  };
}
