// Prints the addon's C++ sources for binding.gyp: every .cc under native/src (core and addon).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.cc') ? [join(dir, e.name)] : [],
  );
}
console.log(walk('native/src').sort().join(' '));
