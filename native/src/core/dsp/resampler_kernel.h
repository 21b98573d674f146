// The resampler's inner loop, vectorised across time: outputs of one class c (output index
// j = c + L*t) form a regular grid, and for a fixed tap their inputs are consecutive
// samples of one of M deinterleaved input streams. So a vector holds W consecutive outputs
// of a class, each tap is one broadcast coefficient times one contiguous load, and no
// horizontal sums are needed. Written once with GCC vector extensions and compiled per ISA
// by the wrappers in resampler.cc (always inlined, so the caller's target attribute picks
// the instructions). Integer-exact arithmetic (resampler_design.h) makes every variant give
// the same bits.
#pragma once

#include <cstdint>
#include <cstring>

namespace parley::dsp::kernel {

using v2d = double __attribute__((vector_size(16)));   // SSE2
using v4d = double __attribute__((vector_size(32)));   // AVX2
using v8d = double __attribute__((vector_size(64)));   // AVX-512
using v2u = uint64_t __attribute__((vector_size(16)));
using v4u = uint64_t __attribute__((vector_size(32)));
using v8u = uint64_t __attribute__((vector_size(64)));

template <class V> struct IntOf;
template <> struct IntOf<v2d> { using type = v2u; };
template <> struct IntOf<v4d> { using type = v4u; };
template <> struct IntOf<v8d> { using type = v8u; };

/** One class's filtered outputs for t in [t_lo, t_hi). */
struct ClassArgs {
  const double* coef;         // nonzero taps of the class
  const int32_t* stream;      // which input stream each tap reads
  const int64_t* offset;      // where in that stream, relative to t (already minus the stream origin)
  int taps;
  const double* const* streams;  // M deinterleaved input streams of this block
  int64_t t_lo, t_hi;
  int64_t out_base;           // output index of t = 0 within `out`, stepping by `out_step`
  int64_t out_step;           // L
  int16_t* out;
};

// acc is an exact integer below 2^46 in magnitude; the output is floor(acc / 2^30 + 1/2),
// saturated. Adding 2^29 + 2^47 keeps it positive and exact; adding 1.5 * 2^52 puts the
// integer in the low mantissa bits, so the conversion needs no floating-point rounding.
template <class V>
[[gnu::always_inline]] inline void store_lanes(const V& acc, int64_t t, const ClassArgs& a) {
  using I = typename IntOf<V>::type;
  constexpr int W = sizeof(V) / sizeof(double);
  constexpr double kMagic = 6755399441055744.0;  // 1.5 * 2^52
  const V biased = acc + (536870912.0 + 140737488355328.0 + kMagic);
  I bits;
  std::memcpy(&bits, &biased, sizeof bits);
  uint64_t magic_bits;
  std::memcpy(&magic_bits, &kMagic, sizeof magic_bits);
  const I shifted = (bits - magic_bits) >> 30;  // floor((acc + 2^29) / 2^30) + 2^17, non-negative
  uint64_t lanes[W];
  std::memcpy(lanes, &shifted, sizeof lanes);
  for (int i = 0; i < W && t + i < a.t_hi; ++i) {
    const int64_t r = static_cast<int64_t>(lanes[i]) - 131072;
    const int64_t v = r > 32767 ? 32767 : (r < -32768 ? -32768 : r);
    a.out[a.out_base + (t + i) * a.out_step] = static_cast<int16_t>(v);
  }
}

template <class V>
[[gnu::always_inline]] inline void run_class(const ClassArgs& a) {
  constexpr int W = sizeof(V) / sizeof(double);
  constexpr int kAcc = 4;  // accumulators: 4 vectors of consecutive outputs share each broadcast
  for (int64_t t = a.t_lo; t < a.t_hi; t += kAcc * W) {
    V acc[kAcc] = {};
    for (int k = 0; k < a.taps; ++k) {
      const double* x = a.streams[a.stream[k]] + a.offset[k] + t;
      const double c = a.coef[k];
#pragma GCC unroll 4
      for (int v = 0; v < kAcc; ++v) {
        V xv;  // unaligned load via memcpy (no vector-typed function boundaries: psABI)
        std::memcpy(&xv, x + v * W, sizeof xv);
        acc[v] += c * xv;
      }
    }
#pragma GCC unroll 4
    for (int v = 0; v < kAcc; ++v)
      if (t + v * W < a.t_hi) store_lanes<V>(acc[v], t + v * W, a);
  }
}

/** Lanes one kernel call may read past t_hi in each stream (buffers are padded by this). */
inline constexpr int kMaxOverRead = 4 * 8;

}  // namespace parley::dsp::kernel
