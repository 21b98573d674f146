// The durable events outbox (PARLEY_EVENTS_DIR): every event is appended to a segment file and
// made durable (one write + fdatasync per batch, off the event loop) before it is delivered; its
// acknowledgement is appended later. A segment whose events are all acknowledged is deleted once
// it is no longer the one written to; segments rotate at SEGMENT_BYTES and all of them together
// are bounded (an event beyond the bound is delivered from memory only, counted). On start a
// process claims the segments of processes that are gone (renaming them, so two workers never
// claim the same one) and hands back every event they hold that was never acknowledged.
import { readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallEvent } from './types.js';

export const SEGMENT_BYTES = 1024 * 1024;
const NAME = /^seg-(\d+)-(\d+)-(\d+)\.ndjson$/;

type Line = { readonly add: CallEvent } | { readonly ack: string };

interface Segment {
  readonly path: string;
  bytes: number;
  /** Events added to this segment and not acknowledged yet. */
  unacked: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

export class Outbox {
  private readonly segments: Segment[] = [];
  private readonly where = new Map<string, Segment>();
  private current: { seg: Segment; fh: FileHandle } | undefined;
  private batch: { text: string; addId?: string; done: () => void }[] = [];
  /** Events added and not acknowledged yet, written or still in the batch. */
  private readonly pending = new Set<string>();
  private flushing: Promise<void> | undefined;
  private seq = 0;
  private total = 0;
  /** Deletions under way (close waits for them). */
  private readonly unlinks = new Set<Promise<void>>();

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Opens the outbox and returns the events previous processes left unacknowledged, in order. */
  static async open(dir: string, maxBytes: number, onError: (err: unknown) => void): Promise<{ outbox: Outbox; leftovers: CallEvent[] }> {
    await mkdir(dir, { recursive: true });
    const box = new Outbox(dir, maxBytes, onError);
    return { outbox: box, leftovers: box.claim() };
  }

  /** Appends the event; resolves once it is on disk (false: over the bound, or the disk failed). */
  add(ev: CallEvent): Promise<boolean> {
    const text = `${JSON.stringify({ add: ev } satisfies Line)}\n`;
    // A bound below a segment's size: the segment being written may hold only acknowledged
    // events and would never rotate (nothing more fits), so it is retired to make room.
    if (this.total + text.length > this.maxBytes) this.retireIdleCurrent();
    if (this.total + text.length > this.maxBytes) return Promise.resolve(false);
    this.total += text.length;
    return new Promise((resolve) => {
      this.batch.push({ text, addId: ev.eventId, done: () => resolve(this.where.has(ev.eventId)) });
      this.pending.add(ev.eventId);
      this.kick();
    });
  }

  /** The event was acknowledged: recorded (in the next batch) and its segment freed when empty. */
  ack(eventId: string): void {
    if (!this.where.has(eventId) && !this.pending.has(eventId)) return;
    this.pending.delete(eventId);
    const text = `${JSON.stringify({ ack: eventId } satisfies Line)}\n`;
    this.batch.push({ text, done: () => this.release(eventId) });
    this.kick();
  }

  /** Writes what is batched, then closes the current segment (deleted when nothing is left to deliver). */
  async close(): Promise<void> {
    while (this.flushing || this.batch.length > 0) await (this.flushing ?? this.flush());
    const cur = this.current;
    await cur?.fh.close().catch(() => {});
    this.current = undefined;
    // Its acknowledgements matter only while another segment holds unacknowledged events.
    if (cur && this.segments.length === 1) this.maybeDelete(cur.seg);
    await Promise.all([...this.unlinks]);
  }

  /** Closes and deletes the segment being written when all its events are acknowledged and nothing is in flight. */
  private retireIdleCurrent(): void {
    const cur = this.current;
    if (!cur || cur.seg.unacked > 0 || this.flushing || this.batch.length > 0) return;
    this.current = undefined;
    void cur.fh.close().catch(() => {});
    this.maybeDelete(cur.seg);
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = new Promise<void>((r) => setImmediate(r)).then(() => this.flush());
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    try {
      if (batch.length === 0) return;
      const cur = await this.writable();
      const buf = Buffer.from(batch.map((b) => b.text).join(''));
      await cur.fh.write(buf, 0, buf.length, null);
      await cur.fh.datasync();
      cur.seg.bytes += buf.length;
      for (const b of batch) {
        if (b.addId === undefined) continue;
        this.where.set(b.addId, cur.seg);
        cur.seg.unacked++;
      }
    } catch (err) {
      this.onError(err);
    } finally {
      for (const b of batch) b.done();
      this.flushing = undefined;
      if (this.batch.length > 0) this.kick();
    }
  }

  private async writable(): Promise<{ seg: Segment; fh: FileHandle }> {
    if (this.current && this.current.seg.bytes < SEGMENT_BYTES) return this.current;
    const old = this.current;
    const path = join(this.dir, `seg-${process.pid}-${String(Date.now()).padStart(15, '0')}-${String(++this.seq).padStart(6, '0')}.ndjson`);
    const fh = await open(path, 'a');
    this.current = { seg: { path, bytes: 0, unacked: 0 }, fh };
    this.segments.push(this.current.seg);
    if (old) {
      await old.fh.close().catch(() => {});
      this.maybeDelete(old.seg);
    }
    return this.current;
  }

  private release(eventId: string): void {
    const seg = this.where.get(eventId);
    if (!seg) return;
    this.where.delete(eventId);
    seg.unacked--;
    this.maybeDelete(seg);
  }

  private maybeDelete(seg: Segment): void {
    if (seg.unacked > 0 || this.current?.seg === seg) return;
    const i = this.segments.indexOf(seg);
    if (i < 0) return;
    this.segments.splice(i, 1);
    this.total -= seg.bytes;
    const gone: Promise<void> = unlink(seg.path)
      .catch((err: unknown) => this.onError(err))
      .finally(() => this.unlinks.delete(gone));
    this.unlinks.add(gone);
  }

  /** Claims the segments of dead processes (synchronously: runs once, at start) and reads them. */
  private claim(): CallEvent[] {
    const names = readdirSync(this.dir)
      .filter((n) => {
        const m = NAME.exec(n);
        return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
      })
      .sort((a, b) => a.split('-').slice(2).join('-').localeCompare(b.split('-').slice(2).join('-')));
    const adds: { ev: CallEvent; seg: Segment }[] = [];
    const acked = new Set<string>();
    for (const n of names) {
      const [, , time, seq] = NAME.exec(n)!;
      const path = join(this.dir, `seg-${process.pid}-${time}-${seq}.ndjson`);
      try {
        renameSync(join(this.dir, n), path);
      } catch {
        continue; // another process claimed it first
      }
      const text = readFileSync(path, 'utf8');
      const seg: Segment = { path, bytes: Buffer.byteLength(text), unacked: 0 };
      this.segments.push(seg);
      this.total += seg.bytes;
      for (const line of text.split('\n')) {
        if (!line) continue;
        try {
          const l = JSON.parse(line) as Line; // a torn last line (killed mid-write) is skipped
          if ('add' in l) adds.push({ ev: l.add, seg });
          else acked.add(l.ack);
        } catch {
          /* torn */
        }
      }
    }
    const out: CallEvent[] = [];
    for (const { ev, seg } of adds) {
      if (acked.has(ev.eventId) || this.where.has(ev.eventId)) continue;
      this.where.set(ev.eventId, seg);
      seg.unacked++;
      out.push(ev);
    }
    for (const seg of [...this.segments]) if (seg.unacked === 0) this.deleteNow(seg);
    return out;
  }

  private deleteNow(seg: Segment): void {
    this.segments.splice(this.segments.indexOf(seg), 1);
    this.total -= seg.bytes;
    try {
      unlinkSync(seg.path);
    } catch (err) {
      this.onError(err);
    }
  }
}
