// A cross-process lock (mkdir is atomic) so that concurrent builds of the
// addon or the TypeScript never write into the same output tree at once.
import { mkdirSync, rmSync, statSync } from 'node:fs';

const STALE_MS = 15 * 60_000;

/** Runs `fn` while holding the named lock under `dir`. */
export async function withLock(dir, name, fn) {
  const path = `${dir}/${name}.lock`;
  mkdirSync(dir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(path);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
      } catch {
        // the holder released it between our two calls
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { recursive: true, force: true });
  }
}
