// The most recent N samples of a measurement (ns), written by one thread, copied out by
// another for percentiles; the reader may mark() a starting point. Each slot is an atomic so a concurrent copy is race-free; a copy
// taken while the writer runs may mix two consecutive generations of a slot, which is fine
// for telemetry.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace parley::engine {

struct Percentiles {
  std::int64_t p50 = 0, p99 = 0, max = 0;
  std::size_t samples = 0;
};

template <std::size_t N>
class SampleRing {
 public:
  /** [writer] Records one sample. */
  void push(std::int64_t v) noexcept {
    const std::uint64_t n = count_.load(std::memory_order_relaxed);
    slots_[n % N].store(v, std::memory_order_relaxed);
    count_.store(n + 1, std::memory_order_release);
  }

  /**
   * [any] Percentiles over the samples since the last mark() (at most the N most recent).
   * Allocates: not for the media thread.
   */
  Percentiles summary() const {
    const std::uint64_t n = count_.load(std::memory_order_acquire);
    const std::uint64_t base = std::max(base_.load(std::memory_order_acquire), n > N ? n - N : 0);
    const std::size_t k = static_cast<std::size_t>(n > base ? n - base : 0);
    std::vector<std::int64_t> v(k);
    for (std::size_t i = 0; i < k; ++i) v[i] = slots_[(base + i) % N].load(std::memory_order_relaxed);
    Percentiles p;
    p.samples = k;
    if (k == 0) return p;
    std::sort(v.begin(), v.end());
    p.p50 = v[(k - 1) / 2];
    p.p99 = v[std::min(k - 1, (k * 99) / 100)];
    p.max = v.back();
    return p;
  }

  /** [reader] Later summaries cover only samples pushed from now on. */
  void mark() noexcept { base_.store(count_.load(std::memory_order_acquire), std::memory_order_release); }

 private:
  std::array<std::atomic<std::int64_t>, N> slots_{};
  std::atomic<std::uint64_t> count_{0};  // written by the writer only
  std::atomic<std::uint64_t> base_{0};   // written by the reader only
};

}  // namespace parley::engine
