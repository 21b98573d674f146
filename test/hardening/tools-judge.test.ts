// The tools bench's verdicts (bench/_tools-judge.ts): the lateness rule must fail when the arms
// with tools are later than the noise among the arms without, and pass within it; the trace
// judge must count a response.create after a newer caller turn as stale (TC2), and TC1's
// histogram must show a call_id answered twice.
import { describe, expect, it } from 'vitest';
import type { TraceRecord } from '../../src/obs/trace.js';
import { armOrder, judgeTraces, latenessVerdict, outputsHistogram } from '../../bench/_tools-judge.js';

let seq = 0;
const line = (t: number, src: TraceRecord['src'], event: string, extra: Partial<TraceRecord> = {}): TraceRecord => ({ seq: seq++, t, src, event, ...extra });

/** One call: a tool call, maybe the caller speaking while it runs, its result, then the outputs. */
function call(opts: { speechMidTool?: boolean; createResponse?: boolean; ms?: number; error?: string }): TraceRecord[] {
  seq = 0;
  const lines = [line(0, 'runtime', 'trace.start'), line(10, 'runtime', 'tool.call', { data: { callId: 'c1' } })];
  if (opts.speechMidTool) lines.push(line(20, 'ai', 'speech_started'));
  if (opts.error) lines.push(line(25, 'ai', 'error', { data: { code: opts.error } }));
  lines.push(line(30, 'runtime', 'tool.result', { data: { ms: opts.ms ?? 20 } }));
  const actions = ['sendOutputs', ...(opts.createResponse === false ? [] : ['createResponse'])];
  lines.push(line(31, 'machine', 'OUTPUT', { machine: 'toolCalls', actions }));
  return lines;
}

describe('the lateness verdict', () => {
  it('within noise when the median with tools exceeds the median without by no more than their spread', () => {
    const v = latenessVerdict([30, 31, 29], [28, 32, 30]);
    expect(v.noiseBand).toEqual({ minMs: 28, maxMs: 32, spreadMs: 4 });
    expect(v.deltaMs).toBe(0);
    expect(v.withinNoise).toBe(true);
  });

  it('not within noise when the arms with tools are later than the band allows', () => {
    const v = latenessVerdict([116, 113, 172], [78, 92, 75]);
    expect(v.deltaMs).toBe(38);
    expect(v.allowedMs).toBe(17);
    expect(v.withinNoise).toBe(false);
  });

  it('no verdict without two arms without tools (no noise measured); the band never below 1 ms', () => {
    expect(latenessVerdict([30], [29]).withinNoise).toBeNull();
    const v = latenessVerdict([30.5], [30, 30]);
    expect(v.allowedMs).toBe(1);
    expect(v.withinNoise).toBe(true);
    expect(latenessVerdict([31.5], [30, 30]).withinNoise).toBe(false);
  });
});

describe('the tool-call judge', () => {
  it('a response.create after a newer caller turn is stale; outputs without one are not', () => {
    const j = judgeTraces([call({ speechMidTool: true }), call({ speechMidTool: true, createResponse: false }), call({ ms: 900 })]);
    expect(j).toMatchObject({ calls: 3, stale: 1, barged: 2, latencyMs: [20, 20, 900] });
  });

  it('counts the provider errors Parley received, by code', () => {
    expect(judgeTraces([call({ error: 'response_cancel_not_active' }), call({})]).providerErrors).toEqual({ response_cancel_not_active: 1 });
  });

  it("TC1's histogram: a call_id answered twice shows under 'more', one never answered under '0'", () => {
    expect(outputsHistogram(4, [1, 1, 2])).toEqual({ '0': 1, '1': 2, more: 1 });
  });

  it('alternates the arms so drift falls on both', () => {
    expect(armOrder(3)).toEqual(['none', 'tools', 'tools', 'none', 'none', 'tools']);
  });
});
