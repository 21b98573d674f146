// Shutdown without close(): the env cleanup hook must stop the media thread and release the
// wake-up TSFN, in a process that simply ends, one that calls process.exit() mid-tick, and
// a worker thread that is terminated. Each runs the raw addon in a fresh process or worker.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

const addonPath = fileURLToPath(new URL('../../build/Release/parley_core.node', import.meta.url));

// Opens an engine with a playing call whose wake-ups keep JS busy, never closes it.
const busyEngine = `
  const addon = require(${JSON.stringify(addonPath)});
  let wakes = 0, closed = false, late = 0;
  const e = new addon.Engine(2e6, 8, () => { if (closed) { late++; return; } wakes++; e.drain(); e.readPlayout(id); });
  const id = e.open(1, 8000, 1, 8000, 80, 2000, 1000);
  e.writePlayout(id, Buffer.alloc(16000, 1), 0, 1);
  e.setState(id, addon.engineFields.playoutStates.indexOf('playing'));
`;

function runNode(script: string): { status: number | null; signal: string | null; stderr: string; ms: number } {
  const t = Date.now();
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, signal: r.signal, stderr: r.stderr, ms: Date.now() - t };
}

describe('engine shutdown without close()', () => {
  it('lets the process end on its own (the TSFN does not hold the loop; the hook joins the thread)', () => {
    const r = runNode(`${busyEngine}
      setTimeout(() => { if (wakes === 0) { console.error('no wake-ups'); process.exitCode = 3; } }, 200);`);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
  });

  it('survives process.exit() while the media thread is ticking', () => {
    const r = runNode(`${busyEngine}
      setTimeout(() => process.exit(wakes > 0 ? 7 : 3), 100);`);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(7);
  });

  it('survives the termination of a worker that owns an engine', async () => {
    const worker = new Worker(
      `${busyEngine}
       const { parentPort } = require('node:worker_threads');
       let told = false;
       setInterval(() => { if (wakes > 5 && !told) { told = true; parentPort.postMessage('ticking'); } }, 5);`,
      { eval: true },
    );
    const msg = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(msg).toBe('ticking');
    const code = await worker.terminate();
    expect(code).toBe(1); // terminated, not crashed
    // This process is unharmed: a new engine in it still ticks.
    const r = runNode(`${busyEngine} setTimeout(() => process.exit(wakes > 0 ? 0 : 3), 100);`);
    expect(r.status).toBe(0);
  });

  it('close() is idempotent and stops wake-ups at once', () => {
    const r = runNode(`${busyEngine}
      setTimeout(() => {
        closed = true;
        e.close(); e.close();
        let threw = '';
        try { e.open(1, 8000, 1, 8000, 80, 2000, 1000); } catch (err) { threw = err.code; }
        // At most the one wake-up already queued when close() ran may still arrive.
        setTimeout(() => process.exit(late <= 1 && threw === 'ERR_MEDIA_CLOSED' ? 0 : 4), 50);
      }, 50);`);
    expect(r.status).toBe(0);
  });
});
