// The LLM half of cascade mode is an OpenAI Realtime session in text-only output mode (server VAD
// and transcription as configured; docs/reference/original-engine.md#session-configuration): the GA
// session.update of the realtime client, with text output and no output audio settings.
import type { AiSessionConfig } from '../types.js';
import { sessionUpdate } from '../openai/commands.js';

export function textSessionUpdate(config: AiSessionConfig): Record<string, unknown> {
  const ev = sessionUpdate(config);
  const session = { ...(ev['session'] as Record<string, unknown>) };
  session['output_modalities'] = ['text'];
  const audio = session['audio'] as Record<string, unknown> | undefined;
  if (audio) {
    const { output: _output, ...rest } = audio;
    session['audio'] = rest;
  }
  return { ...ev, session };
}
