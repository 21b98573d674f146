// `node dist/bench/_cpuprofile-top.js <file.cpuprofile> [N]`: the top N self-time entries of a V8
// CPU profile (function, url:line, self ms, % of all samples), merged by function and location.
import { readFileSync } from 'node:fs';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}
/** A V8 CPU profile (`--cpu-prof`), the fields read here and in _cpuprofile-parts. */
export interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export function topSelf(p: Profile, n: number): { name: string; where: string; selfMs: number; pct: number }[] {
  const byId = new Map(p.nodes.map((x) => [x.id, x]));
  const selfUs = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const node = byId.get(p.samples[i]!);
    const dt = p.timeDeltas[i] ?? 0;
    if (!node || dt < 0) continue;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'}\t${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => {
      const [name, where] = k.split('\t') as [string, string];
      return { name, where, selfMs: Math.round(us / 1000), pct: Math.round((us / total) * 1000) / 10 };
    });
}

if (process.argv[1]?.endsWith('_cpuprofile-top.js')) {
  const [file, n] = process.argv.slice(2);
  if (!file) throw new Error('usage: _cpuprofile-top.js <file.cpuprofile> [N]');
  const rows = topSelf(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(n ?? 15));
  for (const r of rows) process.stdout.write(`${String(r.pct).padStart(5)} %  ${String(r.selfMs).padStart(6)} ms  ${r.name}  ${r.where}\n`);
}
