// AI adapters: the OpenAI Realtime GA client, and the embedded offline agent (PARLEY_AI=local).
import type { AiClient, AiClientOptions } from './types.js';
import { OpenAIRealtimeClient, DEFAULT_OPENAI_URL } from './openai/client.js';

export * from './types.js';
export { OpenAIRealtimeClient, DEFAULT_OPENAI_URL };
export { classifyServerError, classifyHandshakeStatus, classifyClose } from './openai/errors.js';
export { startLocalAgent, type LocalAgent, type LocalAgentOptions } from './local.js';

/** A realtime client for `openai` mode and for `local` mode (pointed at the embedded agent's URL). */
export function createAiClient(options: AiClientOptions): AiClient {
  return new OpenAIRealtimeClient(options);
}
