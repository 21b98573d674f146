// The `mcp:` map of the config file (file only, like `tools:`): MCP servers reached over the
// streamable HTTP transport whose tools the model may call. Each server's `allow` list names the
// tools taken from it (an MCP server decides what it offers; Parley exposes only what the
// operator allowed). Header values may name environment variables as `${NAME}`.
import { z } from 'zod';
import { ENV_REF, TOOL_TIMEOUT_MS } from './tools.js';

/** A server name: the `server` of `server.tool` (no dot, short enough to leave room for the tool). */
export const MCP_SERVER_NAME = /^(?!.*__)[a-zA-Z0-9_-]{1,24}$/;
export const MAX_MCP_SERVERS = 16;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/;

const mcpServer = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string().regex(HEADER_NAME, 'is not a valid HTTP header name'), z.string().max(4096)).default({}),
  allow: z.array(z.string().min(1).max(64)).min(1).max(64).describe('names of the server tools the model may call'),
  timeoutMs: z.number().int().min(TOOL_TIMEOUT_MS.min).max(TOOL_TIMEOUT_MS.max).default(TOOL_TIMEOUT_MS.default),
});

export const mcpSchema = z
  .record(z.string(), mcpServer)
  .default({})
  .superRefine((servers, ctx) => {
    const names = Object.keys(servers);
    if (names.length > MAX_MCP_SERVERS) ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_MCP_SERVERS} MCP servers` });
    for (const n of names) if (!MCP_SERVER_NAME.test(n)) ctx.addIssue({ code: 'custom', path: [n], message: 'an MCP server name is 1–24 of a-z A-Z 0-9 _ - (no __: it separates server and tool in function names)' });
  })
  .describe('(file only) MCP servers (streamable HTTP) whose allowed tools the model may call as server.tool: name → {url, headers, allow, timeoutMs}');

export type McpConfig = z.output<typeof mcpSchema>;
export type McpServerConfig = McpConfig[string];

/** Header values with `${NAME}` replaced from the environment (a missing variable is a problem, named, never shown). */
export function expandMcpHeaders(servers: McpConfig, env: Readonly<Record<string, string | undefined>>): { mcp: McpConfig; problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, McpServerConfig> = {};
  for (const [name, s] of Object.entries(servers)) {
    const headers: Record<string, string> = {};
    for (const [h, raw] of Object.entries(s.headers)) {
      const value = raw.replace(ENV_REF, (_, v: string) => {
        const x = env[v];
        if (x === undefined || x === '') problems.push(`mcp.${name}.headers.${h}: environment variable ${v} is not set`);
        return x ?? '';
      });
      if (/[\r\n\0]/.test(value)) problems.push(`mcp.${name}.headers.${h}: the value must not contain line breaks`);
      headers[h] = value;
    }
    out[name] = { ...s, headers };
  }
  return { mcp: out, problems };
}
