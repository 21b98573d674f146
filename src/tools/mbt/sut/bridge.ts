// The system under test of one model-based run: `parley serve`'s composition root in-process
// (real HTTP/WebSocket server on loopback, the native media core behind the wake-up gate, the
// session runtime on the step clock, traces on) talking through the controllable network to a
// scripted sim-agent, and step-driven telephony legs.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigInput, type ParleyConfig } from '../../../config/index.js';
import { createMediaEngine } from '../../../media/index.js';
import { startParley, type ParleyApp } from '../../../app.js';
import type { Call } from '../../../session/call.js';
import { startSimAgent, type SimAgent } from '../../sim/agent/index.js';
import type { TelephonyProtocol } from '../../../telephony/types.js';
import { AiNetwork } from './aiNetwork.js';
import { StepClock } from './clock.js';
import { GatedEngine } from './gatedEngine.js';
import { HeldTool } from './heldTool.js';
import { StepCaller } from './stepCaller.js';

export interface BridgeOptions {
  /** Reconnect attempts per loss (the aiLink machine's maxAttempts). */
  readonly attempts?: number;
  /** Where traces go (a fresh temporary directory by default). */
  readonly traceDir?: string;
}

/** Settings the stimuli rely on (distinct timer delays, generous bounds, no jitter). */
export const MBT_TIMING = {
  startTimeoutMs: 4000,
  drainMs: 1500,
  reconnectDelaysMs: [100, 200],
} as const;

export class Bridge {
  private constructor(
    readonly app: ParleyApp,
    readonly config: ParleyConfig,
    readonly clock: StepClock,
    readonly engine: GatedEngine,
    readonly net: AiNetwork,
    readonly agent: SimAgent,
    readonly traceDir: string,
    /** The call's one tool (`lookup`), answered by hand. */
    readonly tool: HeldTool,
  ) {}

  static async start(opts: BridgeOptions = {}): Promise<Bridge> {
    const traceDir = opts.traceDir ?? mkdtempSync(join(tmpdir(), 'parley-mbt-'));
    const agent = await startSimAgent({ drive: 'scripted', replyMs: 4000 });
    const net = await AiNetwork.start(agent.port);
    const native = await createMediaEngine('native');
    if (native.kind !== 'native') throw new Error('model-based tests need the native media core (npm run build:native)');
    const engine = new GatedEngine(native);
    engine.hold();
    const clock = new StepClock();
    const tool = await HeldTool.start();
    const overrides: ConfigInput = {
      port: 0,
      host: '127.0.0.1',
      logLevel: 'silent',
      traceDir,
      limits: { startTimeoutMs: MBT_TIMING.startTimeoutMs, rateMessagesPerSec: 100_000, rateBytesPerSec: 64 * 1024 * 1024 },
      media: { playoutRingMs: 10_000 },
      // The paths drive playout one delta at a time and wait for its marks; with a cushion the
      // start rule waits for a second chunk (machines/playout.ts `isPrefilled`). The cushion is
      // exercised by test/machines/playout.test.ts and test/session/realtime-lead.test.ts.
      telephony: { reportedCushionMs: 0, audioStreamCushionMs: 0 },
      ai: { mode: 'openai', openaiUrl: `ws://127.0.0.1:${net.port}/v1/realtime?model=gpt-realtime`, connectTimeoutMs: 60_000 },
      reconnect: { attempts: opts.attempts ?? 2, delaysMs: [...MBT_TIMING.reconnectDelaysMs], jitter: 0, giveUpNotice: 'tone' },
      shutdown: { drainMs: MBT_TIMING.drainMs },
      tools: { lookup: { description: 'Look something up', url: tool.url, timeoutMs: 60_000, parameters: { type: 'object' } } },
    };
    const config = loadConfig({ env: {}, cwd: traceDir, overrides });
    const app = await startParley({ config, clock, engine });
    return new Bridge(app, config, clock, engine, net, agent, traceDir, tool);
  }

  /** Opens a telephony leg and returns it with the runtime's Call for it. */
  async connect(protocol: TelephonyProtocol, callId: string): Promise<{ caller: StepCaller; call: Call }> {
    const before = new Set(this.app.runtime.liveCalls);
    const caller = await StepCaller.connect(`ws://127.0.0.1:${this.app.port}/${protocol}`, protocol, callId);
    const end = Date.now() + 3000;
    for (;;) {
      const call = this.app.runtime.liveCalls.find((c) => !before.has(c));
      if (call) return { caller, call };
      if (Date.now() > end) throw new Error('the runtime did not accept the telephony leg');
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  async close(): Promise<void> {
    this.engine.release();
    await this.app.shutdown();
    await this.engine.close();
    await this.net.close();
    await this.agent.close();
    await this.tool.close();
  }
}
