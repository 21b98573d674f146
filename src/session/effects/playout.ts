// The playout machine's actions (machines/playout.ts). Both are carried out elsewhere in the
// same step, so here they only say where: the commands reach the media thread through the
// state word and the flush the turn effects post.
import type { PlayoutEffects } from './types.js';

export function playoutEffects(): PlayoutEffects {
  return {
    requestFlush() {
      // Already posted to the media thread by the turn machine's requestFlush in the same step.
    },
    releaseCall() {
      // The state word now says media.closing; the session's requestMediaRelease unregisters.
    },
  };
}
