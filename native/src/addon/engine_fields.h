// The names JS sees for the engine's enums, counters and stats, each listed once, in the
// order the native side writes them. The addon exports these lists and the TypeScript
// binding builds its objects from them (and checks them against its types at load).
#pragma once

#include <array>
#include <cstdint>

#include "core/engine/call.h"
#include "core/engine/engine.h"
#include "core/engine/event.h"

namespace parley::addon::fields {

using engine::Call;

/** Index = engine::Codec value. */
inline constexpr std::array<const char*, 3> kCodecs = {"pcm16", "mulaw", "alaw"};

/** Index = engine::PlayoutLimiter value. */
inline constexpr std::array<const char*, 4> kLimiters = {"auto", "none", "peak", "softclip"};
static_assert(kLimiters.size() == static_cast<std::size_t>(engine::PlayoutLimiter::kSoftClip) + 1);

/** Index = engine::WriteResult value. */
inline constexpr std::array<const char*, 5> kWriteResults = {"ok", "stale", "full", "closed", "invalid"};

struct EventName {
  engine::EventKind kind;
  const char* name;
};
inline constexpr std::array<EventName, 6> kEvents = {{
    {engine::EventKind::kFlushed, "flushed"},
    {engine::EventKind::kDrained, "drained"},
    {engine::EventKind::kPrefilled, "prefilled"},
    {engine::EventKind::kUnderrun, "underrun"},
    {engine::EventKind::kSpeechStart, "speech-start"},
    {engine::EventKind::kSpeechStop, "speech-stop"},
}};
/** Trace-mode records (Call::set_trace), kept apart from the events JS's machines take. */
inline constexpr std::array<EventName, 5> kTraceKinds = {{
    {engine::EventKind::kTraceTick, "tick"},
    {engine::EventKind::kTraceFlush, "flush"},
    {engine::EventKind::kTraceFrame, "frame"},
    {engine::EventKind::kTraceSegment, "segment"},
    {engine::EventKind::kTraceRead, "read"},
}};
/** Kind of the record that acknowledges a call's removal (never an EventKind). */
inline constexpr std::uint16_t kClosedAck = 100;
/** Kind of the first record of every drain: its `tick` is the media thread's last tick. */
inline constexpr std::uint16_t kTickRecord = 0;

struct CounterField {
  const char* name;
  std::uint64_t (*get)(const Call&);
};
#define PARLEY_CC(js, field) {js, [](const Call& c) { return c.control_counters().field.get(); }}
#define PARLEY_MC(js, field) {js, [](const Call& c) { return c.media_counters().field.get(); }}
inline constexpr std::array<CounterField, 20> kCounters = {{
    PARLEY_CC("playoutChunks", playout_chunks),
    PARLEY_CC("playoutBytes", playout_bytes),
    PARLEY_CC("playoutStale", playout_stale),
    PARLEY_CC("playoutFull", playout_full),
    PARLEY_CC("playoutClosed", playout_closed),
    PARLEY_CC("playoutInvalid", playout_invalid),
    PARLEY_CC("captureBytes", capture_bytes),
    PARLEY_CC("captureFull", capture_full),
    PARLEY_CC("captureClosed", capture_closed),
    PARLEY_MC("framesEmitted", frames_emitted),
    PARLEY_MC("samplesEmitted", samples_emitted),
    PARLEY_MC("paddedFrames", padded_frames),
    PARLEY_MC("staleSkippedSamples", stale_skipped_samples),
    PARLEY_MC("flushes", flushes),
    PARLEY_MC("flushedSamples", flushed_samples),
    PARLEY_MC("flushedEpoch", flushed_epoch),
    PARLEY_MC("underruns", underruns),
    PARLEY_MC("captureFrames", capture_frames),
    PARLEY_MC("playoutOutStalls", playout_out_stalls),
    PARLEY_MC("captureOutStalls", capture_out_stalls),
}};
#undef PARLEY_CC
#undef PARLEY_MC

/** Engine-wide numbers, in the order Engine.stats() writes them. */
inline constexpr std::array<const char*, 17> kStats = {
    "calls",          "ticks",          "lastTick",       "wakeups",        "coalescedWakeups", "wakeFailures",
    "missedTicks",    "latenessP50Ns",  "latenessP99Ns",  "latenessMaxNs",  "latenessSamples",  "tickWorkP50Ns",
    "tickWorkP99Ns",  "tickWorkMaxNs",  "tickWorkSamples", "eventsDropped",   "sched",
};
/** Index = engine::MediaThread::Sched value. */
inline constexpr std::array<const char*, 3> kSched = {"default", "nice", "fifo"};

}  // namespace parley::addon::fields
