// The media thread ticking for real (1 ms period) while a control thread, as JS would,
// feeds eight calls, requests flushes, and churns calls through register / unregister. Built
// under TSan and ASan+UBSan by `npm test`. Checks:
//   PL3  frame epochs never go backwards, and after a flush was acknowledged (with the call
//        out of media.playout meanwhile) no older epoch is ever emitted again;
//   PL4  every emitted sample is intact and in order (no overwrite, no bleed between calls);
//   PL5  per item, delivered == the samples JS received;
//   SE3  every unregistered call is acknowledged exactly once and freed only then (ASan
//        would see a use after free); the wake-up is coalesced (never more than one per tick).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/identity_path.h"
#include "engine_test_util.h"
#include "playout_guards.h"

using namespace parley::engine;
using parley::engine::test::Frame;
using parley::engine::test::pcm16_call;
using parley::engine::test::read_frames;
using State = parley::gen::playout::State;

namespace {

constexpr std::size_t kFrame = 480;       // samples per frame at 24 kHz
constexpr std::size_t kChunk = 2 * kFrame;  // chunks are whole frames, so frames never span items

std::atomic<bool> g_woken{false};
bool wake(void*) noexcept {
  g_woken.store(true, std::memory_order_release);
  return true;
}

// Sample k of (call, item): call and item in the high bits, a running counter in the low.
std::uint16_t sample(std::uint32_t call, std::uint32_t item, std::size_t k) {
  return static_cast<std::uint16_t>(((call & 0xF) << 12) | ((item & 0xF) << 8) | (k & 0xFF));
}

std::vector<std::uint8_t> chunk(std::uint32_t call, std::uint32_t item, std::size_t first) {
  std::vector<std::uint8_t> v(kChunk * 2);
  for (std::size_t i = 0; i < kChunk; ++i) {
    const std::uint16_t s = sample(call, item, first + i);
    std::memcpy(v.data() + 2 * i, &s, 2);
  }
  return v;
}

struct Fed {
  Call* call = nullptr;
  std::uint32_t index = 0;  // 0..7, encoded in the samples
  std::uint32_t epoch = 0;
  std::uint32_t item = 0;
  std::size_t next_sample = 0;
  std::uint32_t min_epoch = 0;     // no frame below it may appear any more
  std::uint32_t last_epoch = 0;    // epochs of frames read, non-decreasing
  bool awaiting_flush = false;     // in state flushing until the flushed event
  std::map<std::uint32_t, std::uint64_t> received;  // samples by item
  std::uint64_t frames = 0;
};

void check_frame(Fed& f, const Frame& fr) {
  ASSERT_GE(fr.epoch, f.last_epoch) << "PL3: epochs went backwards";
  ASSERT_GE(fr.epoch, f.min_epoch) << "PL3: stale epoch emitted after an acknowledged flush";
  f.last_epoch = fr.epoch;
  for (std::size_t i = 0; i < fr.samples; ++i) {
    std::uint16_t s;
    std::memcpy(&s, fr.bytes.data() + 2 * i, 2);
    ASSERT_EQ(s >> 12, f.index & 0xF) << "PL4: another call's audio";
    ASSERT_EQ((s >> 8) & 0xF, fr.item & 0xF) << "PL4: a sample of another item";
    if (i > 0) {
      std::uint16_t prev;
      std::memcpy(&prev, fr.bytes.data() + 2 * (i - 1), 2);
      ASSERT_EQ(static_cast<std::uint8_t>(s), static_cast<std::uint8_t>(prev + 1)) << "PL4: samples out of order";
    }
  }
  f.received[fr.item] += fr.samples;
  ++f.frames;
}

}  // namespace

TEST(EngineStress, FeedFlushAndChurnWhileTheMediaThreadTicks) {
  Engine::Options o;
  o.tick_ns = 1'000'000;
  o.max_calls = 256;
  o.wake = &wake;
  o.make_paths = &make_identity_paths;
  Engine engine(o);
  std::mt19937 rng(7);

  std::vector<Fed> fed(8);
  for (std::uint32_t i = 0; i < fed.size(); ++i) {
    fed[i].call = engine.open(pcm16_call(24000, 40)).call;
    fed[i].index = i;
    fed[i].call->set_state(static_cast<std::uint32_t>(State::playing));
    if (i % 2 == 0) fed[i].call->set_trace(true);  // trace mode on half the calls (TSan: its words)
  }
  std::map<std::uint32_t, Fed*> by_id;
  for (Fed& f : fed) by_id[f.call->id()] = &f;

  std::set<std::uint32_t> churn_open, closing;
  std::uint64_t opened = 0, acked = 0, flushes = 0, wakes_seen = 0;
  const auto churn_chunk = chunk(15, 15, 0);

  for (int iter = 0; iter < 1500; ++iter) {
    // A wake-up: handle events and acknowledgements, as the JS callback would.
    if (g_woken.exchange(false, std::memory_order_acq_rel)) {
      ++wakes_seen;
      engine.clear_wake_pending();
      Event ev;
      while (engine.pop_event(ev)) {
        auto it = by_id.find(ev.call_id);
        if (it == by_id.end() || ev.kind != EventKind::kFlushed) continue;
        Fed& f = *it->second;
        if (f.awaiting_flush && ev.epoch == f.epoch) {
          // Output emitted before the flush may still be queued: read it, then play again.
          for (const Frame& fr : read_frames(*f.call)) check_frame(f, fr);
          f.min_epoch = f.epoch;
          f.awaiting_flush = false;
          f.call->set_state(static_cast<std::uint32_t>(State::playing));
        }
      }
      engine.collect_acks([&](std::uint32_t id) {
        ASSERT_EQ(closing.erase(id), 1u) << "SE3: an acknowledgement for a call not closing";
        ++acked;
      });
    }

    for (Fed& f : fed) {
      // Keep ~100 ms queued; a new item every few chunks.
      while (f.call->buffered_playout_bytes() < 4800 * 2 && !f.awaiting_flush) {
        if (f.next_sample % (kChunk * 3) == 0) ++f.item;
        const auto c = chunk(f.index, f.item, f.next_sample);
        const WriteResult r = f.call->write_playout(c, {f.epoch, f.item});
        if (r != WriteResult::kOk) break;
        f.next_sample += kChunk;
      }
      for (const Frame& fr : read_frames(*f.call)) check_frame(f, fr);
      if (!f.awaiting_flush && rng() % 150 == 0) {
        // Barge-in, the strict way (leave media.playout first) or racing the emitter.
        const bool strict = rng() % 2 == 0;
        if (strict) f.call->set_state(static_cast<std::uint32_t>(State::flushing));
        ASSERT_TRUE(f.call->request_flush(++f.epoch));
        f.awaiting_flush = strict;
        f.next_sample = 0;
        ++flushes;
      }
    }

    // Churn: calls opened, fed and closed while the media thread is ticking them.
    if (churn_open.size() < 40) {
      CallConfig small = pcm16_call(24000);
      small.playout_capacity_ms = small.capture_capacity_ms = 200;
      auto r = engine.open(small);
      ASSERT_NE(r.call, nullptr) << r.message;
      r.call->write_playout(churn_chunk, {0, 15});
      r.call->write_capture(churn_chunk);
      r.call->set_state(static_cast<std::uint32_t>(rng() % 2 ? State::playing : State::prefill));
      r.call->set_trace(opened % 2 == 0);
      churn_open.insert(r.call->id());
      ++opened;
    }
    if (!churn_open.empty() && rng() % 2 == 0) {
      auto it = churn_open.begin();
      std::advance(it, static_cast<long>(rng() % churn_open.size()));
      ASSERT_TRUE(engine.close_call(*it));
      closing.insert(*it);
      churn_open.erase(it);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }

  // Quiesce: stop emitting, let the media thread run some ticks, read what is left.
  for (Fed& f : fed) f.call->set_state(static_cast<std::uint32_t>(State::idle));
  const std::uint64_t t = engine.core().ticks();
  while (engine.core().ticks() < t + 3) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (Fed& f : fed) {
    for (const Frame& fr : read_frames(*f.call)) check_frame(f, fr);
    EXPECT_GT(f.frames, 100u);
    std::uint64_t delivered_total = 0;
    for (auto [item, n] : f.received) {
      if (f.item - item >= Call::kItemSlots) continue;  // evicted from the 64-item window
      EXPECT_EQ(f.call->delivered(item).value_or(0), n) << "PL5: call " << f.index << " item " << item;
      delivered_total += n;
    }
    EXPECT_GT(delivered_total, 0u);
  }
  // Every close is acknowledged.
  for (std::uint32_t id : churn_open) {
    engine.close_call(id);
    closing.insert(id);
  }
  for (int spin = 0; spin < 2000 && !closing.empty(); ++spin) {
    engine.clear_wake_pending();
    engine.collect_acks([&](std::uint32_t id) {
      closing.erase(id);
      ++acked;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(closing.empty()) << closing.size() << " calls never acknowledged";
  EXPECT_EQ(acked, opened);
  EXPECT_GT(flushes, 10u);
  EXPECT_GT(wakes_seen, 0u);
  EXPECT_LE(engine.core().wakeups(), engine.core().ticks()) << "more than one wake-up per tick";
  std::printf("ticks=%llu wakeups=%llu coalesced=%llu opened=%llu flushes=%llu missed=%llu\n",
              static_cast<unsigned long long>(engine.core().ticks()),
              static_cast<unsigned long long>(engine.core().wakeups()),
              static_cast<unsigned long long>(engine.core().coalesced_wakeups()),
              static_cast<unsigned long long>(opened), static_cast<unsigned long long>(flushes),
              static_cast<unsigned long long>(engine.thread().missed_ticks()));
  engine.stop();  // joins, frees the eight fed calls
}
