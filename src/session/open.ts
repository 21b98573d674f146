// Everything a call opens when it starts, in one place and all or nothing: the media call (the
// core's rings and DSP for this call), the far-side model, the encoder, both feeds and the AI
// client. Throws when the media core refuses the call (the session then ends it as 'error').
import { bytesPerMs } from '../base/audio.js';
import type { ParleyConfig } from '../config/index.js';
import { FRAME_MS, MEDIA_DEFAULTS, type AudioFormat, type MediaCall } from '../media/types.js';
import type { CallStart, Platform } from '../telephony/index.js';
import { CaptureFeed } from './feeds/captureFeed.js';
import { PlayoutFeed } from './feeds/playoutFeed.js';
import { TelephonyOut } from './feeds/telephonyOut.js';
import { aiFormatFor } from './formats.js';
import type { CallParts, OpenParts } from './parts.js';

/**
 * The call's lead over real time: the lookahead, plus on a modelled far side (mod_audio_stream)
 * a cushion, so that a provider streaming at about real time never lets the module's buffer
 * fall under its minimum fill (it re-checks the fill per frame and goes silent below it). The
 * buffer is cleared on barge-in, so the cushion adds no stale audio.
 */
export function leadMs(config: ParleyConfig, platform: Pick<Platform, 'farSide'>): number {
  // Unflushable: whatever is handed over will be heard, so hand over one frame at its deadline
  // plus a margin for the network's jitter — the barge-in floor (UnflushableFarSide).
  if (platform.farSide === 'unflushable') return Math.max(FRAME_MS + config.telephony.unflushableJitterMs, MEDIA_DEFAULTS.lookaheadMinMs);
  const cushion = platform.farSide === 'flushable-model' ? config.telephony.audioStreamCushionMs : 0;
  return Math.min(config.media.lookaheadMs + cushion, MEDIA_DEFAULTS.lookaheadMaxMs);
}

export function openCallParts(c: CallParts, start: CallStart): OpenParts {
  const cfg = c.deps.config;
  const aiFormat = aiFormatFor(start.format);
  const media = c.deps.engine.open({
    telephony: start.format,
    ai: aiFormat,
    lookaheadMs: leadMs(cfg, c.platform),
    playoutCapacityMs: cfg.media.playoutRingMs,
    captureCapacityMs: cfg.media.captureRingMs,
    // The TTS chain runs on every call of a cascade process (tts.dsp resolves to true there).
    playoutDsp: { gainDb: cfg.media.playoutGainDb, ttsChain: cfg.tts.dsp },
  });
  try {
    return openAround(c, start, aiFormat, media);
  } catch (err) {
    void media.close(); // the media call is the one part that holds a thread's resources
    throw err;
  }
}

function openAround(c: CallParts, start: CallStart, aiFormat: AudioFormat, media: MediaCall): OpenParts {
  const cfg = c.deps.config;
  const farSide = c.platform.createFarSide(start.format, {
    moduleBufferMs: cfg.telephony.audioStreamBufferMs,
    moduleMinFillMs: cfg.telephony.audioStreamMinFillMs,
    jitterMarginMs: cfg.telephony.unflushableJitterMs,
  });
  const out = new TelephonyOut(c.conn.ws, c.platform.createEncoder(start), farSide, c.platform.farSide === 'unflushable' ? leadMs(cfg, c.platform) : undefined);
  const aiBpm = bytesPerMs(aiFormat);
  const playoutFeed = new PlayoutFeed(media, aiFormat.codec === 'pcm16', {
    backlogBytes: Math.round(cfg.media.playoutBacklogMs * aiBpm),
    bytesPerMs: aiBpm,
    onDrop: (reason, bytes) => c.drop(reason, 1, bytes / aiBpm / 1000),
    onWritten: (bufferedMs) => {
      c.playout.drainPending = undefined;
      c.playout.tailPadded = false;
      c.actors.playout.send({ type: 'WRITE', bufferedMs });
    },
  });
  const captureFeed = new CaptureFeed(() => c.open?.ai, {
    gapBytes: Math.round(cfg.ai.gapBufferMs * aiBpm),
    sendBufferBytes: cfg.ai.sendBufferBytes,
    bytesPerMs: aiBpm,
    onDrop: (reason, units, ms) => c.drop(reason, units, ms / 1000),
  });
  const ai = c.deps.createAiClient(aiFormat);
  return { start, aiFormat, media, farSide, out, playoutFeed, captureFeed, ai };
}
