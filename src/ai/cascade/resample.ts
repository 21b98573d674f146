// The media engine's resampler for TTS audio (TT2): the addon's DspResampler when the engine is
// native, the TypeScript reference twin otherwise (the same samples either way). Never a
// hand-rolled one: one filter design, one set of differential tests.
import { loadNativeAddon, Resampler } from '../../media/index.js';

export type ResamplerKind = 'native' | 'js';

/** A streaming resampler: output lags input by its filter delay; drain() releases the tail. */
export interface StreamResampler {
  readonly kind: ResamplerKind;
  readonly inRate: number;
  readonly outRate: number;
  process(pcm: Int16Array): Int16Array;
  /** Feeds the filter delay's worth of zeros: everything consumed comes out. */
  drain(): Int16Array;
}

interface NativeResampler {
  process(pcm: Int16Array): Int16Array;
  drain(): Int16Array;
}
type NativeResamplerCtor = new (inRate: number, outRate: number, quality?: string) => NativeResampler;

function nativeCtor(): NativeResamplerCtor | undefined {
  try {
    const ctor = (loadNativeAddon() as unknown as { DspResampler?: NativeResamplerCtor }).DspResampler;
    return typeof ctor === 'function' ? ctor : undefined;
  } catch {
    return undefined;
  }
}

export function createResampler(inRate: number, outRate: number, kind: ResamplerKind): StreamResampler {
  if (kind === 'native') {
    const Ctor = nativeCtor();
    if (Ctor) {
      const r = new Ctor(inRate, outRate, 'voice');
      return { kind, inRate, outRate, process: (pcm) => r.process(pcm), drain: () => r.drain() };
    }
  }
  const r = new Resampler(inRate, outRate, 'voice');
  return {
    kind: 'js',
    inRate,
    outRate,
    process(pcm) {
      const out = new Int16Array(r.outputsFor(pcm.length));
      const n = r.process(pcm, out);
      return n === out.length ? out : out.subarray(0, n);
    },
    drain() {
      const out = new Int16Array(r.maxOutputsFor(r.delayIn) + 1);
      return out.subarray(0, r.drain(out));
    },
  };
}
