// `parley mbt --reports-platform ID`: the paths run on another platform with play reports
// (its own caller emulator and wire); only such a WebSocket platform is taken.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../../src/cli/commands/mbt.js';

describe('parley mbt --reports-platform', () => {
  it('takes a WebSocket platform with play reports', () => {
    expect(parseArgs(['--reports-platform', 'telnyx']).reportsPlatform).toBe('telnyx');
    expect(parseArgs([]).reportsPlatform).toBeUndefined();
  });

  it('refuses a platform without reports, a TCP one and an unknown one', () => {
    for (const id of ['audio-stream', 'audiosocket', 'nope']) expect(() => parseArgs(['--reports-platform', id]), id).toThrow(/play reports/);
  });
});
