// DSP blocks: gain, DC blocker, peak limiter, soft clipper, fade (the flush fade's click
// bound), the original TTS chain at the output rate, and the playout chain.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "core/dsp/biquad.h"
#include "core/dsp/dc_blocker.h"
#include "core/dsp/fade.h"
#include "core/dsp/gain.h"
#include "core/dsp/limiter.h"
#include "core/dsp/measure.h"
#include "core/dsp/playout_dsp.h"
#include "core/dsp/tts_chain.h"

using namespace parley::dsp;

namespace {

std::vector<int16_t> sine(int rate, double freq, double amp, size_t n) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(std::lround(amp * std::sin(2.0 * M_PI * freq * static_cast<double>(i) / rate)));
  return v;
}

int max_step(const std::vector<int16_t>& v, size_t from, size_t to) {
  int m = 0;
  for (size_t i = std::max<size_t>(from, 1); i < to; ++i) m = std::max(m, std::abs(v[i] - v[i - 1]));
  return m;
}

double level_dbfs(const std::vector<int16_t>& v, size_t from) {
  return measure::db(measure::rms(v.data(), from, v.size() - from) * std::sqrt(2.0) / 32768.0);
}

// Gain of a biquad at `freq`, from its steady-state output.
double biquad_gain_db(const BiquadCoefs& c, int rate, double freq) {
  Biquad b(c);
  const auto x = sine(rate, freq, 10000, static_cast<size_t>(rate));
  std::vector<int16_t> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = saturate_round(b.step(x[i] / 32768.0) * 32768.0);
  const auto fit = measure::fit_sine(y.data(), y.size() / 2, y.size() / 2, freq, rate);
  return measure::db(fit.amplitude / 10000.0);
}

}  // namespace

TEST(Gain, ZeroDbIsExactAndSixDbDoublesWithSaturation) {
  std::vector<int16_t> x = {0, 1, -1, 1000, -1000, 16000, -16000, 32767, -32768};
  auto y = x;
  Gain(0.0).process(y.data(), y.size());
  EXPECT_EQ(y, x);
  Gain g(20.0 * std::log10(2.0));
  g.process(y.data(), y.size());
  const std::vector<int16_t> want = {0, 2, -2, 2000, -2000, 32000, -32000, 32767, -32768};
  EXPECT_EQ(y, want);
}

TEST(DcBlocker, RemovesDcAndPassesSpeechBand) {
  for (int rate : {8000, 16000}) {
    DcBlocker dc(rate);
    std::vector<int16_t> x(static_cast<size_t>(rate), 10000);
    dc.process(x.data(), x.size());
    for (size_t i = x.size() - 100; i < x.size(); ++i) EXPECT_EQ(x[i], 0) << rate;
    DcBlocker dc2(rate);
    auto t = sine(rate, 1000, 10000, static_cast<size_t>(rate));
    dc2.process(t.data(), t.size());
    const auto fit = measure::fit_sine(t.data(), t.size() / 2, t.size() / 2, 1000, rate);
    EXPECT_NEAR(measure::db(fit.amplitude / 10000.0), 0.0, 0.05) << rate;  // +0.02 dB at 1 kHz/8 kHz by design
  }
  EXPECT_DOUBLE_EQ(DcBlocker(8000).coefficient(), 0.995);
}

TEST(PeakLimiter, NeverExceedsTheCeilingAndLeavesQuietAudioBitExact) {
  PeakLimiter lim(8000, -6.0, 50.0);
  auto loud = sine(8000, 440, 32767, 8000);
  lim.process(loud.data(), loud.size());
  const double ceiling = lim.ceiling();
  for (int16_t s : loud) ASSERT_LE(std::abs(static_cast<int>(s)), static_cast<int>(std::ceil(ceiling)));
  PeakLimiter lim2(8000, -6.0, 50.0);
  auto quiet = sine(8000, 440, 10000, 8000);
  auto copy = quiet;
  lim2.process(quiet.data(), quiet.size());
  EXPECT_EQ(quiet, copy);
}

TEST(SoftClipper, IdentityBelowThresholdMonotoneContinuousCapped) {
  SoftClipper c(0.85);
  int prev = -40000;
  int worst_step = 0;
  for (int x = -32768; x <= 32767; ++x) {
    int16_t s = static_cast<int16_t>(x);
    c.process(&s, 1);
    if (std::abs(x) <= static_cast<int>(0.85 * 32768)) {
      ASSERT_EQ(s, x);
    }
    ASSERT_GE(s, prev) << "not monotone at " << x;
    if (x > -32768) worst_step = std::max(worst_step, s - prev);
    ASSERT_LE(std::abs(static_cast<int>(s)), static_cast<int>(std::ceil(SoftClipper::kCap * 32768)));
    prev = s;
  }
  EXPECT_LE(worst_step, 1) << "slope must not exceed 1 (C1 knee)";
  // Beyond full scale (normalised input > 1, e.g. after makeup gain) it saturates smoothly.
  EXPECT_LT(c.clip(1.2), c.clip(1.3) + 1e-12);
  EXPECT_DOUBLE_EQ(c.clip(2.0), SoftClipper::kCap);
  EXPECT_DOUBLE_EQ(c.clip(-2.0), -SoftClipper::kCap);
}

TEST(Fade, FlushFadeIsAtMostFiveMsAndBoundsTheLargestStep) {
  for (int rate : {8000, 16000, 24000, 48000}) {
    PlayoutDspConfig cfg;
    cfg.limiter = LimiterMode::kNone;
    PlayoutDsp dsp(rate, cfg);
    const int len = dsp.fade_out_samples();
    ASSERT_LE(len, rate * 5 / 1000) << rate;
    // Worst case for a click: a full-scale 250 Hz tone cut right after a peak.
    auto x = sine(rate, 250, 32767, static_cast<size_t>(rate / 10));
    const size_t cut = static_cast<size_t>(rate / 1000 + 5 * rate / 250) + 1;
    const int natural = max_step(x, 0, x.size());
    auto y = x;
    dsp.process(y.data(), cut);
    dsp.start_fade_out();
    dsp.process(y.data() + cut, y.size() - cut);
    for (size_t i = cut + static_cast<size_t>(len); i < y.size(); ++i) ASSERT_EQ(y[i], 0) << rate << " at " << i;
    EXPECT_TRUE(dsp.muted());
    const int bound = natural + static_cast<int>(std::ceil(32768.0 / len)) + 1;
    EXPECT_LE(max_step(y, 0, y.size()), bound) << rate;
    // Without the fade the same cut is a full-scale click: the bound is meaningful.
    std::vector<int16_t> abrupt(x.begin(), x.begin() + static_cast<long>(cut));
    abrupt.resize(x.size(), 0);
    EXPECT_GT(max_step(abrupt, 0, abrupt.size()), bound) << rate;
    // Fade-in from silence, same bound.
    dsp.start_fade_in();
    auto z = sine(rate, 250, 32767, static_cast<size_t>(rate / 10));
    z.insert(z.begin(), 0);  // continuity with the preceding silence
    dsp.process(z.data() + 1, z.size() - 1);
    EXPECT_LE(max_step(z, 0, z.size()), bound) << rate;
  }
}

TEST(TtsChain, FiltersAreComputedAtTheOutputRate) {
  for (int rate : {8000, 16000}) {
    const TtsChainParams p;
    EXPECT_NEAR(biquad_gain_db(rbj_lowpass(rate, p.lpf_hz, p.lpf_q), rate, 3800.0), -3.01, 0.1) << rate;
    EXPECT_NEAR(biquad_gain_db(rbj_lowpass(rate, p.lpf_hz, p.lpf_q), rate, 300.0), 0.0, 0.05) << rate;
    EXPECT_NEAR(biquad_gain_db(rbj_high_shelf(rate, p.shelf_hz, p.shelf_db, p.shelf_q), rate, 100.0), 0.0, 0.05) << rate;
    EXPECT_NEAR(biquad_gain_db(rbj_high_shelf(rate, p.shelf_hz, p.shelf_db, p.shelf_q), rate, 3000.0), 1.5, 0.1) << rate;
  }
  EXPECT_NEAR(biquad_gain_db(rbj_high_shelf(16000, 3000, 3.0, 0.707), 16000, 7500.0), 3.0, 0.15);
}

TEST(TtsChain, GateMutesNoiseCompressorLimitsAndClipperCaps) {
  const int rate = 8000;
  // Noise at about -60 dBFS stays under the -45 dB gate.
  {
    TtsChain chain(rate);
    std::mt19937 rng(3);
    std::normal_distribution<double> n(0.0, 32768.0 * 0.001);
    std::vector<int16_t> x(8000);
    for (auto& s : x) s = saturate_round(n(rng));
    chain.process(x.data(), x.size());
    EXPECT_LT(measure::rms(x.data(), 4000, 4000), 1.0);
  }
  // Levels: quiet speech-band tones get the +6 dB makeup; loud ones are compressed 3:1.
  auto out_level = [&](double in_dbfs) {
    TtsChain chain(rate);
    auto x = sine(rate, 500, 32768.0 * std::pow(10.0, in_dbfs / 20.0), 8000);
    chain.process(x.data(), x.size());
    return level_dbfs(x, 4000);
  };
  const double quiet = out_level(-40.0);
  EXPECT_NEAR(quiet - (-40.0), 6.0, 0.5);
  const double a = out_level(-10.0), b = out_level(-4.0);
  EXPECT_GT(b, a);
  EXPECT_LT((b - a) / 6.0, 0.6) << "above threshold the slope must be well below 1";
  // Full-scale square wave: never beyond the clipper's cap.
  {
    TtsChain chain(rate);
    std::vector<int16_t> x(8000);
    for (size_t i = 0; i < x.size(); ++i) x[i] = (i / 8) % 2 ? 32767 : -32768;
    chain.process(x.data(), x.size());
    for (int16_t s : x) ASSERT_LE(std::abs(static_cast<int>(s)), static_cast<int>(std::ceil(SoftClipper::kCap * 32768)));
  }
}

TEST(PlayoutDsp, DefaultChainIsTransparentBelowTheCeiling) {
  PlayoutDsp dsp(8000, PlayoutDspConfig{});
  auto x = sine(8000, 700, 20000, 4000);
  auto y = x;
  dsp.process(y.data(), y.size());
  EXPECT_EQ(x, y);
}
