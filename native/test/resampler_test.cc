// Resampler: exact accounting under any chunking, identical output from every kernel, and
// the quality bars measured from real output for every pair of 8/16/24/48 kHz:
// passband ripple <= 0.1 dB up to 0.45 x the lower rate, stopband >= 80 dB, sweep SNR >= 80 dB,
// group delay equal to the reported delay_out().
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/dsp/measure.h"
#include "core/dsp/resampler.h"

using parley::dsp::Resampler;
using parley::dsp::ResamplerQuality;
namespace measure = parley::dsp::measure;

namespace {

struct Pair {
  int in;
  int out;
  ResamplerQuality q;
};

std::vector<Pair> all_pairs() {
  std::vector<Pair> v;
  const int rates[] = {8000, 16000, 24000, 48000};
  for (auto q : {ResamplerQuality::kVoice, ResamplerQuality::kStrict})
    for (int a : rates)
      for (int b : rates)
        if (a != b) v.push_back({a, b, q});
  return v;
}

std::string name(const Pair& p) {
  return std::to_string(p.in) + "->" + std::to_string(p.out) + (p.q == ResamplerQuality::kVoice ? " voice" : " strict");
}

std::vector<int16_t> run_all(Resampler& r, const std::vector<int16_t>& in) {
  std::vector<int16_t> out(r.max_outputs_for(in.size()));
  out.resize(r.process(in.data(), in.size(), out.data()));
  return out;
}

std::vector<int16_t> tone(int rate, double freq, double amp, size_t n) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = static_cast<int16_t>(std::lround(amp * std::sin(2.0 * M_PI * freq * static_cast<double>(i) / rate)));
  return v;
}

// Linear chirp f0 -> f1 over `seconds`, amplitude amp, raised-cosine fades of `fade` s.
double chirp_at(double t, double f0, double f1, double seconds, double amp, double fade) {
  if (t < 0 || t > seconds) return 0.0;
  const double k = (f1 - f0) / seconds;
  double env = 1.0;
  if (t < fade) env = 0.5 - 0.5 * std::cos(M_PI * t / fade);
  if (t > seconds - fade) env = 0.5 - 0.5 * std::cos(M_PI * (seconds - t) / fade);
  return amp * env * std::sin(2.0 * M_PI * (f0 * t + 0.5 * k * t * t));
}

}  // namespace

TEST(ResamplerDesign, PhasesHaveUnitGainAndExactIntegerArithmetic) {
  for (const Pair& p : all_pairs()) {
    Resampler r(p.in, p.out, p.q);
    const auto& d = r.design();
    EXPECT_EQ(d.taps % 8, 0) << name(p);
    EXPECT_EQ(d.delay_up % (d.up * d.down), 0) << name(p);
    for (int ph = 0; ph < d.up; ++ph) {
      double sum = 0, abs_sum = 0;
      for (int k = 0; k < d.taps; ++k) {
        const double c = d.coefs[static_cast<size_t>(ph * d.taps + k)];
        EXPECT_EQ(c, std::floor(c)) << name(p);
        sum += c;
        abs_sum += std::fabs(c);
      }
      EXPECT_EQ(sum, parley::dsp::kCoefScale) << name(p) << " phase " << ph;
      // Every partial sum of coefficient x int16 products must be an exact double.
      EXPECT_LT(abs_sum * 32768.0, 9007199254740992.0) << name(p);
    }
  }
}

TEST(Resampler, AccountingIsExactUnderRandomChunking) {
  std::mt19937 rng(7);
  for (const Pair& p : all_pairs()) {
    std::vector<int16_t> in(static_cast<size_t>(p.in / 5));  // 200 ms
    for (auto& s : in) s = static_cast<int16_t>(rng() % 65536 - 32768);
    Resampler whole(p.in, p.out, p.q);
    const std::vector<int16_t> ref = run_all(whole, in);
    Resampler r(p.in, p.out, p.q);
    std::vector<int16_t> got;
    std::vector<int16_t> buf(r.max_outputs_for(2000));
    size_t pos = 0;
    while (pos < in.size()) {
      const size_t n = std::min<size_t>(in.size() - pos, rng() % 1200);
      const size_t expect = r.outputs_for(n);
      ASSERT_LE(expect, r.max_outputs_for(n));
      const size_t wrote = r.process(in.data() + pos, n, buf.data());
      ASSERT_EQ(wrote, expect) << name(p);
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<long>(wrote));
      pos += n;
      const uint64_t L = static_cast<uint64_t>(r.design().up), M = static_cast<uint64_t>(r.design().down);
      ASSERT_EQ(r.produced(), (r.consumed() * L + M - 1) / M) << name(p);
    }
    ASSERT_EQ(got, ref) << name(p) << ": chunked output differs from one-shot";
  }
}

TEST(Resampler, EveryKernelGivesIdenticalOutput) {
  std::mt19937 rng(11);
  for (const Pair& p : all_pairs()) {
    std::vector<int16_t> in(static_cast<size_t>(p.in / 10));
    for (auto& s : in) s = static_cast<int16_t>(rng() % 65536 - 32768);
    std::vector<std::vector<int16_t>> outs;
    for (const char* k : {"generic", "avx2", "avx512"}) {
      setenv("PARLEY_DSP_KERNEL", k, 1);
      Resampler r(p.in, p.out, p.q);
      outs.push_back(run_all(r, in));
    }
    unsetenv("PARLEY_DSP_KERNEL");
    EXPECT_EQ(outs[0], outs[1]) << name(p);
    EXPECT_EQ(outs[0], outs[2]) << name(p);
  }
}

TEST(Resampler, FullScaleDcPassesExactlyWithoutWrap) {
  for (const Pair& p : all_pairs()) {
    for (int16_t level : {int16_t{32767}, int16_t{-32768}, int16_t{1234}}) {
      Resampler r(p.in, p.out, p.q);
      const std::vector<int16_t> out = run_all(r, std::vector<int16_t>(static_cast<size_t>(p.in / 20), level));
      for (size_t j = static_cast<size_t>(2 * r.delay_out()) + 1; j < out.size(); ++j)
        ASSERT_EQ(out[j], level) << name(p) << " at " << j;
    }
  }
}

TEST(Resampler, ImpulseAppearsAtTheReportedDelayAndDrainFlushesIt) {
  for (const Pair& p : all_pairs()) {
    Resampler r(p.in, p.out, p.q);
    const auto& d = r.design();
    // An impulse at input index i0 = a multiple of M lands on output (i0 * L / M) + delay_out.
    const size_t i0 = static_cast<size_t>(10 * d.down);
    std::vector<int16_t> in(i0 + 1, 0);
    in[i0] = 20000;
    std::vector<int16_t> out = run_all(r, in);
    std::vector<int16_t> tail(r.max_outputs_for(static_cast<size_t>(r.delay_in())));
    tail.resize(r.drain(tail.data()));
    out.insert(out.end(), tail.begin(), tail.end());
    const size_t expect = i0 * static_cast<size_t>(d.up) / static_cast<size_t>(d.down) + static_cast<size_t>(r.delay_out());
    ASSERT_LT(expect, out.size()) << name(p) << ": drain must release the centre of the last input";
    size_t peak = 0;
    for (size_t j = 0; j < out.size(); ++j)
      if (std::abs(out[j]) > std::abs(out[peak])) peak = j;
    EXPECT_EQ(peak, expect) << name(p);
  }
}

namespace {

struct Quality {
  double ripple_db = 0;     // max |gain - 0 dB| over the passband
  double ripple_pp_db = 0;  // peak-to-peak
  double stop_db = 1e9;     // worst attenuation in the stopband
  double sweep_snr_db = 0;
  double delay_error = 0;   // measured - reported, output samples
};

Quality measure_quality(const Pair& p) {
  Quality q;
  const double f_low = std::min(p.in, p.out);
  const double amp = 20000.0;
  const size_t n_in = static_cast<size_t>(p.in) / 4;  // 250 ms per tone
  // Passband: 24 tones from 1/24 to 24/24 of 0.45 f_low.
  double gmin = 1e9, gmax = -1e9;
  for (int k = 1; k <= 24; ++k) {
    const double f = 0.45 * f_low * k / 24.0;
    Resampler r(p.in, p.out, p.q);
    const std::vector<int16_t> out = run_all(r, tone(p.in, f, amp, n_in));
    const size_t skip = static_cast<size_t>(r.design().taps * r.design().up / r.design().down + r.delay_out() + 8);
    const auto fit = measure::fit_sine(out.data(), skip, out.size() - skip, f, p.out);
    const double g = measure::db(fit.amplitude / amp);
    gmin = std::min(gmin, g);
    gmax = std::max(gmax, g);
    if (p.out > p.in) q.stop_db = std::min(q.stop_db, measure::db(amp / std::sqrt(2.0) / fit.residual_rms));
    if (k == 2) {  // group delay from the phase of a low tone
      const double w = 2.0 * M_PI * f / p.out;
      double delay = (w * static_cast<double>(skip) - fit.phase - M_PI / 2.0) / w;  // input is sin = cos(x - pi/2)
      // Modulo the tone's period: the impulse test pins the absolute delay.
      q.delay_error = std::remainder(delay - r.delay_out(), 2.0 * M_PI / w);
    }
  }
  q.ripple_db = std::max(std::fabs(gmin), std::fabs(gmax));
  q.ripple_pp_db = gmax - gmin;
  // Stopband of a decimator: tones from the stop edge to the input Nyquist must vanish.
  if (p.out < p.in) {
    const double stop = p.q == ResamplerQuality::kVoice ? 0.55 * f_low : 0.50 * f_low;
    for (int k = 0; k < 16; ++k) {
      const double f = stop + (0.5 * p.in - stop) * (k + 0.5) / 16.0;
      Resampler r(p.in, p.out, p.q);
      const std::vector<int16_t> out = run_all(r, tone(p.in, f, amp, n_in));
      const size_t skip = static_cast<size_t>(r.design().taps + r.delay_out());
      const double rms = std::max(measure::rms(out.data(), skip, out.size() - skip), 1e-3);
      q.stop_db = std::min(q.stop_db, measure::db(amp / std::sqrt(2.0) / rms));
    }
  }
  // Sweep: 20 Hz -> 0.45 f_low in 1 s at -4 dBFS, compared with the ideal delayed chirp.
  {
    const double secs = 1.0, f1 = 0.45 * f_low, fade = 0.05;
    std::vector<int16_t> in(static_cast<size_t>(p.in * 1.1));
    for (size_t i = 0; i < in.size(); ++i)
      in[i] = static_cast<int16_t>(std::lround(chirp_at(static_cast<double>(i) / p.in, 20.0, f1, secs, amp, fade)));
    Resampler r(p.in, p.out, p.q);
    const std::vector<int16_t> out = run_all(r, in);
    double sig = 0, err = 0;
    for (size_t j = 0; j < out.size(); ++j) {
      const double ideal = chirp_at((static_cast<double>(j) - r.delay_out()) / p.out, 20.0, f1, secs, amp, fade);
      sig += ideal * ideal;
      err += (out[j] - ideal) * (out[j] - ideal);
    }
    q.sweep_snr_db = 10.0 * std::log10(sig / err);
  }
  return q;
}

}  // namespace

TEST(ResamplerQuality, MeetsTheBarsForEveryPair) {
  std::printf("%-22s %9s %9s %9s %9s %8s %10s\n", "pair", "ripple", "ripplepp", "stop", "sweepSNR", "delay", "delayErr");
  for (const Pair& p : all_pairs()) {
    const Quality q = measure_quality(p);
    Resampler r(p.in, p.out, p.q);
    std::printf("%-22s %8.4fdB %8.4fdB %8.1fdB %8.1fdB %5d=%.2fms %+.4f\n", name(p).c_str(), q.ripple_db, q.ripple_pp_db,
                q.stop_db, q.sweep_snr_db, r.delay_out(), 1000.0 * r.delay_out() / p.out, q.delay_error);
    EXPECT_LE(q.ripple_db, 0.1) << name(p);
    EXPECT_GE(q.stop_db, 80.0) << name(p);
    EXPECT_GE(q.sweep_snr_db, 80.0) << name(p);
    EXPECT_LT(std::fabs(q.delay_error), 0.01) << name(p);
  }
}
