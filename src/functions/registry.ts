// The tools of this process (config `tools:` and the allowed tools of the `mcp:` servers now up):
// their definitions for session.update, and one bounded, counted run per call the model makes:
// arguments parsed and validated against the tool's schema (invalid → an error output, no
// request), then the HTTP request or the MCP tools/call. Never throws.
// An MCP tool is `server.tool` (metrics, traces); its function name for the model is
// `server__tool`, as function names allow only a-z A-Z 0-9 _ - (no dot).
import type { HttpToolConfig, ToolsConfig } from '../config/tools.js';
import type { Metrics } from '../obs/index.js';
import { callHttpTool, errorOutput, type ToolRequest, type ToolResult } from './http.js';
import { validate, type Schema } from './jsonSchema.js';
import type { McpServerLink, McpTool } from './mcp.js';
import { TOOL_NAME } from '../config/tools.js';

/** The function name the model sees for an MCP server's tool. */
export const mcpFunctionName = (server: string, tool: string): string => `${server}__${tool}`;

/**
 * Whether a profile's tool list (`'all'`, or names: HTTP tools by name, MCP tools as
 * `server.tool`) allows the function the model sees as `fn`.
 */
export function profileAllows(allowed: 'all' | readonly string[], fn: string): boolean {
  if (allowed === 'all' || allowed.includes(fn)) return true;
  const cut = fn.indexOf('__');
  return cut > 0 && allowed.includes(`${fn.slice(0, cut)}.${fn.slice(cut + 2)}`);
}

/** A function as the Realtime API's session.tools lists it. */
export interface ToolDefinition {
  readonly type: 'function';
  readonly name: string;
  readonly description: string;
  readonly parameters: Schema;
}

/** Who is calling: the request's fields other than the tool and its arguments. */
export type ToolCallContext = Omit<ToolRequest, 'tool' | 'arguments'>;

export class ToolRegistry {
  private readonly tools: ReadonlyMap<string, HttpToolConfig>;

  constructor(
    tools: ToolsConfig,
    private readonly deps: { readonly metrics: Metrics; readonly secret?: string | undefined; readonly now?: () => number },
    private readonly mcp: readonly McpServerLink[] = [],
  ) {
    this.tools = new Map(Object.entries(tools));
  }

  has(name: string): boolean {
    return this.tools.has(name) || this.mcpTool(name) !== undefined;
  }

  /** Tools the model may call now (an MCP server's count only while it is up). */
  get size(): number {
    return this.definitions().length;
  }

  definitions(): ToolDefinition[] {
    const http: ToolDefinition[] = [...this.tools].map(([name, t]) => ({ type: 'function', name, description: t.description, parameters: t.parameters }));
    const mcp: ToolDefinition[] = [];
    for (const link of this.mcp) {
      for (const t of link.list()) {
        const name = mcpFunctionName(link.server, t.name);
        // An HTTP tool keeps its name; a name the model could not call is left out.
        if (this.tools.has(name) || !TOOL_NAME.test(name)) continue;
        mcp.push({ type: 'function', name, description: t.description, parameters: t.parameters });
      }
    }
    return [...http, ...mcp];
  }

  /** The MCP server and tool a function name stands for, while that server is up. */
  private mcpTool(name: string): { link: McpServerLink; tool: McpTool } | undefined {
    if (this.tools.has(name)) return undefined;
    for (const link of this.mcp) {
      if (!name.startsWith(`${link.server}__`)) continue;
      const tool = link.get(name.slice(link.server.length + 2));
      if (tool) return { link, tool };
    }
    return undefined;
  }

  /** Runs the model's call of `name` with its JSON `argumentsText`; aborting `signal` abandons it. */
  async run(name: string, argumentsText: string, ctx: ToolCallContext, signal: AbortSignal): Promise<ToolResult> {
    const now = this.deps.now ?? (() => performance.now());
    const started = now();
    const tool = this.tools.get(name);
    const mcp = tool ? undefined : this.mcpTool(name);
    const label = tool ? name : mcp ? `${mcp.link.server}.${mcp.tool.name}` : 'unknown';
    let result: ToolResult;
    if (mcp) {
      const args = parseArguments(argumentsText);
      const problems = !args.ok ? ['not valid JSON'] : mcp.tool.validated ? validate(mcp.tool.parameters, args.value) : isObject(args.value) ? [] : ['(root): expected object'];
      if (!args.ok || problems.length > 0) result = errorOutput('invalid_arguments', `invalid arguments: ${problems.join('; ').slice(0, 300)}`);
      else result = await mcp.link.call(mcp.tool.name, args.value, signal);
    } else if (!tool) result = errorOutput('unknown_tool', `there is no tool named ${name.slice(0, 64)}`);
    else {
      const args = parseArguments(argumentsText);
      const problems = args.ok ? validate(tool.parameters, args.value) : ['not valid JSON'];
      if (!args.ok || problems.length > 0) result = errorOutput('invalid_arguments', `invalid arguments: ${problems.join('; ').slice(0, 300)}`);
      else result = await callHttpTool(tool, { ...ctx, tool: name, arguments: args.value }, { signal, ...(this.deps.secret ? { secret: this.deps.secret } : {}) });
    }
    this.deps.metrics.toolCalls.inc({ tool: label, outcome: result.outcome });
    this.deps.metrics.toolLatency.observe({ tool: label }, Math.max(0, now() - started) / 1000);
    return result;
  }
}

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseArguments(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    // The model sends "" for a function without parameters.
    return { ok: true, value: text.trim() === '' ? {} : JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
