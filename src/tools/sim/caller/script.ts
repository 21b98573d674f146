// Call scripts: the text form used by `parley sim-call --script`, e.g.
//   say:1200,listen,say:800,barge:600:1000,listen,hangup
// say:<ms>  silence:<ms>  listen[:<quietMs>[:<timeoutMs>]]  barge:<afterMs>:<sayMs>  dtmf:<digit>
// wait-hangup[:<timeoutMs>] (the far side ends the call: the agent's end_call)  hangup
import type { ScriptStep } from './types.js';

export const DEFAULT_SCRIPT: readonly ScriptStep[] = [
  { kind: 'say', ms: 1200 },
  { kind: 'listen' },
  { kind: 'say', ms: 800 },
  { kind: 'barge', afterMs: 600, sayMs: 1000 },
  { kind: 'listen' },
  { kind: 'hangup' },
];

/** Parse the text form; throws an Error naming the bad step. */
export function parseScript(text: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [kind, ...args] = raw.split(':');
    const nums = args.map(Number);
    const bad = () => new Error(`bad script step '${raw}'`);
    const ms = (i: number): number => {
      const v = nums[i];
      if (v === undefined || !Number.isFinite(v) || v < 0) throw bad();
      return v;
    };
    switch (kind) {
      case 'say':
        steps.push({ kind: 'say', ms: ms(0) });
        break;
      case 'silence':
        steps.push({ kind: 'silence', ms: ms(0) });
        break;
      case 'listen':
        steps.push({ kind: 'listen', ...(args.length > 0 ? { quietMs: ms(0) } : {}), ...(args.length > 1 ? { timeoutMs: ms(1) } : {}) });
        break;
      case 'barge':
        if (args.length !== 2) throw bad();
        steps.push({ kind: 'barge', afterMs: ms(0), sayMs: ms(1) });
        break;
      case 'dtmf':
        if (args.length !== 1 || !/^[0-9*#A-D]$/.test(args[0]!)) throw bad();
        steps.push({ kind: 'dtmf', digit: args[0]! });
        break;
      case 'wait-hangup':
        if (args.length > 1) throw bad();
        steps.push({ kind: 'await_hangup', ...(args.length === 1 ? { timeoutMs: ms(0) } : {}) });
        break;
      case 'hangup':
        steps.push({ kind: 'hangup' });
        break;
      default:
        throw new Error(`unknown script step '${raw}' (say, silence, listen, barge, dtmf, wait-hangup, hangup)`);
    }
  }
  if (steps.length === 0) throw new Error('empty script');
  return steps;
}
