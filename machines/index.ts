// The registry of every machine: the generator (src/tools/gen) walks exactly these, in this order.
// `name` names the generated files: specs/generated/<Name>Machine.tla,
// native/generated/<name>_guards.h, src/generated/<name>.ts, docs/machines/<name>.{json,svg}.
// To add a machine: import it and append one entry; then `npm run gen`.
import type { AnyStateMachine } from 'xstate';
import { playoutMachine } from './playout.js';
import { sessionMachine } from './session.js';
import { aiLinkMachine } from './aiLink.js';
import { turnMachine } from './turn.js';
import { ttsBreakerMachine } from './ttsBreaker.js';
import { toolCallsMachine } from './toolCalls.js';
import { callControlMachine } from './callControl.js';

export interface MachineEntry {
  /** lowerCamelCase identifier, e.g. 'playout', 'aiLink'. */
  readonly name: string;
  /** Path of the defining file, relative to the repository root (quoted in generated headers). */
  readonly source: string;
  readonly machine: AnyStateMachine;
}

export const MACHINES: readonly MachineEntry[] = [
  { name: 'playout', source: 'machines/playout.ts', machine: playoutMachine },
  { name: 'session', source: 'machines/session.ts', machine: sessionMachine },
  { name: 'aiLink', source: 'machines/aiLink.ts', machine: aiLinkMachine },
  { name: 'turn', source: 'machines/turn.ts', machine: turnMachine },
  { name: 'ttsBreaker', source: 'machines/ttsBreaker.ts', machine: ttsBreakerMachine },
  { name: 'toolCalls', source: 'machines/toolCalls.ts', machine: toolCallsMachine },
  { name: 'callControl', source: 'machines/callControl.ts', machine: callControlMachine },
];
