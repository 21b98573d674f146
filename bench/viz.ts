// `npm run bench -- viz [--steps N]`: what the visualiser costs.
//   render: ms to lay out and draw each machine (what `npm run gen` and every page load pay);
//   inspect: ns per machine step in the bridge's InspectHub with nobody watching (every call pays
//   this) and with one /inspect subscriber (only while someone watches), plus the JSON bytes a
//   watched step costs on the wire.
// Prints one JSON object as the last line.
import { performance } from 'node:perf_hooks';
import { createActor } from 'xstate';
import { MACHINES } from '../machines/index.js';
import { playoutMachine } from '../machines/playout.js';
import { loadGraphs } from '../src/tools/viz/load.js';
import { renderMachineSvg } from '../src/tools/viz/render/index.js';
import { InspectHub } from '../src/obs/inspect/hub.js';
import { vizRoot } from '../src/tools/viz/root.js';

function flag(argv: readonly string[], name: string, dflt: number): number {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
}

/** ns per step of a playout actor sending WRITE events, inspected by `hub`. */
function stepCost(hub: InspectHub, steps: number): number {
  const call = hub.openCall(`bench-${Math.random()}`, 'twilio');
  const actor = createActor(playoutMachine, { input: {}, inspect: call.inspector('playout') }).start();
  actor.send({ type: 'WRITE', bufferedMs: 100 }); // to playing; further WRITEs stay there
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) actor.send({ type: 'WRITE', bufferedMs: 100 });
  const ns = ((performance.now() - t0) * 1e6) / steps;
  call.end();
  return ns;
}

export async function run(argv: string[]): Promise<void> {
  const steps = flag(argv, '--steps', 50_000);
  const root = vizRoot();
  const render: Record<string, { ms: number; states: number; transitions: number; svgBytes: number }> = {};
  for (const { name, graph } of loadGraphs(root, MACHINES.map((m) => m.name))) {
    await renderMachineSvg(graph); // warm-up (ELK's first layout loads its code)
    const t0 = performance.now();
    const svg = await renderMachineSvg(graph);
    render[name] = { ms: Math.round((performance.now() - t0) * 100) / 100, states: graph.nodes.length - 1, transitions: graph.transitions.length, svgBytes: svg.length };
  }

  // Baseline: the same actor with no inspection at all.
  const bare = createActor(playoutMachine, { input: {} }).start();
  bare.send({ type: 'WRITE', bufferedMs: 100 });
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) bare.send({ type: 'WRITE', bufferedMs: 100 });
  const bareNs = ((performance.now() - t0) * 1e6) / steps;
  // XState's own inspection cost (the runtime's trace inspector pays it already): a no-op observer.
  const noop = createActor(playoutMachine, { input: {}, inspect: () => {} }).start();
  noop.send({ type: 'WRITE', bufferedMs: 100 });
  t0 = performance.now();
  for (let i = 0; i < steps; i++) noop.send({ type: 'WRITE', bufferedMs: 100 });
  const noopNs = ((performance.now() - t0) * 1e6) / steps;

  const idle = stepCost(new InspectHub(), steps);
  const watched = new InspectHub();
  let bytes = 0;
  let msgs = 0;
  watched.subscribe((m) => {
    bytes += JSON.stringify(m).length;
    msgs += 1;
  });
  const watchedNs = stepCost(watched, steps);

  const round = (x: number) => Math.round(x);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'viz',
      render,
      inspect: {
        steps,
        actorStepNs: round(bareNs),
        actorNoopInspectStepNs: round(noopNs),
        hubIdleStepNs: round(idle),
        hubWatchedStepNs: round(watchedNs),
        /** What the hub adds over XState's own inspection, per step. */
        hubIdleOverheadNs: round(idle - noopNs),
        hubWatchedOverheadNs: round(watchedNs - noopNs),
        bytesPerWatchedStep: msgs ? round(bytes / msgs) : 0,
      },
    })}\n`,
  );
}
