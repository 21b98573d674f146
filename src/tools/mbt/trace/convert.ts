// NDJSON call trace (src/obs/trace.ts) → the records a TLA+ trace module holds. Our TLC has no
// JSON module, so each trace becomes a sequence literal of records with one uniform shape
// (TLC compares values of one type only): strings for names, integers for ids and counts.
// Response ids become 1, 2, … in order of appearance (0: none), item ids the number of their
// response (0: audio of no response, e.g. the give-up notice), as specs/BargeIn.tla numbers them.
import type { TraceRecord } from '../../../obs/trace.js';

export type TraceKind = 'step' | 'ignored' | 'incomplete' | 'frames' | 'flushed' | 'drained' | 'connect' | 'end';

/** One event record as the trace specs read it (every field present, defaults when absent). */
export interface TraceEvent {
  readonly type: string;
  readonly responseId: number;
  readonly itemId: number;
  readonly epoch: number;
  readonly written: number;
  readonly ms: number;
  readonly sentMs: number;
  readonly generation: number;
  readonly fatal: boolean;
  readonly timer: string;
  readonly buffered: number;
  /** The chunk a WRITE just added (ms): the start rule wants the cushion beyond it. */
  readonly chunk: number;
  readonly caughtUp: boolean;
}

/** The context fields the trace specs compare, after the step. */
export interface TraceCtx {
  readonly epoch: number;
  readonly written: number;
  readonly active: number;
  readonly cancelled: number;
  readonly mark: boolean;
  /** Truncate point decided at the step, -1 when none. */
  readonly truncMs: number;
  readonly generation: number;
  readonly attempt: number;
  readonly everOpened: boolean;
  readonly queued: boolean;
  readonly reason: string;
  readonly down: boolean;
}

export interface TraceLine {
  readonly k: TraceKind;
  readonly m: string;
  readonly e: TraceEvent;
  readonly from: string;
  readonly to: string;
  readonly acts: readonly string[];
  readonly ctx: TraceCtx;
  /** Media epoch (frames, flushed). */
  readonly ep: number;
  /** Items of the frames, as response numbers. */
  readonly items: readonly number[];
  /** Position in the NDJSON file (seq), for messages. */
  readonly seq: number;
}

/** Per-call settings the specs need as constants (traces of one batch share them). */
export interface TraceSettings {
  readonly lookaheadMs: number;
  /** The far side's cushion a response needs queued beyond the chunk just written to start. */
  readonly cushionMs: number;
  readonly maxAttempts: number;
  readonly epochModulus: number;
  readonly seqModulus: number;
  readonly generationModulus: number;
}

export interface ConvertedTrace {
  readonly lines: readonly TraceLine[];
  readonly settings: TraceSettings;
}

const NO_EVENT: TraceEvent = {
  type: '', responseId: 0, itemId: 0, epoch: 0, written: 0, ms: 0, sentMs: 0, generation: 0, fatal: false, timer: '', buffered: 0, chunk: 0, caughtUp: false,
};
const NO_CTX: TraceCtx = {
  epoch: 0, written: 0, active: 0, cancelled: 0, mark: false, truncMs: -1, generation: 0, attempt: 0, everOpened: false, queued: false, reason: '', down: false,
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const int = (v: unknown, d = 0): number => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : d);
const bool = (v: unknown): boolean => v === true;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function parseNdjson(text: string): TraceRecord[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as TraceRecord;
      } catch {
        throw new Error(`trace line ${i + 1} is not JSON`);
      }
    });
}

/** Numbers response and item ids as they first appear. */
class Ids {
  private readonly responses = new Map<string, number>();
  private readonly items = new Map<string, number>();

  response(id: unknown): number {
    if (typeof id !== 'string' || id === '') return 0;
    let n = this.responses.get(id);
    if (n === undefined) this.responses.set(id, (n = this.responses.size + 1));
    return n;
  }

  /** Learns which response an item belongs to (from an audio delta). */
  bind(itemId: unknown, responseId: unknown): void {
    if (typeof itemId === 'string' && !this.items.has(itemId)) this.items.set(itemId, this.response(responseId));
  }

  item(id: unknown): number {
    return typeof id === 'string' ? (this.items.get(id) ?? 0) : 0;
  }
}

function eventOf(type: string, data: Obj, ids: Ids): TraceEvent {
  if (type === 'AUDIO_DELTA') ids.bind(data['itemId'], data['responseId']);
  return {
    type,
    responseId: ids.response(data['responseId']),
    itemId: ids.item(data['itemId']),
    epoch: int(data['epoch']),
    written: int(data['written']),
    ms: int(data['ms']),
    sentMs: Math.ceil(typeof data['sentMs'] === 'number' ? data['sentMs'] : 0),
    generation: int(data['generation'], -1),
    fatal: bool(data['fatal']),
    timer: str(data['timer']),
    buffered: int(data['bufferedMs']),
    chunk: int(data['chunkMs']),
    caughtUp: bool(data['caughtUp']),
  };
}

function ctxOf(c: Obj, ids: Ids): TraceCtx {
  const truncate = obj(c['truncate']);
  return {
    epoch: int(c['epoch']),
    written: int(c['written']),
    active: ids.response(c['activeResponse']),
    cancelled: ids.response(c['cancelledResponse']),
    mark: c['mark'] !== null && c['mark'] !== undefined,
    truncMs: c['truncate'] ? int(truncate['ms'], -1) : -1,
    generation: int(c['generation']),
    attempt: int(c['attempt']),
    everOpened: bool(c['everOpened']),
    queued: bool(c['queuedDuringFlush']),
    reason: str(c['reason']),
    down: bool(c['shuttingDown']),
  };
}

const line = (k: TraceKind, seq: number, fields: Partial<TraceLine> = {}): TraceLine => ({
  k, m: '', e: NO_EVENT, from: '', to: '', acts: [], ctx: NO_CTX, ep: 0, items: [], seq, ...fields,
});

/**
 * Keeps what the trace specs check: machine steps (with event, context and effect actions),
 * frames sent, the media thread's flush and drain reports, AI connects, and the end.
 */
const TRACED_MACHINES = new Set(['session', 'aiLink', 'turn', 'playout']);

export function convertTrace(records: readonly TraceRecord[]): ConvertedTrace {
  const ids = new Ids();
  const lines: TraceLine[] = [];
  const settings = { lookaheadMs: 80, cushionMs: 0, maxAttempts: 5, epochModulus: 65536, seqModulus: 1 << 20, generationModulus: 1024 };
  for (const r of records) {
    const data = obj(r.data);
    if (r.src === 'machine') {
      if (r.event === 'xstate.init') {
        const c = obj(r.ctx);
        if (r.machine === 'playout') {
          settings.lookaheadMs = int(c['lookaheadMs'], settings.lookaheadMs);
          settings.cushionMs = int(c['cushionMs'], settings.cushionMs);
        }
        if (r.machine === 'aiLink') {
          settings.maxAttempts = int(c['maxAttempts'], settings.maxAttempts);
          settings.generationModulus = int(c['generationModulus'], settings.generationModulus);
        }
        if (r.machine === 'turn') {
          settings.epochModulus = int(c['epochModulus'], settings.epochModulus);
          settings.seqModulus = int(c['seqModulus'], settings.seqModulus);
        }
        continue;
      }
      const m = r.machine ?? '';
      // The trace specs check the call's four machines; the toolCalls actors are checked by
      // specs/Tools.tla and the e2e tests, not by trace validation.
      if (!TRACED_MACHINES.has(m)) continue;
      if (r.event === 'step.incomplete') lines.push(line('incomplete', r.seq, { m }));
      else if (r.ignored !== undefined) lines.push(line('ignored', r.seq, { m, e: eventOf(r.event, data, ids) }));
      else {
        lines.push(
          line('step', r.seq, {
            m,
            e: eventOf(r.event, data, ids),
            from: r.from ?? '',
            to: r.to ?? '',
            acts: [...new Set(r.actions ?? [])].sort(),
            ctx: ctxOf(obj(r.ctx), ids),
          }),
        );
      }
      continue;
    }
    if (r.src === 'media' && r.event === 'frames') {
      const items = Array.isArray(data['items']) ? data['items'] : [];
      lines.push(line('frames', r.seq, { ep: int(data['epoch']), items: [...new Set(items.map((i) => ids.item(i)))].sort((a, b) => a - b) }));
    } else if (r.src === 'media' && r.event === 'flushed') lines.push(line('flushed', r.seq, { ep: int(data['epoch']) }));
    else if (r.src === 'media' && r.event === 'drained') lines.push(line('drained', r.seq, { e: { ...NO_EVENT, caughtUp: bool(data['caughtUp']) } }));
    else if (r.src === 'ai' && r.event === 'connect') lines.push(line('connect', r.seq, { e: { ...NO_EVENT, generation: int(data['generation']) } }));
    else if (r.src === 'runtime' && r.event === 'trace.end') lines.push(line('end', r.seq));
  }
  return { lines, settings };
}

// ---- TLA+ rendering ----------------------------------------------------------------------------

const tlaString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const tlaBool = (b: boolean): string => (b ? 'TRUE' : 'FALSE');
const tlaInt = (n: number): string => String(Math.trunc(n));

function record(fields: Readonly<Record<string, string>>): string {
  return `[${Object.entries(fields)
    .map(([k, v]) => `${k} |-> ${v}`)
    .join(', ')}]`;
}

function renderValue(v: unknown): string {
  if (typeof v === 'string') return tlaString(v);
  if (typeof v === 'boolean') return tlaBool(v);
  if (typeof v === 'number') return tlaInt(v);
  throw new Error(`cannot render ${JSON.stringify(v)} in TLA+`);
}

const renderFlat = (o: object): string => record(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, renderValue(v)])));

export function renderLine(l: TraceLine): string {
  return record({
    k: tlaString(l.k),
    m: tlaString(l.m),
    e: renderFlat(l.e),
    from: tlaString(l.from),
    to: tlaString(l.to),
    acts: `{${l.acts.map(tlaString).join(', ')}}`,
    ctx: renderFlat(l.ctx),
    ep: tlaInt(l.ep),
    items: `<<${l.items.map(tlaInt).join(', ')}>>`,
    seq: tlaInt(l.seq),
  });
}

export interface TraceModuleInput {
  readonly name: string;
  readonly traces: readonly { readonly id: string; readonly lines: readonly TraceLine[] }[];
  readonly settings: TraceSettings;
  /** Per machine, the named actions that are effects (assigns are not traced). */
  readonly effects: Readonly<Record<string, readonly string[]>>;
}

/** A generated module with the batch's traces and the constants the trace specs read. */
export function renderTraceModule(input: TraceModuleInput): string {
  const s = input.settings;
  const effects = record(Object.fromEntries(Object.entries(input.effects).map(([m, a]) => [m, `{${a.map(tlaString).join(', ')}}`])));
  const traces = input.traces.map((t) => `  \\* ${t.id.replace(/[\r\n]/g, ' ')}\n  <<${t.lines.map((l) => `\n    ${renderLine(l)}`).join(',')}\n  >>`);
  return [
    `---- MODULE ${input.name} ----`,
    `\\* GENERATED by src/tools/mbt/trace/convert.ts from recorded call traces — do not edit.`,
    `EXTENDS Integers, Sequences`,
    `TraceIds == <<${input.traces.map((t) => tlaString(t.id)).join(', ')}>>`,
    `Lookahead == ${tlaInt(s.lookaheadMs)}`,
    `Cushion == ${tlaInt(s.cushionMs)}`,
    `MaxAttempts == ${tlaInt(s.maxAttempts)}`,
    `EpochModulus == ${tlaInt(s.epochModulus)}`,
    `SeqModulus == ${tlaInt(s.seqModulus)}`,
    `GenModulus == ${tlaInt(s.generationModulus)}`,
    `Effects == ${effects}`,
    `Traces == <<`,
    traces.join(',\n'),
    `>>`,
    `====`,
    '',
  ].join('\n');
}
