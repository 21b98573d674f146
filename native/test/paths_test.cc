// The capture and playout paths through the engine's seam: every supported format pair,
// exact frame sizes, signal fidelity, VAD edges, no stale audio after a flush, the fade-in
// after it, the reported delay, and clear errors for unsupported formats.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "core/dsp/g711.h"
#include "core/dsp/measure.h"
#include "core/engine/call.h"
#include "core/engine/dsp_paths.h"
#include "core/engine/path.h"

using namespace parley;
using engine::Codec;
using engine::Format;

namespace {

const Format kTel[] = {{Codec::kMulaw, 8000}, {Codec::kAlaw, 8000}, {Codec::kPcm16, 8000}, {Codec::kPcm16, 16000}};
const Format kAi[] = {{Codec::kPcm16, 24000}, {Codec::kMulaw, 8000}, {Codec::kAlaw, 8000}};

std::vector<uint8_t> encode(Format f, const std::vector<int16_t>& pcm) {
  std::vector<uint8_t> out(pcm.size() * engine::bytes_per_sample(f.codec));
  for (size_t i = 0; i < pcm.size(); ++i) {
    if (f.codec == Codec::kMulaw) out[i] = dsp::g711::ulaw_encode(pcm[i]);
    else if (f.codec == Codec::kAlaw) out[i] = dsp::g711::alaw_encode(pcm[i]);
    else {
      out[2 * i] = static_cast<uint8_t>(static_cast<uint16_t>(pcm[i]) & 0xff);
      out[2 * i + 1] = static_cast<uint8_t>(static_cast<uint16_t>(pcm[i]) >> 8);
    }
  }
  return out;
}

std::vector<int16_t> decode(Format f, const std::vector<uint8_t>& b) {
  const size_t n = b.size() / engine::bytes_per_sample(f.codec);
  std::vector<int16_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    if (f.codec == Codec::kMulaw) out[i] = dsp::g711::ulaw_decode(b[i]);
    else if (f.codec == Codec::kAlaw) out[i] = dsp::g711::alaw_decode(b[i]);
    else out[i] = static_cast<int16_t>(b[2 * i] | (b[2 * i + 1] << 8));
  }
  return out;
}

std::vector<int16_t> tone(int rate, double f, double amp, size_t n) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(std::lround(amp * std::sin(2 * M_PI * f * static_cast<double>(i) / rate)));
  return v;
}

// Runs whole frames of `pcm` (AI format side) through a playout path; returns telephony PCM.
std::vector<int16_t> play(engine::PlayoutPath& p, Format ai, Format tel, const std::vector<int16_t>& pcm) {
  const std::vector<uint8_t> in = encode(ai, pcm);
  std::vector<uint8_t> out;
  std::vector<uint8_t> frame(p.out_frame_bytes());
  for (size_t o = 0; o + p.in_frame_bytes() <= in.size(); o += p.in_frame_bytes()) {
    p.process({in.data() + o, p.in_frame_bytes()}, frame);
    out.insert(out.end(), frame.begin(), frame.end());
  }
  return decode(tel, out);
}

struct Captured {
  std::vector<int16_t> pcm;
  std::vector<std::pair<size_t, engine::VadEdge>> edges;  // (frame, edge)
};

Captured capture(engine::CapturePath& p, Format tel, Format ai, const std::vector<int16_t>& pcm) {
  const std::vector<uint8_t> in = encode(tel, pcm);
  Captured c;
  std::vector<uint8_t> out;
  std::vector<uint8_t> frame(p.out_max_bytes());
  size_t k = 0;
  for (size_t o = 0; o + p.in_frame_bytes() <= in.size(); o += p.in_frame_bytes(), ++k) {
    const engine::CaptureResult r = p.process({in.data() + o, p.in_frame_bytes()}, frame);
    EXPECT_EQ(r.bytes, p.out_max_bytes());
    out.insert(out.end(), frame.begin(), frame.begin() + static_cast<long>(r.bytes));
    if (r.vad != engine::VadEdge::kNone) c.edges.push_back({k, r.vad});
  }
  c.pcm = decode(ai, out);
  return c;
}

}  // namespace

TEST(Paths, EveryPairHasExactFrameSizesAndCarriesATone) {
  int pairs = 0;
  for (Format tel : kTel) {
    for (Format ai : kAi) {
      if (tel == ai) continue;  // the engine uses the identity pair there
      engine::CallPaths p = engine::make_dsp_paths({tel, ai});
      ASSERT_TRUE(p.error.empty()) << p.error;
      ++pairs;
      EXPECT_EQ(p.capture->in_frame_bytes(), engine::frame_bytes(tel));
      EXPECT_EQ(p.capture->out_max_bytes(), engine::frame_bytes(ai));
      EXPECT_EQ(p.playout->in_frame_bytes(), engine::frame_bytes(ai));
      EXPECT_EQ(p.playout->out_frame_bytes(), engine::frame_bytes(tel));
      // A 1 kHz tone at -6 dBFS survives both directions (G.711 limits SNR to ~35 dB).
      const bool g711 = tel.codec != Codec::kPcm16 || ai.codec != Codec::kPcm16;
      const double min_snr = g711 ? 30.0 : 80.0;
      const auto up = capture(*p.capture, tel, ai, tone(static_cast<int>(tel.rate), 1000, 16000, tel.rate / 2)).pcm;
      auto fit = dsp::measure::fit_sine(up.data(), ai.rate / 10, up.size() - ai.rate / 10, 1000, ai.rate);
      EXPECT_NEAR(fit.amplitude, 16000, 16000 * 0.02);
      EXPECT_GE(dsp::measure::db(fit.amplitude / std::sqrt(2.0) / fit.residual_rms), min_snr);
      const auto down = play(*p.playout, ai, tel, tone(static_cast<int>(ai.rate), 1000, 16000, ai.rate / 2));
      fit = dsp::measure::fit_sine(down.data(), tel.rate / 10, down.size() - tel.rate / 10, 1000, tel.rate);
      EXPECT_NEAR(fit.amplitude, 16000, 16000 * 0.02);
      EXPECT_GE(dsp::measure::db(fit.amplitude / std::sqrt(2.0) / fit.residual_rms), min_snr);
    }
  }
  EXPECT_EQ(pairs, 10);
}

TEST(Paths, UnsupportedFormatsAreNamedInTheError) {
  auto p = engine::make_dsp_paths({{Codec::kPcm16, 48000}, {Codec::kPcm16, 24000}});
  EXPECT_EQ(p.capture, nullptr);
  EXPECT_NE(p.error.find("telephony format pcm16/48000"), std::string::npos) << p.error;
  p = engine::make_dsp_paths({{Codec::kMulaw, 8000}, {Codec::kPcm16, 16000}});
  EXPECT_NE(p.error.find("AI format pcm16/16000"), std::string::npos) << p.error;
  EXPECT_EQ(engine::make_call_paths({{Codec::kMulaw, 8000}, {Codec::kPcm16, 24000}}).error, "");
}

TEST(Paths, CaptureReportsSpeechEdgesFromTheLocalVad) {
  const Format tel{Codec::kMulaw, 8000}, ai{Codec::kPcm16, 24000};
  auto p = engine::make_dsp_paths({tel, ai});
  std::mt19937 rng(4);
  std::normal_distribution<double> noise(0.0, 60.0);
  std::vector<int16_t> x(8000 * 3);
  for (size_t i = 0; i < x.size(); ++i) {
    const bool speech = i >= 8000 && i < 16000;
    const double v = noise(rng) + (speech ? 6000.0 * std::sin(2 * M_PI * 220.0 * i / 8000.0) : 0.0);
    x[i] = static_cast<int16_t>(std::lround(v));
  }
  const Captured c = capture(*p.capture, tel, ai, x);
  ASSERT_EQ(c.edges.size(), 2u);
  EXPECT_EQ(c.edges[0].second, engine::VadEdge::kSpeechStart);
  EXPECT_EQ(c.edges[1].second, engine::VadEdge::kSpeechStop);
  // Start within onset (60 ms) + a frame of the burst at frame 50; stop after the hangover.
  EXPECT_GE(c.edges[0].first, 50u);
  EXPECT_LE(c.edges[0].first, 54u);
  EXPECT_GE(c.edges[1].first, 100u + 300 / 20 - 1);
  EXPECT_LE(c.edges[1].first, 100u + 300 / 20 + 1);
}

TEST(Paths, FlushLeavesNoStaleAudioAndTheNewAudioFadesIn) {
  const Format tel{Codec::kPcm16, 8000}, ai{Codec::kPcm16, 24000};
  const auto loud = tone(24000, 700, 30000, 4800);  // 10 frames
  const std::vector<int16_t> silence(480 * 3, 0);
  // Without a flush the filters still hold old audio: the next frames are not silent.
  {
    auto p = engine::make_dsp_paths({tel, ai});
    play(*p.playout, ai, tel, loud);
    const auto after = play(*p.playout, ai, tel, silence);
    int16_t peak = 0;
    for (int16_t s : after) peak = std::max<int16_t>(peak, static_cast<int16_t>(std::abs(s)));
    EXPECT_GT(peak, 1000) << "the test must be able to see a leak";
  }
  auto p = engine::make_dsp_paths({tel, ai});
  play(*p.playout, ai, tel, loud);
  p.playout->on_flush();
  for (int16_t s : play(*p.playout, ai, tel, silence)) ASSERT_EQ(s, 0) << "stale audio after a flush";
  // New audio after the flush starts from silence within the fade-in bound.
  auto q = engine::make_dsp_paths({tel, ai});
  play(*q.playout, ai, tel, loud);
  q.playout->on_flush();
  const auto first = play(*q.playout, ai, tel, tone(24000, 700, 30000, 480));
  int worst = std::abs(static_cast<int>(first[0]));
  for (size_t i = 1; i < first.size(); ++i) worst = std::max(worst, std::abs(first[i] - first[i - 1]));
  const int fade_len = 8000 * 5 / 1000;
  const int natural = static_cast<int>(std::ceil(30000 * 2 * M_PI * 700 / 8000));
  EXPECT_LE(worst, natural + 32768 / fade_len + 1);
}

TEST(Paths, PlayoutDelayIsReportedInAiSamples) {
  const Format tel{Codec::kPcm16, 8000}, ai{Codec::kPcm16, 24000};
  auto p = engine::make_dsp_paths({tel, ai});
  const uint32_t d = p.playout->delay_ai_samples();
  EXPECT_GT(d, 0u);
  // An impulse at AI sample 2400 (a multiple of 3) comes out at telephony 800 + d/3.
  std::vector<int16_t> x(480 * 10, 0);
  x[2400] = 20000;
  const auto y = play(*p.playout, ai, tel, x);
  size_t peak = 0;
  for (size_t i = 0; i < y.size(); ++i)
    if (std::abs(y[i]) > std::abs(y[peak])) peak = i;
  EXPECT_EQ(peak, 800 + d / 3);
}

TEST(Paths, PlayoutOptionsChooseAndConfigureThePlayoutPath) {
  const Format mu{Codec::kMulaw, 8000};
  const std::vector<int16_t> x = tone(8000, 500, 8000, 1600);
  const std::vector<uint8_t> in = encode(mu, x);
  // Unset options: the byte-exact passthrough.
  auto plain = engine::make_call_paths({mu, mu});
  ASSERT_TRUE(plain.error.empty());
  std::vector<uint8_t> out(plain.playout->out_frame_bytes());
  plain.playout->process({in.data(), out.size()}, out);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), in.begin()));
  // -6 dB on a passthrough: a DSP playout path halves the amplitude; capture stays a copy.
  engine::PlayoutOptions quieter;
  quieter.gain_db = -6.0;
  auto p = engine::make_call_paths({mu, mu}, quieter);
  ASSERT_TRUE(p.error.empty()) << p.error;
  const auto y = play(*p.playout, mu, mu, x);
  const auto x_mu = decode(mu, in);  // the input as mu-law carries it
  const double a_in = dsp::measure::fit_sine(x_mu.data(), 400, x_mu.size() - 400, 500, 8000).amplitude;
  const auto fit = dsp::measure::fit_sine(y.data(), 400, y.size() - 400, 500, 8000);
  EXPECT_NEAR(dsp::measure::db(fit.amplitude / a_in), -6.0, 0.2);
  std::vector<uint8_t> cap(p.capture->out_max_bytes());
  const auto r = p.capture->process({in.data(), p.capture->in_frame_bytes()}, cap);
  EXPECT_EQ(r.vad, engine::VadEdge::kNone);
  EXPECT_TRUE(std::equal(cap.begin(), cap.begin() + static_cast<long>(r.bytes), in.begin()));
  // The TTS chain on a resampling path to PCM16 16k (-30 dBFS tones, under the compressor's
  // knee): +6 dB makeup at 500 Hz, and a 6 kHz tone loses to the 3.8 kHz low-pass.
  const Format pcm24{Codec::kPcm16, 24000}, pcm16k{Codec::kPcm16, 16000};
  engine::PlayoutOptions tts;
  tts.tts_chain = true;
  auto ratio_db = [&](double f) {
    auto on = engine::make_call_paths({pcm16k, pcm24}, tts), off = engine::make_call_paths({pcm16k, pcm24});
    const auto t = tone(24000, f, 1036, 24000);
    const auto a = play(*on.playout, pcm24, pcm16k, t), b = play(*off.playout, pcm24, pcm16k, t);
    return dsp::measure::db(dsp::measure::fit_sine(a.data(), 4000, 8000, f, 16000).amplitude /
                            dsp::measure::fit_sine(b.data(), 4000, 8000, f, 16000).amplitude);
  };
  const double low = ratio_db(500), high = ratio_db(6000);
  EXPECT_NEAR(low, 6.0, 0.3);  // the compressor's makeup; shelf and low-pass ~flat at 500 Hz
  EXPECT_LT(high, low - 6.0);  // 6 kHz: the low-pass outweighs the shelf's +3 dB
}

TEST(Paths, CallConfigRefusesBadPlayoutOptions) {
  engine::CallConfig c;
  c.formats = {{Codec::kMulaw, 8000}, {Codec::kPcm16, 24000}};
  EXPECT_EQ(engine::validate_call_config(c), nullptr);
  for (double g : {20.5, -40.5, std::nan("")}) {
    c.playout.gain_db = g;
    ASSERT_NE(engine::validate_call_config(c), nullptr);
    EXPECT_STREQ(engine::validate_call_config(c), "playoutDsp.gainDb must be a number within -40..20");
  }
  c.playout.gain_db = 20.0;
  EXPECT_EQ(engine::validate_call_config(c), nullptr);
  c.playout.limiter = static_cast<engine::PlayoutLimiter>(4);
  EXPECT_NE(engine::validate_call_config(c), nullptr);
}
