// The tools bench's verdicts: what Parley's traces say about the tool calls of one arm (TC1's
// outputs per call_id come from the agent, the rest from here), and whether the media lateness
// with tools stayed within the noise the arms without tools show among themselves.
import type { TraceRecord } from '../src/obs/index.js';
import { percentiles } from '../src/tools/sim/caller/index.js';

export type ArmKind = 'tools' | 'none';

/** The arms after the warm-up: without, with, with, without, … (`reps` of each), so a drift over the run falls on both. */
export function armOrder(reps: number): ArmKind[] {
  const order: ArmKind[] = [];
  for (let i = 0; i < reps; i++) order.push(...(i % 2 === 0 ? (['none', 'tools'] as const) : (['tools', 'none'] as const)));
  return order;
}

export interface ToolArmJudgement {
  /** tool.call records: the calls Parley started. */
  readonly calls: number;
  readonly latencyMs: readonly number[];
  /** response.create for outputs after a newer caller turn began (TC2: must be 0). */
  readonly stale: number;
  /** Tool responses cancelled at creation because a newer turn began (TC4), never heard. */
  readonly superseded: number;
  /** Calls whose caller began a newer turn while a tool ran. */
  readonly barged: number;
  /** Provider error events Parley received, by code (trace records `ai error`). */
  readonly providerErrors: Record<string, number>;
}

/** Per call's trace: tool latencies, stale response.creates, superseded responses, barges mid-tool. */
export function judgeTraces(traces: readonly (readonly TraceRecord[])[]): ToolArmJudgement {
  const latencyMs: number[] = [];
  let calls = 0;
  let stale = 0;
  let superseded = 0;
  let barged = 0;
  const providerErrors: Record<string, number> = {};
  for (const t of traces) {
    let open = false;
    let running = 0;
    let speechSinceCall = false;
    let bargedHere = false;
    for (const rec of t) {
      if (rec.event === 'tool.call') {
        calls++;
        if (!open) speechSinceCall = false;
        open = true;
        running++;
      } else if (rec.event === 'tool.result') {
        latencyMs.push((rec.data as { ms: number }).ms);
        running = Math.max(0, running - 1);
      } else if (rec.event === 'speech_started' && rec.src === 'ai') {
        if (open) speechSinceCall = true;
        if (running > 0) bargedHere = true;
      } else if (rec.event === 'error' && rec.src === 'ai') {
        const code = String((rec.data as { code?: unknown } | undefined)?.code ?? 'unknown').slice(0, 60);
        providerErrors[code] = (providerErrors[code] ?? 0) + 1;
      } else if (rec.event === 'tool.response_superseded') superseded++;
      else if (rec.machine === 'toolCalls' && rec.actions?.includes('sendOutputs')) {
        if (rec.actions.includes('createResponse') && speechSinceCall) stale++;
        open = false;
      }
    }
    if (bargedHere) barged++;
  }
  return { calls, latencyMs, stale, superseded, barged, providerErrors };
}

/** Outputs per issued call_id: {0, 1, more} (TC1: only 0 or 1), from the agent's counts. */
export function outputsHistogram(issued: number, outputsPerCallId: readonly number[]): { '0': number; '1': number; more: number } {
  const h = { '0': 0, '1': 0, more: 0 };
  for (const n of outputsPerCallId) h[n === 1 ? '1' : 'more']++;
  h['0'] = Math.max(0, issued - outputsPerCallId.length);
  return h;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/** The smallest band: the lateness figures are whole-ms jitter against a 20 ms clock. */
export const MIN_BAND_MS = 1;

/**
 * "p99 outbound lateness unchanged within noise": the median p99 of the arms with tools exceeds
 * the median p99 of the arms without by no more than the spread (max − min) among the arms
 * without — the difference two runs of the same bench show. Null (no verdict) with fewer than
 * two arms without tools (no noise measured) or none with.
 */
export function latenessVerdict(withTools: readonly number[], withoutTools: readonly number[]) {
  const band = withoutTools.length ? { minMs: r1(Math.min(...withoutTools)), maxMs: r1(Math.max(...withoutTools)), spreadMs: r1(Math.max(...withoutTools) - Math.min(...withoutTools)) } : null;
  const measurable = withTools.length >= 1 && withoutTools.length >= 2 && band !== null;
  const allowedMs = band ? r1(Math.max(band.spreadMs, MIN_BAND_MS)) : null;
  const deltaMs = measurable ? r1(median(withTools) - median(withoutTools)) : null;
  return {
    p99Ms: { withTools: withTools.map(r1), withoutTools: withoutTools.map(r1) },
    medianP99Ms: { withTools: withTools.length ? r1(median(withTools)) : null, withoutTools: withoutTools.length ? r1(median(withoutTools)) : null },
    noiseBand: band,
    deltaMs,
    allowedMs,
    withinNoise: measurable ? deltaMs! <= allowedMs! : null,
    rule: `median p99 with tools − median p99 without ≤ max(spread of the arms without tools, ${MIN_BAND_MS} ms)`,
  };
}

/** Tool latency p50/p99 over every arm with tools. */
export function latencySummary(ms: readonly number[]) {
  const p = percentiles(ms);
  return { count: p.count, p50: Math.round(p.p50), p99: Math.round(p.p99) };
}
