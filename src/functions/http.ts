// One HTTP tool call: POST the call's request as JSON, signed when a webhook secret is set, and
// turn whatever comes back into the string the model receives as the function's output. It never
// throws: a non-2xx status, a timeout, a body that is not JSON or too large, an unreachable
// server or the call's end all become `{"error": "<short reason>"}` with an outcome to count.
// Over node:http(s), not fetch: the first fetch of a process loads and compiles undici (its HTTP
// parser is WebAssembly) synchronously — ~50 ms of CPU measured on the event loop every call's
// audio shares — and each later request costs about three times node:http's CPU.
import { createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

export function callHttpTool(cfg: HttpToolConfig, req: ToolRequest, opts: { readonly secret?: string; readonly signal: AbortSignal }): Promise<ToolResult> {
  const body = JSON.stringify(req);
  const headers: Record<string, string> = { ...cfg.headers, 'content-type': 'application/json', accept: 'application/json', 'content-length': String(Buffer.byteLength(body)) };
  if (opts.secret) headers['x-parley-signature'] = signBody(opts.secret, body);
  return new Promise<ToolResult>((resolve) => {
    let settled = false;
    let request: ReturnType<typeof httpRequest> | undefined;
    const finish = (r: ToolResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      // Anything still open (a body not read to its end, a request in flight) is dropped.
      request?.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish(errorOutput('timeout', `the tool did not answer within ${cfg.timeoutMs} ms`)), cfg.timeoutMs);
    const onAbort = () => finish(errorOutput('aborted', 'the call ended'));
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const u = new URL(cfg.url);
      // Redirects are not followed: a 3xx is an answer like any other non-2xx.
      request = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: 'POST', headers }, (res) => readAnswer(res, finish));
      request.on('error', () => finish(errorOutput('network', 'the tool could not be reached')));
      request.end(body);
    } catch {
      finish(errorOutput('network', 'the tool could not be reached'));
    }
  });
}

/** The response: non-2xx, oversize (declared or read), not JSON, no `output` field, or the output. */
function readAnswer(res: IncomingMessage, finish: (r: ToolResult) => void): void {
  const status = res.statusCode ?? 0;
  if (status < 200 || status > 299) return finish(errorOutput('http_error', `the tool answered HTTP ${status}`));
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_TOOL_RESPONSE_BYTES) return finish(errorOutput('oversize', 'the tool answered more than the size limit'));
  const chunks: Buffer[] = [];
  let total = 0;
  res.on('data', (c: Buffer) => {
    total += c.byteLength;
    if (total > MAX_TOOL_RESPONSE_BYTES) finish(errorOutput('oversize', 'the tool answered more than the size limit'));
    else chunks.push(c);
  });
  res.on('error', () => finish(errorOutput('network', 'the tool could not be reached')));
  res.on('end', () => finish(parseAnswer(Buffer.concat(chunks).toString('utf8'))));
}

function parseAnswer(text: string): ToolResult {
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
}
