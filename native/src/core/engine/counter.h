// A monotone counter with one writing thread and any number of reading threads: a relaxed
// load + store (no read-modify-write needed with a single writer), read with relaxed loads.
#pragma once

#include <atomic>
#include <cstdint>

namespace parley::engine {

class Counter {
 public:
  void add(std::uint64_t n = 1) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void set(std::uint64_t n) noexcept { v_.store(n, std::memory_order_relaxed); }
  std::uint64_t get() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

}  // namespace parley::engine
