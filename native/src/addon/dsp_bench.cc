// dspBenchPaths(tel, telRate, ai, aiRate, frames, { ttsChain }) -> { captureNs, playoutNs }:
// ns per 20 ms frame of the DSP capture and playout paths, timed inside C++ (no JS call per
// frame), best of many short batches so that a busy machine inflates the figure least.
#include <napi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "addon/dsp_args.h"
#include "addon/registry.h"
#include "core/dsp/g711.h"
#include "core/engine/dsp_paths.h"

namespace parley::addon {
namespace {

using namespace dsp_args;
namespace engine = parley::engine;

bool codec_arg(const Napi::CallbackInfo& info, size_t i, engine::Codec& c) {
  std::string s;
  if (!string_arg(info, i, s)) return false;
  if (s == "pcm16") c = engine::Codec::kPcm16;
  else if (s == "mulaw") c = engine::Codec::kMulaw;
  else if (s == "alaw") c = engine::Codec::kAlaw;
  else return throw_arg(info.Env(), "codec must be 'pcm16', 'mulaw' or 'alaw'", true), false;
  return true;
}

// A speech-band test signal in `f`'s encoding, `frames` 20 ms frames long.
std::vector<uint8_t> signal(engine::Format f, size_t frames) {
  const size_t n = engine::frame_samples(f.rate) * frames;
  std::vector<uint8_t> out(n * engine::bytes_per_sample(f.codec));
  for (size_t i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / f.rate;
    const auto s = static_cast<int16_t>(9000 * std::sin(2 * M_PI * 310 * t) + 5000 * std::sin(2 * M_PI * 1750 * t) + ((i * 7919) % 601) - 300);
    if (f.codec == engine::Codec::kMulaw) out[i] = parley::dsp::g711::ulaw_encode(s);
    else if (f.codec == engine::Codec::kAlaw) out[i] = parley::dsp::g711::alaw_encode(s);
    else {
      out[2 * i] = static_cast<uint8_t>(static_cast<uint16_t>(s) & 0xff);
      out[2 * i + 1] = static_cast<uint8_t>(static_cast<uint16_t>(s) >> 8);
    }
  }
  return out;
}

// Frames per timed batch: short enough that a batch is rarely preempted on a shared machine
// (the minimum over batches is then the undisturbed cost), long enough that the clock's own
// cost (~20 ns) is noise. bench/media.ts times the TypeScript reference the same way.
constexpr size_t kBatchFrames = 20;

template <class F>
double best_ns_per_frame(size_t frames, F&& frame) {
  double best = 1e18;
  for (int pass = 0; pass < 15; ++pass) {
    for (size_t k0 = 0; k0 < frames; k0 += kBatchFrames) {
      const size_t k1 = std::min(frames, k0 + kBatchFrames);
      const auto t0 = std::chrono::steady_clock::now();
      for (size_t k = k0; k < k1; ++k) frame(k);
      const auto t1 = std::chrono::steady_clock::now();
      best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(k1 - k0));
    }
  }
  return best;
}

Napi::Value BenchPaths(const Napi::CallbackInfo& info) {
  engine::Format tel, ai;
  int tel_rate = 0, ai_rate = 0, frames = 0;
  Napi::Object opts;
  if (!codec_arg(info, 0, tel.codec) || !int_arg(info, 1, tel_rate, 8000, 48000) || !codec_arg(info, 2, ai.codec) ||
      !int_arg(info, 3, ai_rate, 8000, 48000) || !int_arg(info, 4, frames, 1, 1000000) || !object_arg(info, 5, opts))
    return info.Env().Undefined();
  tel.rate = static_cast<uint32_t>(tel_rate);
  ai.rate = static_cast<uint32_t>(ai_rate);
  engine::DspPathOptions o;
  if (!bool_field(opts, "ttsChain", o.playout.tts_chain)) return info.Env().Undefined();
  engine::CallPaths p = engine::make_dsp_paths({tel, ai}, o);
  if (!p.error.empty()) {
    throw_arg(info.Env(), p.error, true);
    return info.Env().Undefined();
  }
  const size_t n = static_cast<size_t>(frames);
  const std::vector<uint8_t> cap_in = signal(tel, n), play_in = signal(ai, n);
  std::vector<uint8_t> out(std::max(p.capture->out_max_bytes(), p.playout->out_frame_bytes()));
  const size_t ci = p.capture->in_frame_bytes(), pi = p.playout->in_frame_bytes();
  const double cap = best_ns_per_frame(n, [&](size_t k) {
    p.capture->process({cap_in.data() + k * ci, ci}, {out.data(), p.capture->out_max_bytes()});
  });
  const double play = best_ns_per_frame(n, [&](size_t k) {
    p.playout->process({play_in.data() + k * pi, pi}, {out.data(), p.playout->out_frame_bytes()});
  });
  Napi::Object r = Napi::Object::New(info.Env());
  r.Set("captureNs", cap);
  r.Set("playoutNs", play);
  return r;
}

void Export(Napi::Env env, Napi::Object exports) {
  exports.Set("dspBenchPaths", Napi::Function::New<BenchPaths>(env, "dspBenchPaths"));
}

PARLEY_ADDON_EXPORTS(Export);

}  // namespace
}  // namespace parley::addon
