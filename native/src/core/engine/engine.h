// The control-thread facade of the media core: owns the calls (by id), the media core and
// the media thread. In the addon the control thread is the JS thread.
//
// Lifetime rules (SE3): close_call() only marks a call closing and posts the
// unregistration; the call's memory is freed by collect_acks() after the media thread has
// acknowledged that it dropped the call, or by stop() after the thread has been joined.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine/call.h"
#include "core/engine/media_core.h"
#include "core/engine/media_thread.h"

namespace parley::engine {

class Engine {
 public:
  struct Options {
    std::int64_t tick_ns = 20'000'000;
    std::uint32_t max_calls = 2048;  // 1..65535
    WakeFn wake = nullptr;           // see MediaCore
    void* wake_ctx = nullptr;
    std::uint32_t wake_every_ticks = 1;  // 1..kMaxWakeEvery: see MediaCore::Options::wake_every
    bool run_thread = true;  // false: the caller drives core().tick() itself (tests)
    // Builds each call's DSP paths (path.h); tests may pin the pass-through paths.
    CallPaths (*make_paths)(const CallFormats&, const PlayoutOptions&) = &make_call_paths;
  };

  enum class OpenError : std::uint8_t { kNone, kConfig, kCapacity, kClosed };

  struct OpenResult {
    Call* call = nullptr;
    OpenError error = OpenError::kNone;
    std::string message;
  };

  /** Empty when `opts` is acceptable, else a message naming the offending field. */
  static const char* validate(const Options& opts) noexcept;

  explicit Engine(const Options& opts);
  ~Engine() { stop(); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /** Builds a call and registers it with the media thread. */
  OpenResult open(const CallConfig& cfg);
  /** The call with `id`, open or closing; nullptr when unknown or already freed. */
  Call* find(std::uint32_t id) noexcept;
  /** Starts closing `id`; false when unknown or already closing. */
  bool close_call(std::uint32_t id) noexcept;

  /** Frees every call the media thread acknowledged; calls on_freed(id) for each. */
  template <class F>
  std::size_t collect_acks(F&& on_freed) {
    if (stopped_) return 0;  // stop() freed everything; the queue may hold dangling pointers
    std::size_t n = 0;
    Call* call = nullptr;
    while (core_.pop_ack(call)) {
      const std::uint32_t id = call->id();
      release_slot(id);
      on_freed(id);
      ++n;
    }
    return n;
  }

  bool pop_event(Event& ev) noexcept { return core_.pop_event(ev); }
  void clear_wake_pending() noexcept { core_.clear_wake_pending(); }

  /** Joins the media thread and frees every call. Idempotent. */
  void stop() noexcept;
  bool stopped() const noexcept { return stopped_; }

  std::size_t open_calls() const noexcept { return live_; }
  MediaCore& core() noexcept { return core_; }
  const MediaThread& thread() const noexcept { return thread_; }
  MediaThread& thread() noexcept { return thread_; }
  std::int64_t tick_ns() const noexcept { return opts_.tick_ns; }

 private:
  struct Slot {
    std::uint16_t gen = 0;
    std::unique_ptr<Call> call;
  };

  static std::uint32_t slot_of(std::uint32_t id) noexcept { return id & 0xffffu; }
  void release_slot(std::uint32_t id) noexcept;

  const Options opts_;
  MediaCore core_;
  MediaThread thread_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;  // free slot indices
  std::size_t live_ = 0;              // slots holding a call (open or closing)
  bool stopped_ = false;
};

}  // namespace parley::engine
