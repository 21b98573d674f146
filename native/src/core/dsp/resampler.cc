#include "core/dsp/resampler.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/dsp/resampler_kernel.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parley::dsp {
namespace {

// One wrapper per ISA; the always-inline kernel takes on each wrapper's target.
void run_generic(const kernel::ClassArgs& a) { kernel::run_class<kernel::v2d>(a); }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) void run_avx2(const kernel::ClassArgs& a) { kernel::run_class<kernel::v4d>(a); }
__attribute__((target("avx512f"))) void run_avx512(const kernel::ClassArgs& a) { kernel::run_class<kernel::v8d>(a); }
#endif

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

}  // namespace

Resampler::Resampler(int in_rate, int out_rate, ResamplerQuality quality)
    : d_(design_resampler(in_rate, out_rate, quality)) {
  const int K = d_.taps, L = d_.up, M = d_.down;
  hist_.assign(kHistGuard + static_cast<size_t>(K - 1) + kBlock + 2 * kHistGuard, 0.0);
  // +1: the row-wise deinterleave may start a stream one element early (a guard value).
  const size_t stream_len = (static_cast<size_t>(K - 1) + kBlock) / static_cast<size_t>(M) + 3 + kernel::kMaxOverRead;
  streams_.assign(static_cast<size_t>(M), std::vector<double>(stream_len, 0.0));
  for (auto& s : streams_) stream_ptrs_.push_back(s.data());
  classes_.resize(static_cast<size_t>(L));
  for (int c = 0; c < L; ++c) {
    Class& cl = classes_[static_cast<size_t>(c)];
    cl.a = floor_div(static_cast<int64_t>(c) * M, L);
    const int p = static_cast<int>((static_cast<int64_t>(c) * M) % L);
    for (int k = 0; k < K; ++k) {
      const double coef = d_.coefs[static_cast<size_t>(p * K + k)];
      if (coef == 0.0) continue;  // the Nyquist filter's zeros cost nothing
      const int64_t dk = cl.a - (K - 1) + k;
      const auto r = static_cast<int32_t>(dk - floor_div(dk, M) * M);
      if (d_.identity_tap[static_cast<size_t>(p)] == k) {
        cl.identity_stream = r;
        cl.identity_q = floor_div(dk, M);
      }
      cl.coef.push_back(coef);
      cl.stream.push_back(r);
      cl.q.push_back(floor_div(dk, M));
    }
    cl.x.resize(cl.q.size());
  }
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  // PARLEY_DSP_KERNEL=generic|avx2|avx512 caps the choice (tests prove all variants agree).
  const char* cap = std::getenv("PARLEY_DSP_KERNEL");
  const std::string_view want = cap ? cap : "avx512";
  if (avx512 && want == "avx512") isa_ = Isa::kAvx512;
  else if (avx2 && want != "generic") isa_ = Isa::kAvx2;
#endif
}

const char* Resampler::kernel_name() const {
  switch (isa_) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    default: return "generic";
  }
}

size_t Resampler::outputs_for(size_t n) const {
  const uint64_t L = static_cast<uint64_t>(d_.up), M = static_cast<uint64_t>(d_.down);
  return static_cast<size_t>(((consumed_ + n) * L + M - 1) / M - produced_);
}

size_t Resampler::max_outputs_for(size_t n) const {
  return (n * static_cast<size_t>(d_.up) + static_cast<size_t>(d_.down) - 1) / static_cast<size_t>(d_.down) + 1;
}

// Produces every output whose newest input lies in the block [g0, g0 + b), g0 = consumed_.
void Resampler::run_block(size_t b, int16_t* out) {
  const int64_t K = d_.taps, L = d_.up, M = d_.down;
  const auto g0 = static_cast<int64_t>(consumed_);
  const int64_t first = g0 - (K - 1);  // global index of hist()[0]
  const int64_t span = K - 1 + static_cast<int64_t>(b);
  // Deinterleave: stream r holds global indices M*m + r; origin[r] = m of its element 0.
  int64_t origin[48];
  if (M == 2 || M == 3) {
    deinterleave_rows(first, span, origin);
  } else {
    for (int64_t r = 0; r < M; ++r) {
      const int64_t h0 = ((r - first) % M + M) % M;  // first hist() position with index = r (mod M)
      origin[r] = floor_div(first + h0 - r, M);
      double* s = streams_[static_cast<size_t>(r)].data();
      if (M == 1) {
        std::memcpy(s, hist(), static_cast<size_t>(span) * sizeof(double));
      } else {
        int64_t u = 0;
        for (int64_t h = h0; h < span; h += M) s[u++] = hist()[h];
      }
    }
  }
  const int64_t j_first = static_cast<int64_t>(produced_);
  for (int64_t c = 0; c < L; ++c) {
    Class& cl = classes_[static_cast<size_t>(c)];
    const int64_t t_lo = std::max<int64_t>(0, ceil_div(g0 - cl.a, M));
    const int64_t t_hi = ceil_div(g0 + static_cast<int64_t>(b) - cl.a, M);
    if (t_hi <= t_lo) continue;
    const int64_t out_base = c - j_first;
    if (cl.identity_stream >= 0) {
      const double* s = stream_ptrs_[static_cast<size_t>(cl.identity_stream)] + (cl.identity_q - origin[cl.identity_stream]);
      for (int64_t t = t_lo; t < t_hi; ++t) out[out_base + t * L] = static_cast<int16_t>(s[t]);
      continue;
    }
    // Each tap's first read (at t_lo) resolved once per block: the kernel then loads one pointer
    // per tap instead of a stream number, that stream's pointer and an offset.
    for (size_t k = 0; k < cl.q.size(); ++k)
      cl.x[k] = stream_ptrs_[static_cast<size_t>(cl.stream[k])] + (cl.q[k] - origin[cl.stream[k]] + t_lo);
    const kernel::ClassArgs a{cl.coef.data(), cl.x.data(), static_cast<int>(cl.coef.size()), t_lo, t_hi, out_base, L, out};
    switch (isa_) {
#if defined(__x86_64__)
      case Isa::kAvx512: run_avx512(a); break;
      case Isa::kAvx2: run_avx2(a); break;
#endif
      default: run_generic(a); break;
    }
  }
}

// M = 2 or 3, the decimators of 24 -> 8/16 kHz and 16 -> 8 kHz: rows of M consecutive inputs
// whose first has index 0 (mod M), two rows at a time with SSE2 shuffles (a strided copy per
// stream cost a seventh of the resampler). Rows start up to M - 1 positions before hist()[0]
// and end past the span: guard values that no tap reads (taps read [first, first + span)).
void Resampler::deinterleave_rows(int64_t first, int64_t span, int64_t* origin) {
  const int64_t M = d_.down;
  const int64_t h0 = ((-first) % M + M) % M;  // first position with index 0 (mod M)
  const int64_t hb = h0 == 0 ? 0 : h0 - M;
  for (int64_t r = 0; r < M; ++r) origin[r] = floor_div(first + hb, M);
  const double* h = hist() + hb;
  const int64_t rows = (span - hb + M - 1) / M;
  double* s0 = streams_[0].data();
  double* s1 = streams_[1].data();
  int64_t j = 0;
#if defined(__SSE2__)
  if (M == 2) {
    for (; j < rows; j += 2, h += 4) {
      const __m128d x0 = _mm_loadu_pd(h), x1 = _mm_loadu_pd(h + 2);
      _mm_storeu_pd(s0 + j, _mm_unpacklo_pd(x0, x1));
      _mm_storeu_pd(s1 + j, _mm_unpackhi_pd(x0, x1));
    }
  } else {
    double* s2 = streams_[2].data();
    for (; j < rows; j += 2, h += 6) {
      const __m128d x0 = _mm_loadu_pd(h), x1 = _mm_loadu_pd(h + 2), x2 = _mm_loadu_pd(h + 4);
      _mm_storeu_pd(s0 + j, _mm_shuffle_pd(x0, x1, 2));  // a0 a1
      _mm_storeu_pd(s1 + j, _mm_shuffle_pd(x0, x2, 1));  // b0 b1
      _mm_storeu_pd(s2 + j, _mm_shuffle_pd(x1, x2, 2));  // c0 c1
    }
  }
#else
  for (; j < rows; ++j, h += M)
    for (int64_t r = 0; r < M; ++r) streams_[static_cast<size_t>(r)][static_cast<size_t>(j)] = h[r];
#endif
  (void)s0;
  (void)s1;
}

size_t Resampler::process(const int16_t* in, size_t n, int16_t* out) {
  const size_t keep = static_cast<size_t>(d_.taps - 1);
  size_t written = 0;
  while (n > 0) {
    const size_t b = n < kBlock ? n : kBlock;
    const size_t count = outputs_for(b);
    double* dst = hist() + keep;
    for (size_t i = 0; i < b; ++i) dst[i] = static_cast<double>(in[i]);
    run_block(b, out + written);
    // Carry the newest taps-1 samples to the front for the next block.
    std::memmove(hist(), hist() + b, keep * sizeof(double));
    written += count;
    produced_ += count;
    consumed_ += b;
    in += b;
    n -= b;
  }
  return written;
}

size_t Resampler::drain(int16_t* out) {
  static constexpr int16_t kZeros[kBlock] = {};
  size_t left = static_cast<size_t>(delay_in());
  size_t written = 0;
  while (left > 0) {
    const size_t b = left < kBlock ? left : kBlock;
    written += process(kZeros, b, out + written);
    left -= b;
  }
  return written;
}

void Resampler::reset() {
  std::fill(hist_.begin(), hist_.end(), 0.0);
  consumed_ = 0;
  produced_ = 0;
}

}  // namespace parley::dsp
