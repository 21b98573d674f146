// `parley viz --export <dir>`: one SVG per machine, from the generated graphs, through the same
// renderer as the generator's docs/machines/*.svg (so the files are identical to those).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffAll } from './diff.js';
import { loadGraphs, loadGraphsAtRef } from './load.js';
import { renderMachineSvg } from './render/index.js';

export interface ExportOptions {
  readonly root: string;
  readonly dir: string;
  readonly order?: readonly string[];
  /** Export the diff-highlighted charts against this ref instead. */
  readonly ref?: string;
}

/** Writes the SVGs; returns the paths written, in machine order. */
export async function exportSvgs(opts: ExportOptions): Promise<string[]> {
  const current = loadGraphs(opts.root, opts.order);
  mkdirSync(opts.dir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, svg: string): void => {
    const path = join(opts.dir, `${name}.svg`);
    writeFileSync(path, svg);
    written.push(path);
  };
  if (opts.ref === undefined) {
    for (const c of current) write(c.name, await renderMachineSvg(c.graph));
    return written;
  }
  for (const d of diffAll(loadGraphsAtRef(opts.root, opts.ref, opts.order), current)) {
    write(d.name, await renderMachineSvg(d.merged, { nodeStatus: d.nodeStatus, transitionStatus: d.transitionStatus }));
  }
  return written;
}
