// Call slots, registration and the shutdown order: join the media thread first, then free.
#include "core/engine/engine.h"

namespace parley::engine {

const char* Engine::validate(const Options& opts) noexcept {
  if (opts.max_calls < 1 || opts.max_calls > 65535) return "maxCalls must be within 1..65535";
  if (opts.tick_ns < 1'000'000 || opts.tick_ns > 1'000'000'000) return "tickMs must be within 1..1000";
  if (opts.wake_every_ticks < 1 || opts.wake_every_ticks > kMaxWakeEvery) return "wakeEveryTicks must be within 1..4";
  return nullptr;
}

Engine::Engine(const Options& opts)
    : opts_(opts),
      core_({opts.max_calls, opts.wake, opts.wake_ctx, opts.wake_every_ticks}),
      thread_(core_, opts.tick_ns),
      slots_(opts.max_calls) {
  free_.reserve(opts.max_calls);
  for (std::uint32_t i = opts.max_calls; i > 0; --i) free_.push_back(i - 1);
  if (opts.run_thread) thread_.start();
}

Engine::OpenResult Engine::open(const CallConfig& cfg) {
  OpenResult r;
  if (stopped_) {
    r.error = OpenError::kClosed;
    r.message = "the media engine is closed";
    return r;
  }
  if (const char* bad = validate_call_config(cfg)) {
    r.error = OpenError::kConfig;
    r.message = bad;
    return r;
  }
  if (free_.empty()) {
    r.error = OpenError::kCapacity;
    r.message = "maxCalls (" + std::to_string(opts_.max_calls) + ") calls are open";
    return r;
  }
  CallPaths paths = opts_.make_paths(cfg.formats, cfg.playout);
  if (!paths.error.empty()) {
    r.error = OpenError::kConfig;
    r.message = paths.error;
    return r;
  }
  const std::uint32_t index = free_.back();
  Slot& slot = slots_[index];
  const std::uint32_t id = (std::uint32_t{slot.gen} << 16) | index;
  auto call = std::make_unique<Call>(id, cfg, std::move(paths));
  // The queue has room for two commands per slot, so this cannot fail.
  if (!core_.post_register(call.get())) {
    r.error = OpenError::kCapacity;
    r.message = "the media thread's command queue is full";
    return r;
  }
  free_.pop_back();
  slot.call = std::move(call);
  ++live_;
  r.call = slot.call.get();
  return r;
}

Call* Engine::find(std::uint32_t id) noexcept {
  const std::uint32_t index = slot_of(id);
  if (index >= slots_.size()) return nullptr;
  Slot& slot = slots_[index];
  if (!slot.call || slot.call->id() != id) return nullptr;
  return slot.call.get();
}

bool Engine::close_call(std::uint32_t id) noexcept {
  Call* call = find(id);
  if (call == nullptr || call->closing()) return false;
  call->mark_closing();
  if (stopped_) return true;  // no media thread: stop() already freed or will free it
  return core_.post_unregister(call);
}

void Engine::release_slot(std::uint32_t id) noexcept {
  Slot& slot = slots_[slot_of(id)];
  slot.call.reset();
  slot.gen = static_cast<std::uint16_t>(slot.gen + 1);
  free_.push_back(slot_of(id));
  --live_;
}

void Engine::stop() noexcept {
  if (stopped_) return;
  stopped_ = true;
  thread_.stop();  // after this no thread touches any call
  for (Slot& slot : slots_) {
    if (slot.call) release_slot(slot.call->id());
  }
}

}  // namespace parley::engine
