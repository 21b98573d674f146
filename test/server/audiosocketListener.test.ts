// The AudioSocket listener's admission: a raw TCP protocol has no credential, so the source
// address decides (loopback by default), then capacity and drain as for the WebSocket server.
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Metrics, silentLogger } from '../../src/obs/index.js';
import { realClock } from '../../src/base/clock.js';
import { AudioSocketListener } from '../../src/server/audiosocketListener.js';
import type { ParleyServer } from '../../src/server/server.js';
import type { CallHandler } from '../../src/session/seam.js';

async function refusedWith(allow: string[], refusal?: { reason: 'busy' | 'draining'; detail: string }): Promise<{ bytes: Buffer; metrics: Metrics; accepted: number }> {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
  const metrics = new Metrics({ processMetrics: false });
  let accepted = 0;
  const handler: CallHandler = {
    accept: () => {
      accepted += 1;
      throw new Error('not in this test');
    },
  };
  const server = { reserveCall: () => Promise.resolve(refusal ?? { release: () => {} }), adopt: () => {} } as unknown as ParleyServer;
  const l = new AudioSocketListener({ port: 0, host: '127.0.0.1', allow, uuidPrefix: undefined, limits: config.limits, server, handler, metrics, log: silentLogger(), clock: realClock });
  const port = await l.listen();
  const s = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  s.on('error', () => {});
  await new Promise((r) => s.once('close', r));
  await l.close();
  return { bytes: Buffer.concat(chunks), metrics, accepted };
}

describe('AudioSocket listener admission', () => {
  it('refuses a source address that is not allowed: error message (hang-up code), closed, counted', async () => {
    const r = await refusedWith(['10.1.2.3']);
    expect(r.bytes).toEqual(Buffer.from([0xff, 0x00, 0x01, 0x01]));
    expect(await r.metrics.value('parley_upgrades_refused_total', { reason: 'unauthorized' })).toBe(1);
    expect(r.accepted).toBe(0);
  });

  it('refuses when the server is at capacity, with the server’s reason', async () => {
    const r = await refusedWith([], { reason: 'busy', detail: 'busy' });
    expect(r.bytes[0]).toBe(0xff);
    expect(await r.metrics.value('parley_upgrades_refused_total', { reason: 'busy' })).toBe(1);
  });

  it('an admitted connection that closes before its UUID releases its place, once', async () => {
    const config = loadConfig({ env: {}, overrides: { logLevel: 'silent' } });
    let released = 0;
    const server = { reserveCall: () => Promise.resolve({ release: () => (released += 1) }), adopt: () => {} } as unknown as ParleyServer;
    const handler: CallHandler = { accept: () => { throw new Error('not in this test'); } };
    const l = new AudioSocketListener({ port: 0, host: '127.0.0.1', allow: [], uuidPrefix: undefined, limits: config.limits, server, handler, metrics: new Metrics({ processMetrics: false }), log: silentLogger(), clock: realClock });
    const port = await l.listen();
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    await new Promise((r) => setTimeout(r, 50));
    expect(released).toBe(0);
    s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    await l.close();
    expect(released).toBe(1);
  });
});
