// One SIP message from bytes. Three passes over a single buffer:
//   1. on the input: classify the octets 64 at a time into character-class bitmaps
//      (char_masks.hpp), cut the start line and header lines with them, frame the body by
//      Content-Length (§18.3);
//   2. one allocation: copy the message octets and the header index into the message;
//   3. on the message's own copy: parse the start line and the typed views every element reads
//      (parse_views.cpp), with the same bitmaps.
// The first error found is kept; parsing goes on where it can, so that a request with a bad
// header still yields the Via/From/To/Call-ID/CSeq needed to answer it (§8.2.6, RFC 4475).
#include "messages/parser.hpp"
#include "messages/message_parser.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <vector>

#include "messages/branch_hints.hpp"
#include "messages/fast_views.hpp"
#include "messages/header_table.hpp"
#include "messages/host_syntax.hpp"
#include "messages/text.hpp"

namespace sipactor {
namespace detail {

message_parser::message_parser(std::string_view input, framing mode, const parse_limits& limits,
                               const packet_source* source)
    : input_(input), mode_(mode), fast_(fast_views_enabled()), limits_(limits), source_(source) {}

namespace {
std::vector<header_field>& scratch_fields() {
  // Per thread, reused: the header index is built without allocating once warm. Its size is the
  // most lines a message had on this thread (field_count_ says how many are this message's), so
  // that a parse neither clears nor zero-fills it.
  static thread_local std::vector<header_field> fields;
  return fields;
}

char_masks& scratch_masks() {
  static thread_local char_masks masks;
  return masks;
}

// The completed top via-parm, built here and copied into the message (per thread, reused).
std::string& scratch_via() {
  static thread_local std::string text;
  return text;
}

}  // namespace

// Cuts the header lines and names each as it is recorded: the name's lookup (its words, one
// multiply, two table reads) does not feed the cutting, so the core runs it alongside the next
// lines instead of in a loop of its own.
void message_parser::split_headers(std::size_t pos) {
  // The loop keeps what each line needs in locals: the header index is written with byte stores,
  // which may alias anything, and would make the compiler reload every member after each line.
  // What only the rare paths need (the framing mode, the limits, the index's vector) is read from
  // the members there, so that the loop's own state stays in registers.
  const char* const p = data_.data();
  const std::size_t n = data_.size();
  const mask_bits bits = masks_->bits();  // reset() sized the words for every block: stays valid
  // The index as a cursor and the end of the room it has (or of the lines allowed).
  header_field* cursor = fields_->data();
  header_field* room_end = cursor + std::min(limits_.max_header_lines, fields_->size());
  auto split_fail = [this](const char* reason) {
    if (!split_error_) split_error_ = parse_error{400, reason};
  };
  // Values lose their trailing LWS as they are recorded and as continuation lines extend them.
  auto trim = [p](header_field& f) {
    std::uint32_t length = f.value_length;
    while (length > 0 && text::is_lws(p[f.value_offset + length - 1])) --length;
    f.value_length = length;
  };
  // Line ends are the set bits of the LF bitmap, taken in order from a word kept in a register:
  // the next line end costs a tzcnt, with no load on the chain from one line to the next.
  std::size_t block = pos >> 6;
  std::uint64_t lf = 0;
  // Entering a block, the two after it are classified too: the blocks are independent, so their
  // kernels run while the lines before them are cut, and the cut finds each block ready instead
  // of waiting for its classification. Not past a block holding LF ? LF, where the header section
  // likely ends: the blocks after it would be body. The next block's LF bits are only looked at
  // when an earlier entry classified it, so that they are ready: reading them right after its
  // kernel would wait for it. The first entry classifies both blocks ahead on speculation.
  auto maybe_last = [](std::uint64_t lf_bits) { return (lf_bits & (lf_bits << 2)) != 0; };
  auto enter_block = [&]() {
    char_masks& masks = *masks_;
    masks.classify_through(block * 64);
    lf = bits.word(sc_lf, block);
    if (maybe_last(lf) || (block + 1) * 64 >= n) return;
    if (masks.classified() <= (block + 1) * 64 || !maybe_last(bits.word(sc_lf, block + 1)))
      masks.classify_through((block + 2) * 64);
  };
  if (pos < n) {
    enter_block();
    lf &= ~std::uint64_t{0} << (pos & 63);
  }
  auto next_lf = [&]() -> std::size_t {
    while (SIPACTOR_UNLIKELY(lf == 0)) {
      if (++block * 64 >= n) return n;
      enter_block();
    }
    const std::size_t at = block * 64 + lowest_set_bit(lf);
    lf &= lf - 1;
    return at;  // below n: the bits past the end are 0
  };
  for (;;) {
    const std::size_t at = next_lf();  // n when no LF is left, and so when pos has reached n
    std::size_t line_end, next;
    if (SIPACTOR_UNLIKELY(at == n)) {
      if (pos >= n) {
        // A datagram may end after the last header line without the empty line (RFC 4475
        // baddn): the datagram boundary ends the header section. A stream message cannot.
        if (mode_ == framing::stream) split_fail("header section not terminated by an empty line");
        header_end_ = n;
        break;
      }
      if (mode_ == framing::stream) split_fail("header line not terminated by CRLF");
      line_end = next = n;
    } else {
      // at >= pos >= 1 (the start line comes first), so p[at - 1] is there; for an LF right
      // after the last one (at == pos) it is that LF, and the line counts as a bare LF too.
      if (SIPACTOR_UNLIKELY(p[at - 1] != '\r')) {
        split_fail("bare LF in header section");
        line_end = at;
      } else {
        line_end = at - 1;
      }
      next = at + 1;
    }
    // header-name HCOLON value: the name is a token, then optional SP/HT, then ':'. A line that
    // does not start with a token octet is the empty line, a continuation or a malformed line;
    // those are told apart only then, off the path of every header line.
    std::size_t i = bits.skip(sc_token, pos, line_end);
    const std::size_t name_end = i;
    if (SIPACTOR_UNLIKELY(name_end == pos)) {
      if (line_end == pos) {  // the empty line
        header_end_ = next;
        break;
      }
      if (text::is_ws(p[pos])) {
        // §7.3.1: a line starting with whitespace continues the previous header value.
        if (cursor == fields_->data()) {
          split_fail("continuation line before the first header");
        } else {
          header_field& last = cursor[-1];
          if (last.value_length == 0) {
            std::size_t first = pos;
            while (first < line_end && text::is_lws(p[first])) ++first;
            last.value_offset = static_cast<std::uint32_t>(first);
          }
          last.value_length = static_cast<std::uint32_t>(line_end - last.value_offset);
          last.folded = true;
          trim(last);
          folded_ = true;
        }
      } else {
        const bool has_colon = std::memchr(p + pos, ':', line_end - pos) != nullptr;
        split_fail(has_colon ? "malformed header name" : "header line without ':'");
      }
      pos = next;
      continue;
    }
    if (i < line_end && SIPACTOR_UNLIKELY(p[i] != ':'))
      while (i < line_end && text::is_ws(p[i])) ++i;
    if (SIPACTOR_UNLIKELY(i == line_end || p[i] != ':')) {
      bool has_colon = std::memchr(p + pos, ':', line_end - pos) != nullptr;
      split_fail(has_colon ? "malformed header name" : "header line without ':'");
    } else {
      if (SIPACTOR_UNLIKELY(cursor == room_end)) {  // the index is full, or the limit reached
        std::vector<header_field>& fields = *fields_;
        const std::size_t count = static_cast<std::size_t>(cursor - fields.data());
        if (count >= limits_.max_header_lines) {
          split_fail("too many header lines");
          header_end_ = pos;
          truncated_ = true;
          break;
        }
        fields.resize(count < 32 ? 32 : 2 * count);
        cursor = fields.data() + count;
        room_end = fields.data() + std::min(limits_.max_header_lines, fields.size());
      }
      // The value starts after the LWS that follows the colon: mostly one SP, seen without the
      // bitmap (a stray CR counts as whitespace here).
      if (SIPACTOR_LIKELY(i + 2 < line_end && p[i + 1] == ' ' && !text::is_lws(p[i + 2]))) i += 2;
      else i = bits.skip(sc_lws, i + 1, line_end);
      // Trailing LWS, read from the line end: that load does not wait for the name scan.
      std::size_t value_end = line_end;
      while (value_end > i && text::is_lws(p[value_end - 1])) --value_end;
      header_field& f = *cursor++;
      f.name_offset = static_cast<std::uint32_t>(pos);
      f.value_offset = static_cast<std::uint32_t>(i);
      f.value_length = static_cast<std::uint32_t>(value_end - i);
      f.name_length = static_cast<std::uint16_t>(name_end - pos);
      f.id = find_header(p + pos, name_end - pos);
      f.folded = false;
      if (f.id == header_id::content_length) {
        length_field_ = static_cast<std::size_t>(&f - fields_->data());
        ++length_fields_;
      }
    }
    pos = next;
  }
  field_count_ = static_cast<std::size_t>(cursor - fields_->data());
}

// RFC 3261 §18.3 framing.
void message_parser::frame_body() {
  const std::size_t available = data_.size() - header_end_;
  message_end_ = header_end_;
  if (length_fields_ > 1) {  // RFC 4475 §3.3.9: conflicting lengths cannot be framed
    if (!split_error_) split_error_ = parse_error{400, "multiple Content-Length headers"};
    return;
  }
  const header_field* length_field = length_fields_ == 1 ? &(*fields_)[length_field_] : nullptr;
  if (length_field == nullptr) {
    if (mode_ == framing::stream) {
      if (!split_error_) split_error_ = parse_error{400, "Content-Length required on a stream transport"};
      return;
    }
    message_end_ = data_.size();  // "the message body is assumed to end at the end of the packet"
    return;
  }
  has_content_length_ = true;
  std::string_view value(data_.data() + length_field->value_offset, length_field->value_length);
  auto length = text::parse_decimal(value, limits_.max_message_bytes);
  if (!length) {
    if (!split_error_) {
      bool numeric = !value.empty() && text::all_of(value, text::digit);
      split_error_ = numeric ? parse_error{513, "Content-Length exceeds the maximum message size"}
                             : parse_error{400, "Content-Length is not a non-negative integer"};
    }
    return;
  }
  if (*length > available) {
    if (!split_error_)
      split_error_ = parse_error{400, mode_ == framing::datagram ? "Content-Length larger than the datagram"
                                                                 : "Content-Length larger than the message"};
    return;
  }
  message_end_ = header_end_ + *length;  // octets past the body are discarded
}

bool message_parser::parse_request_line(message& m, std::string_view line) {
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0 || !text::is_token(line.substr(0, sp1))) {
    fail(400, "malformed request line");
    return false;
  }
  m.method_name_ = line.substr(0, sp1);
  m.method_ = method_from_name(m.method_name_);
  std::string_view rest = line.substr(sp1 + 1);
  std::size_t sp2 = rest.rfind(' ');
  if (sp2 == std::string_view::npos) {
    fail(400, "request line without SIP version");
    return true;
  }
  std::string_view uri_text = rest.substr(0, sp2);
  std::string_view version = rest.substr(sp2 + 1);
  if (version.empty()) {
    fail(400, "whitespace after SIP version in request line");  // RFC 4475 §3.1.2.10
    return true;
  }
  if (uri_text.empty() || text::is_ws(uri_text.front()) || text::is_ws(uri_text.back())) {
    fail(400, "extra whitespace between request line elements");  // RFC 4475 §3.1.2.9
    return true;
  }
  if (std::any_of(uri_text.begin(), uri_text.end(), text::is_ws)) {
    fail(400, "whitespace inside Request-URI");  // RFC 4475 §3.1.2.8
    return true;
  }
  if (!text::istarts_with(version, "SIP/")) {
    fail(400, "malformed SIP version in request line");
  } else if (!text::iequals(version, "SIP/2.0")) {
    fail(505, "SIP version not supported");  // RFC 4475 §3.1.2.16
  }
  if (uri_text.front() == '<') {
    fail(400, "Request-URI enclosed in <>");  // RFC 4475 §3.1.2.7
    return true;
  }
  if (const char* reason = parse_uri_into(uri_text, m.request_uri_)) {
    m.request_uri_ = uri{};
    fail(400, std::string("invalid Request-URI: ") + reason);
    return true;
  }
  // §19.1.1 Table 1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (m.request_uri_.is_sip() && !m.request_uri_.headers.empty()) fail(400, "Request-URI must not contain headers");
  return true;
}

void message_parser::parse_status_line(message& m, std::string_view line) {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
  m.status_ = -1;  // a response whose code could not be read
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) {
    fail(400, "malformed status line");
    return;
  }
  if (!text::iequals(line.substr(0, sp1), "SIP/2.0")) fail(505, "SIP version not supported");
  std::size_t sp2 = line.find(' ', sp1 + 1);
  std::string_view code = line.substr(sp1 + 1, sp2 == std::string_view::npos ? sp2 : sp2 - sp1 - 1);
  auto value = code.size() == 3 ? text::parse_decimal(code, 999) : std::nullopt;
  if (!value || *value < 100 || *value > 699) {
    fail(400, "invalid status code");  // RFC 4475 §3.1.2.19
    return;
  }
  m.status_ = static_cast<int>(*value);
  m.reason_phrase_ = sp2 == std::string_view::npos ? std::string_view{} : line.substr(sp2 + 1);
}

// Request-Line = Method SP Request-URI SP SIP-Version CRLF in its usual form: a token, one SP,
// a sip: or sips: URI, " SIP/2.0". Anything else goes to parse_request_line.
bool message_parser::fast_request_line(message& m) {
  const char* s = m.data();
  const std::size_t n = start_line_end_;
  const std::size_t method_end = masks_->skip(sc_token, 0, n);
  if (method_end == 0 || method_end + 9 >= n || s[method_end] != ' ' || std::memcmp(s + n - 8, " SIP/2.0", 8) != 0)
    return false;
  std::size_t stop = 0;
  if (!fast_sip_uri(*masks_, method_end + 1, n - 8, stop, m.request_uri_) || stop != n - 8) {
    m.request_uri_ = uri{};
    return false;
  }
  m.method_name_ = std::string_view(s, method_end);
  m.method_ = method_from_name(m.method_name_);
  return true;
}

bool message_parser::parse_start_line(message& m) {
  std::string_view line(m.data(), start_line_end_);
  if (text::istarts_with(line, "SIP/")) {
    parse_status_line(m, line);
    return true;
  }
  if (fast_ && fast_request_line(m)) return true;
  return parse_request_line(m, line);
}

namespace {
// Whether a sent-by host that its parser accepted is a name rather than an IPv4 or IPv6 address
// (what classify_host() says of it, without checking the name's syntax again).
bool host_is_name(std::string_view host) noexcept {
  if (host.empty() || host.front() == '[') return false;
  return !(text::is_digit(host.back()) && valid_ipv4(host));
}

bool same_address(std::string_view host, std::string_view address) {
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.find(':') == std::string_view::npos || address.find(':') == std::string_view::npos)
    return host == address;
  // IPv6: the same address may be written in several ways.
  in6_addr a{}, b{};
  std::string hs(host), as(address);
  return inet_pton(AF_INET6, hs.c_str(), &a) == 1 && inet_pton(AF_INET6, as.c_str(), &b) == 1 &&
         std::memcmp(&a, &b, sizeof a) == 0;
}
}  // namespace

// RFC 3261 §18.2.1 and RFC 3581 §4, decided on the input before it is copied: the top via-parm is
// rewritten with its received and rport parameters set; everything else is copied unchanged.
void message_parser::complete_top_via() {
  if (source_ == nullptr || text::istarts_with(data_, "SIP/")) return;  // requests only
  header_field* const end = fields_->data() + field_count_;
  header_field* first = std::find_if(fields_->data(), end, [](const header_field& f) { return f.id == header_id::via; });
  if (first == end) return;
  // The bitmaps still describe the input here: the fast path reads the via-parm as the views will
  // (a folded value, or a form it does not take, goes to the full parser).
  via top;
  std::size_t pos = first->value_offset;
  if (!(fast_ && !first->folded && fast_via(*masks_, pos + first->value_length, pos, top))) {
    top = via{};
    pos = 0;
    std::string_view value(data_.data() + first->value_offset, first->value_length);
    if (parse_via_at(value, pos, top) != nullptr) return;  // reported when the views are parsed
  }
  bool add_received = top.rport || host_is_name(top.host) || !same_address(top.host, source_->address);
  bool fill_rport = top.rport && top.rport_value == 0;
  if (!add_received && !fill_rport && top.received.empty()) return;

  std::string& out = scratch_via();
  out.assign(text::trim_right(top.text.substr(0, static_cast<std::size_t>(top.params.data() - top.text.data()))));
  for_each_param(top.params, [&](const param& p) {
    if (text::iequals(p.name, "received")) return true;  // replaced below
    out += ';';
    out += p.name;
    if (text::iequals(p.name, "rport")) {
      char digits[8];
      const auto written = std::to_chars(digits, digits + sizeof digits, fill_rport ? source_->port : top.rport_value);
      out += '=';
      out.append(digits, written.ptr);
    } else if (p.has_value) {
      out += '=';
      out += p.value;
    }
    return true;
  });
  if (add_received || !top.received.empty()) {
    out += ";received=";
    out += source_->address;
  }
  via_rewrite_ = out;
  via_start_ = static_cast<std::size_t>(top.text.data() - data_.data());
  via_end_ = via_start_ + top.text.size();
}

parse_result message_parser::run() {
  std::size_t skip = 0;
  while (skip + 1 < input_.size() && input_[skip] == '\r' && input_[skip + 1] == '\n') skip += 2;  // §7.5
  data_ = input_.substr(skip);
  if (data_.empty()) return {nullptr, parse_error{400, "empty message"}};
  if (data_.size() > limits_.max_message_bytes) return {nullptr, parse_error{513, "message too large"}};
  masks_ = &scratch_masks();
  masks_->reset(data_.data(), data_.size());
  const std::size_t lf_at = masks_->next_lf(0);
  if (lf_at == data_.size()) return {nullptr, parse_error{400, "start line not terminated by CRLF"}};
  if (lf_at == 0 || data_[lf_at - 1] != '\r') return {nullptr, parse_error{400, "start line not terminated by CRLF"}};
  start_line_end_ = lf_at - 1;

  fields_ = &scratch_fields();
  split_headers(lf_at + 1);
  if (truncated_) message_end_ = header_end_;
  else frame_body();

  complete_top_via();
  const std::size_t size = message_end_ + via_rewrite_.size() - (via_end_ - via_start_);
  message_ptr handle = message::allocate(static_cast<std::uint32_t>(field_count_), size);
  message& m = const_cast<message&>(*handle);
  char* buffer = m.data();
  if (via_rewrite_.empty()) {
    std::memcpy(buffer, data_.data(), message_end_);
  } else {
    // Splice the completed via-parm in and move every offset behind it.
    const std::size_t delta = via_rewrite_.size() - (via_end_ - via_start_);  // modulo 2^64 when shorter
    std::memcpy(buffer, data_.data(), via_start_);
    std::memcpy(buffer + via_start_, via_rewrite_.data(), via_rewrite_.size());
    std::memcpy(buffer + via_start_ + via_rewrite_.size(), data_.data() + via_end_, message_end_ - via_end_);
    for (header_field& f : field_span()) {
      if (f.value_offset <= via_start_ && via_start_ < f.value_offset + f.value_length + 1) {
        f.value_length = static_cast<std::uint32_t>(f.value_length + delta);
      } else if (f.name_offset > via_start_) {
        f.name_offset = static_cast<std::uint32_t>(f.name_offset + delta);
        f.value_offset = static_cast<std::uint32_t>(f.value_offset + delta);
      }
    }
    header_end_ += delta;
    message_end_ += delta;
    masks_->reset(buffer, header_end_);  // offsets moved: classify the copy
    masks_->classify_through(header_end_);
  }
  // Otherwise the copy has the classes of the input: folding below turns CR and LF into SP, and
  // the views read those as LWS either way (sc_lf is only used to cut lines).
  masks_->rebase(buffer);
  if (field_count_ != 0) std::memcpy(m.fields(), fields_->data(), field_count_ * sizeof(header_field));
  for (const header_field& f : field_span()) {
    if (!folded_) break;
    if (!f.folded) continue;
    // §7.3.1: folding is one SP. The classes of the octets stay right: CR, LF and SP are all LWS.
    masks_->for_each_member(sc_lws, f.value_offset, f.value_offset + f.value_length, [buffer](std::size_t i) {
      if (buffer[i] == '\r' || buffer[i] == '\n') buffer[i] = ' ';
    });
  }
  m.start_line_length_ = static_cast<std::uint32_t>(start_line_end_);
  m.has_content_length_ = has_content_length_;
  m.body_ = std::string_view(buffer + header_end_, message_end_ - header_end_);

  if (!parse_start_line(m)) return {nullptr, std::move(error_)};
  if (split_error_) fail(split_error_->status, split_error_->reason);
  parse_views(m);
  check_required(m);
  return {std::move(handle), std::move(error_)};
}

}  // namespace detail

parse_result parse_message(std::string_view bytes, framing mode, const parse_limits& limits) {
  return detail::message_parser(bytes, mode, limits, nullptr).run();
}

parse_result parse_message(std::string_view bytes, framing mode, const parse_limits& limits,
                           const packet_source& source) {
  return detail::message_parser(bytes, mode, limits, &source).run();
}

}  // namespace sipactor
