// Two integer reductions on int16 audio, with an SSE2 path (the x86-64 baseline) and a
// scalar fallback. Integer results are exact, so every path returns the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parley::dsp::simd {

/// sum of x and sum of x^2 over n samples (adds to *sum and *sum_sq).
inline void sums(const int16_t* x, size_t n, int64_t& sum, int64_t& sum_sq) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i ones = _mm_set1_epi16(1);
  const __m128i zero = _mm_setzero_si128();
  __m128i s32 = zero;  // 4 lanes of pair sums: |lane| <= n * 32768, fine for n < 2^16
  __m128i q64 = zero;  // 2 lanes of squares
  for (; i + 8 <= n && i < 60000; i += 8) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i));
    s32 = _mm_add_epi32(s32, _mm_madd_epi16(v, ones));
    // Pairs of squares are <= 2^31: exact as unsigned 32-bit, widened before adding.
    const __m128i sq = _mm_madd_epi16(v, v);
    q64 = _mm_add_epi64(q64, _mm_add_epi64(_mm_unpacklo_epi32(sq, zero), _mm_unpackhi_epi32(sq, zero)));
  }
  alignas(16) int32_t s[4];
  alignas(16) uint64_t q[2];
  _mm_store_si128(reinterpret_cast<__m128i*>(s), s32);
  _mm_store_si128(reinterpret_cast<__m128i*>(q), q64);
  sum += static_cast<int64_t>(s[0]) + s[1] + s[2] + s[3];
  sum_sq += static_cast<int64_t>(q[0] + q[1]);
#endif
  for (; i < n; ++i) {
    sum += x[i];
    sum_sq += static_cast<int64_t>(x[i]) * x[i];
  }
}

/// max |x| over n samples (32768 for -32768).
inline int peak_abs(const int16_t* x, size_t n) {
  int hi = 0, lo = 0;
  size_t i = 0;
#if defined(__SSE2__)
  __m128i mx = _mm_setzero_si128(), mn = _mm_setzero_si128();
  for (; i + 8 <= n; i += 8) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + i));
    mx = _mm_max_epi16(mx, v);
    mn = _mm_min_epi16(mn, v);
  }
  alignas(16) int16_t a[8], b[8];
  _mm_store_si128(reinterpret_cast<__m128i*>(a), mx);
  _mm_store_si128(reinterpret_cast<__m128i*>(b), mn);
  for (int k = 0; k < 8; ++k) {
    hi = a[k] > hi ? a[k] : hi;
    lo = b[k] < lo ? b[k] : lo;
  }
#endif
  for (; i < n; ++i) {
    hi = x[i] > hi ? x[i] : hi;
    lo = x[i] < lo ? x[i] : lo;
  }
  return hi > -lo ? hi : -lo;
}

}  // namespace parley::dsp::simd
