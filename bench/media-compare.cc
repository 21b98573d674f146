// Resampler comparison for `npm run bench -- media`: Parley's resampler (voice and strict)
// against SpeexDSP at quality 7 (what the original system used) and libsoxr HQ, where their
// headers are installed (-DHAVE_SPEEX / -DHAVE_SOXR). The same measurements for all:
// ns per streamed 20 ms frame, delay, passband ripple to 0.45 x the lower rate, stopband
// attenuation (from 0.55 x, and in the 0.50..0.55 band), and sweep SNR. Prints one JSON line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/dsp/measure.h"
#include "core/dsp/resampler.h"
#ifdef HAVE_SPEEX
#include <speex/speex_resampler.h>
#endif
#ifdef HAVE_SOXR
#include <soxr.h>
#endif

namespace measure = parley::dsp::measure;

namespace {

// A streaming int16 resampler: push any chunk, get what it produced.
struct Stream {
  virtual ~Stream() = default;
  virtual void push(const int16_t* in, size_t n, std::vector<int16_t>& out) = 0;
};

struct ParleyStream : Stream {
  parley::dsp::Resampler r;
  std::vector<int16_t> buf;
  ParleyStream(int a, int b, parley::dsp::ResamplerQuality q) : r(a, b, q), buf(r.max_outputs_for(4096)) {}
  void push(const int16_t* in, size_t n, std::vector<int16_t>& out) override {
    const size_t k = r.process(in, n, buf.data());
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(k));
  }
};

#ifdef HAVE_SPEEX
struct SpeexStream : Stream {
  SpeexResamplerState* st;
  std::vector<spx_int16_t> buf = std::vector<spx_int16_t>(16384);
  SpeexStream(int a, int b) {
    int err = 0;
    st = speex_resampler_init(1, static_cast<spx_uint32_t>(a), static_cast<spx_uint32_t>(b), 7, &err);
  }
  ~SpeexStream() override { speex_resampler_destroy(st); }
  void push(const int16_t* in, size_t n, std::vector<int16_t>& out) override {
    spx_uint32_t in_len = static_cast<spx_uint32_t>(n), out_len = static_cast<spx_uint32_t>(buf.size());
    speex_resampler_process_int(st, 0, in, &in_len, buf.data(), &out_len);
    out.insert(out.end(), buf.begin(), buf.begin() + out_len);
  }
};
#endif

#ifdef HAVE_SOXR
struct SoxrStream : Stream {
  soxr_t s;
  std::vector<int16_t> buf = std::vector<int16_t>(16384);
  SoxrStream(int a, int b) {
    soxr_error_t err = nullptr;
    const soxr_io_spec_t io = soxr_io_spec(SOXR_INT16_I, SOXR_INT16_I);
    const soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
    s = soxr_create(a, b, 1, &err, &io, &q, nullptr);
  }
  ~SoxrStream() override { soxr_delete(s); }
  void push(const int16_t* in, size_t n, std::vector<int16_t>& out) override {
    size_t idone = 0, odone = 0;
    soxr_process(s, in, n, &idone, buf.data(), buf.size(), &odone);
    out.insert(out.end(), buf.begin(), buf.begin() + static_cast<long>(odone));
  }
};
#endif

using Factory = std::function<std::unique_ptr<Stream>(int, int)>;

std::vector<int16_t> run(const Factory& make, int a, int b, const std::vector<int16_t>& x) {
  auto s = make(a, b);
  std::vector<int16_t> out;
  const size_t frame = static_cast<size_t>(a / 50);
  for (size_t o = 0; o < x.size(); o += frame) s->push(x.data() + o, std::min(frame, x.size() - o), out);
  return out;
}

std::vector<int16_t> tone(int rate, double f, double amp, size_t n) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<int16_t>(std::lround(amp * std::sin(2 * M_PI * f * static_cast<double>(i) / rate)));
  return v;
}

double chirp_at(double t, double f0, double f1, double secs, double amp, double fade) {
  if (t < 0 || t > secs) return 0.0;
  double env = 1.0;
  if (t < fade) env = 0.5 - 0.5 * std::cos(M_PI * t / fade);
  if (t > secs - fade) env = 0.5 - 0.5 * std::cos(M_PI * (secs - t) / fade);
  return amp * env * std::sin(2 * M_PI * (f0 * t + 0.5 * (f1 - f0) / secs * t * t));
}

struct Result {
  double ns_per_frame, delay_out, latency_ms, ripple_db, stop_db, alias_band_db, sweep_snr_db;
};

// Real-time latency: push one sample at a time after an impulse and count the inputs needed
// until the output's peak has come out (a library may trim its delay from the signal and
// still hold the samples back).
double latency_ms(const Factory& make, int a, int b, double aligned_delay_out) {
  auto s = make(a, b);
  std::vector<int16_t> out;
  const size_t i0 = static_cast<size_t>(a / 50);
  const auto peak_at = static_cast<size_t>(std::lround(static_cast<double>(i0) * b / a + aligned_delay_out));
  for (size_t i = 0; i < static_cast<size_t>(a); ++i) {
    const int16_t v = i == i0 ? 20000 : 0;
    s->push(&v, 1, out);
    if (out.size() > peak_at) return 1000.0 * static_cast<double>(i - i0) / a;
  }
  return NAN;
}

Result evaluate(const Factory& make, int a, int b) {
  Result r{};
  const double f_low = std::min(a, b);
  // Speed: 20 ms frames of a busy signal, best of 200 batches of 10 frames (short batches are
  // rarely preempted on a shared machine, as in the paths bench).
  {
    auto s = make(a, b);
    const std::vector<int16_t> x = tone(a, 0.3 * f_low, 12000, static_cast<size_t>(a) * 2);
    std::vector<int16_t> out;
    out.reserve(static_cast<size_t>(b) * 3);
    const size_t frame = static_cast<size_t>(a / 50);
    double best = 1e18;
    for (int batch = 0; batch < 200; ++batch) {
      out.clear();
      const size_t k0 = static_cast<size_t>(batch % 10) * 10;
      const auto t0 = std::chrono::steady_clock::now();
      for (size_t k = k0; k < k0 + 10; ++k) s->push(x.data() + k * frame, frame, out);
      const auto t1 = std::chrono::steady_clock::now();
      best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / 10.0);
    }
    r.ns_per_frame = best;
  }
  // Delay: the phase of a low tone, disambiguated by the peak of an impulse response.
  {
    std::vector<int16_t> imp(static_cast<size_t>(a / 5), 0);
    const size_t i0 = static_cast<size_t>(a / 50);
    imp[i0] = 20000;
    const auto y = run(make, a, b, imp);
    size_t peak = 0;
    for (size_t j = 0; j < y.size(); ++j)
      if (std::abs(y[j]) > std::abs(y[peak])) peak = j;
    const double coarse = static_cast<double>(peak) - static_cast<double>(i0) * b / a;
    const double f = 100.0;
    const auto t = run(make, a, b, tone(a, f, 20000, static_cast<size_t>(a / 2)));
    const size_t skip = static_cast<size_t>(b / 10);
    const auto fit = measure::fit_sine(t.data(), skip, t.size() - skip, f, b);
    const double w = 2 * M_PI * f / b;
    const double d = (w * static_cast<double>(skip) - fit.phase - M_PI / 2) / w;
    const double period = 2 * M_PI / w;
    r.delay_out = d + std::round((coarse - d) / period) * period;
  }
  r.latency_ms = latency_ms(make, a, b, r.delay_out);
  // Passband ripple and, when upsampling, images (residual of passband tones).
  double gmin = 1e9, gmax = -1e9, stop = 1e9;
  for (int k = 1; k <= 24; ++k) {
    const double f = 0.45 * f_low * k / 24.0;
    const auto y = run(make, a, b, tone(a, f, 20000, static_cast<size_t>(a / 4)));
    const size_t skip = static_cast<size_t>(b / 20);
    const auto fit = measure::fit_sine(y.data(), skip, y.size() - skip - static_cast<size_t>(b / 100), f, b);
    const double g = measure::db(fit.amplitude / 20000.0);
    gmin = std::min(gmin, g);
    gmax = std::max(gmax, g);
    if (b > a) stop = std::min(stop, measure::db(20000.0 / std::sqrt(2.0) / fit.residual_rms));
  }
  r.ripple_db = std::max(std::fabs(gmin), std::fabs(gmax));
  r.alias_band_db = NAN;
  if (b < a) {  // decimation: tones above the output band must vanish
    auto worst = [&](double lo, double hi) {
      double w = 1e9;
      for (int k = 0; k < 12; ++k) {
        const double f = lo + (hi - lo) * (k + 0.5) / 12.0;
        const auto y = run(make, a, b, tone(a, f, 20000, static_cast<size_t>(a / 4)));
        const size_t skip = static_cast<size_t>(b / 20);
        const double rms = std::max(measure::rms(y.data(), skip, y.size() - 2 * skip), 1e-3);
        w = std::min(w, measure::db(20000.0 / std::sqrt(2.0) / rms));
      }
      return w;
    };
    stop = worst(0.55 * f_low, 0.5 * a);
    r.alias_band_db = worst(0.5 * f_low, 0.55 * f_low);
  }
  r.stop_db = stop;
  // Sweep 20 Hz -> 0.45 f_low over 1 s at -4 dBFS against the ideal, delayed chirp.
  {
    const double f1 = 0.45 * f_low;
    std::vector<int16_t> x(static_cast<size_t>(a * 1.2));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int16_t>(std::lround(chirp_at(static_cast<double>(i) / a, 20, f1, 1.0, 20000, 0.05)));
    const auto y = run(make, a, b, x);
    double sig = 0, err = 0;
    for (size_t j = 0; j < y.size(); ++j) {
      const double ideal = chirp_at((static_cast<double>(j) - r.delay_out) / b, 20, f1, 1.0, 20000, 0.05);
      sig += ideal * ideal;
      err += (y[j] - ideal) * (y[j] - ideal);
    }
    r.sweep_snr_db = 10 * std::log10(sig / err);
  }
  return r;
}

}  // namespace

int main() {
  std::vector<std::pair<std::string, Factory>> libs = {
      {"parley-voice", [](int a, int b) { return std::make_unique<ParleyStream>(a, b, parley::dsp::ResamplerQuality::kVoice); }},
      {"parley-strict", [](int a, int b) { return std::make_unique<ParleyStream>(a, b, parley::dsp::ResamplerQuality::kStrict); }},
  };
#ifdef HAVE_SPEEX
  libs.push_back({"speex-q7", [](int a, int b) { return std::make_unique<SpeexStream>(a, b); }});
#endif
#ifdef HAVE_SOXR
  libs.push_back({"soxr-hq", [](int a, int b) { return std::make_unique<SoxrStream>(a, b); }});
#endif
  const int pairs[][2] = {{8000, 24000}, {24000, 8000}, {16000, 24000}, {24000, 16000}, {8000, 16000}, {16000, 8000}};
  std::printf("{\"kernel\":\"%s\",\"results\":[", parley::dsp::Resampler(8000, 24000).kernel_name());
  bool first = true;
  for (const auto& p : pairs) {
    for (const auto& [name, make] : libs) {
      const Result r = evaluate(make, p[0], p[1]);
      std::printf("%s{\"lib\":\"%s\",\"in\":%d,\"out\":%d,\"nsPerFrame\":%.0f,\"delayOutSamples\":%.2f,\"latencyMs\":%.3f,"
                  "\"passbandRippleDb\":%.4f,\"stopbandDb\":%.1f,\"aliasBand050to055Db\":%s,\"sweepSnrDb\":%.1f}",
                  first ? "" : ",", name.c_str(), p[0], p[1], r.ns_per_frame, r.delay_out, r.latency_ms, r.ripple_db,
                  r.stop_db, std::isnan(r.alias_band_db) ? "null" : std::to_string(std::round(r.alias_band_db * 10) / 10).c_str(),
                  r.sweep_snr_db);
      first = false;
    }
  }
  std::printf("]}\n");
}
