// What the page shows, computed on the server: every machine rendered to SVG (merged with its
// git-ref version in diff mode), its states and transitions for search and live highlighting,
// and the spec properties linked to transitions.
import { diffAll, type MachineDiff } from './diff.js';
import { stateKey, transitionLabel, type MachineGraph } from './graph.js';
import { loadGraphs, loadGraphsAtRef } from './load.js';
import { loadSpecProperties, type SpecProperty } from './properties.js';
import { renderMachineSvg } from './render/index.js';

export interface PageState {
  readonly id: string;
  /** Dotted key path ('' for the root): what live snapshots report. */
  readonly path: string;
  readonly key: string;
  readonly type: string;
  readonly tags: readonly string[];
}

export interface PageTransition {
  readonly index: number;
  readonly event: string;
  readonly source: string;
  readonly targets: readonly string[];
  readonly label: string;
}

export interface PageDiff {
  readonly status: MachineDiff['status'];
  readonly states: MachineDiff['states'];
  readonly transitions: MachineDiff['transitions'];
}

export interface PageMachine {
  readonly name: string;
  readonly id: string;
  readonly svg: string;
  readonly states: readonly PageState[];
  readonly transitions: readonly PageTransition[];
  readonly diff?: PageDiff;
}

export interface PageModel {
  readonly title: string;
  readonly mode: 'view' | 'diff';
  /** The git ref compared against, in diff mode. */
  readonly ref?: string;
  readonly machines: readonly PageMachine[];
  readonly properties: readonly SpecProperty[];
  /** Whether the server relays a bridge's /inspect stream at /live. */
  readonly live: boolean;
}

function pageMachine(g: MachineGraph, svg: string, diff?: MachineDiff): PageMachine {
  return {
    name: g.name,
    id: g.id,
    svg,
    states: g.nodes.map((n) => ({ id: n.id, path: n.path.join('.'), key: stateKey(g, n), type: n.type, tags: n.tags })),
    transitions: g.transitions.map((t, index) => ({ index, event: t.event, source: t.source, targets: t.targets, label: transitionLabel(t) })),
    ...(diff ? { diff: { status: diff.status, states: diff.states, transitions: diff.transitions } } : {}),
  };
}

export interface ModelOptions {
  readonly root: string;
  /** Diff against this git ref. */
  readonly ref?: string;
  /** Machine names in display order (the registry). */
  readonly order?: readonly string[];
  readonly live?: boolean;
}

export async function buildPageModel(opts: ModelOptions): Promise<PageModel> {
  const current = loadGraphs(opts.root, opts.order);
  const properties = loadSpecProperties(opts.root, current.map((c) => c.graph));
  const base = { title: 'Parley statecharts', properties, live: opts.live ?? false };
  if (opts.ref === undefined) {
    const machines = await Promise.all(current.map(async (c) => pageMachine(c.graph, await renderMachineSvg(c.graph))));
    return { ...base, mode: 'view', machines };
  }
  const before = loadGraphsAtRef(opts.root, opts.ref, opts.order);
  const diffs = diffAll(before, current);
  const machines = await Promise.all(
    diffs.map(async (d) =>
      pageMachine(d.merged, await renderMachineSvg(d.merged, { nodeStatus: d.nodeStatus, transitionStatus: d.transitionStatus }), d),
    ),
  );
  return { ...base, mode: 'diff', ref: opts.ref, machines };
}
