// Which agent profile answers a call, and what it says: the profile the call names (Twilio
// `start.customParameters.agent`, mod_audio_stream metadata `agent`) or `default`; its
// instructions and greeting with `{{name}}` filled from the call's parameters — only names the
// profile lists under `variables`, each value cleaned and cut to the profile's bound. Nothing
// else a caller's platform sends reaches a prompt, and nothing it sends changes tools, URLs or
// secrets (those come from the config file alone).
import type { ParleyConfig } from '../config/index.js';
import { PLACEHOLDER, type AgentProfileConfig, type TurnDetectionConfig } from '../config/agents.js';

export const DEFAULT_AGENT = 'default';
/** The call parameter that names the profile. */
export const AGENT_PARAMETER = 'agent';

/** The profile a call runs with, its prompts filled for this call. */
export interface CallProfile {
  readonly name: string;
  readonly instructions: string;
  readonly voice: string;
  /** Tool names the model may call; 'all' for the implicit default profile (every declared tool). */
  readonly tools: readonly string[] | 'all';
  readonly greeting?: string;
  readonly greetingInterruptible: boolean;
  readonly turnDetection?: TurnDetectionConfig;
  /** callControl.dtmfEndsTurn, for this profile (undefined: the config's). */
  readonly dtmfEndsTurn?: boolean;
}

export interface ProfileChoice {
  readonly profile: CallProfile;
  /** The name the call asked for when no profile has it (answered by `default`). */
  readonly unknown?: string;
}

/** The implicit default: PARLEY_AI_INSTRUCTIONS / PARLEY_AI_VOICE and every declared tool. */
function implicitDefault(): AgentProfileConfig {
  return { tools: [], greetingInterruptible: true, variables: [], variableMaxChars: 128 };
}

/** A parameter value as it may stand in a prompt: no control characters, one line, bounded. */
export function cleanValue(raw: string, maxChars: number): string {
  // eslint-disable-next-line no-control-regex
  return raw.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, maxChars);
}

/** `{{name}}` of a listed variable → the cleaned parameter (empty when the call sent none). */
export function fillPlaceholders(text: string, profile: AgentProfileConfig, params: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    // Load-time validation makes every placeholder name a listed variable; keep the check anyway.
    if (!profile.variables.includes(name)) return '';
    const v = Object.hasOwn(params, name) ? params[name] : undefined;
    return v === undefined ? '' : cleanValue(v, profile.variableMaxChars);
  });
}

export function chooseProfile(config: ParleyConfig, params: Readonly<Record<string, string>>): ProfileChoice {
  const agents = config.agents;
  const asked = Object.hasOwn(params, AGENT_PARAMETER) ? params[AGENT_PARAMETER] : undefined;
  const known = asked !== undefined && asked !== '' && Object.hasOwn(agents, asked);
  const name = known ? asked : DEFAULT_AGENT;
  const explicit = Object.hasOwn(agents, name) ? agents[name] : undefined;
  const p = explicit ?? implicitDefault();
  const profile: CallProfile = {
    name,
    instructions: fillPlaceholders(p.instructions ?? config.ai.instructions, p, params),
    voice: p.voice ?? config.ai.voice,
    tools: explicit ? p.tools : 'all',
    ...(p.greeting !== undefined ? { greeting: fillPlaceholders(p.greeting, p, params) } : {}),
    greetingInterruptible: p.greetingInterruptible,
    ...(p.turnDetection ? { turnDetection: p.turnDetection } : {}),
    ...(p.dtmfEndsTurn !== undefined ? { dtmfEndsTurn: p.dtmfEndsTurn } : {}),
  };
  return { profile, ...(asked !== undefined && asked !== '' && !known ? { unknown: asked } : {}) };
}
