// The media engine: types, errors, and createMediaEngine(), which picks the native addon or
// the JS fallback (src/media/reference) and says why when it falls back.
import { MediaError } from './engine.js';
import { NativeMediaEngine } from './native-engine.js';
import type { MediaEngine, MediaEngineOptions } from './types.js';

export * from './types.js';
export { MediaError, resolveCallConfig, resolveEngineOptions, resolvePlayoutDsp, bytesPerSample, frameBytes } from './engine.js';
export { NativeMediaEngine } from './native-engine.js';
export { encodeSamples, alawDecode, alawEncode, ulawDecode, ulawEncode } from './codec.js';
// The streaming resampler (the TypeScript twin of the addon's DspResampler, same filter) and the
// addon loader that reaches DspResampler, for cascade mode's TTS conversion. Nothing outside
// media/ imports media/reference/.
export { Resampler } from './reference/resampler.js';
export { loadNativeAddon } from './binding.js';

export type MediaEngineKind = 'native' | 'js';

/** The subset of a pino logger createMediaEngine uses. */
export interface MediaLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface CreateMediaEngineOptions extends MediaEngineOptions {
  /** Where a fallback from native to js is reported (default: process.emitWarning). */
  readonly log?: MediaLog;
}

/** The JS fallback engine's module and factory (src/media/reference/engine.ts). */
const JS_ENGINE_MODULE = './reference/engine.js';
type JsEngineFactory = (options: MediaEngineOptions) => MediaEngine;

async function createJsEngine(options: MediaEngineOptions): Promise<MediaEngine> {
  let factory: JsEngineFactory | undefined;
  try {
    const mod = (await import(JS_ENGINE_MODULE)) as { createJsMediaEngine?: JsEngineFactory };
    factory = mod.createJsMediaEngine;
  } catch (err) {
    throw new MediaError('ERR_MEDIA_UNAVAILABLE', `the JS media engine failed to load: ${String(err)}`, { cause: err });
  }
  if (typeof factory !== 'function') {
    throw new MediaError('ERR_MEDIA_UNAVAILABLE', `${JS_ENGINE_MODULE} does not export createJsMediaEngine`);
  }
  return factory(options);
}

/**
 * Creates a media engine. 'native' (the default, or PARLEY_MEDIA) uses the C++ addon and
 * falls back to the JS engine with a warning when the addon cannot load; 'js' uses the JS
 * engine. Bad options throw MediaError('ERR_MEDIA_CONFIG') whichever engine is chosen.
 */
export async function createMediaEngine(
  kind: MediaEngineKind = (process.env.PARLEY_MEDIA as MediaEngineKind | undefined) ?? 'native',
  options: CreateMediaEngineOptions = {},
): Promise<MediaEngine> {
  const { log, ...engineOptions } = options;
  if (kind !== 'native' && kind !== 'js') {
    throw new MediaError('ERR_MEDIA_CONFIG', `media engine must be 'native' or 'js' (got '${String(kind)}')`);
  }
  if (kind === 'js') return createJsEngine(engineOptions);
  try {
    return new NativeMediaEngine(engineOptions);
  } catch (err) {
    if (!(err instanceof MediaError) || err.code !== 'ERR_MEDIA_UNAVAILABLE') throw err;
    const msg = `native media engine unavailable, using the JS engine: ${err.message}`;
    if (log) log.warn({ err: err.message }, msg);
    else process.emitWarning(msg, { code: 'PARLEY_MEDIA_FALLBACK' });
    return createJsEngine(engineOptions);
  }
}
