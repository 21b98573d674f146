// The one statechart renderer: `parley viz` pages, `parley viz --export` and the generator's
// docs/machines/*.svg all come from here, so a review sees exactly what CI checks in.
import type { MachineGraph } from '../graph.js';
import { layoutGraph } from './layout.js';
import { layoutToSvg, type SvgOptions } from './svg.js';

export type { DiffStatus, SvgOptions } from './svg.js';
export type { Layout } from './layout.js';

export async function renderMachineSvg(g: MachineGraph, opts: SvgOptions = {}): Promise<string> {
  const layout = await layoutGraph(g, opts.transitionStatus ? { transitionStatus: opts.transitionStatus } : {});
  return layoutToSvg(g, layout, opts);
}
