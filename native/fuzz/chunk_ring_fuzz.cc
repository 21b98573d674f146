// The playout ring under arbitrary write / request_flush / execute / read / peek sequences,
// checked against a model of its contract (single-threaded: the stress tests cover the
// threads):
//   PL1/PL2  a flush moves the read index only when the consumer executes it, to the write
//            index seen at the request, and drops exactly the payload written before it;
//   PL3      no piece of a record older than the current epoch is ever returned;
//   PL4      a write is refused (kFull) exactly when it does not fit beside unread data, and
//            nothing unread is ever overwritten (every byte read is the byte written).
#include <cstdint>
#include <deque>
#include <vector>

#include "core/ring/chunk_ring.h"
#include "fuzz_input.h"

using parley::ring::ChunkHeader;
using parley::ring::ChunkRing;
using parley::ring::ChunkTag;
using parley::ring::WriteStatus;

namespace {

struct Rec {
  std::uint32_t epoch, item;
  std::uint64_t start;  // write index of its header
  std::vector<std::uint8_t> payload;
  std::size_t read = 0;  // payload bytes consumed
  std::uint64_t end() const { return start + sizeof(ChunkHeader) + payload.size(); }
};

std::uint8_t pattern(std::uint32_t seq, std::size_t i) { return static_cast<std::uint8_t>(seq * 131 + i * 7 + (i >> 8)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parley::fuzz::Input in(data, size);
  ChunkRing ring(64 + in.below(8192));
  const std::size_t cap = ring.capacity();
  std::deque<Rec> model;       // accepted, not yet fully consumed or dropped
  std::uint64_t written = 0;   // model write index
  std::uint32_t epoch = 0;     // requester's current epoch
  bool pending = false;
  std::uint64_t flush_to = 0;  // latest requested flush point
  std::uint32_t seq = 0;
  std::vector<std::uint8_t> dst;

  int ops = 0;
  while (!in.empty() && ops++ < 512) {
    switch (in.below(5)) {
      case 0: {  // producer: write
        const std::uint32_t which = in.below(3);
        const std::uint32_t e = which == 0 && epoch > 0 ? epoch - 1 : which == 2 ? epoch + 1 : epoch;
        const std::uint32_t item = in.below(4);
        const std::size_t len = in.below(static_cast<std::uint32_t>(cap + 32));
        std::vector<std::uint8_t> p(len);
        ++seq;
        for (std::size_t i = 0; i < len; ++i) p[i] = pattern(seq, i);
        const std::uint64_t unread = written - ring.read_index();
        const WriteStatus st = ring.write({e, item}, p);
        if (e < epoch) {
          PARLEY_FUZZ_CHECK(st == WriteStatus::kStale);
        } else if (len == 0) {
          PARLEY_FUZZ_CHECK(st == WriteStatus::kOk);
        } else if (sizeof(ChunkHeader) + len > cap - unread) {
          PARLEY_FUZZ_CHECK(st == WriteStatus::kFull);
        } else {
          PARLEY_FUZZ_CHECK(st == WriteStatus::kOk);
          model.push_back({e, item, written, std::move(p)});
          written += sizeof(ChunkHeader) + len;
        }
        PARLEY_FUZZ_CHECK(ring.write_index() == written);
        break;
      }
      case 1: {  // requester: flush, new epoch
        epoch += 1 + in.below(3);
        ring.request_flush(epoch);
        flush_to = written;
        pending = true;
        PARLEY_FUZZ_CHECK(ring.epoch() == epoch);
        PARLEY_FUZZ_CHECK(ring.write_index() == written);  // PL1: the request moves no index
        break;
      }
      case 2: {  // consumer: execute the pending flush
        const std::uint64_t r0 = ring.read_index();
        const auto done = ring.execute_pending_flush();
        PARLEY_FUZZ_CHECK(done.executed == pending);
        if (!pending) {
          PARLEY_FUZZ_CHECK(ring.read_index() == r0);
          break;
        }
        pending = false;
        std::uint64_t dropped = 0;
        while (!model.empty() && model.front().end() <= flush_to) {
          dropped += model.front().payload.size() - model.front().read;
          model.pop_front();
        }
        PARLEY_FUZZ_CHECK(done.epoch == epoch);
        PARLEY_FUZZ_CHECK(done.dropped_bytes == dropped);
        PARLEY_FUZZ_CHECK(ring.read_index() == (r0 > flush_to ? r0 : flush_to));
        break;
      }
      case 3: {  // consumer: read a piece
        dst.assign(1 + in.below(2048), 0);
        const auto piece = ring.read_piece(dst);
        while (!model.empty() && model.front().epoch < epoch) model.pop_front();  // PL3 filter
        if (model.empty()) {
          PARLEY_FUZZ_CHECK(piece.bytes == 0);
          break;
        }
        Rec& head = model.front();
        const std::size_t want = std::min(dst.size(), head.payload.size() - head.read);
        PARLEY_FUZZ_CHECK(piece.bytes == want);
        PARLEY_FUZZ_CHECK(piece.epoch == head.epoch && piece.item == head.item);
        PARLEY_FUZZ_CHECK(piece.epoch >= ring.epoch());
        PARLEY_FUZZ_CHECK(piece.record_start == (head.read == 0));
        for (std::size_t i = 0; i < want; ++i) PARLEY_FUZZ_CHECK(dst[i] == head.payload[head.read + i]);
        head.read += want;
        PARLEY_FUZZ_CHECK(piece.record_end == (head.read == head.payload.size()));
        if (head.read == head.payload.size()) model.pop_front();
        break;
      }
      default: {  // consumer: peek
        ChunkTag tag;
        const bool any = ring.peek_tag(tag);
        while (!model.empty() && model.front().epoch < epoch) model.pop_front();
        PARLEY_FUZZ_CHECK(any == !model.empty());
        if (any) PARLEY_FUZZ_CHECK(tag.epoch == model.front().epoch && tag.item == model.front().item);
        break;
      }
    }
  }
  return 0;
}
