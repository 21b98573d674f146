// The repository root (nearest ancestor holding package.json), from src/ under vitest and from
// dist/src/ in the built CLI alike: the page's scripts and the machine graphs live there.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function vizRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}
