// The parser behind parse_message (parser.cpp: framing, header lines, start line; parse_views.cpp:
// the typed views and the required headers). Internal to messages/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/char_masks.hpp"
#include "messages/parser.hpp"

namespace sipactor::detail {

// Whether parse_message reads the common forms of the views with the bitmap fast paths
// (fast_views.hpp) before the full parsers. Tests and fuzzers turn it off to check that both
// give the same messages and errors; always on otherwise.
bool fast_views_enabled() noexcept;
void enable_fast_views(bool on) noexcept;

class message_parser {
 public:
  message_parser(std::string_view input, framing mode, const parse_limits& limits,
                 const packet_source* source);

  parse_result run();

 private:
  void fail(int status, std::string reason) {
    if (!error_) error_ = parse_error{status, std::move(reason)};
  }
  void fail_header(header_id id, std::string_view what, const char* reason);
  void split_headers(std::size_t pos);
  void frame_body();
  bool parse_start_line(message& m);
  bool parse_request_line(message& m, std::string_view line);
  bool fast_request_line(message& m);
  void parse_status_line(message& m, std::string_view line);
  void parse_views(message& m);
  // One header of each kind; the fast path first when enabled, then the full parser.
  // [begin, end) of header line `index`'s value in the message, and that text.
  static std::pair<std::size_t, std::size_t> value_span(const message& m, std::size_t index) noexcept {
    const header_field& f = m.fields()[index];
    return {f.value_offset, f.value_offset + f.value_length};
  }
  static std::string_view value_at(const message& m, std::size_t b, std::size_t e) noexcept {
    return {m.data() + b, e - b};
  }
  // The views of the headers every request carries, inlined into parse_views(): the only caller,
  // in the same file (parse_views.cpp). A call each would cost a frame and the spills around it
  // four times per INVITE (about 3% of its parse, measured).
  inline void via_header(message& m, std::size_t index, bool first);
  inline void address_header(message& m, std::size_t index);
  inline void contact_header(message& m, std::size_t index);
  void route_header(message& m, std::size_t index);
  void check_required(message& m);
  void complete_top_via();

  std::string_view input_;
  std::string_view data_;  // input_ after leading CRLFs
  framing mode_;
  bool fast_ = true;
  const parse_limits& limits_;
  const packet_source* source_;
  std::optional<parse_error> error_;
  std::optional<parse_error> split_error_;  // reported after start line errors
  std::vector<header_field>* fields_ = nullptr;  // [0, field_count_): this message's header lines
  std::size_t field_count_ = 0;
  struct field_range {
    header_field* b;
    header_field* e;
    header_field* begin() const noexcept { return b; }
    header_field* end() const noexcept { return e; }
  };
  field_range field_span() const noexcept { return {fields_->data(), fields_->data() + field_count_}; }
  char_masks* masks_ = nullptr;     // classes of data_, then of the message's copy
  std::size_t start_line_end_ = 0;  // offset of the CR ending the start line
  std::size_t header_end_ = 0;      // offset of the first body octet
  std::size_t message_end_ = 0;
  bool has_content_length_ = false;
  bool truncated_ = false;  // header splitting stopped early: no body framing
  bool folded_ = false;     // some header value spans several lines
  std::size_t length_fields_ = 0;  // Content-Length header lines, the last at length_field_
  std::size_t length_field_ = 0;
  std::uint64_t seen_ = 0;  // headers present, one bit per header_id (see parse_views)
  // §18.2.1: data_[via_start_, via_end_) is replaced by via_rewrite_ (per-thread text) in the
  // message.
  std::size_t via_start_ = 0, via_end_ = 0;
  std::string_view via_rewrite_;
};

}  // namespace sipactor::detail
