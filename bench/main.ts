// `npm run bench -- <name> [options]`: runs bench/<name>.ts, which prints one JSON object
// as its last line of stdout.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface BenchModule {
  run(argv: string[]): Promise<void>;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'main.js' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));

const [name, ...rest] = process.argv.slice(2);
// `npm run bench -- capacity -- --ai cascade` passes a literal `--` through; drop it.
const args = rest.filter((a, i) => !(a === '--' && i === 0));
if (!name || !existsSync(`${here}${name}.js`)) {
  process.stderr.write(`usage: npm run bench -- <name> [options]\navailable: ${available.join(', ') || '(none yet)'}\n`);
  process.exit(2);
}
const mod = (await import(`./${name}.js`)) as BenchModule;
try {
  await mod.run(args);
} catch (err) {
  // A mistyped option is the user's error: say which, not a stack.
  const code = (err as { code?: string }).code;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    process.stderr.write(`bench ${name}: ${(err as Error).message} (see the options at the top of bench/${name}.ts)\n`);
    process.exit(2);
  }
  throw err;
}
