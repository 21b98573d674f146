// No allocation on the per-frame path: a counting global operator new, armed only around
// the media thread's tick() and the control thread's per-chunk calls, must count zero while
// 64 calls play, flush, capture, underrun, drain and get unregistered.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/identity_path.h"
#include "engine_test_util.h"
#include "playout_guards.h"

namespace {
thread_local bool g_counting = false;
std::atomic<long> g_allocs{0};

void* counted_alloc(std::size_t n, std::size_t align) {
  if (g_counting) g_allocs.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align) : std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Counts allocations made by this thread inside the scope.
struct Counting {
  Counting() { g_counting = true; }
  ~Counting() { g_counting = false; }
};
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n, 0); }
void* operator new[](std::size_t n) { return counted_alloc(n, 0); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_alloc(n, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace parley::engine;
using parley::engine::test::pcm16_call;
using parley::engine::test::tagged_pcm;
using State = parley::gen::playout::State;

TEST(EngineAlloc, TheCounterSeesAllocations) {  // the test can fail
  const long before = g_allocs.load();
  {
    Counting c;
    auto v = std::make_unique<std::vector<int>>(10);
  }
  EXPECT_GE(g_allocs.load() - before, 2);
}

TEST(EngineAlloc, NoAllocationOnThePerFramePath) {
  Engine::Options o;
  o.run_thread = false;
  o.max_calls = 64;
  o.make_paths = &make_identity_paths;
  Engine engine(o);
  std::vector<Call*> calls;
  for (int i = 0; i < 64; ++i) calls.push_back(engine.open(pcm16_call(i % 2 ? 24000 : 16000)).call);
  // Test data prepared outside the counted regions.
  const auto chunk = tagged_pcm(1, 960);
  const auto capture = tagged_pcm(2, 320);
  std::vector<std::uint8_t> out(64 * 1024);
  Event ev;
  std::uint64_t tick = 0;
  std::uint32_t epoch = 0;

  const long before = g_allocs.load();
  for (int round = 0; round < 400; ++round) {
    Counting c;
    for (Call* call : calls) {
      // Control thread, per chunk: writes, state, flush requests, reads into a JS-owned buffer.
      const std::uint32_t e = call->epoch();
      call->write_playout(chunk, {e, static_cast<std::uint32_t>(round / 20)});
      call->write_capture(capture);
      if (round % 50 == 10) call->set_state(static_cast<std::uint32_t>(State::playing));
      if (round % 50 == 30) {
        call->set_state(static_cast<std::uint32_t>(State::flushing));
        call->request_flush(e + 1);
        epoch = e + 1;
      }
      if (round % 50 == 35) call->set_state(static_cast<std::uint32_t>(State::playing));
      const std::size_t n = call->playout_out_available();
      call->read_playout_out({out.data(), n});
      call->read_capture_out({out.data(), call->capture_out_available()});
      (void)call->delivered(1);
      (void)call->buffered_playout_bytes();
    }
    // Media thread: one tick over all calls (sometimes late by several periods).
    const std::uint32_t elapsed = round % 97 == 0 ? 6 : 1;
    tick += elapsed;
    engine.core().tick(tick, elapsed);
    while (engine.pop_event(ev)) {
    }
    if (round == 390) {
      for (int i = 0; i < 8; ++i) engine.close_call(calls[static_cast<std::size_t>(i)]->id());
    }
  }
  EXPECT_EQ(g_allocs.load() - before, 0) << "allocations on the per-frame path";
  EXPECT_GT(epoch, 0u);
  EXPECT_GT(calls.front()->media_counters().frames_emitted.get(), 100u);
  EXPECT_GT(calls.front()->media_counters().flushes.get(), 0u);
  EXPECT_GT(calls.front()->media_counters().capture_frames.get(), 100u);
  EXPECT_EQ(engine.core().active_calls(), 56u);
}
