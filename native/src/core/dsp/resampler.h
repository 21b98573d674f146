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
  /// Which dot-product kernel runs here ("avx512", "avx2", "generic"): all give identical output.
  const char* kernel_name() const;

 private:
  enum class Isa { kGeneric, kAvx2, kAvx512 };
  size_t run_block(size_t b, int16_t* out);

  ResamplerDesign d_;
  std::vector<double> hist_;  // taps-1 carried samples, then the current block
  int64_t idx_ = 0;           // block input index of the next output
  int phase_ = 0;             // its phase (0..L-1)
  int step_idx_ = 0;          // M / L
  int step_phase_ = 0;        // M % L
  uint64_t consumed_ = 0;
  uint64_t produced_ = 0;
  Isa isa_ = Isa::kGeneric;
};

}  // namespace parley::dsp
