// The /inspect wire protocol (server → client only). Each WebSocket text frame is a JSON
// array of messages, oldest first: the server coalesces whatever happened since its last
// frame, so a busy bridge sends a few frames per second, not one per machine step.
//
//   hello       first frame of every connection: the live calls as they are now
//   call.start  a telephony socket was accepted (connId is stable; callId may change once)
//   call.rename the call announced its id (Twilio callSid / audio-stream uuid)
//   step        one event processed by one machine of a call (XState inspect @xstate.snapshot)
//   call.end    the call released everything
//   dropped     the client fell behind: this many step messages were not sent
//   error       the server refuses something the client sent (the stream is read-only)

export const INSPECT_PROTOCOL_VERSION = 1;

/** One machine's configuration: flattened value, active state paths ("active", "active.live"), tags. */
export interface MachineView {
  readonly value: string;
  readonly paths: readonly string[];
  readonly tags: readonly string[];
}

export interface StepMessage {
  readonly type: 'step';
  readonly connId: string;
  readonly callId: string;
  readonly machine: string;
  /** Per-call sequence number of steps, from 1. */
  readonly seq: number;
  /** Wall-clock milliseconds. */
  readonly t: number;
  /** The event, payload sanitised (binary → byte count, long strings cut, depth bounded). */
  readonly event: { readonly type: string; readonly [k: string]: unknown };
  readonly from: string | null;
  readonly to: string;
  readonly changed: boolean;
  readonly view: MachineView;
}

export interface CallSummary {
  readonly connId: string;
  readonly callId: string;
  readonly protocol: string;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly machines: Readonly<Record<string, MachineView>>;
  /** The latest step of the call, if any. */
  readonly last: StepMessage | null;
  /** Recent steps, oldest first (bounded). */
  readonly log: readonly StepMessage[];
}

export type InspectMessage =
  | { readonly type: 'hello'; readonly version: number; readonly t: number; readonly machines: readonly string[]; readonly calls: readonly CallSummary[] }
  | { readonly type: 'call.start'; readonly call: CallSummary }
  | { readonly type: 'call.rename'; readonly connId: string; readonly callId: string }
  | StepMessage
  | { readonly type: 'call.end'; readonly connId: string; readonly callId: string; readonly t: number }
  | { readonly type: 'dropped'; readonly count: number }
  | { readonly type: 'error'; readonly message: string };

/** Dotted paths of every active state node of an XState state value, ancestors first. */
export function activePaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return value ? [prefix ? `${prefix}.${value}` : value] : [];
  if (!value || typeof value !== 'object') return [];
  const out: string[] = [];
  for (const [k, sub] of Object.entries(value as Record<string, unknown>)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.push(p, ...activePaths(sub, p));
  }
  return out;
}

const MAX_DEPTH = 4;
const MAX_KEYS = 24;
const MAX_STRING = 160;
const MAX_ARRAY = 16;

/** A JSON-safe, bounded copy of an event payload: bytes become their length, nothing huge survives. */
export function sanitize(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length})` : value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) return { bytes: value.byteLength };
  if (ArrayBuffer.isView(value)) return { bytes: value.byteLength };
  if (typeof value !== 'object') return typeof value === 'undefined' ? null : `<${typeof value}>`;
  if (depth >= MAX_DEPTH) return '<…>';
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY).map((v) => sanitize(v, depth + 1));
    if (value.length > MAX_ARRAY) items.push(`…(${value.length})`);
    return items;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'function') continue;
    if (n++ >= MAX_KEYS) {
      out['…'] = 'more keys';
      break;
    }
    out[k] = sanitize(v, depth + 1);
  }
  return out;
}
