// Energy VAD on synthetic speech-like bursts (voiced harmonic complex, 4 Hz syllabic
// envelope) in white noise: detection latency and false triggers, noise drifts, clicks,
// the echo gate, and chunking independence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "core/dsp/sample.h"
#include "core/dsp/vad.h"

using parley::dsp::Vad;
using parley::dsp::VadConfig;
using parley::dsp::VadEvent;

namespace {

constexpr int kRate = 8000;

double dbfs_rms(double db) { return 32768.0 * std::pow(10.0, db / 20.0); }

struct Burst {
  size_t start, len;
};

// Adds a voiced burst with rms `rms` (over the burst) starting at `start`.
void add_speech(std::vector<double>& buf, size_t start, size_t len, double rms, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double f0 = 100.0 + 120.0 * u(rng);
  const double syl_phase = 0.3 * u(rng);
  std::vector<double> s(len);
  double ph = 0.0, energy = 0.0;
  for (size_t i = 0; i < len; ++i) {
    const double t = static_cast<double>(i) / kRate;
    const double f = f0 * (1.0 + 0.03 * std::sin(2.0 * M_PI * 5.0 * t));
    ph += 2.0 * M_PI * f / kRate;
    double v = 0.0;
    for (int k = 1; k * f0 < 3400.0; ++k) v += std::sin(k * ph) / k;
    const double attack = std::min(1.0, t / 0.02);
    const double syllable = 0.6 + 0.4 * std::cos(2.0 * M_PI * (4.0 * t + syl_phase));
    s[i] = v * attack * syllable;
    energy += s[i] * s[i];
  }
  const double g = rms / std::sqrt(energy / static_cast<double>(len));
  for (size_t i = 0; i < len; ++i) buf[start + i] += g * s[i];
}

void add_noise(std::vector<double>& buf, double rms, std::mt19937& rng) {
  std::normal_distribution<double> n(0.0, rms);
  for (auto& v : buf) v += n(rng);
}

std::vector<int16_t> to_pcm(const std::vector<double>& v) {
  std::vector<int16_t> p(v.size());
  for (size_t i = 0; i < v.size(); ++i) p[i] = parley::dsp::saturate_round(v[i]);
  return p;
}

std::vector<VadEvent> run_vad(const std::vector<int16_t>& in, const VadConfig& cfg, const std::vector<int16_t>* outbound = nullptr,
                              size_t chunk = 160) {
  Vad vad(kRate, cfg);
  std::vector<VadEvent> all;
  VadEvent ev[64];
  for (size_t pos = 0; pos < in.size(); pos += chunk) {
    const size_t n = std::min(chunk, in.size() - pos);
    if (outbound) vad.observe_outbound(outbound->data() + pos, n);
    const size_t k = vad.process(in.data() + pos, n, ev, 64);
    all.insert(all.end(), ev, ev + k);
  }
  return all;
}

struct Score {
  int bursts = 0, detected = 0, false_starts = 0;
  double mean_ms = 0, max_ms = 0;
};

Score score(const std::vector<VadEvent>& evs, const std::vector<Burst>& bursts, double hangover_ms) {
  Score s;
  s.bursts = static_cast<int>(bursts.size());
  std::vector<bool> used(evs.size(), false);
  double total = 0;
  for (const Burst& b : bursts) {
    for (size_t i = 0; i < evs.size(); ++i) {
      if (evs[i].kind != VadEvent::Kind::kSpeechStart || used[i]) continue;
      if (evs[i].at >= b.start && evs[i].at < b.start + b.len) {
        used[i] = true;
        const double ms = 1000.0 * static_cast<double>(evs[i].at - b.start) / kRate;
        total += ms;
        s.max_ms = std::max(s.max_ms, ms);
        ++s.detected;
        break;
      }
    }
  }
  s.mean_ms = s.detected ? total / s.detected : 0;
  const size_t tail = static_cast<size_t>((hangover_ms + 100.0) * kRate / 1000.0);
  for (size_t i = 0; i < evs.size(); ++i) {
    if (evs[i].kind != VadEvent::Kind::kSpeechStart || used[i]) continue;
    bool inside = false;
    for (const Burst& b : bursts) inside = inside || (evs[i].at >= b.start && evs[i].at < b.start + b.len + tail);
    if (!inside) ++s.false_starts;
  }
  return s;
}

// 2 s of noise, then `count` bursts of 0.4-1.5 s with gaps of 0.8-2 s.
std::vector<double> scene(int count, double noise_dbfs, double snr_db, std::vector<Burst>& bursts, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  size_t pos = 2 * kRate;
  for (int i = 0; i < count; ++i) {
    const size_t len = static_cast<size_t>((0.4 + 1.1 * u(rng)) * kRate);
    bursts.push_back({pos, len});
    pos += len + static_cast<size_t>((0.8 + 1.2 * u(rng)) * kRate);
  }
  std::vector<double> buf(pos, 0.0);
  for (const Burst& b : bursts) add_speech(buf, b.start, b.len, dbfs_rms(noise_dbfs + snr_db), rng);
  add_noise(buf, dbfs_rms(noise_dbfs), rng);
  return buf;
}

}  // namespace

TEST(Vad, DetectsSpeechLikeBurstsInNoiseWithBoundedLatency) {
  const VadConfig cfg;
  std::printf("%6s %9s %9s %9s %7s\n", "SNR", "detected", "mean_ms", "max_ms", "false");
  for (double snr : {20.0, 10.0, 5.0}) {
    std::vector<Burst> bursts;
    const auto pcm = to_pcm(scene(30, -45.0, snr, bursts, static_cast<uint32_t>(snr * 10)));
    const Score s = score(run_vad(pcm, cfg), bursts, cfg.hangover_ms);
    std::printf("%4.0fdB %5d/%-3d %9.1f %9.1f %7d\n", snr, s.detected, s.bursts, s.mean_ms, s.max_ms, s.false_starts);
    EXPECT_EQ(s.false_starts, 0) << snr;
    // At 20 dB the onset itself is the latency; at 10 dB a first syllable may dip into the
    // noise and detection waits for the next one (4 Hz: 250 ms); at 5 dB most are caught.
    if (snr >= 20.0) {
      EXPECT_EQ(s.detected, s.bursts);
      EXPECT_LE(s.mean_ms, cfg.onset_ms + 2 * cfg.block_ms);
      EXPECT_LE(s.max_ms, cfg.onset_ms + 4 * cfg.block_ms);
    } else if (snr >= 10.0) {
      EXPECT_EQ(s.detected, s.bursts);
      EXPECT_LE(s.mean_ms, cfg.onset_ms + 6 * cfg.block_ms);
      EXPECT_LE(s.max_ms, cfg.onset_ms + 250.0);
    } else {
      EXPECT_GE(s.detected, s.bursts * 9 / 10);
      EXPECT_LE(s.mean_ms, cfg.onset_ms + 250.0);
    }
  }
}

TEST(Vad, NoFalseTriggersOnStationaryOrDriftingNoiseOrClicks) {
  const VadConfig cfg;
  std::mt19937 rng(99);
  // 60 s of white noise at -45 dBFS.
  {
    std::vector<double> b(60 * kRate, 0.0);
    add_noise(b, dbfs_rms(-45), rng);
    EXPECT_EQ(run_vad(to_pcm(b), cfg).size(), 0u);
  }
  // Noise drifting -55 -> -40 -> -55 dBFS over 30 s.
  {
    std::normal_distribution<double> n(0.0, 1.0);
    std::vector<double> b(30 * kRate);
    for (size_t i = 0; i < b.size(); ++i) {
      const double t = static_cast<double>(i) / b.size();
      b[i] = n(rng) * dbfs_rms(-55.0 + 15.0 * (1.0 - std::fabs(2.0 * t - 1.0)));
    }
    EXPECT_EQ(run_vad(to_pcm(b), cfg).size(), 0u);
  }
  // 2 ms clicks at -6 dBFS every 300 ms over -50 dBFS noise: shorter than the onset.
  {
    std::vector<double> b(20 * kRate, 0.0);
    add_noise(b, dbfs_rms(-50), rng);
    for (size_t p = kRate; p + 16 < b.size(); p += 3 * kRate / 10)
      for (size_t i = 0; i < 16; ++i) b[p + i] += (i % 2 ? 1 : -1) * dbfs_rms(-6);
    EXPECT_EQ(run_vad(to_pcm(b), cfg).size(), 0u);
  }
}

TEST(Vad, EchoGateIgnoresEchoButHearsDoubleTalk) {
  std::mt19937 rng(5);
  std::vector<Burst> bursts;
  const auto outbound_d = scene(10, -90.0, 70.0, bursts, 17);  // agent speech at -20 dBFS
  const auto outbound = to_pcm(outbound_d);
  const size_t delay = static_cast<size_t>(0.15 * kRate);
  std::vector<double> in(outbound_d.size(), 0.0);
  for (size_t i = delay; i < in.size(); ++i) in[i] = outbound_d[i - delay] * std::pow(10.0, -12.0 / 20.0);
  add_noise(in, dbfs_rms(-50), rng);
  VadConfig cfg;
  cfg.echo_erl_db = 12.0;  // the simulated echo path's loss
  const auto echo_only = to_pcm(in);
  EXPECT_GT(run_vad(echo_only, cfg, &outbound).size(), 0u) << "without the gate, echo triggers (the test can fail)";
  cfg.echo_gate = true;
  EXPECT_EQ(run_vad(echo_only, cfg, &outbound).size(), 0u) << "echo must not trigger with the gate on";
  // The caller talks over the agent, 14 dB above the echo.
  std::vector<Burst> caller = {{bursts[3].start + 2000, 6000}};
  auto talk = in;
  add_speech(talk, caller[0].start, caller[0].len, dbfs_rms(-18.0), rng);
  const Score s = score(run_vad(to_pcm(talk), cfg, &outbound), caller, cfg.hangover_ms);
  EXPECT_EQ(s.detected, 1);
  EXPECT_EQ(s.false_starts, 0);
}

TEST(Vad, DecisionsDoNotDependOnChunking) {
  std::vector<Burst> bursts;
  const auto pcm = to_pcm(scene(8, -45.0, 10.0, bursts, 1));
  const auto a = run_vad(pcm, VadConfig{}, nullptr, 160);
  for (size_t chunk : {1u, 7u, 80u, 333u, 4096u}) {
    const auto b = run_vad(pcm, VadConfig{}, nullptr, chunk);
    ASSERT_EQ(a.size(), b.size()) << chunk;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].kind, b[i].kind);
      EXPECT_EQ(a[i].at, b[i].at);
      EXPECT_EQ(a[i].onset, b[i].onset);
    }
  }
  EXPECT_GT(a.size(), 0u);
}

TEST(Vad, SpeechEndComesAfterTheHangover) {
  std::vector<Burst> bursts;
  const auto pcm = to_pcm(scene(5, -45.0, 20.0, bursts, 3));
  const VadConfig cfg;
  const auto evs = run_vad(pcm, cfg);
  int ends = 0;
  for (const auto& e : evs) {
    if (e.kind != VadEvent::Kind::kSpeechEnd) continue;
    ++ends;
    const double after_ms = 1000.0 * static_cast<double>(e.at - e.onset) / kRate;
    EXPECT_NEAR(after_ms, cfg.hangover_ms, cfg.block_ms + 0.01);
  }
  EXPECT_EQ(ends, 5);
}
