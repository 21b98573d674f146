// One call of the system under test with the controls a stimulus needs: the caller's leg, the
// scripted agent's current connection, the network, the media gate, the step clock, SIGTERM and
// the operator API, and the runtime's actors (read through the observer).
import type { Call } from '../../session/call.js';
import type { AgentScript, SimFault } from '../sim/agent/index.js';
import type { TelephonyProtocol } from '../../telephony/types.js';
import { MBT_TIMING, type Bridge } from './sut/bridge.js';
import type { PendingTimer } from './sut/clock.js';
import type { StepCaller } from './sut/stepCaller.js';
import type { ObservedCall } from './sut/gatedEngine.js';
import type { MbtMachineName } from './models/index.js';
import type { MachineState, Observer, ObservedStep } from './observer.js';

export interface RealResponse {
  readonly responseId: string;
  readonly itemId: string;
}

export class World {
  /** Model response id → the ids the agent used. */
  readonly responses = new Map<string, RealResponse>();
  private sigterm: Promise<void> | undefined;

  constructor(
    readonly bridge: Bridge,
    readonly caller: StepCaller,
    readonly call: Call,
    readonly observer: Observer,
    readonly protocol: TelephonyProtocol,
  ) {}

  state(machine: MbtMachineName): MachineState {
    return this.observer.current(machine);
  }

  /** The media core's call, once the call started. */
  get media(): ObservedCall | undefined {
    return this.bridge.engine.calls[0];
  }

  /** Waits for the next step of `machine` after position `from` that `match` accepts. */
  stepAfter(machine: MbtMachineName, from: number, match: (s: ObservedStep) => boolean, what: string, timeoutMs = 3000): Promise<ObservedStep> {
    return this.observer.until(() => this.observer.log(machine).slice(from).find(match), what, timeoutMs);
  }

  // ---- the agent -------------------------------------------------------------------------------

  /** The agent's newest open connection. */
  connId(): number {
    const ids = this.bridge.agent.connections().map((c) => c.id);
    if (ids.length === 0) throw new Error('the agent has no open connection');
    return Math.max(...ids);
  }

  script(): AgentScript {
    const s = this.bridge.agent.script(this.connId());
    if (!s) throw new Error('the agent connection has no script');
    return s;
  }

  inject(fault: SimFault): void {
    this.bridge.agent.inject(fault, this.connId());
  }

  /** Brings the AI link to `open`: releases a held connection, fires a pending reconnect. */
  async ensureLinkOpen(): Promise<void> {
    for (let i = 0; i < 10; i++) {
      const link = this.state('aiLink').value;
      if (link === 'open') {
        // The agent speaks in the session's formats once it has read Parley's session.update.
        await this.observer.until(() => this.configured(), 'the agent to receive session.update');
        return;
      }
      if (link === 'connecting') {
        // A held attempt is released here; with holding off (randomised runs) it passes by itself.
        if (this.bridge.net.isHolding) {
          await this.bridge.net.waitPending();
          await this.bridge.net.releaseNext();
        }
        await this.observer.until(() => this.state('aiLink').value !== 'connecting', 'the AI link to open');
      } else if (link === 'backoff') {
        this.fireTimer((t) => (MBT_TIMING.reconnectDelaysMs as readonly number[]).includes(t.ms), 'reconnect');
      } else throw new Error(`the AI link cannot be opened from '${link}'`);
    }
    throw new Error('the AI link did not open');
  }

  private configured(): boolean {
    const conns = this.bridge.agent.connections();
    if (conns.length === 0) return false;
    const id = this.connId();
    return this.bridge.agent.received().some((e) => e.connId === id && e.type === 'session.update');
  }

  /** An active response the turn machine accepts audio of (created when there is none). */
  async ensureResponse(): Promise<void> {
    await this.ensureLinkOpen();
    if (this.state('turn').context['activeResponse'] !== null) return;
    await this.createResponse(`auto-${this.responses.size + 1}`);
  }

  /** Waits until the agent finished its previous response (a cancel is in flight), then creates one. */
  async createResponse(modelId: string): Promise<void> {
    await this.observer.until(() => this.script().activeResponse === undefined, 'the agent to end its previous response');
    const r = this.script().createResponse();
    if (!r) throw new Error('the agent refused to create a response');
    this.responses.set(modelId, r);
  }

  real(modelId: string): RealResponse {
    const r = this.responses.get(modelId);
    if (!r) throw new Error(`no response was created for model id ${modelId}`);
    return r;
  }

  // ---- media, time, process ------------------------------------------------------------------

  /** Lets media wake-ups reach JS until `check` holds, then holds them again. */
  async pump<T>(check: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
    this.bridge.engine.release();
    try {
      return await this.observer.until(check, what, timeoutMs);
    } finally {
      this.bridge.engine.hold();
    }
  }

  /** Fires the armed timer `which` accepts (earlier-due ones fire first, as time demands). */
  fireTimer(which: (t: PendingTimer) => boolean, name: string): PendingTimer[] {
    const t = this.bridge.clock.pending().find(which);
    if (!t) throw new Error(`no ${name} timer is armed (armed: ${JSON.stringify(this.bridge.clock.pending())})`);
    return this.bridge.clock.fire(t.id);
  }

  /** A real SIGTERM, handled like `parley serve` does: graceful shutdown. */
  sendSigterm(): void {
    process.once('SIGTERM', () => {
      this.sigterm = this.bridge.app.shutdown();
    });
    process.kill(process.pid, 'SIGTERM');
  }

  /** The shutdown SIGTERM started, if any. */
  get shutdown(): Promise<void> | undefined {
    return this.sigterm;
  }
}
