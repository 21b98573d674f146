// Reads the generated machine graphs: from the working tree (docs/machines/*.json) or from
// any git ref (`git show <ref>:docs/machines/<name>.json`) for design-review diffs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphError, parseGraphText, type MachineGraph } from './graph.js';

export const GRAPH_DIR = 'docs/machines';

export interface LoadedGraph {
  readonly name: string;
  /** Where it came from: a path, or `<ref>:<path>`. */
  readonly origin: string;
  readonly graph: MachineGraph;
}

/** Orders by `order` (the machine registry) first, then by name. */
function ordered(names: readonly string[], order: readonly string[]): string[] {
  const rank = (n: string): number => {
    const i = order.indexOf(n);
    return i < 0 ? order.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

const nameOf = (file: string): string | undefined => /^([A-Za-z0-9_-]+)\.json$/.exec(file)?.[1];

export function loadGraphs(root: string, order: readonly string[] = []): LoadedGraph[] {
  const dir = join(root, GRAPH_DIR);
  if (!existsSync(dir)) throw new GraphError(GRAPH_DIR, 'no such directory; run `npm run gen` first');
  const names = readdirSync(dir).flatMap((f) => nameOf(f) ?? []);
  return ordered(names, order).map((name) => {
    const origin = `${GRAPH_DIR}/${name}.json`;
    return { name, origin, graph: parseGraphText(readFileSync(join(root, origin), 'utf8'), origin) };
  });
}

export class GitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitError';
  }
}

function git(root: string, args: readonly string[]): string {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new GitError(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`);
  }
}

/** Resolves a ref to a commit id, with a clear error for a ref that does not exist. */
export function resolveRef(root: string, ref: string): string {
  if (ref.startsWith('-')) throw new GitError(`'${ref}' is not a git ref`);
  try {
    return git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).trim();
  } catch {
    throw new GitError(`unknown git ref '${ref}' (try a branch, tag or commit, e.g. HEAD~1 or main)`);
  }
}

/** The graphs as they were at `ref`; none when the ref predates the generator. */
export function loadGraphsAtRef(root: string, ref: string, order: readonly string[] = []): LoadedGraph[] {
  const commit = resolveRef(root, ref);
  const listing = git(root, ['ls-tree', '--name-only', commit, '--', `${GRAPH_DIR}/`]);
  const names = listing
    .split('\n')
    .map((p) => p.trim().split('/').at(-1) ?? '')
    .flatMap((f) => nameOf(f) ?? []);
  return ordered(names, order).map((name) => {
    const path = `${GRAPH_DIR}/${name}.json`;
    const origin = `${ref}:${path}`;
    return { name, origin, graph: parseGraphText(git(root, ['show', `${commit}:${path}`]), origin) };
  });
}
