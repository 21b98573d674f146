// Asterisk AudioSocket (the AudioSocket() dialplan application; docs/reference/audiosocket.md):
// a raw TCP connection from Asterisk to PARLEY_AUDIOSOCKET_PORT, slin 8 kHz both ways, no way to
// drop audio once handed over — an 'unflushable' far side: Parley paces one frame at a time at
// its deadline. Who may connect is decided by the listener (source addresses, a UUID prefix):
// a raw TCP protocol carries no credential.
import type { Platform } from '../platform.js';
import { UnflushableFarSide } from '../far-side/unflushable.js';
import { AudioSocketDecoder } from './decoder.js';
import { AudioSocketEncoder } from './encoder.js';

export const audiosocket: Platform = {
  id: 'audiosocket',
  path: 'tcp:audiosocket',
  transport: 'tcp',
  farSide: 'unflushable',
  closeIsHangup: true, // "socket closure is also sufficient" to end the call
  createDecoder: (options) => new AudioSocketDecoder(options),
  createEncoder: () => new AudioSocketEncoder(),
  createFarSide: () => new UnflushableFarSide(),
};
