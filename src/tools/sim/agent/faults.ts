// Fault specs: objects (control message `{"type":"sim.fault","fault":{...}}`, options) or the
// compact text form used by CLI flags and the `sim_fault` query parameter:
//   kind[:key=value[,key=value...]]   e.g. drop:afterDeltas=3   error:code=server_error,close=true
import type { SimFault } from './types.js';

type Parsed = { ok: true; fault: SimFault } | { ok: false; error: string };

const NUMERIC = new Set(['afterDeltas', 'afterMs', 'ms', 'code']);

/** Validate an untrusted fault object. */
export function parseFaultObject(v: unknown): Parsed {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, error: 'fault must be an object' };
  const o = v as Record<string, unknown>;
  const num = (k: string, required: boolean): number | undefined | string => {
    const x = o[k];
    if (x === undefined) return required ? `fault.${k} is required` : undefined;
    return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : `fault.${k} must be a non-negative number`;
  };
  const trigger: { afterDeltas?: number; afterMs?: number } = {};
  for (const k of ['afterDeltas', 'afterMs'] as const) {
    const x = num(k, false);
    if (typeof x === 'string') return { ok: false, error: x };
    if (x !== undefined) trigger[k] = x;
  }
  switch (o['kind']) {
    case 'drop':
      return { ok: true, fault: { kind: 'drop', ...trigger } };
    case 'close': {
      const code = num('code', true);
      if (typeof code !== 'number') return { ok: false, error: code ?? 'fault.code is required' };
      if (code !== 1000 && (code < 3000 || code > 4999) && code !== 1001 && code !== 1008 && code !== 1011) {
        return { ok: false, error: 'fault.code must be 1000, 1001, 1008, 1011 or 3000-4999' };
      }
      const reason = typeof o['reason'] === 'string' ? o['reason'] : undefined;
      return { ok: true, fault: { kind: 'close', code, ...(reason !== undefined ? { reason } : {}), ...trigger } };
    }
    case 'stall':
    case 'delay':
    case 'slow_reader': {
      const ms = num('ms', true);
      if (typeof ms !== 'number') return { ok: false, error: ms ?? 'fault.ms is required' };
      return { ok: true, fault: { kind: o['kind'], ms, ...trigger } };
    }
    case 'error': {
      const code = o['code'];
      if (typeof code !== 'string' || code.length === 0) return { ok: false, error: 'fault.code (string) is required for error' };
      const errorType = typeof o['errorType'] === 'string' ? o['errorType'] : undefined;
      const message = typeof o['message'] === 'string' ? o['message'] : undefined;
      const close = o['close'] === true;
      return { ok: true, fault: { kind: 'error', code, close, ...(errorType ? { errorType } : {}), ...(message ? { message } : {}), ...trigger } };
    }
    default:
      return { ok: false, error: `unknown fault kind '${String(o['kind'])}' (drop, close, stall, delay, error, slow_reader)` };
  }
}

/** Parse the compact text form. */
export function parseFaultSpec(spec: string): Parsed {
  const colon = spec.indexOf(':');
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const obj: Record<string, unknown> = { kind };
  if (colon >= 0) {
    for (const pair of spec.slice(colon + 1).split(',')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) return { ok: false, error: `bad fault parameter '${pair}' (want key=value)` };
      const k = pair.slice(0, eq);
      const raw = pair.slice(eq + 1);
      const isErrorCode = kind === 'error' && k === 'code';
      obj[k] = raw === 'true' ? true : raw === 'false' ? false : NUMERIC.has(k) && !isErrorCode ? Number(raw) : raw;
    }
  }
  return parseFaultObject(obj);
}
