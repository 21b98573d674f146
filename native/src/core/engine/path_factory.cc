// Chooses the capture and playout paths of a call (the DSP seam, see path.h): the identity
// pair when both sides share a format and the playout options ask for no processing, else
// the DSP paths (dsp_paths.h), which name the unsupported side in their
// error. A passthrough call with playout processing keeps its identity capture path (no
// local VAD, bytes unchanged) and gets a DSP playout path at the shared rate.
#include "core/engine/dsp_paths.h"
#include "core/engine/identity_path.h"
#include "core/engine/path.h"

namespace parley::engine {

namespace {

dsp::LimiterMode limiter_mode(PlayoutLimiter l) {
  switch (l) {
    case PlayoutLimiter::kNone: return dsp::LimiterMode::kNone;
    case PlayoutLimiter::kSoftClip: return dsp::LimiterMode::kSoftClip;
    case PlayoutLimiter::kAuto:
    case PlayoutLimiter::kPeak: break;
  }
  return dsp::LimiterMode::kPeak;
}

}  // namespace

CallPaths make_call_paths(const CallFormats& formats, const PlayoutOptions& playout) {
  const bool passthrough = formats.telephony == formats.ai;
  if (passthrough && !playout.processes()) return make_identity_paths(formats);
  DspPathOptions o;
  o.playout.gain_db = playout.gain_db;
  o.playout.dc_block = playout.dc_block;
  o.playout.tts_chain = playout.tts_chain;
  o.playout.limiter = limiter_mode(playout.limiter);
  if (passthrough) o.vad_enabled = false;
  CallPaths paths = make_dsp_paths(formats, o);
  if (passthrough && paths.error.empty()) paths.capture = std::make_unique<IdentityCapturePath>(formats.telephony);
  return paths;
}

}  // namespace parley::engine
