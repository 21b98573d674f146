// The two per-call audio paths (docs/ARCHITECTURE.md#audio-paths), built from the pure DSP blocks
// (core/dsp/) and plugged into the engine's seam (core/engine/path.h):
//   capture  telephony frame -> decode -> VAD -> resample -> encode -> AI format
//   playout  AI frame -> decode -> resample -> DSP (gain, limiter, fade) -> encode -> telephony
// Telephony: mu-law 8k, A-law 8k, PCM16LE 8k/16k. AI: PCM16LE 24k, or mu-law/A-law 8k.
// Everything is allocated by make_dsp_paths(); process() never allocates, locks or makes a
// system call (native/test/alloc_test.cc proves it).
//
// Flush: on_flush() forgets the old epoch's audio held in the resampler and the DSP filter
// memories (no stale sample ever reaches a later frame) and arms a fade-in of at most 5 ms,
// so the new audio rises from the silence the far side was cleared to instead of clicking.
#pragma once

#include <cstdint>
#include <string>

#include "core/dsp/playout_dsp.h"
#include "core/dsp/resampler_design.h"
#include "core/dsp/vad.h"
#include "core/engine/path.h"

namespace parley::engine {

struct DspPathOptions {
  dsp::PlayoutDspConfig playout{};
  dsp::VadConfig vad{};
  dsp::ResamplerQuality quality = dsp::ResamplerQuality::kVoice;
  /** Run the local VAD on capture (speech-start / speech-stop edges to JS). */
  bool vad_enabled = true;
};

/** Whether a format can be the telephony side / the AI side of a DSP path. */
bool telephony_format_ok(Format f);
bool ai_format_ok(Format f);

/** Builds both paths, or returns an error naming the unsupported side. */
CallPaths make_dsp_paths(const CallFormats& formats, const DspPathOptions& options = {});

}  // namespace parley::engine
