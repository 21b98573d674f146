// Compiles the TypeScript (src, machines, bench) into dist/. `--quiet` prints only on failure.
import { fileURLToPath } from 'node:url';
import { withLock } from './lock.mjs';
import { run } from './run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const quiet = process.argv.includes('--quiet');
const tsc = `${root}node_modules/typescript/bin/tsc`;

const { code, out } = await withLock(`${root}.build`, 'ts', () =>
  run(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { quiet: true, cwd: root }),
);
if (code !== 0 || !quiet) process.stderr.write(out);
process.exit(code);
