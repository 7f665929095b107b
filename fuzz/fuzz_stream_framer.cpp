// stream_framer on a byte stream delivered in arbitrary pieces (TCP may split anywhere).
// Input: byte 0 seeds the split, byte 1 picks the chunk sizes and the framer limits, the rest is
// the stream. Properties:
//  - the events (messages with their octets, pings, pongs, the error that ends the stream) are
//    the same whether the stream arrives in one append or in the seeded pieces, and so is what
//    is left buffered at the end;
//  - after an error, next() keeps returning the error;
//  - without an error, every octet is accounted for: messages + 4 per ping + 2 per pong +
//    buffered() == stream size;
//  - a message does not start with CRLF (that is a keep-alive), holds a complete header section, and respects the
//    limits;
//  - parse_message(message, framing::stream) does not crash, and when it accepts the message it
//    frames it exactly as the framer did (same length; only folding CR LF turned into spaces).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_common.hpp"
#include "messages/parser.hpp"
#include "messages/stream_framer.hpp"

using namespace sipactor;
using namespace sipactor::fuzz;

namespace {

using kind = stream_framer::event_kind;

struct recorded {
  kind what;
  std::string bytes;   // message octets, or the header section an error carried
  std::string reason;  // error only
  bool operator==(const recorded& o) const { return what == o.what && bytes == o.bytes && reason == o.reason; }
};

struct outcome {
  std::vector<recorded> events;
  std::size_t buffered = 0;
  bool in_header_section = false;
  bool failed = false;
};

// Deterministic piece sizes from the seed bytes.
class splitter {
 public:
  splitter(std::uint8_t seed, std::uint8_t mode) : state_(0x9E3779B9u ^ (seed * 0x01000193u) ^ (mode << 8)), mode_(mode & 7) {}
  std::size_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    static constexpr std::size_t max_piece[] = {1, 2, 3, 7, 16, 64, 512};
    std::size_t cls = mode_ < 7 ? mode_ : (state_ >> 24) % 7;  // 7: each piece picks its class
    return 1 + state_ % max_piece[cls];
  }

 private:
  std::uint32_t state_;
  std::uint8_t mode_;
};

framer_limits limits_for(std::uint8_t mode) {
  switch ((mode >> 3) & 3) {
    case 1: return {256, 1024};
    case 2: return {64, 128};
    case 3: return {1024, 512};  // a message limit below the header limit
    default: return {};
  }
}

void drain(stream_framer& f, outcome& out, std::size_t stream_size) {
  // Each event other than need_more consumes at least one octet (or ends the stream).
  for (std::size_t guard = 0;; ++guard) {
    FUZZ_CHECK(guard <= stream_size + 1);
    stream_framer::event e = f.next();
    if (e.kind == kind::need_more) {
      FUZZ_CHECK(e.bytes.empty() && e.reason == nullptr);
      return;
    }
    recorded r{e.kind, std::string(e.bytes), e.reason ? std::string(e.reason) : std::string()};
    if (e.kind == kind::error) {
      FUZZ_CHECK(e.reason != nullptr && *e.reason != '\0');
      FUZZ_CHECK(f.failed());
      stream_framer::event again = f.next();
      FUZZ_CHECK(again.kind == kind::error && again.reason != nullptr && std::string_view(again.reason) == r.reason);
      out.failed = true;
      out.events.push_back(std::move(r));
      return;
    }
    FUZZ_CHECK(e.reason == nullptr);
    if (e.kind != kind::message) FUZZ_CHECK(e.bytes.empty());
    out.events.push_back(std::move(r));
  }
}

outcome run(std::string_view stream, const framer_limits& limits, splitter* split) {
  outcome out;
  stream_framer f(limits);
  std::size_t pos = 0;
  while (pos < stream.size() && !out.failed) {
    std::size_t piece = split ? std::min(split->next(), stream.size() - pos) : stream.size();
    f.append(stream.substr(pos, piece));
    pos += piece;
    drain(f, out, stream.size());
  }
  out.buffered = f.buffered();
  out.in_header_section = f.in_header_section();
  FUZZ_CHECK(out.failed == f.failed());
  return out;
}

// The parser keeps the framed octets, except that it rewrites the CR LF of folded header lines
// to spaces in its copy (§7.3.1), so bytes() differs from the wire there.
bool same_framing(std::string_view parsed, std::string_view framed) {
  if (parsed.size() != framed.size()) return false;
  for (std::size_t i = 0; i < parsed.size(); ++i)
    if (parsed[i] != framed[i] && !(parsed[i] == ' ' && (framed[i] == '\r' || framed[i] == '\n'))) return false;
  return true;
}

std::string show(const outcome& o) {
  std::string s;
  for (const recorded& r : o.events) {
    s += r.what == kind::message ? "message(" + std::to_string(r.bytes.size()) + ") "
         : r.what == kind::keepalive_ping ? std::string("ping ")
         : r.what == kind::keepalive_pong ? std::string("pong ")
                                          : "error(" + r.reason + "," + std::to_string(r.bytes.size()) + ") ";
  }
  return s + "buffered=" + std::to_string(o.buffered);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t seed = data[0], mode = data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const framer_limits limits = limits_for(mode);

  const outcome whole = run(stream, limits, nullptr);
  splitter split(seed, mode);
  const outcome pieces = run(stream, limits, &split);
  FUZZ_CHECK_MSG(whole.events == pieces.events, "whole: " + show(whole) + " | pieces: " + show(pieces));
  FUZZ_CHECK_MSG(whole.failed || (whole.buffered == pieces.buffered && whole.in_header_section == pieces.in_header_section),
                 "whole: " + show(whole) + " | pieces: " + show(pieces));

  std::size_t accounted = whole.buffered;
  for (const recorded& r : whole.events) {
    switch (r.what) {
      case kind::keepalive_ping: accounted += 4; break;
      case kind::keepalive_pong: accounted += 2; break;
      case kind::message: {
        accounted += r.bytes.size();
        // CRLFs between messages are keep-alives (RFC 5626 §4.4.1); other garbage is framed
        // as a message and left to the parser to reject.
        FUZZ_CHECK(!r.bytes.empty() && r.bytes.compare(0, 2, "\r\n") != 0);
        std::size_t end = r.bytes.find("\r\n\r\n");
        FUZZ_CHECK(end != std::string::npos);
        FUZZ_CHECK(end + 4 <= limits.max_header_bytes && r.bytes.size() <= limits.max_message_bytes);
        parse_limits pl;
        pl.max_message_bytes = limits.max_message_bytes;
        parse_result p = parse_message(r.bytes, framing::stream, pl);
        if (p.ok()) FUZZ_CHECK_MSG(same_framing(p.message->bytes(), r.bytes), r.bytes);
        if (p.message) {
          use(p.message->call_id());
          use(p.message->vias().size());
          use(p.message->body());
        }
        break;
      }
      case kind::error:
        FUZZ_CHECK(r.bytes.empty() || r.bytes.find("\r\n\r\n") == r.bytes.size() - 4);
        break;
      case kind::need_more:
        FUZZ_CHECK(false);
    }
  }
  if (!whole.failed) FUZZ_CHECK_MSG(accounted == stream.size(), show(whole));
  return 0;
}
