#!/usr/bin/env node
// `parley` entry point: the compiled CLI lives in dist/ (built by `npm install`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('parley: dist/ is missing; run `npm install` (or `npm run build:ts`) in the checkout first');
  process.exit(1);
}
await import(main.href);
