// One MCP server's tools (config `mcp:`), through the official SDK client over the streamable
// HTTP transport. The session is opened at start and its allowed tools listed; a server that is
// down (or a session that is lost: the server restarted and no longer knows it, a ping fails) is
// logged and retried with a growing delay, its tools absent meanwhile, and listed again once it
// answers. Calls never throw: an unreachable server, a timeout, an error result or an oversize
// result become `{"error": "<short reason>"}` with an outcome to count, like an HTTP tool.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../obs/index.js';
import type { McpServerConfig } from '../config/mcp.js';
import { errorOutput, MAX_TOOL_RESPONSE_BYTES, type ToolResult } from './http.js';
import { checkSchema, type Schema } from './jsonSchema.js';

/** How a server's session is kept: retry delays after a failure, and the liveness ping while up. */
export interface McpTiming {
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  readonly pingMs: number;
}
export const MCP_TIMING: McpTiming = { retryMinMs: 1000, retryMaxMs: 30_000, pingMs: 15_000 };

/** One listed, allowed tool of the server. */
export interface McpTool {
  /** The tool's name on the server. */
  readonly name: string;
  readonly description: string;
  /** The server's inputSchema as the model gets it. */
  readonly parameters: Schema;
  /** The schema Parley validates arguments against, when it is within the supported subset. */
  readonly validated: boolean;
}

type Status = 'connecting' | 'up' | 'down' | 'closed';

export class McpServerLink {
  private client: Client | undefined;
  private tools = new Map<string, McpTool>();
  private status: Status = 'down';
  private retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sessions = 0;

  constructor(
    readonly server: string,
    private readonly cfg: McpServerConfig,
    private readonly log: Logger,
    private readonly timing: McpTiming = MCP_TIMING,
  ) {
    this.retryMs = timing.retryMinMs;
  }

  /** Opens the session in the background; never throws (a failure is logged and retried). */
  start(): void {
    void this.connect();
  }

  get up(): boolean {
    return this.status === 'up';
  }

  /** Sessions opened so far (a reconnect opens a new one). */
  get sessionCount(): number {
    return this.sessions;
  }

  /** The allowed tools the server listed in its current session (none while it is down). */
  list(): readonly McpTool[] {
    return this.status === 'up' ? [...this.tools.values()] : [];
  }

  get(name: string): McpTool | undefined {
    return this.status === 'up' ? this.tools.get(name) : undefined;
  }

  async call(name: string, args: unknown, signal: AbortSignal): Promise<ToolResult> {
    const client = this.client;
    if (this.status !== 'up' || !client) return errorOutput('network', 'the tool server is not reachable');
    try {
      const res = await client.callTool({ name, arguments: args as Record<string, unknown> }, undefined, { signal, timeout: this.cfg.timeoutMs });
      return toResult(res as CallResult);
    } catch (err) {
      if (signal.aborted) return errorOutput('aborted', 'the call ended');
      if (isTimeout(err)) return errorOutput('timeout', `the tool did not answer within ${this.cfg.timeoutMs} ms`);
      // The server answered with a JSON-RPC error (unknown tool, invalid params): the session is fine.
      if (err instanceof McpError && err.code !== ErrorCode.ConnectionClosed) return errorOutput('tool_error', `the tool server refused the call: ${short(err)}`);
      // The server went away or forgot the session: its tools are gone until it answers again.
      this.lost(err);
      return errorOutput('network', 'the tool server is not reachable');
    }
  }

  async close(): Promise<void> {
    this.status = 'closed';
    clearTimeout(this.timer);
    const c = this.client;
    this.client = undefined;
    await c?.close().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.status === 'closed' || this.status === 'connecting') return;
    this.status = 'connecting';
    const client = new Client({ name: 'parley', version: '1' }, { capabilities: {} });
    const transport = new StreamableHTTPClientTransport(new URL(this.cfg.url), { requestInit: { headers: this.cfg.headers } });
    try {
      await client.connect(transport, { timeout: this.cfg.timeoutMs });
      const tools = await this.listAllowed(client);
      if (this.status !== 'connecting') {
        await client.close().catch(() => {});
        return;
      }
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        if (this.client === client) void this.relist(client);
      });
      this.client = client;
      this.tools = tools;
      this.status = 'up';
      this.sessions++;
      this.retryMs = this.timing.retryMinMs;
      this.log.info({ mcp: this.server, tools: [...tools.keys()] }, 'MCP server connected, tools listed');
      this.schedule(this.timing.pingMs, () => void this.ping(client));
    } catch (err) {
      await client.close().catch(() => {});
      if (this.status !== 'connecting') return;
      this.status = 'down';
      this.log.warn({ mcp: this.server, err: short(err), retryMs: this.retryMs }, 'MCP server not reachable; its tools are absent until it answers');
      this.retry();
    }
  }

  private async listAllowed(client: Client): Promise<Map<string, McpTool>> {
    const allow = new Set(this.cfg.allow);
    const out = new Map<string, McpTool>();
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await client.listTools(cursor ? { cursor } : {}, { timeout: this.cfg.timeoutMs });
      for (const t of r.tools) {
        if (!allow.has(t.name) || out.has(t.name)) continue;
        const parameters = { ...(t.inputSchema as Schema) };
        delete (parameters as Record<string, unknown>)['$schema'];
        out.set(t.name, { name: t.name, description: (t.description ?? t.name).slice(0, 1024), parameters, validated: checkSchema(parameters).length === 0 });
      }
      cursor = r.nextCursor;
      if (!cursor) break;
    }
    for (const name of allow) if (!out.has(name)) this.log.warn({ mcp: this.server, tool: name }, 'allowed MCP tool not offered by the server');
    return out;
  }

  private async relist(client: Client): Promise<void> {
    try {
      this.tools = await this.listAllowed(client);
      this.log.info({ mcp: this.server, tools: [...this.tools.keys()] }, 'MCP tools listed again (list changed)');
    } catch (err) {
      this.lost(err);
    }
  }

  private async ping(client: Client): Promise<void> {
    if (this.client !== client || this.status !== 'up') return;
    try {
      await client.ping({ timeout: this.cfg.timeoutMs });
      if (this.client === client) this.schedule(this.timing.pingMs, () => void this.ping(client));
    } catch (err) {
      this.lost(err);
    }
  }

  /** The session is gone: drop its tools and open a new one later. */
  private lost(err: unknown): void {
    if (this.status !== 'up') return;
    const c = this.client;
    this.client = undefined;
    this.status = 'down';
    clearTimeout(this.timer);
    void c?.close().catch(() => {});
    this.log.warn({ mcp: this.server, err: short(err) }, 'MCP session lost; its tools are absent until the server answers again');
    this.retryMs = this.timing.retryMinMs;
    this.retry();
  }

  private retry(): void {
    const wait = this.retryMs;
    this.retryMs = Math.min(this.timing.retryMaxMs, this.retryMs * 2);
    this.schedule(wait, () => void this.connect());
  }

  private schedule(ms: number, fn: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
    this.timer.unref();
  }
}

interface CallResult {
  readonly content?: readonly { readonly type: string; readonly text?: string }[];
  readonly structuredContent?: unknown;
  readonly isError?: boolean;
}

/** The model's output: the structured result when there is one, else the text parts. */
function toResult(r: CallResult): ToolResult {
  const text = (r.content ?? [])
    .filter((c) => c.type === 'text' && typeof c.text === 'string')
    .map((c) => c.text)
    .join('\n');
  if (r.isError) return errorOutput('tool_error', text.slice(0, 300) || 'the tool failed');
  const output = r.structuredContent !== undefined ? JSON.stringify(r.structuredContent) : text;
  if (Buffer.byteLength(output) > MAX_TOOL_RESPONSE_BYTES) return errorOutput('oversize', 'the tool answered more than the size limit');
  return { outcome: 'ok', output };
}

function isTimeout(err: unknown): boolean {
  return err instanceof McpError && err.code === ErrorCode.RequestTimeout;
}

function short(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}
