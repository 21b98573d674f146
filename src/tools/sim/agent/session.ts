// The agent's effective session and `session.update` handling in the GA shape
// (docs/reference/openai-realtime.md#session-configuration): only fields present change;
// `turn_detection: null` disables VAD; `session.type` is required; a field the GA session does
// not have is refused (`unknown_parameter`), as the API does; `semantic_vad` is kept as given.
import type { AudioFormat } from '../../../media/types.js';
import { gaFormatObject, readGaFormat } from './wire-format.js';

export interface SimVad {
  type: 'server_vad' | 'semantic_vad';
  /** semantic_vad only. */
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
  createResponse: boolean;
  interruptResponse: boolean;
}

export interface SimSession {
  readonly id: string;
  readonly model: string;
  instructions: string;
  voice: string;
  inputFormat: AudioFormat;
  outputFormat: AudioFormat;
  /** `output_modalities`: audio (speech-to-speech) or text (an LLM for cascade mode). */
  outputModality: 'audio' | 'text';
  vad: SimVad | null;
  transcription: { model: string; language?: string } | null;
  /** Names of the functions in `tools` (the model may call only these). */
  tools: string[];
}

export interface UpdateError {
  readonly code: string;
  readonly param: string;
  readonly message: string;
}

export function defaultSession(id: string, model: string): SimSession {
  return {
    id,
    model,
    instructions: '',
    voice: 'marin',
    inputFormat: { codec: 'pcm16', rate: 24000 },
    outputFormat: { codec: 'pcm16', rate: 24000 },
    outputModality: 'audio',
    vad: defaultVad(),
    transcription: null,
    tools: [],
  };
}

const defaultVad = (): SimVad => ({ type: 'server_vad', eagerness: 'auto', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, createResponse: true, interruptResponse: true });

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** GA format objects only: a beta string ('pcm16') is refused like the GA service does. */
const gaFormat = (v: unknown): AudioFormat | undefined => readGaFormat(v);
const invalid = (param: string, message: string): UpdateError => ({ code: 'invalid_value', param, message });

/** The fields of a GA realtime session (and of its nested objects) the API accepts. */
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  session: ['type', 'model', 'instructions', 'output_modalities', 'audio', 'tools', 'tool_choice', 'max_output_tokens', 'tracing', 'truncation', 'prompt', 'include'],
  'session.audio': ['input', 'output'],
  'session.audio.input': ['format', 'transcription', 'noise_reduction', 'turn_detection'],
  'session.audio.output': ['format', 'voice', 'speed'],
  server_vad: ['type', 'threshold', 'prefix_padding_ms', 'silence_duration_ms', 'create_response', 'interrupt_response', 'idle_timeout_ms'],
  semantic_vad: ['type', 'eagerness', 'create_response', 'interrupt_response'],
};

/** The first field of `o` the API does not know at `path`, as its error. */
function unknownField(o: Obj, path: string, kind = path): UpdateError | undefined {
  const known = FIELDS[kind] ?? [];
  const k = Object.keys(o).find((x) => !known.includes(x));
  return k === undefined ? undefined : { code: 'unknown_parameter', param: `${path}.${k}`, message: `Unknown parameter: '${path}.${k.slice(0, 60)}'.` };
}

/** Apply a `session.update`'s `session` object. Nothing changes when it returns an error. */
export function applySessionUpdate(current: SimSession, raw: unknown): UpdateError | undefined {
  if (!isObj(raw)) return { code: 'missing_required_parameter', param: 'session', message: "Missing required parameter: 'session'." };
  if (raw['type'] === undefined) return { code: 'missing_required_parameter', param: 'session.type', message: "Missing required parameter: 'session.type'." };
  if (raw['type'] !== 'realtime') return invalid('session.type', `Invalid value: '${String(raw['type'])}'. Supported values are: 'realtime'.`);
  const unknown =
    unknownField(raw, 'session') ??
    (isObj(raw['audio']) ? unknownField(raw['audio'], 'session.audio') : undefined) ??
    (isObj(raw['audio']) && isObj(raw['audio']['input']) ? unknownField(raw['audio']['input'], 'session.audio.input') : undefined) ??
    (isObj(raw['audio']) && isObj(raw['audio']['output']) ? unknownField(raw['audio']['output'], 'session.audio.output') : undefined);
  if (unknown) return unknown;
  const next: SimSession = { ...current, vad: current.vad ? { ...current.vad } : null };
  if (raw['instructions'] !== undefined) {
    if (typeof raw['instructions'] !== 'string') return invalid('session.instructions', 'instructions must be a string');
    next.instructions = raw['instructions'];
  }
  const mods = raw['output_modalities'];
  if (mods !== undefined && (!Array.isArray(mods) || mods.length !== 1 || (mods[0] !== 'audio' && mods[0] !== 'text'))) {
    return invalid('session.output_modalities', "output_modalities must be ['audio'] or ['text']");
  }
  if (mods !== undefined) next.outputModality = (mods as string[])[0] as 'audio' | 'text';
  const audio = raw['audio'];
  if (audio !== undefined) {
    if (!isObj(audio)) return invalid('session.audio', 'audio must be an object');
    const input = audio['input'];
    if (input !== undefined) {
      if (!isObj(input)) return invalid('session.audio.input', 'input must be an object');
      if (input['format'] !== undefined) {
        const f = gaFormat(input['format']);
        if (!f) return invalid('session.audio.input.format', 'unsupported input audio format (GA format objects only)');
        next.inputFormat = f;
      }
      if (input['turn_detection'] !== undefined) {
        const err = applyTurnDetection(next, input['turn_detection']);
        if (err) return err;
      }
      if (input['transcription'] !== undefined) {
        const t = input['transcription'];
        if (t === null) next.transcription = null;
        else if (isObj(t) && typeof t['model'] === 'string') {
          next.transcription = { model: t['model'], ...(typeof t['language'] === 'string' ? { language: t['language'] } : {}) };
        } else return invalid('session.audio.input.transcription', 'transcription needs a model');
      }
    }
    const output = audio['output'];
    if (output !== undefined) {
      if (!isObj(output)) return invalid('session.audio.output', 'output must be an object');
      if (output['format'] !== undefined) {
        const f = gaFormat(output['format']);
        if (!f) return invalid('session.audio.output.format', 'unsupported output audio format (GA format objects only)');
        next.outputFormat = f;
      }
      if (output['voice'] !== undefined) {
        if (typeof output['voice'] !== 'string') return invalid('session.audio.output.voice', 'voice must be a string');
        next.voice = output['voice'];
      }
    }
  }
  const tools = raw['tools'];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return invalid('session.tools', 'tools must be a list');
    const names: string[] = [];
    for (const [i, t] of tools.entries()) {
      if (!isObj(t) || t['type'] !== 'function' || typeof t['name'] !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(t['name'])) {
        return invalid(`session.tools[${i}]`, 'a tool needs type "function" and a name of 1-64 a-z A-Z 0-9 _ -');
      }
      if (t['parameters'] !== undefined && !isObj(t['parameters'])) return invalid(`session.tools[${i}].parameters`, 'parameters must be a JSON Schema object');
      names.push(t['name']);
    }
    next.tools = names;
  }
  const choice = raw['tool_choice'];
  if (choice !== undefined && choice !== 'auto' && choice !== 'none' && choice !== 'required' && !(isObj(choice) && choice['type'] === 'function')) {
    return invalid('session.tool_choice', "Invalid value for 'tool_choice'. Supported values are: 'auto', 'none', 'required', or a function.");
  }
  Object.assign(current, next);
  return undefined;
}

function applyTurnDetection(next: SimSession, td: unknown): UpdateError | undefined {
  if (td === null) {
    next.vad = null;
    return undefined;
  }
  if (!isObj(td)) return invalid('session.audio.input.turn_detection', 'turn_detection must be an object or null');
  if (td['type'] !== 'server_vad' && td['type'] !== 'semantic_vad') {
    return invalid('session.audio.input.turn_detection.type', "type must be 'server_vad' or 'semantic_vad'");
  }
  const kind = td['type'];
  const unknown = unknownField(td, 'session.audio.input.turn_detection', kind);
  if (unknown) return unknown;
  const vad = next.vad ?? defaultVad();
  vad.type = kind;
  if (td['eagerness'] !== undefined) {
    const e = td['eagerness'];
    if (e !== 'low' && e !== 'medium' && e !== 'high' && e !== 'auto') return invalid('session.audio.input.turn_detection.eagerness', "eagerness must be 'low', 'medium', 'high' or 'auto'");
    vad.eagerness = e;
  }
  const num = (k: string, lo: number, hi: number): number | UpdateError | undefined => {
    const v = td[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || v < lo || v > hi) return invalid(`session.audio.input.turn_detection.${k}`, `${k} must be a number in ${lo}..${hi}`);
    return v;
  };
  const threshold = num('threshold', 0, 1);
  const prefix = num('prefix_padding_ms', 0, 10_000);
  const silence = num('silence_duration_ms', 0, 10_000);
  for (const v of [threshold, prefix, silence]) if (typeof v === 'object') return v;
  if (typeof threshold === 'number') vad.threshold = threshold;
  if (typeof prefix === 'number') vad.prefixPaddingMs = prefix;
  if (typeof silence === 'number') vad.silenceDurationMs = silence;
  for (const [k, field] of [['create_response', 'createResponse'], ['interrupt_response', 'interruptResponse']] as const) {
    const v = td[k];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') return invalid(`session.audio.input.turn_detection.${k}`, `${k} must be a boolean`);
    vad[field] = v;
  }
  next.vad = vad;
  return undefined;
}

/** The full effective session, as `session.created` / `session.updated` carry it. */
export function sessionToWire(s: SimSession): Record<string, unknown> {
  return {
    object: 'realtime.session',
    type: 'realtime',
    id: s.id,
    model: s.model,
    output_modalities: [s.outputModality],
    instructions: s.instructions,
    audio: {
      input: {
        format: gaFormatObject(s.inputFormat),
        transcription: s.transcription,
        noise_reduction: null,
        turn_detection:
          s.vad &&
          (s.vad.type === 'semantic_vad'
            ? { type: 'semantic_vad', eagerness: s.vad.eagerness, create_response: s.vad.createResponse, interrupt_response: s.vad.interruptResponse }
            : {
                type: 'server_vad',
                threshold: s.vad.threshold,
                prefix_padding_ms: s.vad.prefixPaddingMs,
                silence_duration_ms: s.vad.silenceDurationMs,
                create_response: s.vad.createResponse,
                interrupt_response: s.vad.interruptResponse,
                idle_timeout_ms: null,
              }),
      },
      output: { format: gaFormatObject(s.outputFormat), voice: s.voice, speed: 1 },
    },
    max_output_tokens: 'inf',
  };
}
