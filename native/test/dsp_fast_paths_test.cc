// The TTS chain's fast stages against their scalar definitions, bit for bit: the clipper's
// two-at-a-time branchless rounding (SoftClipper::clip_to_int16), the two biquads run
// side by side (Biquad::cascade), and the chain's fused loop (chunks of 8 samples and more)
// against its staged one (shorter chunks). The differential test holds the whole chain to the
// TypeScript twin; these pin each stage at its edges (knee, cap, saturation, short runs).
#include <gtest/gtest.h>

#include <bit>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/dsp/biquad.h"
#include "core/dsp/limiter.h"
#include "core/dsp/sample.h"
#include "core/dsp/tts_chain.h"

using namespace parley::dsp;

namespace {

// Values at and around every branch point of clip(): zero, the threshold, the knee's end,
// the cap, full scale and beyond, each side of zero, plus a dense sweep.
std::vector<double> clip_inputs(double thr) {
  std::vector<double> v = {0.0, -0.0, thr, -thr, std::nextafter(thr, 2.0), -std::nextafter(thr, 2.0),
                           std::nextafter(thr, 0.0), 1.0, -1.0, 0.999, -0.999, 0.9995, 1.5, -1.5, 4.0, -4.0};
  const double knee_end = thr + 3.0 * (1.0 - thr);
  v.push_back(knee_end);
  v.push_back(-knee_end);
  v.push_back(std::nextafter(knee_end, 0.0));
  for (int i = -2600; i <= 2600; ++i) v.push_back(i / 2000.0 + 1e-7 * (i % 7));
  return v;
}

}  // namespace

TEST(SoftClipperFast, ClipToInt16MatchesTheScalarDefinition) {
  for (double thr : {0.85, 0.5, 0.99, 1.0, 0.01}) {
    const SoftClipper c(thr);
    const std::vector<double> v = clip_inputs(thr);
    // Every offset and odd length, so pairs and the scalar tail see every input.
    for (size_t start : {size_t{0}, size_t{1}}) {
      std::vector<int16_t> out(v.size(), 0x5555);
      c.clip_to_int16(v.data() + start, out.data(), v.size() - start);
      for (size_t i = 0; i + start < v.size(); ++i) {
        const double x = v[i + start];
        ASSERT_EQ(out[i], saturate_round(c.clip(x) * 32768.0)) << "thr " << thr << " x " << x;
      }
    }
  }
}

TEST(BiquadFast, CascadeMatchesTwoStepsPerSampleForAnyLength) {
  const BiquadCoefs shelf = rbj_high_shelf(8000, 3000, 3.0, 0.707), lpf = rbj_lowpass(8000, 3800, 0.707);
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1.2, 1.2);
  for (size_t n : {0, 1, 2, 3, 4, 5, 63, 64, 65, 66, 67, 130, 256, 301}) {
    Biquad a1(shelf), b1(lpf), a2(shelf), b2(lpf);
    // Three calls in a row: the state handed from one call (and chunk) to the next must match.
    for (int call = 0; call < 3; ++call) {
      std::vector<double> x(n);
      for (auto& s : x) s = u(rng);
      std::vector<double> want = x, got = x;
      for (auto& s : want) s = b1.step(a1.step(s));
      Biquad::cascade(a2, b2, got.data(), got.size());
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(std::bit_cast<uint64_t>(got[i]), std::bit_cast<uint64_t>(want[i])) << "n " << n << " i " << i;
    }
  }
}

TEST(TtsChainFast, FusedLoopMatchesTheStagedOneAtEveryRate) {
  for (int rate : {8000, 16000, 24000, 48000}) {
    // Speech-like level changes (gate, compressor, knee, cap all reached) over 1.5 s.
    std::vector<int16_t> x(static_cast<size_t>(rate) * 3 / 2);
    std::mt19937 rng(static_cast<unsigned>(rate));
    std::normal_distribution<double> noise(0.0, 300.0);
    for (size_t i = 0; i < x.size(); ++i) {
      const double env = (i / static_cast<size_t>(rate / 10)) % 3 == 0 ? 0.0 : ((i / 997) % 4) * 12000.0;
      x[i] = saturate_round(env * std::sin(0.07 * static_cast<double>(i)) + noise(rng));
    }
    std::vector<int16_t> fused = x, staged = x;
    TtsChain a(rate), b(rate);
    for (size_t i = 0; i < fused.size();) {  // 20 ms frames and odd sizes up to 2 chunks
      const size_t n = std::min(fused.size() - i, i % 3 == 0 ? static_cast<size_t>(rate / 50) : 8 + (i * 7) % 600);
      a.process(fused.data() + i, n);
      i += n;
    }
    for (size_t i = 0; i < staged.size();) {  // chunks of 1..7: the staged path only
      const size_t n = std::min(staged.size() - i, 1 + i % 7);
      b.process(staged.data() + i, n);
      i += n;
    }
    ASSERT_EQ(fused, staged) << rate;
    int peak = 0;
    for (int16_t s : fused) peak = std::max(peak, std::abs(static_cast<int>(s)));
    EXPECT_GT(peak, static_cast<int>(0.85 * 32768)) << "the clipper's knee was reached";
  }
}
