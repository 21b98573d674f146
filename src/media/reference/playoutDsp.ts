// The playout chain at the telephony rate: gain -> [DC] -> [TTS chain] -> limiter -> fade
// (twin of native playout_dsp.cc).
import { DcBlocker } from './dcBlocker.js';
import { Fade } from './fade.js';
import { Gain } from './gain.js';
import { PeakLimiter, SoftClipper } from './limiter.js';
import { msToSamples } from './sample.js';
import { TTS_CHAIN_DEFAULTS, TtsChain, type TtsChainParams } from './ttsChain.js';

export type LimiterMode = 'none' | 'peak' | 'softclip';

export interface PlayoutDspConfig {
  readonly gainDb: number;
  readonly dcBlock: boolean;
  readonly ttsChain: boolean;
  readonly tts: TtsChainParams;
  readonly limiter: LimiterMode;
  readonly limitDbfs: number;
  readonly limiterReleaseMs: number;
  readonly softClipThreshold: number;
  /** The flush fade, capped at MAX_FADE_OUT_MS. */
  readonly fadeOutMs: number;
  readonly fadeInMs: number;
}

export const MAX_FADE_OUT_MS = 5;

export const PLAYOUT_DSP_DEFAULTS: PlayoutDspConfig = {
  gainDb: 0,
  dcBlock: false,
  ttsChain: false,
  tts: TTS_CHAIN_DEFAULTS,
  limiter: 'peak',
  limitDbfs: -1,
  limiterReleaseMs: 50,
  softClipThreshold: 0.85,
  fadeOutMs: 5,
  fadeInMs: 5,
};

export class PlayoutDsp {
  private readonly gain: Gain;
  private readonly dc: DcBlocker | undefined;
  private readonly tts: TtsChain | undefined;
  private readonly peak: PeakLimiter | undefined;
  private readonly soft: SoftClipper | undefined;
  private readonly fade: Fade;

  constructor(rate: number, c: PlayoutDspConfig = PLAYOUT_DSP_DEFAULTS) {
    this.gain = new Gain(c.gainDb);
    this.fade = new Fade(msToSamples(c.fadeOutMs < MAX_FADE_OUT_MS ? c.fadeOutMs : MAX_FADE_OUT_MS, rate), msToSamples(c.fadeInMs, rate));
    if (c.dcBlock) this.dc = new DcBlocker(rate);
    if (c.ttsChain) this.tts = new TtsChain(rate, c.tts);
    if (c.limiter === 'peak') this.peak = new PeakLimiter(rate, c.limitDbfs, c.limiterReleaseMs);
    if (c.limiter === 'softclip') this.soft = new SoftClipper(c.softClipThreshold);
  }

  process(x: Int16Array): void {
    this.gain.process(x);
    this.dc?.process(x);
    this.tts?.process(x);
    this.peak?.process(x);
    this.soft?.process(x);
    this.fade.process(x);
  }
  startFadeOut(): void {
    this.fade.startOut();
  }
  startFadeIn(): void {
    this.fade.startIn();
  }
  /** Silence now, then fade in: what follows a flush. */
  restartFromSilence(): void {
    this.fade.restartFromSilence();
  }
  get muted(): boolean {
    return this.fade.muted;
  }
  get fadeOutSamples(): number {
    return this.fade.outLen;
  }
  resetFilters(): void {
    this.dc?.reset();
    this.tts?.reset();
    this.peak?.reset();
  }
}
