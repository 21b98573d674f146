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
  const double* const* x;     // each tap's input for t = t_lo (one of M deinterleaved streams)
  int taps;
  int64_t t_lo, t_hi;
  int64_t out_base;           // output index of t = 0 within `out`, stepping by `out_step`
  int64_t out_step;           // L
  int16_t* out;
};

// acc is an exact integer below 2^46 in magnitude; the output is floor(acc / 2^30 + 1/2),
// saturated. Saturation comes first, in doubles (exact): below lo every acc rounds to -32768
// or less, above hi to 32767 or more. Then adding 2^29 + 2^47 keeps it positive and exact,
// and adding 1.5 * 2^52 puts the integer in the low mantissa bits, so the conversion needs no
// floating-point rounding: bits >> 30 is the result + 2^17, whose low 16 bits are the int16.
// (All in vector registers: a round trip through memory per lane cost a third of the kernel.)
template <class V>
[[gnu::always_inline]] inline void store_lanes(const V& sum, int64_t t, const ClassArgs& a) {
  using I = typename IntOf<V>::type;
  constexpr int W = sizeof(V) / sizeof(double);
  constexpr double kMagic = 6755399441055744.0;  // 1.5 * 2^52
  constexpr double kLo = -32768.0 * 1073741824.0 - 536870912.0, kHi = 32767.0 * 1073741824.0;
  V acc = sum < kLo ? kLo : sum;
  acc = acc > kHi ? kHi : acc;
  const V biased = acc + (536870912.0 + 140737488355328.0 + kMagic);
  I bits;
  std::memcpy(&bits, &biased, sizeof bits);
  const I shifted = bits >> 30;  // result + 2^17 + the magic's bits, all above bit 15
  int16_t* out = a.out + a.out_base + t * a.out_step;
  if (t + W <= a.t_hi) {
#pragma GCC unroll 8
    for (int i = 0; i < W; ++i) out[i * a.out_step] = static_cast<int16_t>(shifted[i]);
  } else {
    for (int i = 0; t + i < a.t_hi; ++i) out[i * a.out_step] = static_cast<int16_t>(shifted[i]);
  }
}

/** Accumulators per kernel step: vectors of consecutive outputs sharing each broadcast. */
template <class V>
inline constexpr int kAccOf = sizeof(V) / sizeof(double) == 8 ? 4 : 8;

template <class V>
[[gnu::always_inline]] inline void run_class(const ClassArgs& a) {
  constexpr int W = sizeof(V) / sizeof(double);
  // Enough independent accumulators to cover the FMA latency (4 cycles) on two pipes: with
  // 4 AVX2 accumulators every tap waited on the previous one's result (latency bound, twice
  // the throughput bound). 8 x 4 (AVX2), 8 x 2 (SSE2), 4 x 8 (AVX-512: 32 outputs a step,
  // as 20 ms frames have 160 or 320 outputs a class).
  constexpr int kAcc = kAccOf<V>;
  for (int64_t t = a.t_lo; t < a.t_hi; t += kAcc * W) {
    V acc[kAcc] = {};
    for (int k = 0; k < a.taps; ++k) {
      const double* x = a.x[k] + (t - a.t_lo);
      const double c = a.coef[k];
#pragma GCC unroll 8
      for (int v = 0; v < kAcc; ++v) {
        V xv;  // unaligned load via memcpy (no vector-typed function boundaries: psABI)
        std::memcpy(&xv, x + v * W, sizeof xv);
        acc[v] += c * xv;
      }
    }
#pragma GCC unroll 8
    for (int v = 0; v < kAcc; ++v)
      if (t + v * W < a.t_hi) store_lanes<V>(acc[v], t + v * W, a);
  }
}

/** Lanes one kernel call may read past t_hi in each stream (buffers are padded by this). */
inline constexpr int kMaxOverRead = 32;  // kAcc * W of every variant
static_assert(kAccOf<v2d> * 2 <= kMaxOverRead && kAccOf<v4d> * 4 <= kMaxOverRead && kAccOf<v8d> * 8 <= kMaxOverRead);

}  // namespace parley::dsp::kernel
