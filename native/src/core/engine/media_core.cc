// One tick over every registered call, and the coalesced wake-up of the control thread.
#include "core/engine/media_core.h"

#include <algorithm>

namespace parley::engine {

namespace {
// Enough for every call to post register + unregister before the media thread runs.
std::size_t command_room(std::uint32_t max_calls) { return 2 * std::size_t{max_calls} + 16; }
// Events are edges (flushed, drained, ...): a few per call per second. Room for JS to fall
// behind by several ticks before anything is dropped (and counted).
std::size_t event_room(std::uint32_t max_calls) { return std::max<std::size_t>(4096, 16 * std::size_t{max_calls}); }
}  // namespace

MediaCore::MediaCore(const Options& opts)
    : opts_(opts),
      commands_(command_room(opts.max_calls)),
      // An acknowledgement is posted at most once per call and its slot is reused only after
      // the control thread popped it: max_calls entries can never overflow.
      acks_(std::size_t{opts.max_calls} + 1),
      events_(event_room(opts.max_calls)) {
  active_.reserve(opts.max_calls);
}

void MediaCore::apply_commands() noexcept {
  Command cmd;
  while (commands_.pop(cmd)) {
    if (cmd.kind == Command::kRegister) {
      // The control thread never has more than max_calls calls, so this never reallocates.
      cmd.call->active_slot = active_.size();
      active_.push_back(cmd.call);
    } else {
      const std::size_t slot = cmd.call->active_slot;
      active_[slot] = active_.back();
      active_[slot]->active_slot = slot;
      active_.pop_back();
      // From here on the media thread holds no reference to the call.
      acks_.push(cmd.call);
      acked_ = true;
    }
  }
  active_count_.set(active_.size());
}

void MediaCore::tick(std::uint64_t tick_index, std::uint32_t elapsed) noexcept {
  apply_commands();
  TickContext ctx;
  ctx.tick = tick_index;
  ctx.elapsed = elapsed;
  ctx.events = &events_;
  ctx.events_dropped = &events_dropped_;
  for (Call* call : active_) call->tick(ctx);
  ticks_.add();
  last_tick_.set(tick_index);

  // One wake-up for all calls, and only if none is pending: a slow JS thread sees one
  // wake-up covering several ticks, never a queue of them. With wake_every > 1 the work of
  // several ticks is owed to one wake-up (the frames wait in the call's output ring; the lead
  // at the far side covers them). Owed work is never forgotten: every later tick retries until
  // a wake-up is queued, even a tick with no call left. A released call's acknowledgement goes
  // at the next tick whatever the cadence, so teardown never waits for it.
  owed_ = owed_ || ctx.produced || acked_ || !active_.empty();
  if (!owed_ || opts_.wake == nullptr) return;
  // Counted in periods, not ticks served: after a stall, JS is woken at once.
  since_wake_ = std::min(opts_.wake_every, since_wake_ + std::max<std::uint32_t>(elapsed, 1));
  if (since_wake_ < opts_.wake_every && !acked_) return;
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) {
    coalesced_.add();
    return;
  }
  if (opts_.wake(opts_.wake_ctx)) {
    wakeups_.add();
    acked_ = false;
    owed_ = false;
    since_wake_ = 0;
  } else {
    wake_pending_.store(false, std::memory_order_release);
    wake_failures_.add();
  }
}

}  // namespace parley::engine
