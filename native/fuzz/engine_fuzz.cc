// The engine's control-thread entry points, driven the way the addon drives them but with
// arbitrary arguments and order: open (any formats and bounds, valid or not), write playout
// and capture (any bytes, tags, lengths), request_flush, set_state (any index), close, and
// media ticks (the thread is not started; ticks run inline, as in engine_test.cc). Checks:
// nothing crashes or trips ASan/UBSan, every call is freed exactly once after its
// acknowledgement (SE3), and no emitted frame is older than the epoch whose flush had already
// been requested before the tick that emitted it (PL3).
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "core/engine/engine.h"
#include "fuzz_input.h"
#include "playout_guards.h"

using namespace parley::engine;

namespace {

constexpr std::uint32_t kRates[] = {8000, 16000, 24000, 48000, 11025, 0};

Format any_format(parley::fuzz::Input& in) {
  return {static_cast<Codec>(in.below(4)), kRates[in.below(6)]};
}

struct Live {
  Call* call;
  std::uint32_t epoch = 0;  // epoch of the last accepted flush request
  bool closing = false;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parley::fuzz::Input in(data, size);
  Engine::Options opts;
  opts.run_thread = false;
  opts.max_calls = 1 + in.below(4);
  Engine engine(opts);
  std::map<std::uint32_t, Live> calls;  // by id
  std::map<std::uint32_t, int> freed;
  std::vector<std::uint8_t> buf;
  std::uint64_t tick = 0;

  int ops = 0;
  while (!in.empty() && ops++ < 400) {
    const std::uint32_t op = in.below(8);
    Live* live = nullptr;
    if (!calls.empty()) {
      auto it = calls.begin();
      std::advance(it, in.below(static_cast<std::uint32_t>(calls.size())));
      live = &it->second;
    }
    switch (op) {
      case 0: {  // open
        CallConfig cfg;
        if (in.flag()) {  // a supported pair, so calls actually run
          cfg.formats.telephony = in.flag() ? Format{Codec::kMulaw, 8000} : Format{Codec::kPcm16, in.flag() ? 8000u : 16000u};
          cfg.formats.ai = in.flag() ? Format{Codec::kPcm16, 24000} : cfg.formats.telephony;
        } else {
          cfg.formats.telephony = any_format(in);
          cfg.formats.ai = any_format(in);
        }
        cfg.lookahead_ms = in.below(260);
        cfg.playout_capacity_ms = in.flag() ? 100 + in.below(2000) : in.take<std::uint32_t>();
        cfg.capture_capacity_ms = in.flag() ? 100 + in.below(2000) : in.take<std::uint32_t>();
        const auto r = engine.open(cfg);
        PARLEY_FUZZ_CHECK((r.call != nullptr) == (r.error == Engine::OpenError::kNone));
        if (r.call) {
          PARLEY_FUZZ_CHECK(calls.count(r.call->id()) == 0);
          calls[r.call->id()] = {r.call};
          // The runtime moves a fresh call to a state that accepts media.
          r.call->set_state(static_cast<std::uint32_t>(parley::gen::playout::kInitialState));
        }
        break;
      }
      case 1: {  // write playout
        if (!live || live->closing) break;
        const auto bytes = in.bytes(in.below(12000));
        const std::uint32_t e = in.flag() ? live->epoch : in.take<std::uint32_t>();
        const std::uint32_t item = in.flag() ? in.below(70) : in.take<std::uint32_t>();
        live->call->write_playout(bytes, {e, item});
        break;
      }
      case 2: {  // write capture
        if (!live || live->closing) break;
        live->call->write_capture(in.bytes(in.below(4000)));
        break;
      }
      case 3: {  // flush request (barge-in)
        if (!live || live->closing) break;
        const std::uint32_t e = in.flag() ? live->epoch + 1 : in.take<std::uint32_t>();
        if (live->call->request_flush(e)) live->epoch = e;
        PARLEY_FUZZ_CHECK(live->call->epoch() == live->epoch);
        break;
      }
      case 4: {  // state word: any index, valid or not
        if (!live || live->closing) break;
        const std::uint32_t s = in.below(parley::gen::playout::kStateCount + 3);
        PARLEY_FUZZ_CHECK(live->call->set_state(s) == (s < parley::gen::playout::kStateCount));
        break;
      }
      case 5: {  // close
        if (!live) break;
        const bool ok = engine.close_call(live->call->id());
        PARLEY_FUZZ_CHECK(ok == !live->closing);
        live->closing = true;
        break;
      }
      default: {  // media ticks, then the control thread reads what they produced
        const std::uint32_t n = 1 + in.below(6);
        for (std::uint32_t k = 0; k < n; ++k) engine.core().tick(++tick, 1 + in.below(3));
        for (auto& [id, l] : calls) {
          if (l.closing) continue;
          buf.resize(l.call->playout_out_available());
          l.call->read_playout_out(buf);
          std::size_t at = 0;
          while (at + sizeof(parley::ring::ChunkHeader) <= buf.size()) {
            parley::ring::ChunkHeader h;
            std::memcpy(&h, buf.data() + at, sizeof h);
            PARLEY_FUZZ_CHECK(h.epoch >= l.epoch);  // PL3: nothing older than the flushed epoch
            at += sizeof h + h.len;
          }
          PARLEY_FUZZ_CHECK(at == buf.size());
          buf.resize(l.call->capture_out_available());
          l.call->read_capture_out(buf);
        }
        Event ev;
        while (engine.pop_event(ev)) PARLEY_FUZZ_CHECK(calls.count(ev.call_id) == 1 || freed.count(ev.call_id) == 1);
        engine.collect_acks([&](std::uint32_t id) {
          PARLEY_FUZZ_CHECK(calls.count(id) == 1 && calls[id].closing);  // SE3: freed only once acknowledged
          ++freed[id];
          calls.erase(id);
        });
        engine.clear_wake_pending();
        break;
      }
    }
  }
  engine.stop();
  return 0;
}
