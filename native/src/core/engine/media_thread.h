// The media thread: runs MediaCore::tick at drift-free absolute deadlines
// (start + n * period, never "now + period"), so lateness does not accumulate. When it wakes
// after several deadlines passed (the machine stalled), it serves the newest one once and
// tells the calls how many periods elapsed, which keeps their pacing exact.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "core/engine/counter.h"
#include "core/engine/media_core.h"
#include "core/engine/sample_ring.h"

namespace parley::engine {

/** What one wake-up serves. */
struct Wake {
  std::uint64_t tick;     // the newest deadline passed: the one served
  std::uint64_t elapsed;  // periods since the last tick served (1 when on time)
  std::int64_t late_ns;   // woke − the first deadline not served before (not the newest one)
};

/**
 * Lateness is measured from the first missed deadline: a stall of N periods shows as N periods
 * late, where measuring against the newest deadline passed could never exceed one period.
 */
constexpr Wake on_wake(std::int64_t start, std::int64_t period_ns, std::uint64_t served, std::int64_t woke) noexcept {
  const auto due = static_cast<std::uint64_t>((woke - start) / period_ns);
  const std::uint64_t elapsed = due > served ? due - served : 1;
  return {served + elapsed, elapsed, woke - (start + static_cast<std::int64_t>(served + 1) * period_ns)};
}

class MediaThread {
 public:
  static constexpr std::size_t kStatSamples = 8192;

  /** The scheduling the thread obtained (best effort, at start). */
  enum class Sched : std::uint8_t { kDefault = 0, kNice = 1, kFifo = 2 };

  /** Does not start the thread. */
  MediaThread(MediaCore& core, std::int64_t period_ns) : core_(core), period_ns_(period_ns) {}
  ~MediaThread() { stop(); }
  MediaThread(const MediaThread&) = delete;
  MediaThread& operator=(const MediaThread&) = delete;

  void start();
  /** Stops and joins (returns within one period). Idempotent. [control thread] */
  void stop() noexcept;
  bool running() const noexcept { return thread_.joinable(); }

  std::int64_t period_ns() const noexcept { return period_ns_; }
  Sched sched() const noexcept { return static_cast<Sched>(sched_.load(std::memory_order_acquire)); }
  /** Deadlines that passed without a tick of their own. */
  std::uint64_t missed_ticks() const noexcept { return missed_.get(); }
  /** How late each tick started after the first deadline it serves (on_wake), and how long its work took. */
  Percentiles lateness() const { return lateness_.summary(); }
  Percentiles work() const { return work_.summary(); }
  /** Later lateness() / work() summaries start from now. [control thread] */
  void mark_stats() noexcept {
    lateness_.mark();
    work_.mark();
  }

 private:
  void run() noexcept;

  MediaCore& core_;
  const std::int64_t period_ns_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint8_t> sched_{0};
  Counter missed_;
  SampleRing<kStatSamples> lateness_;
  SampleRing<kStatSamples> work_;
};

}  // namespace parley::engine
