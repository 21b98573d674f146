// The page's browser scripts are plain JS (served as they are, no build step) with JSDoc types;
// this type-checks them against the DOM library, strict, like the rest of the code base.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('src/tools/viz/client/*.js type-check against the DOM (tsc --checkJs, strict)', () => {
  let out = '';
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'src/tools/viz/client/tsconfig.json'], { encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    out = String((err as { stdout?: string }).stdout ?? err);
  }
  expect(out).toBe('');
}, 60_000);
