// The media thread's work, without the thread: the command queue (register / unregister
// from the control thread), the list of active calls, one tick over all of them, the event
// and acknowledgement queues back to the control thread, and the coalesced wake-up.
//
// tick() runs on the media thread (MediaThread calls it at each deadline; tests may call it
// directly). The post_*/pop_*/clear_wake_pending methods run on the control thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/engine/call.h"
#include "core/engine/counter.h"
#include "core/engine/event.h"
#include "core/ring/spsc_records.h"

namespace parley::engine {

/** The largest Options::wake_every: the far side's lead must cover the frames JS collects per wake-up. */
inline constexpr std::uint32_t kMaxWakeEvery = 4;

/**
 * Wakes the control thread; called on the media thread at most once per tick and only when
 * no wake-up is pending. Must not block. Returns false when the wake-up could not be
 * queued (it is retried at the next tick).
 */
using WakeFn = bool (*)(void* ctx) noexcept;

class MediaCore {
 public:
  struct Options {
    std::uint32_t max_calls = 2048;
    WakeFn wake = nullptr;
    void* wake_ctx = nullptr;
    // Wake the control thread every this many ticks (1..kMaxWakeEvery); the calls still tick
    // every period. An acknowledgement (a call released) wakes it at the next tick regardless.
    std::uint32_t wake_every = 1;
  };

  explicit MediaCore(const Options& opts);

  // ---- control thread ----------------------------------------------------------------

  /** Queues a registration; false only if the command queue is full. */
  bool post_register(Call* call) noexcept { return commands_.push({Command::kRegister, 0, call}); }
  /** Queues an unregistration; the call is acknowledged through pop_ack() once removed. */
  bool post_unregister(Call* call) noexcept { return commands_.push({Command::kUnregister, 0, call}); }
  /** A call the media thread no longer touches, or false. */
  bool pop_ack(Call*& call) noexcept { return acks_.pop(call); }
  bool pop_event(Event& ev) noexcept { return events_.pop(ev); }
  /** Called by the control thread when it starts handling a wake-up, before draining. */
  void clear_wake_pending() noexcept { wake_pending_.store(false, std::memory_order_release); }

  // ---- media thread ------------------------------------------------------------------

  /** Serves deadline `tick_index`; `elapsed` deadlines passed since the previous tick. */
  void tick(std::uint64_t tick_index, std::uint32_t elapsed) noexcept;

  // ---- any thread (telemetry) --------------------------------------------------------

  std::uint64_t ticks() const noexcept { return ticks_.get(); }
  std::uint64_t last_tick() const noexcept { return last_tick_.get(); }
  std::uint64_t active_calls() const noexcept { return active_count_.get(); }
  std::uint64_t wakeups() const noexcept { return wakeups_.get(); }
  std::uint64_t coalesced_wakeups() const noexcept { return coalesced_.get(); }
  std::uint64_t wake_failures() const noexcept { return wake_failures_.get(); }
  std::uint64_t events_dropped() const noexcept { return events_dropped_.get(); }

 private:
  struct Command {
    enum Kind : std::uint32_t { kRegister = 1, kUnregister = 2 } kind;
    std::uint32_t reserved;
    Call* call;
  };

  void apply_commands() noexcept;

  const Options opts_;
  ring::SpscRecords<Command> commands_;
  ring::SpscRecords<Call*> acks_;
  ring::SpscRecords<Event> events_;
  alignas(ring::kCacheLine) std::atomic<bool> wake_pending_{false};

  // Media-thread only (the counters are read anywhere).
  alignas(ring::kCacheLine) std::vector<Call*> active_;  // reserved to max_calls: never grows
  Counter ticks_, last_tick_, active_count_, wakeups_, coalesced_, wake_failures_, events_dropped_;
  bool acked_ = false;
  bool owed_ = false;              // something happened that no wake-up has covered yet
  std::uint32_t since_wake_ = 0;  // periods since the last wake-up was queued (saturates at wake_every)
};

}  // namespace parley::engine
