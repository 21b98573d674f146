// The `tools:` map of the config file (file only: the environment can only point at the file,
// and header values may name environment variables as `${NAME}` so secrets stay out of it).
// Each entry is a function the model may call: its name is the map key, its parameters a JSON
// Schema (checked as a schema at start by src/functions/jsonSchema.ts), its kind HTTP for now.
import { z } from 'zod';
import { checkSchema } from '../functions/jsonSchema.js';

/** The Realtime API's function name rule. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_TOOLS = 64;
export const TOOL_TIMEOUT_MS = { default: 5000, min: 100, max: 60_000 } as const;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;
/** `${NAME}` in a header value: replaced by the environment variable at load. */
export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const httpTool = z.strictObject({
  description: z.string().min(1).max(1024),
  parameters: z.record(z.string(), z.unknown()).default({ type: 'object', properties: {} }),
  url: z.url({ protocol: /^https?$/ }),
  timeoutMs: z.number().int().min(TOOL_TIMEOUT_MS.min).max(TOOL_TIMEOUT_MS.max).default(TOOL_TIMEOUT_MS.default),
  headers: z
    .record(z.string().regex(HEADER_NAME, 'is not a valid HTTP header name'), z.string().max(4096))
    .default({}),
});

export const toolsSchema = z
  .record(z.string(), httpTool)
  .default({})
  .superRefine((tools, ctx) => {
    const names = Object.keys(tools);
    if (names.length > MAX_TOOLS) ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_TOOLS} tools` });
    for (const name of names) {
      if (!TOOL_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'a tool name is 1–64 of a-z A-Z 0-9 _ -' });
      for (const p of checkSchema(tools[name]!.parameters)) ctx.addIssue({ code: 'custom', path: [name, 'parameters'], message: p });
    }
  })
  .describe('(file only) functions the model may call: name → {description, parameters, url, timeoutMs, headers}');

export type ToolsConfig = z.output<typeof toolsSchema>;
export type HttpToolConfig = ToolsConfig[string];

/**
 * Header values with `${NAME}` replaced from the environment; a missing variable or a value
 * that would split the header is a problem (named, never shown).
 */
export function expandToolHeaders(tools: ToolsConfig, env: Readonly<Record<string, string | undefined>>): { tools: ToolsConfig; problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, HttpToolConfig> = {};
  for (const [name, t] of Object.entries(tools)) {
    const headers: Record<string, string> = {};
    for (const [h, raw] of Object.entries(t.headers)) {
      const value = raw.replace(ENV_REF, (_, v: string) => {
        const x = env[v];
        if (x === undefined || x === '') problems.push(`tools.${name}.headers.${h}: environment variable ${v} is not set`);
        return x ?? '';
      });
      if (/[\r\n\0]/.test(value)) problems.push(`tools.${name}.headers.${h}: the value must not contain line breaks`);
      headers[h] = value;
    }
    out[name] = { ...t, headers };
  }
  return { tools: out, problems };
}
