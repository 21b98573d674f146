// The aiLink machine's actions (machines/aiLink.ts header), one function each.
import { reconnectDelayMs, type AiLinkContext } from '../../../machines/aiLink.js';
import type { AiFunctionTool, AiSessionConfig } from '../../ai/types.js';
import type { CallParts } from '../parts.js';
import { builtinDefinitions } from '../../functions/callControlTools.js';
import { profileAllows } from '../../functions/registry.js';
import type { AiLinkEffects } from './types.js';

/** The provider session this call asks for: its profile's instructions, voice, tools and VAD. */
export function sessionConfig(c: CallParts): AiSessionConfig {
  const a = c.deps.config.ai;
  const p = c.profile;
  const f = c.open?.aiFormat ?? { codec: 'pcm16', rate: 24000 };
  const td = p.turnDetection;
  const common = { interruptResponse: a.interruptResponse, createResponse: true } as const;
  // The built-in call-control tools the config enables, as far as the profile lists them.
  const builtins = builtinDefinitions(c.deps.config.callControl).filter((t) => profileAllows(c.profile.tools, t.name));
  const tools = [...profileTools(c), ...builtins];
  return {
    instructions: p.instructions,
    voice: p.voice,
    inputFormat: f,
    outputFormat: f,
    turnDetection:
      td?.type === 'semantic_vad'
        ? { type: 'semantic_vad', eagerness: td.eagerness, ...common }
        : {
            type: 'server_vad',
            ...(td?.threshold !== undefined ? { threshold: td.threshold } : {}),
            ...(td?.prefixPaddingMs !== undefined ? { prefixPaddingMs: td.prefixPaddingMs } : {}),
            ...(td?.silenceDurationMs !== undefined ? { silenceDurationMs: td.silenceDurationMs } : {}),
            ...common,
          },
    // The caller's turns are transcribed in every mode: for the call record and the replay.
    transcription: { model: c.deps.config.records.transcriptionModel },
    ...(tools.length > 0 ? { tools } : {}),
  };
}

/** The profile's tools as session.update lists them (the implicit default: every declared tool). */
export function profileTools(c: CallParts): AiFunctionTool[] {
  const all = c.deps.tools?.definitions() ?? [];
  const allowed = c.profile.tools;
  return all.filter((t) => profileAllows(allowed, t.name));
}

/**
 * The greeting, as the first response on the first open link: the model says the profile's
 * greeting (filled for this call) in the session's voice. Never again after a reconnect.
 */
export function sendGreeting(c: CallParts): void {
  const text = c.profile.greeting;
  const ai = c.open?.ai;
  if (text === undefined || c.greeting.sent || !ai) return;
  c.greeting.sent = true;
  c.greeting.holdPending = !c.profile.greetingInterruptible;
  const r = ai.createResponse({ instructions: `Greet the caller now by saying exactly this, and nothing else: ${text}` });
  c.trace.record('ai', 'greeting', { data: { agent: c.profile.name, chars: text.length, interruptible: c.profile.greetingInterruptible, result: r } });
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
      sendGreeting(c);
    },

    replayConversation() {
      const ai = c.open?.ai;
      if (!ai) return;
      for (const m of c.memory.items()) {
        if (m.role === 'tool') {
          // The call and its output, together (TC5); the new session learns the call_id from the call item.
          ai.sendRaw({ type: 'conversation.item.create', item: { type: 'function_call', call_id: m.callId, name: m.name, arguments: m.arguments } });
          ai.sendRaw({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: m.callId, output: m.output } });
          continue;
        }
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
