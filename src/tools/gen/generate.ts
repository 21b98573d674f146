// Every generated file of every registered machine, as repository-relative path → content.
import type { MachineSource } from './extract.js';
import { extractModel } from './extract.js';
import { emitCppHeader } from './emit/cpp.js';
import { emitJson } from './emit/json.js';
import { emitTla } from './emit/tla.js';
import { emitTs } from './emit/ts.js';
import { pascal } from './names.js';
import { parseGraphText } from '../viz/graph.js';
import { renderMachineSvg } from '../viz/render/index.js';

/** The directories the generator owns; a file there that it did not produce is stale. */
export const GENERATED_DIRS = [
  { dir: 'specs/generated', pattern: /Machine\.tla$/ },
  { dir: 'native/generated', pattern: /_guards\.h$/ },
  { dir: 'src/generated', pattern: /\.ts$/ },
  { dir: 'docs/machines', pattern: /\.(json|svg)$/ },
] as const;

export async function generateFiles(machines: readonly MachineSource[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const seen = new Set<string>();
  for (const src of machines) {
    if (seen.has(src.name)) throw new Error(`machine '${src.name}' is registered twice`);
    seen.add(src.name);
    const m = extractModel(src);
    files.set(`specs/generated/${pascal(m.name)}Machine.tla`, emitTla(m));
    files.set(`native/generated/${m.name}_guards.h`, emitCppHeader(m));
    files.set(`src/generated/${m.name}.ts`, emitTs(m));
    const json = emitJson(m);
    files.set(`docs/machines/${m.name}.json`, json);
    // The SVG is drawn from the JSON graph by the visualiser's renderer (`parley viz` shows the same).
    files.set(`docs/machines/${m.name}.svg`, await renderMachineSvg(parseGraphText(json, `docs/machines/${m.name}.json`)));
  }
  return files;
}
