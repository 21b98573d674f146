// One call: the face the server sees (LiveCall), the owner of the call's parts (parts.ts) and
// machines (system.ts), the tick dispatch and the finish. The machines decide; inputs (in/)
// turn sockets, media-core events and AI events into machine events; effects (effects/) do
// what the machines name; system.ts routes one machine's decisions to another. Nothing here
// throws into a socket handler.
import type { ToolGroup } from './toolCalls.js';
import type { RawFrame } from '../telephony/index.js';
import { aiLinkEffects } from './effects/aiLink.js';
import { callControlEffects } from './effects/callControl.js';
import { playoutEffects } from './effects/playout.js';
import { sessionEffects } from './effects/session.js';
import { turnEffects } from './effects/turn.js';
import { onMediaTick, publishPlayoutState } from './in/media.js';
import { onTelephonyClose, onTelephonyError, onTelephonyMessage } from './in/telephony.js';
import { cushionMs, leadMs } from './open.js';
import { CallParts, type CallDeps } from './parts.js';
import type { CallConnection, LiveCall } from './seam.js';
import { createCallSystem, type CallActors } from './system.js';

export type { CallDeps } from './parts.js';

type ToolCallActor = ToolGroup['actor'];

export class Call implements LiveCall {
  readonly protocol: CallConnection['protocol'];
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;
  private readonly parts: CallParts;
  private readonly actors: CallActors;
  private endedFlag = false;

  constructor(
    readonly conn: CallConnection,
    deps: CallDeps,
    /** Called once the call has ended and released everything. */
    private readonly onEnded: (call: Call) => void,
  ) {
    this.protocol = conn.protocol;
    this.ended = new Promise((r) => (this.resolveEnded = r));
    const c = new CallParts(conn, deps, () => this.finish());
    this.parts = c;
    const cfg = deps.config;
    this.actors = createCallSystem(
      { session: sessionEffects(c), aiLink: aiLinkEffects(c), turn: turnEffects(c), playout: playoutEffects(), callControl: callControlEffects(c) },
      c.trace,
      {
        maxAttempts: cfg.reconnect.attempts,
        lookaheadMs: leadMs(cfg, c.platform),
        cushionMs: cushionMs(cfg, c.platform),
        // Reported play positions where the far side reports them; else what the model says was delivered.
        turn: { position: c.platform.farSide === 'flushable-reports' ? 'marks' : 'delivered', bargeIn: true },
        // The earlier JS path (the capacity bench's --baseline) delivered every echo.
        coalesceMarks: cfg.jsPath === 'lean',
      },
      c.toolCalls,
    );
    c.bind(this.actors);
    this.actors.playout.subscribe(() => publishPlayoutState(c));
    for (const a of [this.actors.callControl, this.actors.playout, this.actors.turn, this.actors.aiLink, this.actors.session]) a.start();
    deps.metrics.callsActive.inc({ protocol: this.protocol });
    deps.metrics.callsTotal.inc({ protocol: this.protocol });
    c.startTimeout = deps.clock.setTimer(cfg.limits.startTimeoutMs, () => {
      if (this.actors.session.getSnapshot().value === 'connecting') {
        c.endOverride = 'start_timeout';
        c.log.warn('no start message in time; closing');
        this.actors.session.send({ type: 'STOP' });
      }
    });
    c.log.info({ remote: conn.remoteAddress }, 'telephony connected');
  }

  get connId(): string {
    return this.parts.connId;
  }

  get callId(): string {
    return this.parts.callId;
  }

  /** The call's machine actors, for inspection (the model-based tests read them): never send through this. */
  get machineActors(): CallActors {
    return this.actors;
  }

  /** Each tool-call group's actor as it is created, for inspection (the model-based tests): never send through it. */
  watchToolCalls(fn: (actor: ToolCallActor) => void): () => void {
    return this.parts.toolCalls.watch(fn);
  }

  // ---- the server's side (LiveCall) --------------------------------------------------------

  onMessage(data: RawFrame, isBinary: boolean): void {
    onTelephonyMessage(this.parts, data, isBinary);
  }

  onSocketClose(code: number, reason: string): void {
    onTelephonyClose(this.parts, code, reason);
  }

  onSocketError(err: Error): void {
    onTelephonyError(this.parts, err);
  }

  drain(): void {
    this.actors.session.send({ type: 'SHUTDOWN' });
  }

  forceClose(): void {
    this.parts.log.error({ state: this.actors.session.getSnapshot().value }, 'call still alive after the drain deadline; forcing it closed');
    this.conn.ws.terminate();
    if (!this.parts.cleanupBegun) this.actors.session.send({ type: 'STOP' });
    // The call record ends here if the session's own report never came (once only).
    this.parts.observer.ended(this.parts.endOverride ?? 'shutdown', this.parts.now());
    // Whatever is still pending (a media release that never came) is abandoned.
    this.finish();
  }

  // ---- the operator's side ----------------------------------------------------------------

  /** Operator stop (API): ends the call like a hang-up, with reason 'stop'. */
  stop(): void {
    this.actors.session.send({ type: 'STOP' });
  }

  /** Operator pause / resume of caller capture (agent audio keeps playing). */
  pause(): void {
    this.actors.session.send({ type: 'PAUSE' });
  }

  resume(): void {
    this.actors.session.send({ type: 'RESUME' });
  }

  // ---- the media core's side ---------------------------------------------------------------

  /** Once per media-thread wake-up: frames out, events in, caller audio on, backlog in. */
  onTick(): void {
    onMediaTick(this.parts);
  }

  private finish(): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.parts.startTimeout?.cancel();
    this.parts.deps.metrics.callsActive.dec({ protocol: this.protocol });
    // Runs from inside the session's last step (reportEnded): let that step complete (and be
    // traced) before the actors stop and the trace closes.
    setImmediate(() => {
      for (const a of [this.actors.session, this.actors.aiLink, this.actors.turn, this.actors.playout, this.actors.callControl]) a.stop();
      void this.parts.trace.close().finally(() => {
        this.onEnded(this);
        this.resolveEnded();
      });
    });
  }
}
