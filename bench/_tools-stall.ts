// The tools bench's sensitivity check (`--inject-tool-stall-ms N`), loaded into `parley serve`
// with --import: every outgoing HTTP request to a path ending in /lookup (the bench's tool) first
// blocks the event loop for TOOLS_STALL_MS, a stand-in for a costly tool path. A bench that
// cannot tell this from noise cannot vouch for "unchanged within noise" either.
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

const stallMs = Number(process.env.TOOLS_STALL_MS ?? 0);
const original = http.request;

function pathOf(a: unknown): string {
  if (typeof a === 'string') return new URL(a).pathname;
  if (a instanceof URL) return a.pathname;
  return String((a as { path?: unknown } | null)?.path ?? '');
}

if (stallMs > 0) {
  http.request = ((...args: Parameters<typeof original>) => {
    if (pathOf(args[0]).endsWith('/lookup')) {
      const until = performance.now() + stallMs;
      while (performance.now() < until) {
        // blocking on purpose
      }
    }
    return original(...args);
  }) as typeof http.request;
  syncBuiltinESMExports();
}
