// PARLEY_AI=local: the offline sim-agent, embedded in the serving process on a loopback port.
// The runtime talks to it with the same OpenAI Realtime client as to the real service, so local
// mode exercises the production code path end to end. This file is the one place the product
// imports a tool (the simulator): the documented embedding (test/architecture.test.ts allows it).
import { startSimAgent } from '../tools/sim/agent/server.js';
import type { SimAgent, SimAgentOptions } from '../tools/sim/agent/types.js';

/** Options of the embedded agent (faults, reply scripts): the simulator's own. */
export type LocalAgentOptions = SimAgentOptions;

export interface LocalAgent {
  /** ws:// URL to give the OpenAI client (no API key needed). */
  readonly url: string;
  readonly agent: SimAgent;
  close(): Promise<void>;
}

export async function startLocalAgent(options: SimAgentOptions = {}): Promise<LocalAgent> {
  const agent = await startSimAgent({ host: '127.0.0.1', port: 0, ...options });
  return { url: agent.url, agent, close: () => agent.close() };
}
