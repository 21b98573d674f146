// The simulated caller's programmatic API (demo, e2e tests and the capacity bench use it in-process).
export { SimCall, simCall, protocolOf } from './call.js';
export { runLoad, type LoadResult } from './load.js';
export { parseScript, DEFAULT_SCRIPT } from './script.js';
export { percentiles } from './stats.js';
export type * from './types.js';
export { bargeInsHonoured, bargeSteps, type BargeInsHonoured, type BargeInCall, type NoClearWhy } from './barge-outcomes.js';
