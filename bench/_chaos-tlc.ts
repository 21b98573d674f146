// Trace validation of chaos calls (docs/ARCHITECTURE.md#generated-files-and-checks): each chosen
// call's NDJSON trace becomes a generated TLA+ module that TLC checks against the trace specs
// (src/tools/mbt/trace — the same checker the model-based tests use), so the faults' interleavings are
// checked against the specs, not only against the bench's own rules.
import { readFileSync } from 'node:fs';
import { checkTraces, type TraceInput } from '../src/tools/mbt/trace/check.js';
import { checkCoreTraces, coreRecordsOf, type CoreTraceInput } from '../src/tools/mbt/trace/core.js';
import { convertTrace, parseNdjson } from '../src/tools/mbt/trace/convert.js';
import { requireJava } from '../src/tools/verify/prereq.js';
import { ensureTlcJar } from '../src/tools/verify/tlcJar.js';

export interface TraceValidation {
  readonly checked: number;
  readonly accepted: number;
  readonly rejected: readonly { readonly callId: string; readonly spec: string; readonly seq: number | undefined; readonly why: string }[];
  readonly skipped: number;
  readonly tlcRuns: number;
  readonly seconds: number;
  readonly error?: string;
}

export async function validateTraces(files: readonly { readonly callId: string; readonly path: string }[], root: string): Promise<TraceValidation> {
  const t0 = performance.now();
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10;
  const inputs: TraceInput[] = [];
  const unreadable: string[] = [];
  for (const f of files) {
    try {
      inputs.push({ id: f.callId, trace: convertTrace(parseNdjson(readFileSync(f.path, 'utf8'))) });
    } catch (err) {
      unreadable.push(`${f.callId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  try {
    const r = await checkTraces(inputs, { root, java: requireJava().java, jar: ensureTlcJar(), timeoutSeconds: 900 });
    const rejected = [...r.rejections].flatMap(([callId, rs]) => rs.map((x) => ({ callId, spec: x.spec, seq: x.seq, why: x.why })));
    const bad = new Set(rejected.map((x) => x.callId));
    return {
      checked: inputs.length,
      accepted: inputs.length - bad.size,
      rejected: [...rejected, ...unreadable.map((u) => ({ callId: u.split(':')[0]!, spec: 'convert', seq: undefined, why: u }))],
      skipped: r.skipped.length,
      tlcRuns: r.runs.length,
      seconds: seconds(),
    };
  } catch (err) {
    return { checked: 0, accepted: 0, rejected: [], skipped: 0, tlcRuns: 0, seconds: seconds(), error: err instanceof Error ? err.message.slice(0, 2000) : String(err) };
  }
}

export interface CoreTraceValidation {
  readonly checked: number;
  readonly accepted: number;
  /** Calls whose trace lost lines: their core records cannot be checked (a gap is a false step). */
  readonly skipped: number;
  readonly records: number;
  readonly rejected: readonly { readonly callId: string; readonly at: number | undefined; readonly why: string }[];
  readonly seconds: number;
  readonly error?: string;
}

/** The media core's own steps (media.coreTrace) of the chosen calls against TracePlayoutCore. */
export async function validateCoreTraces(files: readonly { readonly callId: string; readonly path: string }[], root: string): Promise<CoreTraceValidation> {
  const t0 = performance.now();
  const seconds = () => Math.round((performance.now() - t0) / 100) / 10;
  const inputs: CoreTraceInput[] = [];
  let skipped = 0;
  for (const f of files) {
    const records = coreRecordsOf(parseNdjson(readFileSync(f.path, 'utf8')));
    if (records === undefined) skipped++;
    else if (records.length > 0) inputs.push({ id: f.callId, records });
  }
  try {
    const r = await checkCoreTraces(inputs, { root, java: requireJava().java, jar: ensureTlcJar(), timeoutSeconds: 900 });
    const rejected = [...r.rejected].map(([callId, x]) => ({ callId, at: x.at, why: x.why }));
    return { checked: inputs.length, accepted: inputs.length - rejected.length, skipped, records: r.records, rejected, seconds: seconds() };
  } catch (err) {
    return { checked: 0, accepted: 0, skipped, records: 0, rejected: [], seconds: seconds(), error: err instanceof Error ? err.message.slice(0, 2000) : String(err) };
  }
}
