// Deliberately corrupted traces: a recorded call with one line added or changed so that it shows
// a bug the specs rule out. Trace validation must reject every one of them (and say why).
import type { TraceRecord } from '../../../obs/trace.js';

export interface Corruption {
  readonly name: string;
  /** The property id the rejection must name. */
  readonly property: string;
  readonly describe: string;
  /** The corrupted trace, or undefined when this trace has no place for the bug. */
  apply(records: readonly TraceRecord[]): TraceRecord[] | undefined;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});

const insertAfter = (records: readonly TraceRecord[], i: number, extra: TraceRecord): TraceRecord[] => [
  ...records.slice(0, i + 1),
  extra,
  ...records.slice(i + 1),
];

const isStep = (r: TraceRecord, machine: string): boolean => r.src === 'machine' && r.machine === machine && r.ignored === undefined && r.event !== 'xstate.init';
const framesRecord = (at: TraceRecord, epoch: number, items: string[]): TraceRecord => ({ seq: at.seq, t: at.t, src: 'media', event: 'frames', data: { epoch, items } });

/** The item the turn machine wrote for a response (from its AUDIO_DELTA lines). */
function itemOf(records: readonly TraceRecord[], responseId: unknown): string | undefined {
  for (const r of records) {
    const d = obj(r.data);
    if (isStep(r, 'turn') && r.event === 'AUDIO_DELTA' && d['responseId'] === responseId && typeof d['itemId'] === 'string') return d['itemId'];
  }
  return undefined;
}

export const CORRUPTIONS: readonly Corruption[] = [
  {
    name: 'frame-after-cleanup',
    property: 'SE1',
    describe: 'a playout frame leaves Parley after the session began cleanup',
    apply(records) {
      const i = records.findIndex((r) => isStep(r, 'session') && (r.tags ?? []).includes('media.closing'));
      const last = [...records.slice(0, i)].reverse().find((r) => r.src === 'media' && r.event === 'frames');
      if (i < 0 || !last) return undefined;
      const d = obj(last.data);
      return insertAfter(records, i, framesRecord(records[i]!, Number(d['epoch']), (d['items'] as string[]).slice(0, 1)));
    },
  },
  {
    name: 'delta-played-after-cancel',
    property: 'BI1',
    describe: 'audio of a response is played after a barge-in cancelled it',
    apply(records) {
      const i = records.findIndex((r) => isStep(r, 'turn') && (r.actions ?? []).includes('sendCancel') && itemOf(records, obj(r.ctx)['cancelledResponse']));
      if (i < 0) return undefined;
      const ctx = obj(records[i]!.ctx);
      return insertAfter(records, i, framesRecord(records[i]!, Number(ctx['epoch']), [itemOf(records, ctx['cancelledResponse'])!]));
    },
  },
  {
    name: 'delta-written-after-cancel',
    property: 'BI1',
    describe: 'a late delta of a cancelled response is written to the playout ring',
    apply(records) {
      const i = records.findIndex((r) => isStep(r, 'turn') && (r.actions ?? []).includes('sendCancel') && itemOf(records, obj(r.ctx)['cancelledResponse']));
      if (i < 0) return undefined;
      const before = records[i]!;
      const ctx = obj(before.ctx);
      const responseId = ctx['cancelledResponse'];
      const step: TraceRecord = {
        seq: before.seq,
        t: before.t,
        src: 'machine',
        machine: 'turn',
        event: 'AUDIO_DELTA',
        from: before.to ?? '',
        to: 'agentSpeaking',
        tags: ['agent.audio'],
        actions: ['enqueueAudio'],
        ctx: { ...ctx, activeResponse: responseId, written: Number(ctx['written']) + 1 },
        data: { responseId, itemId: itemOf(records, responseId) },
      };
      return insertAfter(records, i, step);
    },
  },
  {
    name: 'stale-epoch-frame',
    property: 'PL3',
    describe: 'a frame of the epoch a barge-in ended is sent once playout resumed',
    apply(records) {
      // Placed where frames are allowed again (back in a media.playout state after the flush),
      // so only the epoch can reject it.
      const i = records.findIndex((r) => isStep(r, 'playout') && r.event === 'FLUSH');
      const last = [...records.slice(0, Math.max(i, 0))].reverse().find((r) => r.src === 'media' && r.event === 'frames');
      const j = records.findIndex((r, n) => n > i && isStep(r, 'playout') && (r.tags ?? []).includes('media.playout'));
      if (i < 0 || j < 0 || !last) return undefined;
      return insertAfter(records, j, framesRecord(records[j]!, Number(obj(last.data)['epoch']), obj(last.data)['items'] as string[]));
    },
  },
  {
    name: 'cleanup-twice',
    property: 'SE2',
    describe: 'cleanup begins a second time',
    apply(records) {
      const i = records.findIndex((r) => isStep(r, 'session') && (r.actions ?? []).includes('beginCleanup'));
      if (i < 0) return undefined;
      const r = records[i]!;
      const again: TraceRecord = { ...r, event: 'STOP', from: r.to ?? '', ctx: { ...obj(r.ctx), reason: 'stop' } };
      return insertAfter(records, i, again);
    },
  },
  {
    name: 'connect-after-stop',
    property: 'AL1',
    describe: 'an AI connection is opened after the link stopped',
    apply(records) {
      const i = records.findIndex((r) => isStep(r, 'aiLink') && r.to === 'stopped');
      if (i < 0) return undefined;
      const gen = Number(obj(records[i]!.ctx)['generation']);
      return insertAfter(records, i, { seq: records[i]!.seq, t: records[i]!.t, src: 'ai', event: 'connect', data: { generation: gen, clientGen: 99, attempt: 0 } });
    },
  },
];
