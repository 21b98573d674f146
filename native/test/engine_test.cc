// Deterministic behaviour of the media core: the test thread plays both roles (control
// thread, and media thread by calling core().tick() itself), so every step is exact.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "core/engine/engine.h"
#include "core/engine/identity_path.h"
#include "engine_test_util.h"
#include "playout_guards.h"

using namespace parley::engine;
using parley::engine::test::Frame;
using parley::engine::test::pcm16_call;
using parley::engine::test::read_capture;
using parley::engine::test::read_frames;
using parley::engine::test::sample_of;
using parley::engine::test::tagged_pcm;
using State = parley::gen::playout::State;

namespace {

constexpr std::size_t kFrameSamples24k = 480;

std::uint32_t idx(State s) { return static_cast<std::uint32_t>(s); }

class EngineTest : public ::testing::Test {
 protected:
  Engine::Options opts() {
    Engine::Options o;
    o.run_thread = false;
    o.max_calls = 8;
    o.make_paths = &make_identity_paths;  // exact bytes in, exact bytes out
    return o;
  }
  Engine engine{opts()};
  std::uint64_t tick_no = 0;

  void tick(std::uint32_t elapsed = 1) {
    tick_no += elapsed;
    engine.core().tick(tick_no, elapsed);
  }

  Call& open(const CallConfig& cfg = pcm16_call()) {
    auto r = engine.open(cfg);
    EXPECT_EQ(r.error, Engine::OpenError::kNone) << r.message;
    return *r.call;
  }

  std::vector<Event> events() {
    std::vector<Event> out;
    Event ev;
    while (engine.pop_event(ev)) out.push_back(ev);
    return out;
  }

  static std::size_t count(const std::vector<Event>& evs, EventKind k) {
    std::size_t n = 0;
    for (const Event& e : evs) n += e.kind == k;
    return n;
  }
};

}  // namespace

TEST_F(EngineTest, EmitsOnlyInStatesTaggedMediaPlayout) {
  Call& call = open();
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 4800), {0, 1}), WriteResult::kOk);  // 200 ms
  for (std::uint32_t s = 0; s < parley::gen::playout::kStateCount; ++s) {
    if (parley::gen::playout::tag_media_closing(static_cast<State>(s))) continue;
    ASSERT_TRUE(call.set_state(s));
    tick();
    const auto frames = read_frames(call);
    EXPECT_EQ(!frames.empty(), parley::gen::playout::tag_media_playout(static_cast<State>(s)))
        << "state " << parley::gen::playout::state_name(static_cast<State>(s));
  }
}

TEST_F(EngineTest, PacesOutputWithTheLookaheadThenOneFramePerTick) {
  Call& call = open(pcm16_call(24000, 80));
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 24000), {0, 1}), WriteResult::kOk);  // 1 s
  call.set_state(idx(State::playing));
  tick();
  EXPECT_EQ(read_frames(call).size(), 4u) << "80 ms lead = 4 frames at once";
  for (int i = 0; i < 5; ++i) {
    tick();
    EXPECT_EQ(read_frames(call).size(), 1u);
  }
  tick(3);  // the thread was late by two periods: the far side played three frames
  EXPECT_EQ(read_frames(call).size(), 3u);
}

TEST_F(EngineTest, FramesCarryTheAudioInOrderWithTags) {
  Call& call = open();
  ASSERT_EQ(call.write_playout(tagged_pcm(7, 1000), {0, 7}), WriteResult::kOk);
  ASSERT_EQ(call.write_playout(tagged_pcm(8, 1000), {0, 8}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  tick();
  auto frames = read_frames(call);
  ASSERT_EQ(frames.size(), 4u);
  // Frame 2 (samples 960..1439) spans items 7 and 8: it names the first.
  EXPECT_EQ(frames[0].item, 7u);
  EXPECT_EQ(frames[2].item, 7u);
  EXPECT_EQ(frames[3].item, 8u);
  std::size_t n = 0;
  for (const Frame& f : frames) {
    EXPECT_EQ(f.samples, kFrameSamples24k);
    for (std::size_t i = 0; i < f.samples; ++i, ++n) {
      std::uint16_t s;
      std::memcpy(&s, f.bytes.data() + 2 * i, 2);
      const std::uint16_t want = n < 1000 ? sample_of(7, n) : sample_of(8, n - 1000);
      ASSERT_EQ(s, want) << "sample " << n;
    }
  }
}

TEST_F(EngineTest, DeliveredCountsAreTakenOnEmitPerItem) {  // PL5
  Call& call = open();
  const std::vector<std::pair<std::uint32_t, std::size_t>> items = {{1, 700}, {2, 1333}, {3, 90}, {4, 2400}};
  for (auto [item, n] : items) ASSERT_EQ(call.write_playout(tagged_pcm(item, n), {0, item}), WriteResult::kOk);
  for (auto [item, n] : items) EXPECT_FALSE(call.delivered(item).has_value()) << "nothing counted on write";
  call.set_state(idx(State::finishing));  // the response is all written: its short tail may be padded
  std::map<std::uint32_t, std::uint64_t> seen;  // samples by item, read back from the frames
  for (int t = 0; t < 20; ++t) {
    tick();
    for (const Frame& f : read_frames(call)) {
      for (std::size_t i = 0; i < f.samples; ++i) {
        std::uint16_t s;
        std::memcpy(&s, f.bytes.data() + 2 * i, 2);
        for (auto [item, n] : items)
          for (std::size_t k = 0; k < n; ++k)
            if (sample_of(item, k) == s) {
              ++seen[item];
              goto next;
            }
      next:;
      }
    }
    std::uint64_t total = 0;
    for (auto [item, n] : items) total += call.delivered(item).value_or(0);
    EXPECT_EQ(total, call.media_counters().samples_emitted.get());
  }
  for (auto [item, n] : items) {
    EXPECT_EQ(call.delivered(item).value_or(0), n) << "item " << item;
    EXPECT_EQ(seen[item], n) << "item " << item;
  }
}

TEST_F(EngineTest, FlushExecutesAtTheNextTickOnTheMediaSide) {  // PL1, PL2, PL3
  Call& call = open();
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 24000), {0, 1}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  tick();
  ASSERT_EQ(read_frames(call).size(), 4u);
  const std::uint64_t delivered_before = call.delivered(1).value();

  ASSERT_TRUE(call.request_flush(1));
  EXPECT_FALSE(call.request_flush(1)) << "epochs only grow";
  EXPECT_EQ(call.buffered_playout_bytes(), 0u) << "nothing current is buffered after the request";
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 480), {0, 1}), WriteResult::kStale);
  ASSERT_EQ(call.write_playout(tagged_pcm(2, 4800), {1, 2}), WriteResult::kOk);  // survives
  call.set_state(idx(State::flushing));
  tick();
  auto evs = events();
  ASSERT_EQ(count(evs, EventKind::kFlushed), 1u);
  for (const Event& e : evs) {
    if (e.kind != EventKind::kFlushed) continue;
    EXPECT_EQ(e.epoch, 1u);
    EXPECT_EQ(e.b, 24000u - 4 * kFrameSamples24k) << "dropped samples";
  }
  EXPECT_EQ(call.media_counters().flushed_epoch.get(), 1u);
  EXPECT_TRUE(read_frames(call).empty());
  EXPECT_EQ(call.delivered(1).value(), delivered_before);
  call.set_state(idx(State::playing));
  for (int t = 0; t < 20; ++t) {
    tick();
    for (const Frame& f : read_frames(call)) {
      EXPECT_EQ(f.epoch, 1u);
      EXPECT_EQ(f.item, 2u);
    }
  }
  EXPECT_EQ(call.delivered(2).value(), 4800u);
}

TEST_F(EngineTest, WritesAreRefusedByStateEpochAndShape) {
  Call& call = open();
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 10), {1, 1}), WriteResult::kInvalid) << "future epoch";
  EXPECT_EQ(call.write_playout(std::vector<std::uint8_t>(3), {0, 1}), WriteResult::kInvalid) << "odd PCM16";
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 10), {0, kNoItem}), WriteResult::kInvalid);
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 60000), {0, 1}), WriteResult::kFull) << "over 2 s";
  call.set_state(idx(State::closed));
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 10), {0, 1}), WriteResult::kClosed);
  EXPECT_EQ(call.write_capture(tagged_pcm(1, 10)), WriteResult::kClosed);
  const auto& c = call.control_counters();
  EXPECT_EQ(c.playout_invalid.get(), 3u);
  EXPECT_EQ(c.playout_full.get(), 1u);
  EXPECT_EQ(c.playout_closed.get(), 1u);
  EXPECT_EQ(c.capture_closed.get(), 1u);
  EXPECT_EQ(c.playout_chunks.get(), 0u);
}

TEST_F(EngineTest, WhileTheResponseIsLiveAShortTailWaitsForTheRest) {  // PL6
  Call& call = open();
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 2 * kFrameSamples24k + 100), {0, 1}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  for (int t = 0; t < 6; ++t) tick();  // the far side's lead has run out long ago
  EXPECT_EQ(read_frames(call).size(), 2u);
  EXPECT_EQ(call.media_counters().padded_frames.get(), 0u) << "no silence inside a live response";
  call.set_state(idx(State::finishing));
  tick();
  auto frames = read_frames(call);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].samples, 100u);
  EXPECT_EQ(call.media_counters().padded_frames.get(), 1u);
}

// Once the response is complete its short tail goes at once, not when the far side has run dry:
// mod_audio_stream goes silent below its minimum fill and would strand the tail behind a gap.
TEST_F(EngineTest, ACompleteResponsesTailIsPaddedAtOnceThenDrained) {
  Call& call = open();
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 2 * kFrameSamples24k + 100), {0, 1}), WriteResult::kOk);
  call.set_state(idx(State::finishing));  // the response is all written (media.tail)
  tick();
  auto frames = read_frames(call);
  ASSERT_EQ(frames.size(), 3u) << "the 100-sample tail goes with the rest, padded";
  EXPECT_EQ(count(events(), EventKind::kDrained), 0u);
  frames.erase(frames.begin(), frames.begin() + 2);
  EXPECT_EQ(frames[0].samples, 100u);
  std::uint16_t last;
  std::memcpy(&last, frames[0].bytes.data() + frames[0].bytes.size() - 2, 2);
  EXPECT_EQ(last, 0u) << "padded with silence";
  EXPECT_EQ(call.media_counters().padded_frames.get(), 1u);
  tick();
  auto evs = events();
  ASSERT_EQ(count(evs, EventKind::kDrained), 1u);
  for (const Event& e : evs) {
    if (e.kind != EventKind::kDrained) continue;
    EXPECT_EQ(e.c, call.playout_write_index()) << "caught up";
  }
  tick();
  EXPECT_EQ(count(events(), EventKind::kDrained), 0u) << "edge, not level";
  EXPECT_EQ(call.delivered(1).value(), 2 * kFrameSamples24k + 100);
}

TEST_F(EngineTest, PrefilledIsReportedOnceTheLookaheadIsQueued) {
  Call& call = open(pcm16_call(24000, 100));
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 1200), {0, 1}), WriteResult::kOk);  // 50 ms
  tick();
  EXPECT_EQ(count(events(), EventKind::kPrefilled), 0u);
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 1200), {0, 1}), WriteResult::kOk);  // 100 ms
  EXPECT_EQ(call.buffered_playout_bytes(), 4800u);
  tick();
  auto evs = events();
  ASSERT_EQ(count(evs, EventKind::kPrefilled), 1u);
  for (const Event& e : evs) {
    if (e.kind != EventKind::kPrefilled) continue;
    EXPECT_EQ(e.a, 100u);
  }
  tick();
  EXPECT_EQ(count(events(), EventKind::kPrefilled), 0u);
}

TEST_F(EngineTest, UnderrunIsReportedWhenTheMediaThreadWasLateWithAudioQueued) {
  Call& call = open(pcm16_call(24000, 80));
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 24000), {0, 1}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  tick();
  tick(7);  // 7 periods passed with a 4-frame lead: the far side missed 3
  auto evs = events();
  ASSERT_EQ(count(evs, EventKind::kUnderrun), 1u);
  for (const Event& e : evs) {
    if (e.kind != EventKind::kUnderrun) continue;
    EXPECT_EQ(e.a, 3u);
  }
  EXPECT_EQ(call.media_counters().underruns.get(), 1u);
}

TEST_F(EngineTest, OutputWaitsWhenJsDoesNotReadAndNothingIsCountedUnemitted) {
  Call& call = open(pcm16_call(24000, 200));
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 48000 - 100), {0, 1}), WriteResult::kOk);
  call.set_state(idx(State::playing));
  for (int t = 0; t < 60; ++t) tick();  // nobody reads the output
  EXPECT_GT(call.media_counters().playout_out_stalls.get(), 0u);
  const std::uint64_t emitted = call.media_counters().samples_emitted.get();
  EXPECT_EQ(call.delivered(1).value(), emitted);
  std::uint64_t in_frames = 0;
  for (const Frame& f : read_frames(call)) in_frames += f.samples;
  EXPECT_EQ(in_frames, emitted);
}

TEST_F(EngineTest, CapturePassesWholeFramesThroughTheIdentityPath) {
  Call& call = open(pcm16_call(16000));
  const auto audio = tagged_pcm(5, 320 * 3 + 17);  // 3 frames and a bit
  ASSERT_EQ(call.write_capture(audio), WriteResult::kOk);
  tick();
  auto got = read_capture(call);
  ASSERT_EQ(got.size(), 3u * 640);
  EXPECT_TRUE(std::equal(got.begin(), got.end(), audio.begin()));
  EXPECT_EQ(call.media_counters().capture_frames.get(), 3u);
}

TEST_F(EngineTest, CloseIsAcknowledgedByTheMediaThreadBeforeTheCallIsFreed) {  // SE3
  Call& call = open();
  const std::uint32_t id = call.id();
  tick();
  EXPECT_EQ(engine.core().active_calls(), 1u);
  ASSERT_TRUE(engine.close_call(id));
  EXPECT_FALSE(engine.close_call(id)) << "idempotent";
  EXPECT_EQ(call.write_capture(tagged_pcm(1, 10)), WriteResult::kClosed);
  std::vector<std::uint32_t> freed;
  EXPECT_EQ(engine.collect_acks([&](std::uint32_t f) { freed.push_back(f); }), 0u) << "not before the ack";
  EXPECT_NE(engine.find(id), nullptr);
  tick();
  EXPECT_EQ(engine.core().active_calls(), 0u);
  EXPECT_EQ(engine.collect_acks([&](std::uint32_t f) { freed.push_back(f); }), 1u);
  EXPECT_EQ(freed, std::vector<std::uint32_t>{id});
  EXPECT_EQ(engine.find(id), nullptr);
  EXPECT_EQ(engine.open_calls(), 0u);
}

TEST_F(EngineTest, OpenRefusesBadConfigAndCapacity) {
  CallConfig bad = pcm16_call();
  bad.lookahead_ms = 30;
  auto r = engine.open(bad);
  EXPECT_EQ(r.error, Engine::OpenError::kConfig);
  EXPECT_NE(r.message.find("lookaheadMs"), std::string::npos);
  bad = pcm16_call();
  bad.formats.ai.rate = 44100;
  r = engine.open(bad);
  EXPECT_EQ(r.error, Engine::OpenError::kConfig);
  EXPECT_NE(r.message.find("ai format"), std::string::npos);
  for (int i = 0; i < 8; ++i) open();
  r = engine.open(pcm16_call());
  EXPECT_EQ(r.error, Engine::OpenError::kCapacity);
  engine.stop();
  r = engine.open(pcm16_call());
  EXPECT_EQ(r.error, Engine::OpenError::kClosed);
}

TEST(IdentityPaths, CopyOneFrameOfTheSharedFormat) {
  for (Format f : {Format{Codec::kMulaw, 8000}, Format{Codec::kAlaw, 8000}, Format{Codec::kPcm16, 16000}}) {
    CallPaths p = make_identity_paths({f, f});
    ASSERT_TRUE(p.error.empty()) << p.error;
    EXPECT_EQ(p.playout->in_frame_bytes(), frame_bytes(f));
    EXPECT_EQ(p.playout->out_frame_bytes(), frame_bytes(f));
    EXPECT_EQ(p.capture->in_frame_bytes(), frame_bytes(f));
    EXPECT_EQ(p.playout->delay_ai_samples(), 0u);
  }
  EXPECT_FALSE(make_identity_paths({{Codec::kMulaw, 8000}, {Codec::kPcm16, 24000}}).error.empty());
}

// The rings are sized from the call's config, not rounded up: a G.711 call with a 2 s playout
// ring and a 1 s capture ring holds 2 s + one header per 20 ms, 500 ms of output frames with
// their headers, 1 s of caller audio and 500 ms of AI-format capture (34,016 bytes; 53,248
// when every ring was rounded up to a power of two).
TEST(CallRings, SizedByConfigNotRoundedUp) {
  const Format ulaw{Codec::kMulaw, 8000};
  CallConfig cfg;
  cfg.formats = {ulaw, ulaw};
  cfg.playout_capacity_ms = 2000;
  cfg.capture_capacity_ms = 1000;
  Call call(1, cfg, make_identity_paths(cfg.formats));
  const std::size_t playout = 16000 + 16 * (2000 / 20 + 1);
  const std::size_t out = 25 * (16 + 160);
  EXPECT_EQ(call.ring_bytes(), playout + out + 8000 + 4000);
  cfg.playout_capacity_ms = 200;
  Call small(2, cfg, make_identity_paths(cfg.formats));
  EXPECT_EQ(call.ring_bytes() - small.ring_bytes(), 16000u - 1600u + 16u * (101u - 11u));
}

TEST_F(EngineTest, IdsOfFreedSlotsAreNotReused) {
  const std::uint32_t first = open().id();
  engine.close_call(first);
  tick();
  engine.collect_acks([](std::uint32_t) {});
  const std::uint32_t second = open().id();
  EXPECT_NE(first, second);
  EXPECT_EQ(engine.find(first), nullptr);
}

TEST_F(EngineTest, RingBoundsAreTheConfiguredMillisecondsExactly) {  // PL4
  Call& call = open();  // 2000 ms playout, 1000 ms capture at 24 kHz PCM16
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 24000), {0, 1}), WriteResult::kOk);
  ASSERT_EQ(call.write_playout(tagged_pcm(1, 24000), {0, 1}), WriteResult::kOk);
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 1), {0, 1}), WriteResult::kFull);
  call.set_state(idx(State::playing));
  tick();  // 4 frames leave: room for 4 frames again
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 4 * kFrameSamples24k), {0, 1}), WriteResult::kOk);
  EXPECT_EQ(call.write_playout(tagged_pcm(1, 1), {0, 1}), WriteResult::kFull);
  ASSERT_EQ(call.write_capture(tagged_pcm(1, 24000)), WriteResult::kOk);
  EXPECT_EQ(call.write_capture(tagged_pcm(1, 1)), WriteResult::kFull);
  EXPECT_EQ(call.control_counters().capture_full.get(), 1u);
}
