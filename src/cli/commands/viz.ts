// `parley viz`: the statechart visualiser. Serves a local page with every machine (from the
// generated docs/machines/*.json), a design-review diff against a git ref, and the live view
// of a running bridge; or exports one SVG per machine.
import { resolve } from 'node:path';
import { MACHINES } from '../../../machines/index.js';
import { vizRoot } from '../../tools/viz/root.js';
import { exportSvgs } from '../../tools/viz/export.js';
import { GraphError } from '../../tools/viz/graph.js';
import { GitError, resolveRef } from '../../tools/viz/load.js';
import { checkInspectUrl } from '../../tools/viz/relay.js';
import { VizServer } from '../../tools/viz/server.js';

const HELP = `usage: parley viz [--port N] [--host H] [--diff <git-ref>] [--inspect <ws-url>]
       parley viz --export <dir> [--diff <git-ref>]

Serves the statechart visualiser on http://127.0.0.1:4600/ (local only; nothing is fetched
from the network). Machines come from docs/machines/*.json (\`npm run gen\`).
  --diff <ref>       design review: highlight what changed in each machine since <ref>
  --inspect <url>    live view of a running bridge: relay its /inspect stream
                     (e.g. ws://127.0.0.1:8080/inspect; the token is PARLEY_AUTH_TOKEN)
  --export <dir>     write <dir>/<machine>.svg for every machine and exit
  --port N           port to serve on (default 4600; 0 = any free port)
  --host H           address to bind (default 127.0.0.1)
`;

const VALUE_FLAGS = new Set(['--port', '--host', '--diff', '--inspect', '--export']);

export interface VizArgs {
  readonly port: number;
  readonly host: string;
  readonly diff?: string;
  readonly inspect?: string;
  readonly export?: string;
}

/** Parses argv; throws an Error whose message is the complaint to print. */
export function parseVizArgs(argv: readonly string[]): VizArgs | 'help' {
  const v = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--help' || a === '-h') return 'help';
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (!VALUE_FLAGS.has(flag)) throw new Error(`unknown option '${a}'`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) throw new Error(`${flag} needs a value`);
    v.set(flag, value);
  }
  const portText = v.get('--port') ?? '4600';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`--port: '${portText}' is not a port number (0-65535)`);
  return {
    port,
    host: v.get('--host') ?? '127.0.0.1',
    ...(v.has('--diff') ? { diff: v.get('--diff') } : {}),
    ...(v.has('--inspect') ? { inspect: checkInspectUrl(v.get('--inspect') ?? '') } : {}),
    ...(v.has('--export') ? { export: v.get('--export') } : {}),
  };
}

export async function run(argv: string[]): Promise<number> {
  let args: VizArgs | 'help';
  try {
    args = parseVizArgs(argv);
  } catch (err) {
    process.stderr.write(`parley viz: ${(err as Error).message}\n${HELP}`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const root = vizRoot();
  const order = MACHINES.map((m) => m.name);
  try {
    if (args.diff !== undefined) resolveRef(root, args.diff);
    if (args.export !== undefined) {
      const files = await exportSvgs({ root, dir: resolve(args.export), order, ...(args.diff !== undefined ? { ref: args.diff } : {}) });
      process.stdout.write(`parley viz: wrote ${files.length} SVG(s)\n${files.map((f) => `  ${f}\n`).join('')}`);
      return 0;
    }
    const server = new VizServer({
      root,
      host: args.host,
      port: args.port,
      order,
      ...(args.diff !== undefined ? { ref: args.diff } : {}),
      ...(args.inspect ? { inspectUrl: args.inspect } : {}),
      ...(process.env.PARLEY_AUTH_TOKEN ? { inspectToken: process.env.PARLEY_AUTH_TOKEN } : {}),
    });
    await server.model(); // fail now, with the reason, rather than in the browser
    const url = await server.listen();
    process.stdout.write(`parley viz: ${url}${args.diff !== undefined ? ` (diff vs ${args.diff})` : ''}${args.inspect ? ` (live: ${args.inspect})` : ''}\n`);
    await new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    await server.close();
    return 0;
  } catch (err) {
    if (err instanceof GraphError || err instanceof GitError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`parley viz: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}
