// The call's call control (issue 19): the built-in tools the model calls (end_call,
// transfer_call, send_dtmf), the callControl machine's inputs (the far side's drain while a
// goodbye plays, the wait bound, the platform's answer), DTMF from the caller batched into one
// conversation item, and the idle and max-duration timeouts. The machine (machines/callControl.ts)
// decides; this file feeds it and holds what its effects (effects/callControl.ts) need.
import type { CallControlReason } from '../../machines/callControl.js';
import type { TimerHandle } from '../base/clock.js';
import { isBuiltin, parseBuiltin, type BuiltinCall } from '../functions/callControlTools.js';
import { errorOutput, type ToolResult } from '../functions/http.js';
import { profileAllows } from '../functions/registry.js';
import type { ActionResult, PlatformAction, PlatformCall, PlatformDriver } from '../platform/types.js';
import { MediaStreamDriver, NoDriver, StreamJsonDriver } from '../platform/drivers.js';
import type { CallParts } from './parts.js';

/** Digits batched into one item at most (more flush early). */
export const MAX_DTMF_BATCH = 32;

/** The process's ways to act on calls (app.ts builds them from config.platform). */
export interface PlatformDrivers {
  readonly twilio: PlatformDriver;
  readonly audioStream: PlatformDriver;
  /** FreeSWITCH DTMF events for a channel uuid (when an event socket is configured). */
  readonly subscribeDtmf?: (uuid: string, onDigit: (digit: string) => void) => () => void;
}

const defaultDrivers: PlatformDrivers = {
  twilio: new NoDriver('no Twilio account is configured (PARLEY_TWILIO_ACCOUNT_SID)'),
  audioStream: new StreamJsonDriver(),
};

export class CallControlRuns {
  /** The platform action the pending decision takes (set when it is decided). */
  pending: PlatformAction | undefined;
  /** transfer_call's target name (the model's choice), for the call record. */
  transferTarget: string | undefined;
  /** transfer_call's output, given once the platform has answered. */
  transferOutput: ((r: ToolResult) => void) | undefined;
  waitTimer: TimerHandle | undefined;
  /** The platform's last answer (reportFailed says it to the model). */
  lastResult: ActionResult | undefined;
  private digits: string[] = [];
  private dtmfTimer: TimerHandle | undefined;
  private unsubscribeDtmf: (() => void) | undefined;
  private startedAt: number | undefined;
  private lastActivity = 0;
  private idlePrompted = false;
  private closingLine: 'due' | 'asked' | undefined;
  private streamDriver: PlatformDriver | undefined;
  /** Keys ended the caller's turn while the agent was speaking: their response is asked for once it is done. */
  private keysAwaitAnswer = false;

  constructor(private readonly c: CallParts) {}

  get drivers(): PlatformDrivers {
    return this.c.deps.platform ?? defaultDrivers;
  }

  get driver(): PlatformDriver {
    if (this.c.protocol === 'twilio') return this.drivers.twilio;
    if (this.c.protocol === 'audio-stream') return this.drivers.audioStream;
    // Any other platform: its own stream, never another platform's messages.
    return (this.streamDriver ??= new MediaStreamDriver(this.c.protocol, (digits) => (this.c.open ? this.c.open.out.dtmf(digits) : { sent: false, detail: 'the call has not started' })));
  }

  get closing(): boolean {
    return this.c.actors.callControl.getSnapshot().hasTag('cc.closing');
  }

  platformCall(): PlatformCall {
    const ws = this.c.conn.ws;
    return {
      callId: this.c.callId,
      sendText: (text) => {
        if (ws.readyState !== ws.OPEN) return false;
        ws.send(text);
        return true;
      },
    };
  }

  handles(name: string): boolean {
    // Enabled by the config, and listed by the call's profile (a profile without a list: all).
    return isBuiltin(name, this.c.deps.config.callControl) && profileAllows(this.c.profile.tools, name);
  }

  /** The call started: timeouts begin, FreeSWITCH DTMF events are subscribed. */
  onCallStarted(): void {
    this.startedAt = this.c.now();
    this.lastActivity = this.startedAt;
    if (this.c.protocol === 'audio-stream') this.unsubscribeDtmf = this.drivers.subscribeDtmf?.(this.c.callId, (d) => this.onDigit(d, 'esl'));
  }

  /** Cleanup: nothing of call control outlives the call. */
  dispose(): void {
    this.unsubscribeDtmf?.();
    this.unsubscribeDtmf = undefined;
    this.dtmfTimer?.cancel();
    this.waitTimer?.cancel();
    this.transferOutput?.(errorOutput('aborted', 'the call ended'));
    this.transferOutput = undefined;
  }

  /** Runs a built-in tool's call; aborting `signal` (the call's end) abandons it. */
  async run(name: string, argumentsText: string, signal: AbortSignal): Promise<ToolResult> {
    const cfg = this.c.deps.config.callControl;
    const metrics = this.c.deps.metrics;
    const result = await (async (): Promise<ToolResult> => {
      if (!isBuiltin(name, cfg)) return errorOutput('unknown_tool', `there is no tool named ${name.slice(0, 64)}`);
      const parsed = parseBuiltin(name, argumentsText, cfg);
      if (!parsed.ok) return errorOutput('invalid_arguments', parsed.problem);
      if (this.closing || this.c.cleanupBegun) return errorOutput('refused', 'the call is already ending');
      return this.perform(parsed.call, signal);
    })();
    metrics.toolCalls.inc({ tool: isBuiltin(name, cfg) ? name : 'unknown', outcome: result.outcome });
    return result;
  }

  private perform(call: BuiltinCall, signal: AbortSignal): Promise<ToolResult> | ToolResult {
    const cc = this.c.actors.callControl;
    switch (call.tool) {
      case 'end_call':
        this.decideEnd('agent_ended');
        return { outcome: 'ok', output: JSON.stringify({ status: 'ending', note: 'the call ends once your goodbye has been heard' }) };
      case 'transfer_call':
        this.pending = { kind: 'transfer', destination: call.destination };
        this.transferTarget = call.target;
        return new Promise<ToolResult>((resolve) => {
          this.transferOutput = resolve;
          signal.addEventListener('abort', () => resolve(errorOutput('aborted', 'the call ended')), { once: true });
          cc.send({ type: 'TRANSFER' });
        });
      case 'send_dtmf':
        return this.sendDtmf(call.digits);
    }
  }

  /** Decides to hang up (the model's end_call, or a timeout). */
  decideEnd(reason: CallControlReason): void {
    if (this.closing) return;
    this.pending = { kind: 'hangup' };
    this.c.trace.record('runtime', 'callControl.decided', { data: { action: 'hangup', reason } });
    this.c.actors.callControl.send({ type: 'END_CALL', reason });
  }

  private async sendDtmf(digits: string): Promise<ToolResult> {
    const r = await this.driver.act(this.platformCall(), { kind: 'dtmf', digits });
    this.c.deps.metrics.dtmf.inc({ direction: 'out', outcome: r.outcome });
    this.c.trace.record('runtime', 'dtmf.sent', { data: { digits: digits.length, via: this.driver.via, outcome: r.outcome } });
    if (r.outcome !== 'ok') return errorOutput('refused', `the keys could not be sent: ${r.detail}`);
    return { outcome: 'ok', output: JSON.stringify({ status: 'sent', digits }) };
  }

  // ---- DTMF in ----------------------------------------------------------------------------

  /** A key the caller pressed (Twilio `dtmf`, FreeSWITCH DTMF event): batched, then one item. */
  onDigit(digit: string, via: 'twilio' | 'esl'): void {
    if (this.c.cleanupBegun) return;
    this.c.deps.metrics.dtmf.inc({ direction: 'in', outcome: via });
    this.c.trace.record('telephony', 'dtmf', { data: { digit, via } });
    this.callerActivity();
    this.digits.push(digit);
    this.dtmfTimer?.cancel();
    if (this.digits.length >= MAX_DTMF_BATCH) return this.flushDigits();
    this.dtmfTimer = this.c.deps.clock.setTimer(this.c.deps.config.callControl.dtmfInterDigitMs, () => this.flushDigits());
  }

  private flushDigits(): void {
    this.dtmfTimer = undefined;
    const digits = this.digits;
    this.digits = [];
    const ai = this.c.open?.ai;
    if (digits.length === 0 || !ai || this.c.cleanupBegun) return;
    // While the call is closing the keys are recorded but do not revive the conversation.
    if (this.closing) {
      this.c.trace.record('runtime', 'dtmf.ignored', { data: { digits: digits.length, why: 'closing' } });
      return;
    }
    const text = `The caller pressed ${digits.join(' ')}`;
    this.c.memory.add('user', text);
    ai.sendRaw({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
    // The batch ends the caller's turn (callControl.dtmfEndsTurn, per profile): answered now, or
    // once the agent's current response is done (onTick); otherwise it waits for spoken words.
    const endsTurn = this.c.profile.dtmfEndsTurn ?? this.c.deps.config.callControl.dtmfEndsTurn;
    if (endsTurn && this.c.turnCtx().activeResponse === null) ai.createResponse();
    else if (endsTurn) this.keysAwaitAnswer = true;
    this.c.trace.record('runtime', 'dtmf.item', { data: { digits: digits.length, endsTurn } });
  }

  // ---- timeouts and the drain -------------------------------------------------------------

  callerActivity(): void {
    this.lastActivity = this.c.now();
    this.idlePrompted = false;
  }

  agentActivity(): void {
    this.lastActivity = this.c.now();
  }

  /** A response was created: the max-duration closing line, once asked for, is it. */
  onResponseCreated(): void {
    // Whatever response comes next answers the keys too (a caller turn or a tool output may start one first).
    this.keysAwaitAnswer = false;
    if (this.closingLine === 'asked' && !this.closing) this.decideEnd('max_duration');
  }

  /** Once per media tick: the goodbye's drain, the idle and max-duration timeouts. */
  onTick(now: number): void {
    const s = this.c.actors.callControl.getSnapshot();
    if (s.matches('ending') || s.matches('transferring')) {
      if (this.farSideDrained(now)) this.c.actors.callControl.send({ type: 'FAR_DRAINED', responseDone: this.c.turnCtx().activeResponse === null });
      return;
    }
    if (!s.matches('live') || this.startedAt === undefined || this.c.cleanupBegun) return;
    if (this.keysAwaitAnswer && this.c.turnCtx().activeResponse === null) {
      this.keysAwaitAnswer = false;
      this.c.open?.ai.createResponse();
    }
    const cfg = this.c.deps.config.callControl;
    const quiet = this.c.turnCtx().activeResponse === null && this.farSideDrained(now);
    if (cfg.maxCallMs > 0 && now - this.startedAt >= cfg.maxCallMs && this.closingLine === undefined) this.closingLine = 'due';
    if (this.closingLine === 'due' && this.c.turnCtx().activeResponse === null) {
      this.closingLine = 'asked';
      this.c.trace.record('runtime', 'callControl.max_duration', {});
      const sent = this.c.open?.ai.createResponse({ instructions: cfg.closingLine });
      // No link to speak the line on: end at once.
      if (sent !== 'sent') this.decideEnd('max_duration');
      else this.agentActivity();
      return;
    }
    if (this.closingLine === 'asked' && now - this.startedAt >= cfg.maxCallMs + cfg.endCallMaxWaitMs) return this.decideEnd('max_duration');
    // The agent talking (or about to) is activity too.
    if (!quiet) {
      this.lastActivity = now;
      return;
    }
    if (cfg.idleTimeoutMs === 0) return;
    const idleFor = now - this.lastActivity;
    if (!this.idlePrompted && idleFor >= cfg.idleTimeoutMs) {
      this.idlePrompted = true;
      this.lastActivity = now;
      this.c.trace.record('runtime', 'callControl.idle_prompt', {});
      this.c.open?.ai.createResponse({ instructions: cfg.idlePrompt });
    } else if (this.idlePrompted && idleFor >= cfg.idleEndMs) {
      this.decideEnd('idle');
    }
  }

  /**
   * Everything the agent said has been heard: nothing in the JS backlog or the ring (the
   * playout machine is idle or drained) and the far side holds nothing that still plays
   * (Twilio: every mark echoed; mod_audio_stream: less than its minimum fill, which never plays).
   */
  private farSideDrained(now: number): boolean {
    const o = this.c.open;
    if (!o) return true;
    const p = String(this.c.actors.playout.getSnapshot().value);
    if (p !== 'idle' && p !== 'drained' && p !== 'closed') return false;
    if (!o.playoutFeed.backlogEmpty) return false;
    const queued = o.farSide.queuedMs(now);
    const stranded = this.c.protocol === 'audio-stream' ? this.c.deps.config.telephony.audioStreamMinFillMs : 0;
    return queued <= 0 || queued < stranded;
  }
}
