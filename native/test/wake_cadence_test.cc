// The wake-up cadence (MediaCore::Options::wake_every): the media thread ticks every period but
// wakes the control thread every N ticks; the frames of the ticks in between wait in the call's
// output ring and all reach JS, in order. A wake-up is never lost: a pending one is coalesced and
// the next tick after JS took it wakes again, a failed one is retried every tick, and a released
// call's acknowledgement wakes JS at the next tick whatever the cadence.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/identity_path.h"
#include "engine_test_util.h"
#include "playout_guards.h"

using namespace parley::engine;
using parley::engine::test::pcm16_call;
using parley::engine::test::read_frames;
using parley::engine::test::tagged_pcm;
using State = parley::gen::playout::State;

namespace {

struct WakeLog {
  std::atomic<int> wakes{0};
  std::atomic<bool> fail{false};
};

bool log_wake(void* ctx) noexcept {
  auto* log = static_cast<WakeLog*>(ctx);
  if (log->fail.load()) return false;
  log->wakes.fetch_add(1);
  return true;
}

class WakeCadence : public ::testing::TestWithParam<std::uint32_t> {
 protected:
  WakeLog log;
  Engine engine{opts(GetParam())};
  std::uint64_t tick_no = 0;

  Engine::Options opts(std::uint32_t every) {
    Engine::Options o;
    o.run_thread = false;
    o.max_calls = 4;
    o.make_paths = &make_identity_paths;
    o.wake = &log_wake;
    o.wake_ctx = &log;
    o.wake_every_ticks = every;
    return o;
  }

  /** One media-thread tick; true when it queued a wake-up. */
  bool tick() {
    const int before = log.wakes.load();
    engine.core().tick(++tick_no, 1);
    return log.wakes.load() != before;
  }

  /** What JS does on a wake-up: clear the flag first, then drain. */
  void serve() {
    engine.clear_wake_pending();
    Event ev;
    while (engine.pop_event(ev)) {
    }
    engine.collect_acks([](std::uint32_t) {});
  }

  Call& playing_call(std::size_t frames) {
    auto r = engine.open(pcm16_call(24000, 100));  // a 5-frame lead: more than any cadence here
    EXPECT_EQ(r.error, Engine::OpenError::kNone) << r.message;
    EXPECT_TRUE(r.call->set_state(static_cast<std::uint32_t>(State::playing)));
    EXPECT_EQ(r.call->write_playout(tagged_pcm(7, frames * 480), {0, 7}), WriteResult::kOk);
    return *r.call;
  }
};

TEST_P(WakeCadence, WakesEveryNTicksAndEveryFrameReachesJsInOrder) {
  const std::uint32_t n = GetParam();
  Call& call = playing_call(60);
  std::vector<std::uint64_t> wake_ticks;
  std::vector<std::size_t> per_wake;
  std::uint32_t samples = 0, frames = 0;
  std::vector<std::uint8_t> out;
  for (int i = 0; i < 40; ++i) {
    if (!tick()) continue;
    wake_ticks.push_back(tick_no);
    serve();
    const auto got = read_frames(call);
    per_wake.push_back(got.size());
    for (const auto& f : got) {
      EXPECT_EQ(f.item, 7u);
      samples += f.samples;
      out.insert(out.end(), f.bytes.begin(), f.bytes.end());
    }
    frames += static_cast<std::uint32_t>(got.size());
  }
  ASSERT_GE(wake_ticks.size(), 2u);
  for (std::size_t k = 1; k < wake_ticks.size(); ++k) EXPECT_EQ(wake_ticks[k] - wake_ticks[k - 1], n) << "wake-up " << k;
  EXPECT_EQ(wake_ticks.front(), n) << "the first wake-up waits for the cadence too";
  // After the first wake-up (the lead's burst), one frame per tick: n per wake-up.
  for (std::size_t k = 1; k < per_wake.size(); ++k) EXPECT_EQ(per_wake[k], n) << "wake-up " << k;
  EXPECT_EQ(out, std::vector<std::uint8_t>(tagged_pcm(7, frames * 480))) << "frames lost, repeated or reordered";
  EXPECT_EQ(samples, frames * 480u);
  EXPECT_EQ(engine.core().wakeups(), wake_ticks.size());
}

TEST_P(WakeCadence, APendingWakeUpIsCoalescedAndTheTickAfterJsTookItWakesAgain) {
  playing_call(60);
  while (!tick()) {
  }
  // JS is busy for 10 ticks: nothing more is queued, each tick is counted as coalesced.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(tick());
  EXPECT_EQ(engine.core().coalesced_wakeups(), 10u - (GetParam() - 1));
  serve();
  EXPECT_TRUE(tick()) << "JS took the wake-up: the next tick must wake it again, not wait for the cadence";
}

TEST_P(WakeCadence, AFailedWakeUpIsRetriedEveryTick) {
  playing_call(60);
  log.fail = true;
  for (std::uint32_t i = 0; i < 3 * GetParam(); ++i) EXPECT_FALSE(tick());
  EXPECT_GE(engine.core().wake_failures(), 2u * GetParam());
  log.fail = false;
  EXPECT_TRUE(tick()) << "owed work goes at the first tick the wake-up can be queued";
}

TEST_P(WakeCadence, ReleasingACallWakesJsAtTheNextTickWhateverTheCadence) {
  Call& a = playing_call(60);
  const std::uint32_t id = a.id();
  while (!tick()) {
  }
  serve();
  ASSERT_TRUE(engine.close_call(id));
  EXPECT_TRUE(tick()) << "the acknowledgement must not wait for the cadence";
  std::size_t freed = 0;
  engine.clear_wake_pending();
  engine.collect_acks([&](std::uint32_t) { ++freed; });
  EXPECT_EQ(freed, 1u);
  // No call left, nothing owed: the media thread stops waking JS.
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(tick());
}

TEST_P(WakeCadence, AfterAStallJsIsWokenAtOnce) {
  playing_call(60);
  while (!tick()) {
  }
  serve();
  // The media thread was held up for N periods: the tick that serves them all wakes JS.
  const int before = log.wakes.load();
  tick_no += GetParam();
  engine.core().tick(tick_no, GetParam());
  EXPECT_EQ(log.wakes.load(), before + 1);
}

INSTANTIATE_TEST_SUITE_P(Every, WakeCadence, ::testing::Values(1u, 2u, 4u));

TEST(WakeCadenceOptions, OutOfRangeIsRefusedByName) {
  Engine::Options o;
  o.run_thread = false;
  o.wake_every_ticks = 0;
  EXPECT_STREQ(Engine::validate(o), "wakeEveryTicks must be within 1..4");
  o.wake_every_ticks = kMaxWakeEvery + 1;
  EXPECT_STREQ(Engine::validate(o), "wakeEveryTicks must be within 1..4");
  o.wake_every_ticks = kMaxWakeEvery;
  EXPECT_EQ(Engine::validate(o), nullptr);
}

// The real thread at a 2 ms period, every 2nd tick: JS (this thread) is never left waiting.
TEST(WakeCadenceThread, TheRealMediaThreadWakesAboutEverySecondTickAndNeverStalls) {
  WakeLog log;
  Engine::Options o;
  o.tick_ns = 2'000'000;
  o.max_calls = 4;
  o.wake = &log_wake;
  o.wake_ctx = &log;
  o.wake_every_ticks = 2;
  Engine engine(o);
  auto r = engine.open(pcm16_call(24000, 100));
  ASSERT_EQ(r.error, Engine::OpenError::kNone) << r.message;
  int seen = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  while (std::chrono::steady_clock::now() < end) {
    if (log.wakes.load() > seen) {
      seen = log.wakes.load();
      engine.clear_wake_pending();
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  engine.stop();
  const std::uint64_t ticks = engine.core().ticks();
  ASSERT_GT(ticks, 20u);
  const std::uint64_t wakes = engine.core().wakeups();
  EXPECT_LE(wakes, ticks / 2 + 1) << "more often than every second tick";
  EXPECT_GE(wakes * 4, ticks) << "fewer than one wake-up per 4 ticks: JS was left waiting";
}

}  // namespace
