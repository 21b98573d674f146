// Builds the media-core addon with node-gyp (run by `npm install`).
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withLock } from './lock.mjs';
import { run } from './run.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const gyp = `${root}node_modules/.bin/node-gyp`;
const bin = existsSync(gyp) ? gyp : 'node-gyp';
const jobs = ['-j', 'max'];
// Build against the headers that ship with this Node (no download): <prefix>/include/node.
const prefix = resolve(dirname(process.execPath), '..');
const nodedir = existsSync(`${prefix}/include/node/common.gypi`) ? [`--nodedir=${prefix}`] : [];

const code = await withLock(`${root}.build`, 'native', async () => {
  const conf = await run(bin, ['configure', ...nodedir], { cwd: root });
  if (conf.code !== 0) return conf.code;
  return (await run(bin, ['build', ...jobs], { cwd: root })).code;
});
process.exit(code);
