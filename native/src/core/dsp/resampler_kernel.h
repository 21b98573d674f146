// The resampler's inner loop, written once with GCC vector extensions and compiled per ISA
// by the wrappers in resampler.cc. Always inlined so that the caller's target attribute
// (avx512f / avx2,fma / baseline) decides the instructions. Integer-exact arithmetic (see
// resampler_design.h) makes every variant produce the same bits.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/dsp/sample.h"

namespace parley::dsp::kernel {

// One vector type per ISA: the native register width, so GCC never splits or spills them.
using v2d = double __attribute__((vector_size(16)));  // SSE2
using v4d = double __attribute__((vector_size(32)));  // AVX2
using v8d = double __attribute__((vector_size(64)));  // AVX-512

struct BlockArgs {
  const double* coefs;
  const int* identity_tap;
  const double* hist;
  int taps;
  int64_t idx;
  int phase;
  int up;
  int step_idx;
  int step_phase;
  int64_t end;  // block length: outputs while idx < end
  int16_t* out;
};

// Horizontal sums of four accumulators by a transpose-and-add tree (sums[o] = lanes of t[o]).
// Any order gives the same exact integer, so the tree is chosen for speed.
[[gnu::always_inline]] inline void reduce4(const v8d* t, double* sums) {
  const v8d a = __builtin_shufflevector(t[0], t[1], 0, 1, 2, 3, 8, 9, 10, 11) +
                __builtin_shufflevector(t[0], t[1], 4, 5, 6, 7, 12, 13, 14, 15);
  const v8d b = __builtin_shufflevector(t[2], t[3], 0, 1, 2, 3, 8, 9, 10, 11) +
                __builtin_shufflevector(t[2], t[3], 4, 5, 6, 7, 12, 13, 14, 15);
  // a = [t0 x4 | t1 x4], b = [t2 x4 | t3 x4]
  const v8d c = __builtin_shufflevector(a, b, 0, 1, 4, 5, 8, 9, 12, 13) +
                __builtin_shufflevector(a, b, 2, 3, 6, 7, 10, 11, 14, 15);
  // c = [t0 x2, t1 x2, t2 x2, t3 x2]
  sums[0] = c[0] + c[1];
  sums[1] = c[2] + c[3];
  sums[2] = c[4] + c[5];
  sums[3] = c[6] + c[7];
}

[[gnu::always_inline]] inline void reduce4(const v4d* t, double* sums) {
  const v4d a = __builtin_shufflevector(t[0], t[1], 0, 1, 4, 5) + __builtin_shufflevector(t[0], t[1], 2, 3, 6, 7);
  const v4d b = __builtin_shufflevector(t[2], t[3], 0, 1, 4, 5) + __builtin_shufflevector(t[2], t[3], 2, 3, 6, 7);
  const v4d c = __builtin_shufflevector(a, b, 0, 2, 4, 6) + __builtin_shufflevector(a, b, 1, 3, 5, 7);
  sums[0] = c[0];
  sums[1] = c[1];
  sums[2] = c[2];
  sums[3] = c[3];
}

[[gnu::always_inline]] inline void reduce4(const v2d* t, double* sums) {
  const v2d a = __builtin_shufflevector(t[0], t[1], 0, 2) + __builtin_shufflevector(t[0], t[1], 1, 3);
  const v2d b = __builtin_shufflevector(t[2], t[3], 0, 2) + __builtin_shufflevector(t[2], t[3], 1, 3);
  sums[0] = a[0];
  sums[1] = a[1];
  sums[2] = b[0];
  sums[3] = b[1];
}

// Four independent dot products at once: one accumulator chain per output hides the FMA
// latency that a single dot product would wait on. taps is a multiple of 8; V holds W
// doubles, so each step of 8 taps is 8/W vectors per output.
template <class V>
[[gnu::always_inline]] inline void dot4(const double* const* h, const double* const* x, int taps, double* sums) {
  constexpr int W = sizeof(V) / sizeof(double);
  constexpr int kVecs = 8 / W;
  V acc[4][kVecs] = {};
  for (int k = 0; k < taps; k += 8) {
#pragma GCC unroll 4
    for (int o = 0; o < 4; ++o) {
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) {
        V hv, xv;  // unaligned loads via memcpy (no vector-typed function boundaries: psABI)
        std::memcpy(&hv, h[o] + k + v * W, sizeof hv);
        std::memcpy(&xv, x[o] + k + v * W, sizeof xv);
        acc[o][v] += hv * xv;
      }
    }
  }
  V t[4];
#pragma GCC unroll 4
  for (int o = 0; o < 4; ++o) {
    t[o] = acc[o][0];
#pragma GCC unroll 4
    for (int v = 1; v < kVecs; ++v) t[o] += acc[o][v];
  }
  reduce4(t, sums);
}

/// Produces every output whose newest input lies in the block; returns the count and
/// leaves the next output's (idx, phase) in a. Filtered outputs are computed four at a time;
/// pure-delay phases are copied.
template <class V>
[[gnu::always_inline]] inline size_t run(BlockArgs& a) {
  constexpr double kInvScale = 1.0 / 1073741824.0;  // 2^-30; acc * 2^-30 + 0.5 is exact
  size_t n = 0;
  int64_t idx = a.idx;
  int phase = a.phase;
  const double* hs[4];
  const double* xs[4];
  size_t slot[4];
  double sums[4];
  int pending = 0;
  while (idx < a.end) {
    const double* x = a.hist + idx;
    const int id = a.identity_tap[phase];
    if (id >= 0) {
      a.out[n] = static_cast<int16_t>(x[id]);
    } else {
      hs[pending] = a.coefs + static_cast<int64_t>(phase) * a.taps;
      xs[pending] = x;
      slot[pending] = n;
      if (++pending == 4) {
        dot4<V>(hs, xs, a.taps, sums);
        for (int i = 0; i < 4; ++i) a.out[slot[i]] = saturate_round(sums[i] * kInvScale);
        pending = 0;
      }
    }
    ++n;
    idx += a.step_idx;
    phase += a.step_phase;
    if (phase >= a.up) {
      phase -= a.up;
      ++idx;
    }
  }
  if (pending > 0) {
    for (int i = pending; i < 4; ++i) {  // pad the batch with copies of the first
      hs[i] = hs[0];
      xs[i] = xs[0];
    }
    dot4<V>(hs, xs, a.taps, sums);
    for (int i = 0; i < pending; ++i) a.out[slot[i]] = saturate_round(sums[i] * kInvScale);
  }
  a.idx = idx;
  a.phase = phase;
  return n;
}

}  // namespace parley::dsp::kernel
