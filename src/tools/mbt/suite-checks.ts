// The suite's TLC checks that run beside the main trace check: one corrupted machine trace must
// be rejected for the property it breaks, and the media core's trace-mode records of every path
// must refine Playout (TracePlayoutCore) while each corrupted core trace is rejected for its own.
import { readFileSync } from 'node:fs';
import type { PathResult } from './runner.js';
import { checkTraces, type TraceSpec } from './trace/check.js';
import { convertTrace, parseNdjson } from './trace/convert.js';
import type { CORRUPTIONS } from './trace/corrupt.js';
import { checkCoreTraces, type CoreTraceInput } from './trace/core.js';
import { CORE_CORRUPTIONS } from './trace/core-corrupt.js';

export interface CorruptedResult {
  readonly name: string;
  readonly property: string;
  readonly source: string | undefined;
  readonly rejectedBy: readonly string[];
  readonly ok: boolean;
}

interface Tlc {
  readonly root: string;
  readonly java: string;
  readonly jar: string;
}

const SPEC_OF: Readonly<Record<string, TraceSpec>> = { SE: 'TraceSession', AL: 'TraceReconnect', BI: 'TraceBargeIn', PL: 'TracePlayout' };

/** Corrupts the first recorded trace the corruption applies to and checks it against its spec. */
export async function checkCorruption(
  c: (typeof CORRUPTIONS)[number],
  sources: readonly { readonly id: string; readonly file: string | undefined }[],
  tlc: Tlc,
): Promise<{ result: CorruptedResult; problem?: string }> {
  const source = sources.find((s) => s.file && c.apply(parseNdjson(readFileSync(s.file, 'utf8'))));
  if (!source?.file) {
    return { result: { name: c.name, property: c.property, source: undefined, rejectedBy: [], ok: false }, problem: `corruption ${c.name}: no recorded trace to corrupt` };
  }
  const bad = c.apply(parseNdjson(readFileSync(source.file, 'utf8')))!;
  const spec = SPEC_OF[c.property.slice(0, 2)]!;
  const r = await checkTraces([{ id: c.name, trace: convertTrace(bad) }], { ...tlc, specs: [spec] });
  const reasons = r.rejections.get(c.name) ?? [];
  const ok = reasons.some((x) => x.why.startsWith(c.property));
  const result = { name: c.name, property: c.property, source: source.id, rejectedBy: reasons.map((x) => `${x.spec}: ${x.why}`), ok };
  if (ok) return { result };
  return { result, problem: `corrupted trace ${c.name} (${c.describe}) was not rejected for ${c.property}: ${reasons.map((x) => x.why).join('; ') || 'accepted'}` };
}

/**
 * The core traces (trace mode, from each call's first tick) of every path and every randomised
 * run (free-running media thread: barge-ins land mid-tick), and their corrupted copies, in one TLC run.
 */
export async function checkPathCoreTraces(
  results: readonly Pick<PathResult, 'id' | 'coreTraces'>[],
  tlc: Tlc,
): Promise<{ core: { checked: number; valid: number; rejectedCorrupted: number }; problems: string[]; line: string }> {
  const problems: string[] = [];
  const core = { checked: 0, valid: 0, rejectedCorrupted: 0 };
  const inputs: CoreTraceInput[] = results.flatMap((r) => r.coreTraces.map((records, i) => ({ id: `${r.id}#${i}`, records })));
  const bad = CORE_CORRUPTIONS.map((c) => {
    const source = inputs.find((t) => c.apply(t.records));
    return { c, input: source ? { id: `corrupt:${c.name}`, records: c.apply(source.records)! } : undefined };
  });
  const res = await checkCoreTraces([...inputs, ...bad.flatMap((b) => (b.input ? [b.input] : []))], tlc);
  core.checked = inputs.filter((t) => t.records.length > 0).length;
  for (const t of inputs) {
    const rej = res.rejected.get(t.id);
    if (rej) problems.push(`core trace of ${t.id} rejected at record ${rej.at ?? 'end'}: ${rej.why}`);
    else if (t.records.length > 0) core.valid++;
  }
  for (const { c, input } of bad) {
    const why = input ? res.rejected.get(input.id)?.why : undefined;
    const ok = why?.startsWith(`${c.property}:`) ?? false;
    if (ok) core.rejectedCorrupted++;
    else problems.push(input ? `corrupted core trace ${c.name} (${c.describe}) was not rejected for ${c.property}: ${why ?? 'accepted'}` : `core corruption ${c.name}: no recorded core trace to corrupt`);
  }
  const line = `core traces: ${core.valid} of ${core.checked} refine Playout; ${core.rejectedCorrupted} of ${CORE_CORRUPTIONS.length} corrupted rejected (TLC ${res.seconds} s, ${res.records} records)`;
  return { core, problems, line };
}
