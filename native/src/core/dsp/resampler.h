// Streaming rational resampler (polyphase, Kaiser windowed sinc) for 8/16/24/48 kHz.
//
// Sample accounting is exact and independent of chunking: after `consumed()` inputs the
// resampler has produced exactly ceil(consumed * L / M) outputs, and output j is the input
// signal at output time j - delay_out() (delay_out() = D / M, an integer). drain() feeds
// delay_in() zeros so that everything consumed so far comes out.
//
// All memory is allocated by the constructor; process() and drain() never allocate, lock or
// make a system call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/dsp/resampler_design.h"

namespace parley::dsp {

class Resampler {
 public:
  /// Inputs converted per internal block; any call size works, this only bounds memory.
  static constexpr size_t kBlock = 512;

  Resampler(int in_rate, int out_rate, ResamplerQuality quality = ResamplerQuality::kVoice);
  Resampler(const Resampler&) = delete;
  Resampler& operator=(const Resampler&) = delete;

  /// Exactly how many samples process() will write for the next n inputs.
  size_t outputs_for(size_t n) const;
  /// Upper bound of outputs_for(n) for any state: size buffers with it.
  size_t max_outputs_for(size_t n) const;
  /// Consumes n inputs, writes outputs_for(n) samples to out, returns that count.
  size_t process(const int16_t* in, size_t n, int16_t* out);
  /// Feeds delay_in() zeros: out must hold max_outputs_for(delay_in()). Returns the count.
  size_t drain(int16_t* out);
  /// Forgets all history (zeros) and restarts the phase; counters restart at 0.
  void reset();

  int delay_in() const { return d_.delay_up / d_.up; }
  int delay_out() const { return d_.delay_up / d_.down; }
  uint64_t consumed() const { return consumed_; }
  uint64_t produced() const { return produced_; }
  const ResamplerDesign& design() const { return d_; }
  /// Which kernel runs here ("avx512", "avx2", "generic"): all give identical output.
  const char* kernel_name() const;

 private:
  enum class Isa { kGeneric, kAvx2, kAvx512 };

  // Output class c: outputs j = c + L*t read input n = a + M*t (newest sample) through one
  // filter phase; its nonzero taps as (stream, offset from the stream origin of t = 0, coef).
  struct Class {
    int64_t a = 0;
    int identity_stream = -1;  // a pure-delay phase: copy from this stream...
    int64_t identity_q = 0;    // ...at stream index t + identity_q
    std::vector<double> coef;
    std::vector<int32_t> stream;
    std::vector<int64_t> q;       // floor((a - (K-1) + k) / M): stream index = t + q
    std::vector<const double*> x;  // per block: each tap's input for t = t_lo (its stream at t_lo + q - origin)
  };

  void run_block(size_t b, int16_t* out);
  void deinterleave_rows(int64_t first, int64_t span, int64_t* origin);
  /// hist_ past its leading guard: taps-1 carried samples, then the current block.
  double* hist() { return hist_.data() + kHistGuard; }

  /// Guard elements before hist() (and twice that after) for deinterleave_rows(): M <= 48.
  static constexpr size_t kHistGuard = 48;

  ResamplerDesign d_;
  std::vector<double> hist_;                 // guard, taps-1 carried samples, the current block, guard
  std::vector<std::vector<double>> streams_; // the block's history deinterleaved by index mod M
  std::vector<const double*> stream_ptrs_;
  std::vector<Class> classes_;
  uint64_t consumed_ = 0;
  uint64_t produced_ = 0;
  Isa isa_ = Isa::kGeneric;
};

}  // namespace parley::dsp
