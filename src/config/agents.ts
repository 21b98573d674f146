// The `agents:` map of the config file (file only): one profile per kind of call — what the
// agent is told, how it sounds, which tools it may call, what it says first and how turns are
// detected. A call names its profile (Twilio `<Parameter name="agent">`, mod_audio_stream
// metadata `agent`); `default` answers every other call. Per-call parameters reach a prompt only
// through `{{name}}` placeholders of names listed in `variables` (checked here, at load).
import { z } from 'zod';

export const AGENT_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
export const VARIABLE_NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;
export const MAX_AGENTS = 64;
export const MAX_VARIABLES = 32;
/** A placeholder in instructions or greeting: `{{name}}` (spaces inside the braces allowed). */
export const PLACEHOLDER = /\{\{\s*([^}\s]*)\s*\}\}/g;
export const VARIABLE_CHARS = { default: 128, min: 1, max: 1024 } as const;
export const EAGERNESS = ['low', 'medium', 'high', 'auto'] as const;

const serverVad = z.strictObject({
  type: z.literal('server_vad'),
  threshold: z.number().min(0).max(1).optional(),
  prefixPaddingMs: z.number().int().min(0).max(10_000).optional(),
  silenceDurationMs: z.number().int().min(0).max(10_000).optional(),
});
const semanticVad = z.strictObject({
  type: z.literal('semantic_vad'),
  eagerness: z.enum(EAGERNESS).default('auto'),
});

export const agentProfileSchema = z.strictObject({
  instructions: z.string().max(16_384).optional(),
  voice: z.string().min(1).max(64).optional(),
  tools: z.array(z.string()).max(64).default([]),
  greeting: z.string().min(1).max(2048).optional(),
  greetingInterruptible: z.boolean().default(true),
  variables: z.array(z.string().regex(VARIABLE_NAME, 'a variable name is a letter or _ then up to 63 of a-z A-Z 0-9 _')).max(MAX_VARIABLES).default([]),
  variableMaxChars: z.number().int().min(VARIABLE_CHARS.min).max(VARIABLE_CHARS.max).default(VARIABLE_CHARS.default),
  turnDetection: z.discriminatedUnion('type', [serverVad, semanticVad]).optional(),
  /** Overrides callControl.dtmfEndsTurn for this profile's calls. */
  dtmfEndsTurn: z.boolean().optional(),
});

/** The keys a profile accepts (named in the error for an unknown one). */
export const AGENT_KEYS = Object.keys(agentProfileSchema.shape);

export const agentsSchema = z
  .record(z.string(), agentProfileSchema)
  .default({})
  .superRefine((agents, ctx) => {
    const names = Object.keys(agents);
    if (names.length > MAX_AGENTS) ctx.addIssue({ code: 'custom', path: [], message: `at most ${MAX_AGENTS} agent profiles` });
    for (const name of names) {
      if (!AGENT_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'an agent profile name is 1–64 of a-z A-Z 0-9 _ -' });
      const a = agents[name]!;
      for (const field of ['instructions', 'greeting'] as const) {
        for (const m of (a[field] ?? '').matchAll(PLACEHOLDER)) {
          if (!a.variables.includes(m[1]!)) {
            ctx.addIssue({
              code: 'custom',
              path: [name, field],
              message: `placeholder {{${m[1]!.slice(0, 64)}}} names no variable of this profile; accepted: ${a.variables.length ? a.variables.join(', ') : '(none: list it under variables)'}`,
            });
          }
        }
      }
    }
  })
  .describe('(file only) agent profiles: name → {instructions, voice, tools, greeting, greetingInterruptible, variables, variableMaxChars, turnDetection}');

export type AgentsConfig = z.output<typeof agentsSchema>;
export type AgentProfileConfig = AgentsConfig[string];
export type TurnDetectionConfig = NonNullable<AgentProfileConfig['turnDetection']>;
