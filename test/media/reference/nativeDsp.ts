// Typed access to the addon's DSP exports (native/src/addon/dsp_*.cc) for the differential
// tests and the benchmark. Loads through the engine's loader, so a stale addon fails loudly.
import { loadNativeAddon } from '../../../src/media/binding.js';

export interface NativeResampler {
  process(pcm: Int16Array): Int16Array;
  drain(): Int16Array;
  reset(): void;
  info(): { up: number; down: number; taps: number; delayIn: number; delayOut: number; consumed: number; produced: number; kernel: string };
}

export interface NativeChain {
  process(pcm: Int16Array): Int16Array;
  startFadeOut(): void;
  startFadeIn(): void;
  restartFromSilence(): void;
  muted(): boolean;
  resetFilters(): void;
}

export interface NativeVadEvent {
  kind: 'speech_start' | 'speech_end';
  at: number;
  onset: number;
}

export interface NativeVad {
  process(pcm: Int16Array): NativeVadEvent[];
  observeOutbound(pcm: Int16Array): void;
  state(): { speaking: boolean; position: number; noiseFloorDbfs: number; lastLevelDbfs: number };
}

export interface NativeDsp {
  dspG711Encode(law: 'mulaw' | 'alaw', pcm: Int16Array): Uint8Array;
  dspG711Decode(law: 'mulaw' | 'alaw', codes: Uint8Array): Int16Array;
  dspDetmath(fn: string, x: Float64Array): Float64Array;
  dspResamplerDesign(inRate: number, outRate: number, quality?: string): { up: number; down: number; taps: number; delayUp: number; coefs: Float64Array; identityTap: Int32Array };
  DspResampler: new (inRate: number, outRate: number, quality?: string) => NativeResampler;
  DspChain: new (rate: number, config?: object) => NativeChain;
  DspVad: new (rate: number, config?: object) => NativeVad;
}

export function loadNativeDsp(): NativeDsp {
  const addon = loadNativeAddon() as unknown as Partial<NativeDsp>;
  if (typeof addon.DspResampler !== 'function' || typeof addon.dspG711Encode !== 'function') {
    throw new Error('the media addon has no DSP exports: rebuild it with `npm run build:native`');
  }
  return addon as NativeDsp;
}
