// The resampler, VAD and TTS chain with arbitrary rates, chunk sizes and samples: the sample
// accounting is exact whatever the chunking (outputs_for predicts process, never above
// max_outputs_for, total = ceil(consumed * L / M)), drain and reset keep it, and nothing
// reads or writes out of bounds (ASan) or overflows (UBSan).
#include <cstdint>
#include <memory>
#include <vector>

#include "core/dsp/resampler.h"
#include "core/dsp/tts_chain.h"
#include "core/dsp/vad.h"
#include "fuzz_input.h"

using namespace parley::dsp;

namespace {
constexpr int kRates[] = {8000, 16000, 24000, 48000};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parley::fuzz::Input in(data, size);
  const int in_rate = kRates[in.below(4)];
  const int out_rate = kRates[in.below(4)];
  const auto quality = in.flag() ? ResamplerQuality::kStrict : ResamplerQuality::kVoice;
  Resampler rs(in_rate, out_rate, quality);
  Vad vad(in_rate);
  TtsChain tts(out_rate);
  const auto& d = rs.design();
  PARLEY_FUZZ_CHECK(d.up > 0 && d.down > 0);

  std::vector<std::int16_t> out;
  std::uint64_t produced = 0;
  VadEvent events[4];
  int ops = 0;
  while (!in.empty() && ops++ < 64) {
    const std::uint8_t op = in.take<std::uint8_t>();
    if (op == 0xff) {  // reset: counters restart
      rs.reset();
      vad.reset();
      tts.reset();
      produced = 0;
      continue;
    }
    if (op == 0xfe) {  // drain: everything consumed comes out
      out.resize(rs.max_outputs_for(static_cast<std::size_t>(rs.delay_in())) + 1);
      const std::size_t predicted = rs.outputs_for(static_cast<std::size_t>(rs.delay_in()));
      const std::size_t got = rs.drain(out.data());
      PARLEY_FUZZ_CHECK(got == predicted);
      produced += got;
      PARLEY_FUZZ_CHECK(rs.produced() == produced);
      continue;
    }
    // A chunk of 0..2047 samples taken from the input (zeros once it runs out).
    const std::size_t n = in.take<std::uint16_t>() % 2048;
    const auto raw = in.bytes(n * 2);
    std::vector<std::int16_t> x(n, 0);
    for (std::size_t i = 0; i + 1 < raw.size(); i += 2) x[i / 2] = static_cast<std::int16_t>(raw[i] | (raw[i + 1] << 8));
    const std::size_t predicted = rs.outputs_for(n);
    const std::size_t bound = rs.max_outputs_for(n);
    PARLEY_FUZZ_CHECK(predicted <= bound);
    out.assign(bound + 1, 0x5a5a);
    const std::size_t got = rs.process(x.data(), n, out.data());
    PARLEY_FUZZ_CHECK(got == predicted);
    PARLEY_FUZZ_CHECK(out[bound] == 0x5a5a);  // nothing written past what was promised
    produced += got;
    PARLEY_FUZZ_CHECK(rs.produced() == produced);
    // ceil(consumed * L / M): exact accounting, independent of chunking.
    const std::uint64_t L = static_cast<std::uint64_t>(d.up), M = static_cast<std::uint64_t>(d.down);
    PARLEY_FUZZ_CHECK(rs.produced() == (rs.consumed() * L + M - 1) / M);
    vad.process(x.data(), n, events, in.below(5));
    vad.observe_outbound(x.data(), n);
    tts.process(out.data(), got);
  }
  return 0;
}
