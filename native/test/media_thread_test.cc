// The media thread's wake-up arithmetic: which deadline a wake-up serves, how many it missed, and
// how late it is — from the first deadline missed, so a stall is never reported as < 1 period.
#include <gtest/gtest.h>

#include "core/engine/media_thread.h"

namespace parley::engine {
namespace {

constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kPeriod = 20 * kMs;
constexpr std::int64_t kStart = 1'000 * kMs;

TEST(MediaThreadWake, OnTimeServesTheNextDeadline) {
  const Wake w = on_wake(kStart, kPeriod, 4, kStart + 5 * kPeriod + kMs / 2);
  EXPECT_EQ(w.tick, 5u);
  EXPECT_EQ(w.elapsed, 1u);
  EXPECT_EQ(w.late_ns, kMs / 2);
}

TEST(MediaThreadWake, AStallIsLateFromTheFirstMissedDeadline) {
  // last served deadline 4 (at 80 ms); woke at 153 ms: deadlines 5, 6, 7 passed
  const Wake w = on_wake(kStart, kPeriod, 4, kStart + 153 * kMs);
  EXPECT_EQ(w.tick, 7u);              // the newest is served
  EXPECT_EQ(w.elapsed - 1, 2u);       // 5 and 6 had no tick of their own
  EXPECT_EQ(w.late_ns, 53 * kMs);     // 153 − 100 (deadline 5), not 13 (deadline 7)
}

TEST(MediaThreadWake, ALongStallIsNotCappedAtOnePeriod) {
  const Wake w = on_wake(kStart, kPeriod, 0, kStart + 1'020 * kMs);
  EXPECT_EQ(w.elapsed, 51u);
  EXPECT_EQ(w.late_ns, 1'000 * kMs);
}

}  // namespace
}  // namespace parley::engine
