// Randomised runs (fast-check): sequences of provider, caller, network and timer events against
// the running bridge with the media thread free-running — speech_started in the middle of delta
// bursts, an AI socket drop while a cancel is in flight, a hang-up during a reconnect, mark
// echoes after a clear — each ended by a hang-up, a socket drop, an operator stop or SIGTERM.
// At the end: no stale audio reached the caller, nothing leaked, and the trace (checked later
// with TLC) is a behaviour of the specs.
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Observer } from './observer.js';
import { checkEnd, checkMedia, finishCall } from './runner.js';
import { Bridge } from './sut/bridge.js';
import { isReconnectTimer, sleep } from './stimuli/common.js';
import { World } from './world.js';
import type { CoreTraceRecord } from '../../media/core-trace.js';

export type Command =
  | { readonly kind: 'respond'; readonly deltas: number; readonly ms: number; readonly bargeInAfter: number | null }
  | { readonly kind: 'complete' }
  | { readonly kind: 'speechStarted' }
  | { readonly kind: 'speechStopped' }
  | { readonly kind: 'lateDelta' }
  | { readonly kind: 'dropDuringCancel' }
  | { readonly kind: 'dropAi' }
  | { readonly kind: 'reconnect' }
  | { readonly kind: 'echoMarks'; readonly n: number }
  | { readonly kind: 'callerSpeaks'; readonly ms: number }
  | { readonly kind: 'wait'; readonly ms: number };

export type Ending = 'hangup' | 'hangupDuringReconnect' | 'drop' | 'stop' | 'sigterm';

export interface Scenario {
  readonly protocol: 'twilio' | 'audio-stream';
  readonly commands: readonly Command[];
  readonly ending: Ending;
}

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('respond' as const), deltas: fc.integer({ min: 1, max: 12 }), ms: fc.constantFrom(20, 60, 100), bargeInAfter: fc.option(fc.integer({ min: 0, max: 11 }), { nil: null }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'complete' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'speechStarted' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'speechStopped' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'lateDelta' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'dropDuringCancel' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'dropAi' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reconnect' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('echoMarks' as const), n: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('callerSpeaks' as const), ms: fc.constantFrom(40, 200) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.constantFrom(5, 30, 120) }) },
);

export const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  protocol: fc.constantFrom('twilio' as const, 'twilio' as const, 'audio-stream' as const),
  commands: fc.array(commandArb, { minLength: 1, maxLength: 10 }),
  ending: fc.constantFrom<Ending>('hangup', 'hangupDuringReconnect', 'drop', 'stop', 'sigterm'),
});

const linkUp = (w: World): boolean => w.state('aiLink').value === 'open';
const callLive = (w: World): boolean => w.state('session').value.startsWith('active');

/** The last response the turn machine cancelled, as the agent named it. */
function cancelledReal(w: World): { responseId: string; itemId: string } | undefined {
  const id = w.state('turn').context['cancelledResponse'];
  return [...w.responses.values()].find((r) => r.responseId === id);
}

async function respond(w: World, c: Extract<Command, { kind: 'respond' }>): Promise<void> {
  if (!callLive(w)) return;
  await w.ensureLinkOpen();
  const s = w.script();
  if (s.activeResponse !== undefined) s.completeResponse();
  await w.createResponse(`random-${w.responses.size + 1}`);
  // The burst is written in one go; speech may start in the middle of it.
  for (let i = 0; i < c.deltas; i++) {
    if (c.bargeInAfter === i) w.script().speechStarted();
    w.script().audioDelta(c.ms);
    if (i % 3 === 2) w.script().transcriptDelta();
  }
}

async function apply(w: World, c: Command): Promise<void> {
  const live = callLive(w);
  switch (c.kind) {
    case 'respond':
      return respond(w, c);
    case 'complete':
      if (live && linkUp(w)) w.script().completeResponse();
      return;
    case 'speechStarted':
      if (live && linkUp(w)) w.script().speechStarted();
      return;
    case 'speechStopped':
      if (live && linkUp(w)) w.script().speechStopped();
      return;
    case 'lateDelta': {
      const r = cancelledReal(w);
      if (live && linkUp(w) && r) w.script().lateAudioDelta(r.responseId, r.itemId, 40);
      return;
    }
    case 'dropDuringCancel':
      // The barge-in's response.cancel is on its way when the AI socket drops.
      if (!live || !linkUp(w)) return;
      {
        const from = w.observer.log('turn').length;
        w.script().speechStarted();
        await w.stepAfter('turn', from, (s) => s.event.type === 'SPEECH_STARTED', 'SPEECH_STARTED', 1000);
        w.bridge.net.dropAll();
      }
      return;
    case 'dropAi':
      if (live && linkUp(w)) w.bridge.net.dropAll();
      return;
    case 'reconnect':
      if (live && w.state('aiLink').value !== 'failed') await w.ensureLinkOpen().catch(() => undefined);
      return;
    case 'echoMarks':
      for (let i = 0; i < c.n && w.caller.marks.length > 0; i++) w.caller.echoUntil(() => true);
      return;
    case 'callerSpeaks':
      if (w.caller.open) w.caller.speak(c.ms);
      return;
    case 'wait':
      await sleep(c.ms);
      return;
  }
}

async function end(w: World, ending: Ending): Promise<void> {
  switch (ending) {
    case 'hangup':
      if (w.caller.open) w.caller.hangup();
      return;
    case 'hangupDuringReconnect':
      // Lose the AI link, let the reconnect timer fire, and hang up while it connects.
      if (linkUp(w)) w.bridge.net.dropAll();
      await w.observer.until(() => w.state('aiLink').value !== 'open', 'the loss', 1000).catch(() => undefined);
      if (w.state('aiLink').value === 'backoff') {
        const t = w.bridge.clock.pending().find(isReconnectTimer);
        if (t) w.bridge.clock.fire(t.id);
      }
      if (w.caller.open) w.caller.hangup();
      return;
    case 'drop':
      w.caller.drop();
      return;
    case 'stop':
      w.call.stop();
      return;
    case 'sigterm':
      w.sendSigterm();
      await w.observer.until(() => w.state('session').context['shuttingDown'] === true || w.state('session').value !== 'active.live', 'SHUTDOWN', 2000);
      // Let the drain deadline pass: the call is closed for the shutdown.
      for (const t of w.bridge.clock.pending()) if (t.ms === w.bridge.config.shutdown.drainMs) w.bridge.clock.fire(t.id);
      return;
  }
}

export interface RandomRunResult {
  readonly scenario: Scenario;
  readonly trace: string | undefined;
  readonly framesHeard: number;
  readonly clears: number;
  /** The media core's trace-mode records of each call (from its first tick; complete once closed). */
  readonly coreTraces: readonly (readonly CoreTraceRecord[])[];
}

/** One scenario against a fresh bridge; throws when an end check fails. */
export async function runScenario(scenario: Scenario, traceDir: string): Promise<RandomRunResult> {
  mkdirSync(traceDir, { recursive: true });
  const bridge = await Bridge.start({ traceDir });
  let world: World | undefined;
  let out: Omit<RandomRunResult, 'coreTraces'>;
  try {
    bridge.engine.release();
    bridge.net.setHolding(false);
    const { caller, call } = await bridge.connect(scenario.protocol, `rnd${Date.now().toString(36)}`);
    world = new World(bridge, caller, call, new Observer(call), scenario.protocol);
    caller.start();
    await world.observer.until(() => world!.state('session').value === 'active.live', 'the call to start');
    await world.ensureLinkOpen();
    for (const c of scenario.commands) {
      await apply(world, c);
      await sleep(2);
    }
    await end(world, scenario.ending);
    await finishCall(world);
    await checkEnd(world);
    checkMedia(world);
    const files = readdirSync(traceDir).filter((f) => f.endsWith('.ndjson'));
    out = { scenario, trace: files.length === 1 ? join(traceDir, files[0]!) : undefined, framesHeard: caller.framesReceived, clears: caller.clears };
  } finally {
    world?.observer.close();
    await bridge.close().catch(() => undefined);
  }
  return { ...out, coreTraces: bridge.engine.calls.filter((c) => c.tracing).map((c) => c.coreTrace()) };
}

export interface RandomOptions {
  readonly runs: number;
  readonly seed: number;
  readonly traceRoot: string;
}

export interface RandomSummary {
  readonly runs: number;
  readonly seed: number;
  readonly results: readonly RandomRunResult[];
  /** fast-check's report when a run failed (after shrinking). */
  readonly failure?: string;
}

export async function randomRuns(opts: RandomOptions): Promise<RandomSummary> {
  const results: RandomRunResult[] = [];
  let n = 0;
  const details = await fc.check(
    fc.asyncProperty(scenarioArb, async (scenario) => {
      results.push(await runScenario(scenario, join(opts.traceRoot, `random-${String(n++).padStart(4, '0')}`)));
    }),
    { numRuns: opts.runs, seed: opts.seed, endOnFailure: true },
  );
  return {
    runs: opts.runs,
    seed: opts.seed,
    results,
    ...(details.failed ? { failure: fc.defaultReportMessage(details) ?? 'failed' } : {}),
  };
}
