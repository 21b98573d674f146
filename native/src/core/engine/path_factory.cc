// Chooses the capture and playout paths of a call (the DSP seam, see path.h). The DSP
// implementations in native/src/core/dsp/ register here; until then only the identity pair
// (same format on both sides) is supported.
#include <string>

#include "core/engine/identity_path.h"
#include "core/engine/path.h"

namespace parley::engine {

namespace {

const char* codec_name(Codec c) {
  switch (c) {
    case Codec::kPcm16: return "pcm16";
    case Codec::kMulaw: return "mulaw";
    case Codec::kAlaw: return "alaw";
  }
  return "?";
}

std::string describe(Format f) { return std::string(codec_name(f.codec)) + "/" + std::to_string(f.rate); }

}  // namespace

CallPaths make_call_paths(const CallFormats& formats) {
  if (formats.telephony == formats.ai) return make_identity_paths(formats);
  CallPaths paths;
  paths.error = "no media path converts telephony " + describe(formats.telephony) + " to AI " +
                describe(formats.ai) + " (only identical formats are supported without DSP)";
  return paths;
}

}  // namespace parley::engine
