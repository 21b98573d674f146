// One HTTP tool call: POST the call's request as JSON, signed when a webhook secret is set, and
// turn whatever comes back into the string the model receives as the function's output. It never
// throws: a non-2xx status, a timeout, a body that is not JSON or too large, an unreachable
// server or the call's end all become `{"error": "<short reason>"}` with an outcome to count.
import { createHmac } from 'node:crypto';
import type { HttpToolConfig } from '../config/tools.js';

/** Largest response body read from a tool; a larger one is an error (oversize). */
export const MAX_TOOL_RESPONSE_BYTES = 64 * 1024;

export type ToolOutcome = 'ok' | 'unknown_tool' | 'refused' | 'invalid_arguments' | 'timeout' | 'http_error' | 'bad_json' | 'oversize' | 'network' | 'aborted' | 'tool_error';

/** What Parley POSTs to a tool (the webhook's request body). */
export interface ToolRequest {
  readonly callId: string;
  readonly agent: string;
  readonly tool: string;
  readonly arguments: unknown;
  readonly callerId?: string;
  readonly customParameters?: Readonly<Record<string, string>>;
}

export interface ToolResult {
  readonly outcome: ToolOutcome;
  /** The function_call_output's `output` (a string, as the Realtime API wants it). */
  readonly output: string;
}

export const errorOutput = (outcome: ToolOutcome, reason: string): ToolResult => ({ outcome, output: JSON.stringify({ error: reason }) });

/** `sha256=<hex>` of the HMAC-SHA256 of `body` keyed by `secret` (the X-Parley-Signature value). */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export async function callHttpTool(cfg: HttpToolConfig, req: ToolRequest, opts: { readonly secret?: string; readonly signal: AbortSignal }): Promise<ToolResult> {
  const body = JSON.stringify(req);
  const headers: Record<string, string> = { ...cfg.headers, 'content-type': 'application/json', accept: 'application/json' };
  if (opts.secret) headers['x-parley-signature'] = signBody(opts.secret, body);
  const ctl = new AbortController();
  let why: 'timeout' | 'aborted' | undefined;
  const timer = setTimeout(() => {
    why = 'timeout';
    ctl.abort();
  }, cfg.timeoutMs);
  const onAbort = () => {
    why ??= 'aborted';
    ctl.abort();
  };
  if (opts.signal.aborted) onAbort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await fetch(cfg.url, { method: 'POST', headers, body, signal: ctl.signal, redirect: 'manual' });
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel().catch(() => {});
      return errorOutput('http_error', `the tool answered HTTP ${res.status}`);
    }
    const text = await readBounded(res);
    if (text === undefined) return errorOutput('oversize', 'the tool answered more than the size limit');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return errorOutput('bad_json', 'the tool answered something that is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('output' in parsed)) {
      return errorOutput('bad_json', "the tool's answer has no output field");
    }
    const output = (parsed as { output: unknown }).output;
    return { outcome: 'ok', output: typeof output === 'string' ? output : JSON.stringify(output) };
  } catch {
    if (why === 'timeout') return errorOutput('timeout', `the tool did not answer within ${cfg.timeoutMs} ms`);
    if (why === 'aborted') return errorOutput('aborted', 'the call ended');
    return errorOutput('network', 'the tool could not be reached');
  } finally {
    clearTimeout(timer);
    opts.signal.removeEventListener('abort', onAbort);
  }
}

/** The body as text, or undefined past MAX_TOOL_RESPONSE_BYTES (the rest is never read). */
async function readBounded(res: Response): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_TOOL_RESPONSE_BYTES) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_TOOL_RESPONSE_BYTES) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
