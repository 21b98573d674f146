export { startSimAgent } from './server.js';
export { parseFaultSpec, parseFaultObject } from './faults.js';
export type * from './types.js';
