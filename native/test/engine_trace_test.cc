// Trace mode (Call::set_trace): the records the Playout spec's refinement check reads. The test
// thread plays both roles and ticks the core itself, so each record is exact.
#include <gtest/gtest.h>

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

class EngineTraceTest : public ::testing::Test {
 protected:
  Engine::Options opts() {
    Engine::Options o;
    o.run_thread = false;
    o.max_calls = 4;
    o.make_paths = &make_identity_paths;
    return o;
  }
  Engine engine{opts()};
  std::uint64_t tick_no = 0;

  void tick() { engine.core().tick(++tick_no, 1); }

  Call& open() {
    auto r = engine.open(pcm16_call());
    EXPECT_EQ(r.error, Engine::OpenError::kNone) << r.message;
    return *r.call;
  }

  std::vector<Event> trace_records() {
    std::vector<Event> out;
    Event ev;
    while (engine.pop_event(ev))
      if (static_cast<std::uint16_t>(ev.kind) >= static_cast<std::uint16_t>(EventKind::kTraceTick)) out.push_back(ev);
    return out;
  }
};

std::uint32_t idx(State s) { return static_cast<std::uint32_t>(s); }

}  // namespace

TEST_F(EngineTraceTest, OffRecordsNothing) {
  Call& call = open();
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 4800), {0, 1}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  for (int t = 0; t < 5; ++t) tick();
  EXPECT_FALSE(read_frames(call).empty());
  EXPECT_TRUE(trace_records().empty());
}

TEST_F(EngineTraceTest, FramesCarryTheirSegmentsAndDeliveredOnEmit) {  // PL5
  Call& call = open();
  call.set_trace(true);
  // 1.5 frames of item 1 then item 2: the second frame carries both items.
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 720), {0, 1}), WriteResult::kOk);
  ASSERT_EQ(call.write_playout(tagged_pcm(2, 960), {0, 2}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  tick();
  const auto recs = trace_records();
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs[0].kind, EventKind::kTraceTick);
  EXPECT_EQ(recs[0].a, idx(State::playing));
  EXPECT_EQ(recs[0].b, 0u) << "read index at the tick's start";
  EXPECT_EQ(recs[0].c, call.playout_write_index());
  std::vector<std::uint64_t> delivered(3, 0);
  std::size_t frames = 0, two_item_frames = 0;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].kind != EventKind::kTraceFrame) continue;
    ++frames;
    const std::uint16_t nseg = recs[i].reserved;
    two_item_frames += nseg == 2;
    std::uint64_t sum = 0;
    for (std::size_t k = 1; k <= nseg; ++k) {
      const Event& s = recs[i + k];
      ASSERT_EQ(s.kind, EventKind::kTraceSegment);
      delivered[s.a] += s.b;
      sum += s.b;
      EXPECT_EQ(s.c, delivered[s.a]) << "delivered after the segment = audio of the item emitted so far";
    }
    EXPECT_EQ(sum, recs[i].a) << "a frame's audio is its segments'";
  }
  EXPECT_EQ(frames, 3u);
  EXPECT_EQ(two_item_frames, 1u);
  EXPECT_EQ(delivered[1], 720u);
  EXPECT_EQ(delivered[2], 720u) << "the last 240 samples wait for the rest (no padding while playing)";
}

TEST_F(EngineTraceTest, AFlushRecordsTheIndexItWasAskedForAndWhereItWent) {  // PL2, PL3
  Call& call = open();
  call.set_trace(true);
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 24000), {0, 1}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  tick();
  trace_records();
  const std::uint64_t requested = call.playout_write_index();
  ASSERT_TRUE(call.request_flush(1));
  ASSERT_EQ(call.write_playout(tagged_pcm(2, 960), {1, 2}), WriteResult::kOk);
  call.set_state(idx(State::flushing));
  tick();
  const auto recs = trace_records();
  ASSERT_GE(recs.size(), 2u);
  EXPECT_EQ(recs[0].kind, EventKind::kTraceTick);
  EXPECT_EQ(recs[0].reserved, 1u) << "a flush is pending at the tick's start";
  EXPECT_EQ(recs[1].kind, EventKind::kTraceFlush);
  EXPECT_EQ(recs[1].epoch, 1u);
  EXPECT_EQ(recs[1].b, requested);
  EXPECT_EQ(recs[1].c, requested) << "executed to the index named, not to the head";
  call.set_state(idx(State::playing));
  for (int t = 0; t < 4; ++t) tick();
  for (const Event& e : trace_records()) {
    if (e.kind == EventKind::kTraceSegment) {
      EXPECT_EQ(e.epoch, 1u);
    }
  }
}

TEST_F(EngineTraceTest, AnIdleTickIsAStutter) {
  Call& call = open();
  call.set_trace(true);
  tick();
  EXPECT_EQ(trace_records().size(), 1u) << "the first tick records the words once";
  for (int t = 0; t < 5; ++t) tick();
  EXPECT_TRUE(trace_records().empty());
}
