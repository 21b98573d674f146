// createMediaEngine(): the native engine by default, the JS engine on request, clear errors.
import { describe, expect, it } from 'vitest';
import { PLAYOUT_STATES } from '../../src/generated/playout.js';
import { loadNativeAddon } from '../../src/media/binding.js';
import { MediaError, createMediaEngine } from '../../src/media/index.js';

describe('createMediaEngine', () => {
  it("gives the native engine for 'native'", async () => {
    const engine = await createMediaEngine('native', { tickMs: 5 });
    try {
      expect(engine.kind).toBe('native');
      expect(engine.stats().kind).toBe('native');
    } finally {
      await engine.close();
    }
  });

  it("gives the JS engine for 'js', or says why it cannot", async () => {
    try {
      const engine = await createMediaEngine('js', { tickMs: 5 });
      expect(engine.kind).toBe('js');
      await engine.close();
    } catch (err) {
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).code).toBe('ERR_MEDIA_UNAVAILABLE');
    }
  });

  it('refuses an unknown kind and bad options before starting anything', async () => {
    await expect(createMediaEngine('rust' as 'js')).rejects.toMatchObject({ code: 'ERR_MEDIA_CONFIG' });
    await expect(createMediaEngine('native', { maxCalls: 0 })).rejects.toMatchObject({ code: 'ERR_MEDIA_CONFIG', message: expect.stringMatching(/maxCalls/) });
  });
});

describe('the addon', () => {
  it('was built from the same playout machine as this TypeScript', () => {
    expect(loadNativeAddon().engineFields.playoutStates).toEqual([...PLAYOUT_STATES]);
  });
});
