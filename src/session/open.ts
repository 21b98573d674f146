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
 * The call's lead over real time: the lookahead plus the far side's cushion. A provider streaming
 * at about real time delivers each delta just as the far side finishes the previous one, so with
 * the lookahead alone (which the first delta of a response usually exceeds at once) the far side
 * holds nothing at each delta's arrival and any jitter is a dropout. The prefill waits for the
 * lead, so the far side starts a response with the cushion queued beyond the delta in flight:
 * - a modelled far side (mod_audio_stream, PARLEY_AUDIO_STREAM_CUSHION_MS, 100 ms): its inject
 *   buffer also goes silent below its 60 ms minimum fill, re-checked per frame;
 * - a far side with play reports (Twilio and the like, PARLEY_REPORTED_CUSHION_MS, 40 ms): it plays
 *   whatever is queued, so the cushion only has to cover delivery jitter.
 * Both drop their buffer on barge-in (clear), so the cushion adds no stale audio; it costs at most
 * one delta of start-up delay. An unflushable far side gets no cushion: whatever is handed over
 * will be heard, so it is handed one frame at its deadline plus a jitter margin (the barge-in floor);
 * with media.wakeEveryTicks = N, JS hands over N frames per wake-up, so its lead is N frames plus
 * the margin (the floor grows by (N-1) × 20 ms).
 */
export function leadMs(config: ParleyConfig, platform: Pick<Platform, 'farSide'>): number {
  if (platform.farSide === 'unflushable') {
    const frames = config.media.wakeEveryTicks;
    return Math.min(Math.max(frames * FRAME_MS + config.telephony.unflushableJitterMs, MEDIA_DEFAULTS.lookaheadMinMs), MEDIA_DEFAULTS.lookaheadMaxMs);
  }
  return Math.min(config.media.lookaheadMs + cushionMs(config, platform), MEDIA_DEFAULTS.lookaheadMaxMs);
}

/**
 * The far side's cushion. The prefill also waits until the ring holds it beyond the chunk just
 * written (machines/playout.ts): a chunk that alone fills the lead would otherwise start a
 * response with nothing to spare when the next one arrives at real time.
 */
export function cushionMs(config: ParleyConfig, platform: Pick<Platform, 'farSide'>): number {
  if (platform.farSide === 'unflushable') return 0;
  return platform.farSide === 'flushable-model' ? config.telephony.audioStreamCushionMs : config.telephony.reportedCushionMs;
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
  if (cfg.media.coreTrace) media.setTrace?.(true);
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
  // The capacity bench's baseline: JSON.stringify and ws.send per outbound message, as before.
  const framing = cfg.jsPath === 'baseline' ? 'stringify' : 'template';
  const out = new TelephonyOut(
    c.conn.ws,
    c.platform.createEncoder(start, { framing }),
    farSide,
    c.platform.farSide === 'unflushable' ? leadMs(cfg, c.platform) : undefined,
    framing === 'template' ? c.conn.writeFrames : undefined,
  );
  const aiBpm = bytesPerMs(aiFormat);
  const playoutFeed = new PlayoutFeed(media, aiFormat.codec === 'pcm16', {
    backlogBytes: Math.round(cfg.media.playoutBacklogMs * aiBpm),
    bytesPerMs: aiBpm,
    onDrop: (reason, bytes) => c.drop(reason, 1, bytes / aiBpm / 1000),
    onWritten: (bufferedMs, chunkMs) => {
      c.playout.drainPending = undefined;
      c.playout.tailPadded = false;
      c.actors.playout.send({ type: 'WRITE', bufferedMs, chunkMs });
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
