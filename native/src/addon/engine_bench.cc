// benchRing(frameBytes, frames): the cost of moving one 20 ms frame through a playout
// ChunkRing — one tagged write and the consumer's piece-wise read back — measured in C++
// (no JS in the loop), on one thread with hot caches. (A two-thread variant mostly measured
// the scheduler of a shared 2-core machine, so it is not reported.) Used by
// `npm run bench -- playout`.
#include <napi.h>

#include <chrono>
#include <vector>

#include "addon/registry.h"
#include "core/ring/chunk_ring.h"

namespace parley::addon {

namespace {

using Clock = std::chrono::steady_clock;

double ns_per(Clock::duration d, std::uint64_t n) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) / static_cast<double>(n);
}

// Reads one frame's worth of payload back, piece by piece, as the media thread does.
std::size_t read_frame(ring::ChunkRing& r, std::uint8_t* dst, std::size_t frame) {
  std::size_t got = 0;
  while (got < frame) {
    const ring::Piece p = r.read_piece({dst + got, frame - got});
    if (p.bytes == 0) break;
    got += p.bytes;
  }
  return got;
}

double single_thread(std::size_t frame, std::uint64_t frames) {
  ring::ChunkRing r(frame * 100);
  std::vector<std::uint8_t> in(frame, 7), out(frame);
  std::uint64_t sink = 0;
  const auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < frames; ++i) {
    r.write({0, static_cast<std::uint32_t>(i >> 6)}, in);
    sink += read_frame(r, out.data(), frame);
  }
  const auto d = Clock::now() - t0;
  return sink == frames * frame ? ns_per(d, frames) : -1;
}

Napi::Value BenchRing(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "benchRing(frameBytes, frames)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const auto frame = static_cast<std::size_t>(info[0].As<Napi::Number>().Int64Value());
  const auto frames = static_cast<std::uint64_t>(info[1].As<Napi::Number>().Int64Value());
  if (frame < 2 || frame > 65536 || frames < 1) {
    Napi::RangeError::New(env, "frameBytes 2..65536, frames >= 1").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("singleThreadNs", single_thread(frame, frames));
  return o;
}

void Export(Napi::Env env, Napi::Object exports) { exports.Set("benchRing", Napi::Function::New(env, BenchRing)); }

PARLEY_ADDON_EXPORTS(Export);

}  // namespace

}  // namespace parley::addon
