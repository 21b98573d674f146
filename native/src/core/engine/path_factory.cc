// Chooses the capture and playout paths of a call (the DSP seam, see path.h): the identity
// pair when both sides share a format, else the DSP paths (native/src/core/dsp/paths.h),
// which name the unsupported side in their error.
#include "core/dsp/paths.h"
#include "core/engine/identity_path.h"
#include "core/engine/path.h"

namespace parley::engine {

CallPaths make_call_paths(const CallFormats& formats) {
  if (formats.telephony == formats.ai) return make_identity_paths(formats);
  return parley::dsp::make_dsp_paths(formats);
}

}  // namespace parley::engine
