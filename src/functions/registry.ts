// The tools of this process (config `tools:`): their definitions for session.update, and one
// bounded, counted run per call the model makes: arguments parsed and validated against the
// tool's schema (invalid → an error output, no request), then the HTTP request. Never throws.
import type { HttpToolConfig, ToolsConfig } from '../config/tools.js';
import type { Metrics } from '../obs/index.js';
import { callHttpTool, errorOutput, type ToolRequest, type ToolResult } from './http.js';
import { validate, type Schema } from './jsonSchema.js';

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
  ) {
    this.tools = new Map(Object.entries(tools));
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  get size(): number {
    return this.tools.size;
  }

  definitions(): ToolDefinition[] {
    return [...this.tools].map(([name, t]) => ({ type: 'function', name, description: t.description, parameters: t.parameters }));
  }

  /** Runs the model's call of `name` with its JSON `argumentsText`; aborting `signal` abandons it. */
  async run(name: string, argumentsText: string, ctx: ToolCallContext, signal: AbortSignal): Promise<ToolResult> {
    const now = this.deps.now ?? (() => performance.now());
    const started = now();
    const tool = this.tools.get(name);
    const label = tool ? name : 'unknown';
    let result: ToolResult;
    if (!tool) result = errorOutput('unknown_tool', `there is no tool named ${name.slice(0, 64)}`);
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

function parseArguments(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    // The model sends "" for a function without parameters.
    return { ok: true, value: text.trim() === '' ? {} : JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
