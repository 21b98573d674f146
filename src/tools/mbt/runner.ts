// Runs one planned path against the running bridge: a fresh bridge and call, the machine's setup,
// then per step the stimulus, the runtime's step (the same transitions as the model, landing in
// the same configuration and projected context; steps in between may only be ones that change
// nothing), and the media core's agreement; finally the hang-up and the end-of-call checks (no
// stale audio, nothing leaked, nothing left armed that still acts).
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CoreTraceRecord } from '../../media/core-trace.js';
import type { MbtMachineName } from './models/index.js';
import { MODELS } from './models/index.js';
import { Observer, type ObservedStep } from './observer.js';
import type { PlannedPath, PlannedStep } from './paths.js';
import { STIMULI } from './stimuli/index.js';
import { Bridge } from './sut/bridge.js';
import { World } from './world.js';
import { activePaths } from './machineInfo.js';

export interface PathResult {
  readonly id: string;
  readonly machine: string;
  readonly kind: string;
  readonly steps: number;
  readonly ok: boolean;
  /** Index of the step that failed (-1: setup, steps: teardown and end checks). */
  readonly failedAt?: number;
  readonly error?: string;
  readonly seconds: number;
  /** The call's NDJSON trace. */
  readonly trace: string | undefined;
  /** Of the machine under test, from the steps the runtime took as planned. */
  readonly coveredStates: readonly string[];
  readonly coveredTransitions: readonly string[];
  /** Steps of the machine under test in between that changed nothing (tolerated). */
  readonly idleSteps: number;
  /** The media core's trace-mode records, per call the path opened (TracePlayoutCore). */
  readonly coreTraces: readonly (readonly CoreTraceRecord[])[];
}

export interface RunOptions {
  /** The path's trace goes into a fresh directory under this one. */
  readonly traceRoot: string;
  /** The platform with play reports the paths' calls use (default twilio; see SuiteOptions). */
  readonly reportsPlatform?: string;
}

/** Frames a tick already under way may still emit after the state word says 'closed'. */
const TICK_IN_FLIGHT_FRAMES = 5;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const sameSet = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

function needsAudioStream(path: PlannedPath): boolean {
  return path.steps.some((s) => s.event.type === 'HANGUP' && s.from.value === 'connecting');
}

async function setup(machine: MbtMachineName, w: World): Promise<void> {
  if (machine === 'session' || machine === 'aiLink') return;
  w.caller.start();
  await w.observer.until(() => w.state('session').value === 'active.live', 'the call to start');
  await w.ensureLinkOpen();
}

/** The media core agrees with the machines: state word, epoch, nothing after cleanup, nothing stale heard. */
export function checkMedia(w: World): void {
  const media = w.media;
  const playout = w.state('playout').value;
  // The core's own words, read through the addon (what the media thread acts on), not JS's
  // last write; JS's copy only when the core has let the call go.
  const core = media?.coreWords();
  const word = core?.state ?? media?.stateWord;
  const epoch = core?.epoch ?? media?.epoch;
  if (media && word !== playout) throw new Error(`the media core's state word is '${word}' but the playout machine is in '${playout}'`);
  const turn = w.state('turn').context;
  if (media && epoch !== undefined && epoch % Number(turn['epochModulus']) !== turn['epoch']) {
    throw new Error(`the media core's epoch is ${epoch} but the turn machine's epoch is ${String(turn['epoch'])}`);
  }
  if (media && core && core.epoch !== media.epoch) throw new Error(`the media core filters by epoch ${core.epoch}, JS wrote ${media.epoch}`);
  if (w.state('session').tags.includes('media.closing') && media && word !== 'closed') {
    throw new Error(`cleanup began but the media core's state word is '${word}'`);
  }
  if (w.caller.staleMarks > 0) throw new Error(`the caller received ${w.caller.staleMarks} frame(s) of a cleared epoch`);
  if (w.caller.protocolErrors.length > 0) throw new Error(`the caller got messages the far side rejects: ${w.caller.protocolErrors.join('; ')}`);
}

/**
 * Runs `step`: the machine's next step from position `from` of its log that takes the planned
 * transitions. Returns it and how many do-nothing steps came before it.
 */
async function runStep(w: World, machine: MbtMachineName, step: PlannedStep, from: number): Promise<{ observed: ObservedStep; idle: number }> {
  const stimulus = STIMULI[machine][`${step.event.type}:${step.event.role}`];
  if (!stimulus) throw new Error(`no stimulus for ${machine} ${step.event.type}:${step.event.role}`);
  await stimulus(w, step);
  const observed = await w.stepAfter(machine, from, (s) => sameSet(s.transitions, step.transitions), `${machine} to take ${step.transitions.join(', ')}`);
  let idle = 0;
  for (const s of w.observer.log(machine).slice(from, observed.index)) {
    const changed = s.before.value !== s.after.value || !sameJson(MODELS[machine].project(s.before.context), MODELS[machine].project(s.after.context));
    if (changed) throw new Error(`${machine} took an unplanned step: ${s.event.type} ${s.before.value} → ${s.after.value} (${s.transitions.join(', ')})`);
    idle += 1;
  }
  if (observed.after.value !== step.to.value) throw new Error(`${machine} is in '${observed.after.value}', the model in '${step.to.value}'`);
  const ctx = MODELS[machine].project(observed.after.context);
  if (!sameJson(ctx, step.expect)) throw new Error(`${machine} context ${JSON.stringify(ctx)}, the model's ${JSON.stringify(step.expect)}`);
  checkMedia(w);
  return { observed, idle };
}

/** Hangs up (if the call still runs) and waits until the call released everything. */
export async function finishCall(w: World): Promise<void> {
  w.bridge.engine.release();
  w.bridge.net.setHolding(false);
  const session = w.state('session');
  if (session.status === 'active' && !session.tags.includes('media.closing') && w.caller.open) w.caller.hangup();
  await Promise.race([
    w.call.ended,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`the call did not end (session '${w.state('session').value}')`)), 8000)),
  ]);
  await w.shutdown;
}

/** After the call ended: nothing leaked, and no timer left armed still drives a machine. */
export async function checkEnd(w: World): Promise<void> {
  const { app, engine, net, agent, clock } = w.bridge;
  if (app.runtime.liveCalls.length > 0 || app.server.activeCalls > 0) throw new Error('a call is still live after it ended');
  for (const media of engine.calls) {
    if (!media.closed) throw new Error('the media core still holds the call');
    if (media.framesReadAfterClose > 0) throw new Error(`${media.framesReadAfterClose} frame(s) read after the state word became 'closed'`);
    const before = media.countersAtClose?.framesEmitted;
    const after = media.finalCounters?.framesEmitted;
    if (before !== undefined && after !== undefined && after - before > TICK_IN_FLIGHT_FRAMES) {
      throw new Error(`the media core emitted ${after - before} frames after its state word became 'closed'`);
    }
  }
  checkMedia(w);
  const steps = (Object.keys(MODELS) as MbtMachineName[]).reduce((n, m) => n + w.observer.log(m).length, 0);
  for (let i = 0; i < 20 && clock.pending().length > 0; i++) clock.fireNext();
  const after = (Object.keys(MODELS) as MbtMachineName[]).reduce((n, m) => n + w.observer.log(m).length, 0);
  if (after !== steps) throw new Error('a timer left armed drove a machine of the ended call');
  await w.observer.until(() => agent.connections().length === 0 && net.established === 0, 'the AI connections to close');
}

/** The last few steps of a machine's log, for failure messages. */
function recent(log: readonly ObservedStep[], n = 6): string {
  return log
    .slice(-n)
    .map((s) => `${s.event.type}${'bufferedMs' in s.event ? `(${String(s.event['bufferedMs'])})` : ''} ${s.before.value}→${s.after.value}`)
    .join('; ');
}

export async function runPath(path: PlannedPath, opts: RunOptions, index: number): Promise<PathResult> {
  const t0 = performance.now();
  const machine = path.machine as MbtMachineName;
  const traceDir = join(opts.traceRoot, String(index).padStart(4, '0'));
  mkdirSync(traceDir, { recursive: true });
  const covered = { states: new Set<string>(), transitions: new Set<string>() };
  let failedAt: number | undefined;
  let error: string | undefined;
  let idle = 0;
  let bridge: Bridge | undefined;
  let world: World | undefined;
  let at = -1;
  try {
    bridge = await Bridge.start({ traceDir, attempts: path.variant.attempts ?? 2 });
    const protocol = needsAudioStream(path) ? 'audio-stream' : (opts.reportsPlatform ?? 'twilio');
    const { caller, call } = await bridge.connect(protocol, `mbt${index}`);
    world = new World(bridge, caller, call, new Observer(call), protocol);
    await setup(machine, world);
    for (const p of activePaths(path.steps[0]?.from.value ?? '')) covered.states.add(p);
    let cursor = world.observer.log(machine).length;
    for (at = 0; at < path.steps.length; at++) {
      const step = path.steps[at]!;
      const r = await runStep(world, machine, step, cursor);
      cursor = r.observed.index + 1;
      idle += r.idle;
      for (const k of r.observed.transitions) covered.transitions.add(k);
      for (const p of activePaths(r.observed.after.value)) covered.states.add(p);
    }
    await finishCall(world);
    await checkEnd(world);
  } catch (err) {
    failedAt = at;
    error = err instanceof Error ? err.message : String(err);
    if (world) error += ` [${machine} log: ${recent(world.observer.log(machine))}]`;
    if (world) await finishCall(world).catch(() => undefined);
  } finally {
    world?.observer.close();
    await bridge?.close().catch(() => undefined);
  }
  const coreTraces = (bridge?.engine.calls ?? []).filter((c) => c.tracing).map((c) => c.coreTrace());
  const files = readdirSync(traceDir).filter((f) => f.endsWith('.ndjson'));
  return {
    id: path.id,
    machine: path.machine,
    kind: path.kind,
    steps: path.steps.length,
    ok: error === undefined,
    ...(failedAt !== undefined ? { failedAt } : {}),
    ...(error !== undefined ? { error } : {}),
    seconds: Math.round((performance.now() - t0) / 10) / 100,
    trace: files.length === 1 ? join(traceDir, files[0]!) : undefined,
    coveredStates: error === undefined ? [...covered.states] : [],
    coveredTransitions: error === undefined ? [...covered.transitions] : [],
    idleSteps: idle,
    coreTraces,
  };
}
