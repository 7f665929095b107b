#include "messages/stream_framer.hpp"

#include <algorithm>

#include "messages/text.hpp"

namespace sipactor {

namespace {
constexpr auto npos = std::string_view::npos;

// Content-Length of a complete header section, or a reason.
const char* find_content_length(std::string_view section, std::size_t& length, std::size_t max) {
  bool found = false;
  bool in_length = false;  // the previous line was a Content-Length line (folding)
  std::string_view value;
  std::size_t pos = section.find("\r\n");  // skip the start line
  while (pos != npos && pos + 2 < section.size()) {
    std::size_t line_start = pos + 2;
    std::size_t line_end = section.find("\r\n", line_start);
    if (line_end == npos || line_end == line_start) break;
    std::string_view line = section.substr(line_start, line_end - line_start);
    if (text::is_ws(line[0])) {
      if (in_length) value = std::string_view(value.data(), static_cast<std::size_t>(line.data() + line.size() - value.data()));
    } else {
      in_length = false;
      std::size_t colon = line.find(':');
      if (colon != npos) {
        std::string_view name = text::trim(line.substr(0, colon));
        if (text::iequals(name, "Content-Length") || text::iequals(name, "l")) {
          if (found) return "multiple Content-Length headers";
          found = in_length = true;
          value = line.substr(colon + 1);
        }
      }
    }
    pos = line_end;
  }
  if (!found) return "Content-Length required on a stream transport";
  auto n = text::parse_decimal(text::trim(value), max);
  if (!n) return "Content-Length is not a non-negative integer within the message size limit";
  length = static_cast<std::size_t>(*n);
  return nullptr;
}
}  // namespace

void stream_framer::append(std::string_view bytes) {
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    scanned_ = consumed_ = 0;
  } else if (consumed_ > 4096 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    scanned_ -= std::min(scanned_, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

stream_framer::event stream_framer::fail(const char* reason, std::string_view header_section) {
  failed_ = reason;
  return event{event_kind::error, header_section, reason};
}

stream_framer::event stream_framer::next() {
  if (failed_ != nullptr) return event{event_kind::error, {}, failed_};
  std::string_view avail = std::string_view(buffer_).substr(consumed_);
  if (pending_length_ == 0) {
    // RFC 5626 §4.4.1 keep-alives, and §7.5 CRLFs before a start line.
    if (avail.substr(0, 4) == "\r\n\r\n") {
      consumed_ += 4;
      scanned_ = std::max(scanned_, consumed_);
      return event{event_kind::keepalive_ping, {}, nullptr};
    }
    if (avail.substr(0, 2) == "\r\n") {
      if (avail.size() == 2 || (avail.size() == 3 && avail[2] == '\r')) return event{};  // maybe a ping
      consumed_ += 2;
      scanned_ = std::max(scanned_, consumed_);
      return event{event_kind::keepalive_pong, {}, nullptr};
    }
    std::size_t from = std::max(scanned_, consumed_ + 3) - 3;  // a terminator may straddle appends
    std::size_t end = std::string_view(buffer_).find("\r\n\r\n", from);
    if (end == npos) {
      scanned_ = buffer_.size();
      if (avail.size() > limits_.max_header_bytes) return fail("header section too large");
      return event{};
    }
    std::size_t header_length = end + 4 - consumed_;
    std::string_view section = avail.substr(0, header_length);
    if (header_length > limits_.max_header_bytes) return fail("header section too large");
    std::size_t body_length = 0;
    if (const char* reason = find_content_length(section, body_length, limits_.max_message_bytes))
      return fail(reason, section);
    if (header_length + body_length > limits_.max_message_bytes) return fail("message too large", section);
    pending_length_ = header_length + body_length;
  }
  if (avail.size() < pending_length_) return event{};
  std::string_view message = avail.substr(0, pending_length_);
  consumed_ += pending_length_;
  scanned_ = consumed_;
  pending_length_ = 0;
  return event{event_kind::message, message};
}

}  // namespace sipactor
