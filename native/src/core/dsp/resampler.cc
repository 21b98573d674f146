#include "core/dsp/resampler.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/dsp/resampler_kernel.h"

namespace parley::dsp {
namespace {

// One wrapper per ISA; the always-inline kernel takes on each wrapper's target.
size_t run_generic(kernel::BlockArgs& a) { return kernel::run<kernel::v2d>(a); }
#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) size_t run_avx2(kernel::BlockArgs& a) { return kernel::run<kernel::v4d>(a); }
__attribute__((target("avx512f"))) size_t run_avx512(kernel::BlockArgs& a) { return kernel::run<kernel::v8d>(a); }
#endif

}  // namespace

Resampler::Resampler(int in_rate, int out_rate, ResamplerQuality quality)
    : d_(design_resampler(in_rate, out_rate, quality)) {
  hist_.assign(static_cast<size_t>(d_.taps - 1) + kBlock + 8, 0.0);  // +8: kernel over-read pad
  step_idx_ = d_.down / d_.up;
  step_phase_ = d_.down % d_.up;
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
  // Outputs are due while their newest input index (idx_, stepping M/L) is below n.
  const int64_t L = d_.up;
  const int64_t pos = idx_ * L + phase_;  // upsampled position of the next output
  const int64_t end = static_cast<int64_t>(n) * L;
  if (pos >= end) return 0;
  return static_cast<size_t>((end - pos + d_.down - 1) / d_.down);
}

size_t Resampler::max_outputs_for(size_t n) const {
  return (n * static_cast<size_t>(d_.up) + static_cast<size_t>(d_.down) - 1) / static_cast<size_t>(d_.down) + 1;
}

size_t Resampler::run_block(size_t b, int16_t* out) {
  kernel::BlockArgs a{d_.coefs.data(), d_.identity_tap.data(), hist_.data(), d_.taps, idx_, phase_,
                      d_.up, step_idx_, step_phase_, static_cast<int64_t>(b), out};
  size_t n = 0;
  switch (isa_) {
#if defined(__x86_64__)
    case Isa::kAvx512: n = run_avx512(a); break;
    case Isa::kAvx2: n = run_avx2(a); break;
#endif
    default: n = run_generic(a); break;
  }
  idx_ = a.idx - static_cast<int64_t>(b);
  phase_ = a.phase;
  return n;
}

size_t Resampler::process(const int16_t* in, size_t n, int16_t* out) {
  const size_t keep = static_cast<size_t>(d_.taps - 1);
  size_t written = 0;
  while (n > 0) {
    const size_t b = n < kBlock ? n : kBlock;
    double* dst = hist_.data() + keep;
    for (size_t i = 0; i < b; ++i) dst[i] = static_cast<double>(in[i]);
    written += run_block(b, out + written);
    // Carry the newest taps-1 samples to the front for the next block.
    std::memmove(hist_.data(), hist_.data() + b, keep * sizeof(double));
    in += b;
    n -= b;
    consumed_ += b;
  }
  produced_ += written;
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
  idx_ = 0;
  phase_ = 0;
  consumed_ = 0;
  produced_ = 0;
}

}  // namespace parley::dsp
