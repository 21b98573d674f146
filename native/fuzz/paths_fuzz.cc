// The per-call DSP paths (decode -> VAD -> resample -> encode, and resample -> gain/limiter/
// fade -> encode) for every supported telephony x AI pair, fed arbitrary frames with flushes
// in between: sizes are as promised (capture output never above out_max_bytes), nothing reads
// or writes out of bounds, and a flush leaves the path usable.
#include <cstdint>
#include <vector>

#include "core/engine/dsp_paths.h"
#include "fuzz_input.h"

using namespace parley::engine;

namespace {
constexpr Format kTelephony[] = {{Codec::kMulaw, 8000}, {Codec::kAlaw, 8000}, {Codec::kPcm16, 8000}, {Codec::kPcm16, 16000}};
constexpr Format kAi[] = {{Codec::kPcm16, 24000}, {Codec::kMulaw, 8000}, {Codec::kAlaw, 8000}};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parley::fuzz::Input in(data, size);
  DspPathOptions opts;
  opts.vad_enabled = in.flag();
  opts.vad.echo_gate = in.flag();
  opts.quality = in.flag() ? parley::dsp::ResamplerQuality::kStrict : parley::dsp::ResamplerQuality::kVoice;
  const CallFormats formats{kTelephony[in.below(4)], kAi[in.below(3)]};
  CallPaths paths = make_dsp_paths(formats, opts);
  PARLEY_FUZZ_CHECK(paths.error.empty() && paths.capture && paths.playout);
  auto& cap = *paths.capture;
  auto& play = *paths.playout;
  std::vector<std::uint8_t> cin(cap.in_frame_bytes()), cout(cap.out_max_bytes() + 1);
  std::vector<std::uint8_t> pin(play.in_frame_bytes()), pout(play.out_frame_bytes() + 1);

  int ops = 0;
  while (!in.empty() && ops++ < 200) {
    switch (in.below(3)) {
      case 0: {
        const auto b = in.bytes(cin.size());
        std::copy(b.begin(), b.end(), cin.begin());
        cout.back() = 0xa5;
        const auto r = cap.process(cin, {cout.data(), cap.out_max_bytes()});
        PARLEY_FUZZ_CHECK(r.bytes <= cap.out_max_bytes());
        PARLEY_FUZZ_CHECK(cout.back() == 0xa5);
        break;
      }
      case 1: {
        const auto b = in.bytes(pin.size());
        std::copy(b.begin(), b.end(), pin.begin());
        pout.back() = 0xa5;
        play.process(pin, {pout.data(), play.out_frame_bytes()});
        PARLEY_FUZZ_CHECK(pout.back() == 0xa5);
        break;
      }
      default:
        play.on_flush();
        break;
    }
  }
  return 0;
}
