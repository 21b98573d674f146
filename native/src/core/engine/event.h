// What the media thread reports to the control (JS) thread, one fixed-size record each.
#pragma once

#include <cstdint>

namespace parley::engine {

enum class EventKind : std::uint16_t {
  kFlushed = 1,      // epoch, b = dropped AI samples, c = playout read index
  kDrained = 2,      // epoch, c = playout read index
  kPrefilled = 3,    // epoch, a = buffered ms
  kUnderrun = 4,     // a = frames the far side missed
  kSpeechStart = 5,  // from the capture path's VAD
  kSpeechStop = 6,
  // Trace mode only (Call::set_trace): the records specs/trace/TracePlayoutCore.tla checks.
  kTraceTick = 16,     // start of a tick that does something: epoch = ring epoch, a = state word,
                       // b = read index, c = published write index, reserved = 1 if a flush is pending
  kTraceFlush = 17,    // flush executed: epoch = current, b = the flush-to index requested, c = read index after
  kTraceFrame = 18,    // frame emitted: epoch = ring epoch at emission, a = AI samples of audio,
                       // b = read index after, c = padding samples; reserved = segments that follow
  kTraceSegment = 19,  // one (epoch, item) run of that frame: a = item, b = samples, c = delivered after
  kTraceRead = 20,     // end of a tick whose reads emitted nothing yet: b = read index, c = staged bytes
};

struct Event {
  std::uint32_t call_id;
  EventKind kind;
  std::uint16_t reserved;
  std::uint32_t epoch;
  std::uint32_t a;
  std::uint64_t b;
  std::uint64_t c;
  std::uint64_t tick;
};
static_assert(sizeof(Event) == 40);

}  // namespace parley::engine
