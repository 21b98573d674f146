// The durable outbox across rotation (PARLEY_EVENTS_DIR): a process writes events that fill
// several 1 MiB segments, acknowledges some (a whole segment among them), and is SIGKILLed; the
// next process gets back exactly the unacknowledged events of every rotated segment and delivers
// them in order, after which the directory empties. And the outbox's bound: past it an event is
// refused (delivered from memory only), and room comes back as segments are acknowledged.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/obs/index.js';
import { Outbox, SEGMENT_BYTES } from '../../src/records/outbox.js';
import { CallRecords } from '../../src/records/service.js';
import type { CallEvent } from '../../src/records/types.js';

const EVENTS = 150;
const BATCH = 10;
const PAD = 20_000;
/** Index i is acknowledged before the kill: the whole first segment's worth, then every third. */
const ackedBeforeKill = (i: number) => i < 60 || i % 3 === 0;

const event = (i: number, pad = PAD): CallEvent => ({
  eventId: `evt-${String(i).padStart(4, '0')}`,
  callId: 'CArotation',
  seq: i + 1,
  at: new Date(0).toISOString(),
  type: 'call.transcript',
  turn: { role: 'caller', text: `turn ${i} ${'x'.repeat(pad)}`, startMs: i, endMs: i + 1 },
});

/** The first process: writes in batches, acknowledges, flushes, then dies by SIGKILL. */
const WRITER = `
import { Outbox } from ${JSON.stringify(`${process.cwd()}/dist/src/records/outbox.js`)};
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
const [dir, n, batch, pad] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a)));
const ev = (i) => ({ eventId: 'evt-' + String(i).padStart(4, '0'), callId: 'CArotation', seq: i + 1, at: new Date(0).toISOString(), type: 'call.transcript', turn: { role: 'caller', text: 'turn ' + i + ' ' + 'x'.repeat(pad), startMs: i, endMs: i + 1 } });
const { outbox } = await Outbox.open(dir, 8 * 1024 * 1024, (e) => console.error(String(e)));
const written = [];
for (let i = 0; i < n; i += batch) {
  const ids = Array.from({ length: Math.min(batch, n - i) }, (_, j) => i + j);
  written.push(...(await Promise.all(ids.map((k) => outbox.add(ev(k))))));
}
const files = readdirSync(dir).map((f) => statSync(join(dir, f)).size);
for (let i = 0; i < n; i++) if ((${ackedBeforeKill.toString()})(i)) outbox.ack(ev(i).eventId);
await outbox.close();
console.log(JSON.stringify({ written: written.every(Boolean), files }));
process.kill(process.pid, 'SIGKILL');
`;

async function runWriter(dir: string): Promise<{ written: boolean; files: number[]; signal: string | null }> {
  const script = join(dir, '..', 'writer.mjs');
  writeFileSync(script, WRITER);
  const child = spawn(process.execPath, [script, dir, String(EVENTS), String(BATCH), String(PAD)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const signal = await new Promise<string | null>((r) => child.on('exit', (_code, sig) => r(sig)));
  expect(err).toBe('');
  return { ...(JSON.parse(out.trim()) as { written: boolean; files: number[] }), signal };
}

async function receiver(): Promise<{ server: Server; url: string; ids: string[] }> {
  const ids: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      ids.push((JSON.parse(body) as CallEvent).eventId);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, ids };
}

describe('events outbox rotation', () => {
  it('rotates at 1 MiB; after a SIGKILL the next process delivers the unacknowledged events of every rotated segment, in order, and the directory empties', async () => {
    const root = mkdtempSync(join(tmpdir(), 'parley-outbox-rot-'));
    const dir = join(root, 'outbox');
    const w = await runWriter(dir);
    expect(w.signal).toBe('SIGKILL');
    expect(w.written).toBe(true);
    // ~3 MB of events: at least three segments, none beyond 1 MiB by more than one batch.
    expect(w.files.length).toBeGreaterThanOrEqual(3);
    for (const size of w.files) expect(size).toBeLessThanOrEqual(SEGMENT_BYTES + BATCH * (PAD + 400));
    // The first segment was all acknowledged: the writer deleted it once it rotated away.
    const left = readdirSync(dir);
    expect(left.length).toBeLessThan(w.files.length);

    const rx = await receiver();
    const config = loadConfig({ env: {}, cwd: root, overrides: { records: { eventsUrl: rx.url, eventsDir: dir } } });
    const records = await CallRecords.start({ config, registry: new Registry(), log: silentLogger(), backoffMs: [50] });
    const want = Array.from({ length: EVENTS }, (_, i) => i)
      .filter((i) => !ackedBeforeKill(i))
      .map((i) => event(i).eventId);
    const end = Date.now() + 10_000;
    while (rx.ids.length < want.length && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(rx.ids).toEqual(want);
    await records.drain(Date.now() + 2000);
    // Every event acknowledged: no segment is left.
    expect(readdirSync(dir)).toEqual([]);
    await new Promise<void>((r) => rx.server.close(() => r()));
  });

  it('is bounded: an event past the bound is refused, and room comes back once a segment is acknowledged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-outbox-bound-'));
    const errors: unknown[] = [];
    const { outbox } = await Outbox.open(dir, 3 * (PAD + 400), (e) => errors.push(e));
    expect(await outbox.add(event(0))).toBe(true);
    expect(await outbox.add(event(1))).toBe(true);
    expect(await outbox.add(event(2))).toBe(true);
    expect(await outbox.add(event(3))).toBe(false);
    const size = () => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    const full = size();
    expect(full).toBeLessThanOrEqual(3 * (PAD + 400));
    // All three delivered: once their acknowledgements are on disk the space is free again, even
    // though the segment holding them is still the one being written (a bound below a segment).
    for (const i of [0, 1, 2]) outbox.ack(event(i).eventId);
    const end = Date.now() + 5000;
    while (size() === full && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 20));
    expect(await outbox.add(event(4))).toBe(true);
    expect(await outbox.add(event(5))).toBe(true);
    expect(size()).toBeLessThanOrEqual(3 * (PAD + 400));
    await outbox.close();
    expect(errors).toEqual([]);
  });
});
