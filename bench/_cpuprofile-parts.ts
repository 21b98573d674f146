// `node dist/bench/_cpuprofile-parts.js <file.cpuprofile>`: a V8 CPU profile's time by the part of
// the runtime that spent it, so a profile answers "where does a call-second go" at a glance where
// the self-time list (_cpuprofile-top) is a long flat tail. Each sample goes to the first frame,
// walking from the leaf towards the root, that a part claims: a socket write is a socket write
// wherever it was called from, V8 builtins and Node internals belong to whoever called them, and
// an XState action's own code is counted as that code (only the interpreter's frames are
// "machines"). Percentages are of all samples and of the busy ones (not idle).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Profile } from './_cpuprofile-top.js';

export type { Profile };

type Frame = Profile['nodes'][number]['callFrame'];

/** The parts, tried in this order on each frame; the first that claims it takes the sample. */
export const PARTS: readonly { readonly name: string; readonly claims: (f: Frame) => boolean }[] = [
  { name: 'idle', claims: (f) => f.functionName === '(idle)' },
  { name: 'gc', claims: (f) => f.functionName === '(garbage collector)' },
  { name: 'v8 outside JS', claims: (f) => f.functionName === '(program)' },
  // The syscall and libuv's bookkeeping of a socket write (on loopback the kernel's TCP work too).
  { name: 'socket writes', claims: (f) => f.url.startsWith('node:net') && /^Socket\._write(v|Generic)?$/.test(f.functionName) },
  { name: 'websocket (ws)', claims: (f) => f.url.includes('/ws/lib/') },
  { name: 'machines (XState)', claims: (f) => f.url.includes('/xstate/') || f.url.includes('/machines/') },
  { name: 'telephony codecs', claims: (f) => f.url.includes('/src/telephony/') },
  { name: 'AI protocol', claims: (f) => f.url.includes('/src/ai/') || f.url.includes('/src/tts/') },
  { name: 'media core bridge', claims: (f) => f.url.includes('/src/media/') },
  { name: 'session runtime', claims: (f) => f.url.includes('/src/session/') },
  { name: 'observability', claims: (f) => f.url.includes('/src/obs/') || /\/(prom-client|pino|sonic-boom|thread-stream)\//.test(f.url) },
  { name: 'server', claims: (f) => f.url.includes('/src/server/') },
  { name: 'other Parley code', claims: (f) => f.url.includes('/src/') },
];
const UNCLAIMED = 'node internals / other';

export interface PartRow {
  readonly part: string;
  readonly ms: number;
  /** % of all samples. */
  readonly pct: number;
  /** % of the samples that were not idle. */
  readonly busyPct: number;
}

export function parts(p: Profile): PartRow[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>(); // memo per node: the walk is the same for every sample of it
  const resolve = (id: number): string => {
    const known = partOf.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const claimed = node ? PARTS.find((x) => x.claims(node.callFrame))?.name : undefined;
    const up = parent.get(id);
    const name = claimed ?? (up === undefined ? UNCLAIMED : resolve(up));
    partOf.set(id, name);
    return name;
  };
  const us = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    if (dt < 0) continue;
    const name = resolve(p.samples[i]!);
    us.set(name, (us.get(name) ?? 0) + dt);
    total += dt;
  }
  const busy = total - (us.get('idle') ?? 0);
  const r1 = (x: number) => Math.round(x * 10) / 10;
  return [...us]
    .sort((a, b) => b[1] - a[1])
    .map(([part, t]) => ({ part, ms: Math.round(t / 1000), pct: total ? r1((t / total) * 100) : 0, busyPct: part === 'idle' || !busy ? 0 : r1((t / busy) * 100) }));
}

/** The parts of every profile written into `dir` since `sinceMs` (one per serve process), top `n` each. */
export function profileParts(dir: string, sinceMs: number, n = 12): { file: string; parts: PartRow[] }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile') && statSync(join(dir, f)).mtimeMs >= sinceMs)
    .sort()
    .map((f) => ({ file: f, parts: parts(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile).slice(0, n) }));
}

if (process.argv[1]?.endsWith('_cpuprofile-parts.js')) {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: _cpuprofile-parts.js <file.cpuprofile>');
  for (const r of parts(JSON.parse(readFileSync(file, 'utf8')) as Profile)) {
    process.stdout.write(`${String(r.pct).padStart(5)} % of all  ${String(r.busyPct).padStart(5)} % of busy  ${String(r.ms).padStart(6)} ms  ${r.part}\n`);
  }
}
