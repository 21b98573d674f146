// Reads TLC's `-tool` output: framed messages "@!@!@STARTMSG code:severity @!@!@ … ENDMSG".
// From them: the TLC version, state counts, search depth, what was violated, and the
// counterexample trace as structured steps.

export interface TlcMessage {
  readonly code: number;
  readonly severity: number;
  readonly body: string;
}

/** A step of a counterexample: a state (with the action that reached it), or the lasso's end. */
export type TraceStep =
  | { readonly index: number; readonly action: string; readonly state: Readonly<Record<string, string>> }
  | { readonly index: number; readonly stuttering: true }
  | { readonly index: number; readonly backTo: number };

export type ViolationKind = 'invariant' | 'action' | 'deadlock' | 'temporal' | 'assert';

export interface TlcSummary {
  readonly version?: string;
  readonly generated?: number;
  readonly distinct?: number;
  readonly depth?: number;
  readonly violation?: { readonly kind: ViolationKind; readonly name?: string };
  readonly trace: readonly TraceStep[];
  /** Error messages TLC printed that are not a property violation (parse, config, evaluation). */
  readonly errors: readonly string[];
}

// EC codes (tlc2/output/EC.java) this reader understands.
const EC = {
  VERSION: 2262,
  STATS: 2199,
  DEPTH: 2194,
  INVARIANT_VIOLATED_INITIAL: 2107,
  INVARIANT_VIOLATED_BEHAVIOR: 2110,
  ACTION_PROPERTY_VIOLATED: 2112,
  DEADLOCK: 2114,
  TEMPORAL_VIOLATED: 2116,
  STATE_PRINT: 2217,
  STUTTER: 2218,
  BACK_TO_STATE: 2122,
  BEHAVIOR_UP_TO: 2121,
  COUNTER_EXAMPLE: 2264,
  ASSERT_FAILED: 2132,
} as const;
const ERROR_SEVERITY = 1;

const MESSAGE = /@!@!@STARTMSG (\d+):(\d+) @!@!@\n([\s\S]*?)@!@!@ENDMSG \1 @!@!@/g;

export function parseMessages(out: string): TlcMessage[] {
  const msgs: TlcMessage[] = [];
  for (const m of out.matchAll(MESSAGE)) msgs.push({ code: Number(m[1]), severity: Number(m[2]), body: (m[3] ?? '').trim() });
  return msgs;
}

const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s.replace(/,/g, '')));

/** "/\ x = 1\n/\ slots = ( 0 :> … @@\n  1 :> … )" → { x: '1', slots: '( 0 :> … @@ 1 :> … )' } */
export function parseState(lines: readonly string[]): Record<string, string> {
  const state: Record<string, string> = {};
  let current: string | undefined;
  for (const line of lines) {
    const m = /^\/\\ ([A-Za-z_][A-Za-z0-9_]*) = (.*)$/.exec(line);
    if (m?.[1] !== undefined) {
      current = m[1];
      state[current] = m[2] ?? '';
    } else if (current !== undefined && line.trim() !== '') {
      state[current] = `${state[current] ?? ''} ${line.trim()}`;
    }
  }
  // A one-variable spec prints the bare "x = 1" without the conjunction bullet.
  if (Object.keys(state).length === 0) {
    for (const line of lines) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*) = (.*)$/.exec(line);
      if (m?.[1] !== undefined) state[m[1]] = m[2] ?? '';
    }
  }
  return state;
}

function traceStep(msg: TlcMessage): TraceStep | undefined {
  const [head = '', ...rest] = msg.body.split('\n');
  const idx = /^(\d+):\s*(.*)$/.exec(head);
  if (!idx) return undefined;
  const index = Number(idx[1]);
  const what = idx[2] ?? '';
  if (msg.code === EC.STUTTER) return { index, stuttering: true };
  if (msg.code === EC.BACK_TO_STATE) {
    const back = /Back to state (\d+)/.exec(what) ?? /^(\d+)/.exec(what);
    return { index, backTo: Number(back?.[1] ?? 0) };
  }
  const action = /^<(Initial predicate|[A-Za-z_][A-Za-z0-9_!]*)/.exec(what)?.[1] ?? what.replace(/^<|>$/g, '');
  return { index, action, state: parseState(rest) };
}

export function summarize(out: string): TlcSummary {
  const msgs = parseMessages(out);
  let version: string | undefined;
  let generated: number | undefined;
  let distinct: number | undefined;
  let depth: number | undefined;
  let violation: TlcSummary['violation'];
  const trace: TraceStep[] = [];
  const errors: string[] = [];
  for (const msg of msgs) {
    switch (msg.code) {
      case EC.VERSION:
        version = /Version (.+)$/m.exec(msg.body)?.[1]?.trim() ?? msg.body;
        break;
      case EC.STATS: {
        const m = /([\d,]+) states generated, ([\d,]+) distinct states found/.exec(msg.body);
        generated = num(m?.[1]);
        distinct = num(m?.[2]);
        break;
      }
      case EC.DEPTH:
        depth = num(/is ([\d,]+)/.exec(msg.body)?.[1]);
        break;
      case EC.INVARIANT_VIOLATED_INITIAL:
      case EC.INVARIANT_VIOLATED_BEHAVIOR: {
        const name = /Invariant ([A-Za-z0-9_!]+)/.exec(msg.body)?.[1];
        violation = { kind: 'invariant', ...(name ? { name } : {}) };
        break;
      }
      case EC.ACTION_PROPERTY_VIOLATED: {
        const name = /Action property ([A-Za-z0-9_!]+)/.exec(msg.body)?.[1];
        violation = { kind: 'action', ...(name ? { name } : {}) };
        break;
      }
      case EC.DEADLOCK:
        violation = { kind: 'deadlock' };
        break;
      case EC.TEMPORAL_VIOLATED:
        violation = { kind: 'temporal' };
        break;
      case EC.ASSERT_FAILED:
        violation = { kind: 'assert' };
        errors.push(msg.body);
        break;
      case EC.STATE_PRINT:
      case EC.STUTTER:
      case EC.BACK_TO_STATE: {
        const step = traceStep(msg);
        if (step) trace.push(step);
        break;
      }
      case EC.BEHAVIOR_UP_TO:
      case EC.COUNTER_EXAMPLE:
        break;
      default:
        if (msg.severity === ERROR_SEVERITY) errors.push(msg.body);
    }
  }
  return {
    ...(version ? { version } : {}),
    ...(generated !== undefined ? { generated } : {}),
    ...(distinct !== undefined ? { distinct } : {}),
    ...(depth !== undefined ? { depth } : {}),
    ...(violation ? { violation } : {}),
    trace,
    errors,
  };
}
