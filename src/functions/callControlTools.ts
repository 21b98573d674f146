// The built-in call-control tools (config `callControl.tools`): their definitions for
// session.update and the parsing of the model's arguments. The model names a transfer target
// from the configured list (an enum), never a number; DTMF digits are 0-9 * # A-D and w only,
// bounded. What the tools do is the session's (src/session/callControl.ts).
import type { CallControlConfig, CallControlTool } from '../config/callControl.js';
import { DTMF_OUT } from '../platform/types.js';
import { validate } from './jsonSchema.js';
import type { ToolDefinition } from './registry.js';

export type BuiltinCall =
  | { readonly tool: 'end_call'; readonly reason: string }
  | { readonly tool: 'transfer_call'; readonly target: string; readonly destination: string }
  | { readonly tool: 'send_dtmf'; readonly digits: string };

export function builtinDefinitions(cfg: CallControlConfig): ToolDefinition[] {
  return cfg.tools.map((name) => definition(name, cfg));
}

function definition(name: CallControlTool, cfg: CallControlConfig): ToolDefinition {
  switch (name) {
    case 'end_call':
      return {
        type: 'function',
        name,
        description:
          'End the phone call. Say your goodbye in the same response: the caller hears the rest of it, then the line is hung up. Nothing can be said after this.',
        parameters: { type: 'object', properties: { reason: { type: 'string', maxLength: 200, description: 'why the call ends' } }, additionalProperties: false },
      };
    case 'transfer_call':
      return {
        type: 'function',
        name,
        description:
          'Transfer the caller to one of the allowed destinations (by name). Tell the caller first, in the same response ("Connecting you now"); the call then leaves you. If the transfer fails you are told and the conversation continues.',
        parameters: {
          type: 'object',
          properties: {
            target: { type: 'string', enum: Object.keys(cfg.transferTargets), description: 'the destination name' },
            mode: { type: 'string', enum: ['cold'], description: 'cold: hand the call over without staying on the line' },
          },
          required: ['target'],
          additionalProperties: false,
        },
      };
    case 'send_dtmf':
      return {
        type: 'function',
        name,
        description: 'Press telephone keys on the call (to navigate an automated menu). Digits 0-9, *, #, A-D; w waits half a second.',
        parameters: { type: 'object', properties: { digits: { type: 'string', pattern: DTMF_OUT.source, maxLength: 32 } }, required: ['digits'], additionalProperties: false },
      };
  }
}

/** The model's call of a built-in tool, checked; a problem is a short text for its output. */
export function parseBuiltin(name: CallControlTool, argumentsText: string, cfg: CallControlConfig): { ok: true; call: BuiltinCall } | { ok: false; problem: string } {
  let args: unknown;
  try {
    args = argumentsText.trim() === '' ? {} : JSON.parse(argumentsText);
  } catch {
    return { ok: false, problem: 'invalid arguments: not valid JSON' };
  }
  const def = definition(name, cfg);
  const problems = validate(def.parameters, args);
  if (problems.length > 0) return { ok: false, problem: `invalid arguments: ${problems.join('; ').slice(0, 300)}` };
  const a = args as Record<string, unknown>;
  switch (name) {
    case 'end_call':
      return { ok: true, call: { tool: name, reason: typeof a['reason'] === 'string' ? a['reason'] : '' } };
    case 'transfer_call': {
      const target = String(a['target']);
      const destination = Object.hasOwn(cfg.transferTargets, target) ? cfg.transferTargets[target] : undefined;
      if (destination === undefined) return { ok: false, problem: `there is no transfer target named ${target.slice(0, 64)}` };
      return { ok: true, call: { tool: name, target, destination } };
    }
    case 'send_dtmf': {
      const digits = String(a['digits']);
      if (!DTMF_OUT.test(digits)) return { ok: false, problem: 'digits must be 1–32 of 0-9 * # A-D w' };
      return { ok: true, call: { tool: name, digits } };
    }
  }
}

export function isBuiltin(name: string, cfg: CallControlConfig): name is CallControlTool {
  return (cfg.tools as readonly string[]).includes(name);
}
