// What all connections of one sim-agent share: its options, counters and recorders.
import type { ReceivedEvent, SimAgentOptions, TruncateRecord } from './types.js';

/** Counters and recorders shared by all connections of one agent. */
export interface AgentShared {
  readonly options: Required<Pick<SimAgentOptions, 'replyMode' | 'replyMs' | 'deltaMs' | 'speed' | 'firstAudioDelayMs' | 'sessionMaxMs' | 'seed' | 'drive' | 'toolCalls'>>;
  readonly counters: {
    responses: number;
    responsesCancelled: number;
    deltas: number;
    audioMsSent: number;
    speechStarted: number;
    errorsSent: number;
    toolCalls: number;
    toolOutputs: number;
    toolOutputsSpoken: number;
  };
  readonly truncates: TruncateRecord[];
  /** Each call made after a response's speech, with how much audio that speech sent (a goodbye's length). */
  readonly callsAfterSpeech: { name: string; connId: number; speechMs: number }[];
  record(e: ReceivedEvent): void;
}
