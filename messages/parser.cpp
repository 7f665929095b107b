// One SIP message from bytes. Three passes over a single buffer:
//   1. on the input: cut the start line and header lines (memchr per line), frame the body by
//      Content-Length (§18.3);
//   2. one allocation: copy the message octets and the header index into the message;
//   3. on the message's own copy: parse the start line and the typed views every element reads.
// The first error found is kept; parsing goes on where it can, so that a request with a bad
// header still yields the Via/From/To/Call-ID/CSeq needed to answer it (§8.2.6, RFC 4475).
#include "messages/parser.hpp"

#include <cstring>
#include <vector>

#include "messages/text.hpp"

namespace sipactor {
namespace detail {

class message_parser {
 public:
  message_parser(std::string_view input, framing mode, const parse_limits& limits)
      : input_(input), mode_(mode), limits_(limits) {}

  parse_result run();

 private:
  void fail(int status, std::string reason) {
    if (!error_) error_ = parse_error{status, std::move(reason)};
  }
  void fail_header(header_id id, std::string_view what, const char* reason) {
    if (error_) return;
    std::string r = "invalid ";
    r += id == header_id::other ? what : canonical_name(id);
    r += " header: ";
    r += reason;
    fail(400, std::move(r));
  }
  void split_headers(std::size_t pos);
  void frame_body();
  bool parse_start_line(message& m);
  bool parse_request_line(message& m, std::string_view line);
  void parse_status_line(message& m, std::string_view line);
  void parse_views(message& m);
  void check_required(message& m);

  std::string_view input_;
  std::string_view data_;  // input_ after leading CRLFs
  framing mode_;
  const parse_limits& limits_;
  std::optional<parse_error> error_;
  std::optional<parse_error> split_error_;  // reported after start line errors
  std::vector<header_field>* fields_ = nullptr;
  std::size_t start_line_end_ = 0;  // offset of the CR ending the start line
  std::size_t header_end_ = 0;      // offset of the first body octet
  std::size_t message_end_ = 0;
  bool has_content_length_ = false;
  bool truncated_ = false;  // header splitting stopped early: no body framing
};

namespace {
std::vector<header_field>& scratch_fields() {
  // Per thread, reused: the header index is built without allocating once warm.
  static thread_local std::vector<header_field> fields;
  fields.clear();
  return fields;
}

bool valid_call_id(std::string_view s) {
  // callid = word [ "@" word ]
  std::size_t at = s.find('@');
  auto word = [](std::string_view w) { return !w.empty() && text::all_of(w, text::word); };
  if (at == std::string_view::npos) return word(s);
  return word(s.substr(0, at)) && word(s.substr(at + 1));
}
}  // namespace

void message_parser::split_headers(std::size_t pos) {
  const char* p = data_.data();
  const std::size_t n = data_.size();
  auto split_fail = [this](const char* reason) {
    if (!split_error_) split_error_ = parse_error{400, reason};
  };
  for (;;) {
    if (pos >= n) {
      // A datagram may end after the last header line without the empty line (RFC 4475 baddn):
      // the datagram boundary ends the header section. A stream message cannot.
      if (mode_ == framing::stream) split_fail("header section not terminated by an empty line");
      header_end_ = n;
      break;
    }
    const void* lf = std::memchr(p + pos, '\n', n - pos);
    std::size_t line_end, next;
    if (lf == nullptr) {
      if (mode_ == framing::stream) split_fail("header line not terminated by CRLF");
      line_end = next = n;
    } else {
      std::size_t at = static_cast<std::size_t>(static_cast<const char*>(lf) - p);
      if (at == pos || p[at - 1] != '\r') {
        split_fail("bare LF in header section");
        line_end = at;
      } else {
        line_end = at - 1;
      }
      next = at + 1;
    }
    if (line_end == pos) {  // the empty line
      header_end_ = next;
      break;
    }
    if (text::is_ws(p[pos])) {
      // §7.3.1: a line starting with whitespace continues the previous header value.
      if (fields_->empty()) {
        split_fail("continuation line before the first header");
      } else {
        header_field& f = fields_->back();
        f.value_length = static_cast<std::uint32_t>(line_end - f.value_offset);
        f.folded = 1;
      }
    } else if (const void* c = std::memchr(p + pos, ':', line_end - pos); c == nullptr) {
      split_fail("header line without ':'");
    } else {
      std::size_t colon = static_cast<std::size_t>(static_cast<const char*>(c) - p);
      std::size_t name_end = colon;
      while (name_end > pos && text::is_ws(p[name_end - 1])) --name_end;  // HCOLON
      std::string_view name(p + pos, name_end - pos);
      if (!text::is_token(name)) {
        split_fail("malformed header name");
      } else if (fields_->size() >= limits_.max_header_lines) {
        split_fail("too many header lines");
        header_end_ = pos;
        truncated_ = true;
        return;
      } else {
        fields_->push_back(header_field{static_cast<std::uint32_t>(pos),
                                        static_cast<std::uint32_t>(colon + 1),
                                        static_cast<std::uint32_t>(line_end - colon - 1),
                                        static_cast<std::uint16_t>(name.size()), lookup_header(name), 0});
      }
    }
    pos = next;
  }
  for (header_field& f : *fields_) {
    while (f.value_length > 0 && text::is_lws(p[f.value_offset])) ++f.value_offset, --f.value_length;
    while (f.value_length > 0 && text::is_lws(p[f.value_offset + f.value_length - 1])) --f.value_length;
  }
}

// RFC 3261 §18.3 framing.
void message_parser::frame_body() {
  const std::size_t available = data_.size() - header_end_;
  message_end_ = header_end_;
  const header_field* length_field = nullptr;
  for (const header_field& f : *fields_) {
    if (f.id != header_id::content_length) continue;
    if (length_field != nullptr) {  // RFC 4475 §3.3.9: conflicting lengths cannot be framed
      if (!split_error_) split_error_ = parse_error{400, "multiple Content-Length headers"};
      return;
    }
    length_field = &f;
  }
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
  if (uri_text.find_first_of(" \t") != std::string_view::npos) {
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
  auto u = parse_uri(uri_text);
  if (!u) {
    fail(400, std::string("invalid Request-URI: ") + u.reason());
    return true;
  }
  m.request_uri_ = *u;
  // §19.1.1 Table 1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (u->is_sip() && !u->headers.empty()) fail(400, "Request-URI must not contain headers");
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

bool message_parser::parse_start_line(message& m) {
  std::string_view line(m.data(), start_line_end_);
  if (text::istarts_with(line, "SIP/")) {
    parse_status_line(m, line);
    return true;
  }
  return parse_request_line(m, line);
}

void message_parser::parse_views(message& m) {
  bool seen_from = false, seen_to = false, seen_call_id = false, seen_cseq = false,
       seen_max_forwards = false, seen_content_type = false, seen_expires = false,
       seen_min_expires = false;
  auto single = [&](bool& seen, header_id id) {
    if (seen && !error_) fail(400, std::string("multiple ") + std::string(canonical_name(id)) + " headers");
    bool first = !seen;
    seen = true;
    return first;
  };
  for (std::size_t i = 0; i < m.header_count_; ++i) {
    const header h = m.header_at(i);
    switch (h.id) {
      case header_id::via:
        text::for_each_element(h.value, [&](std::string_view element) {
          auto v = element.empty() ? expected<via>(failure{"empty Via value"}) : parse_via(element);
          if (!v) {
            fail_header(h.id, h.name, v.reason());
            return false;
          }
          if (m.via_count_ == 0) m.top_via_ = *v;
          if (m.via_count_ < 255) ++m.via_count_;
          return true;
        });
        break;
      case header_id::from:
      case header_id::to: {
        bool is_from = h.id == header_id::from;
        if (!single(is_from ? seen_from : seen_to, h.id)) break;
        auto na = parse_name_addr(h.value);
        if (!na) {
          fail_header(h.id, h.name, na.reason());
          break;
        }
        (is_from ? m.from_ : m.to_) = *na;
        (is_from ? m.from_tag_ : m.to_tag_) = na->tag();
        break;
      }
      case header_id::call_id:
        if (!single(seen_call_id, h.id)) break;
        if (!valid_call_id(h.value)) fail_header(h.id, h.name, "not a word [\"@\" word]");
        m.call_id_ = h.value;
        break;
      case header_id::cseq:
        if (!single(seen_cseq, h.id)) break;
        if (auto c = parse_cseq(h.value)) m.cseq_ = *c;
        else fail_header(h.id, h.name, c.reason());
        break;
      case header_id::max_forwards:
        if (!single(seen_max_forwards, h.id)) break;
        // §20.22: an integer in the range 0-255 (RFC 4475 §3.1.2.4)
        if (auto v = text::parse_decimal(h.value, 255)) m.max_forwards_ = static_cast<int>(*v);
        else fail_header(h.id, h.name, "not a number from 0 to 255");
        break;
      case header_id::content_type:
        if (!single(seen_content_type, h.id)) break;
        m.content_type_ = h.value;
        if (auto t = parse_media_type(h.value); !t) fail_header(h.id, h.name, t.reason());
        break;
      case header_id::expires:
      case header_id::min_expires: {
        bool is_expires = h.id == header_id::expires;
        if (!single(is_expires ? seen_expires : seen_min_expires, h.id)) break;
        if (auto v = parse_delta_seconds(h.value)) (is_expires ? m.expires_ : m.min_expires_) = *v;
        else fail_header(h.id, h.name, v.reason());
        break;
      }
      case header_id::contact: {
        bool star = false;
        if (const char* reason = for_each_contact(h.value, star, [](const contact&) {}))
          fail_header(h.id, h.name, reason);
        break;
      }
      case header_id::route:
      case header_id::record_route:
        text::for_each_element(h.value, [&](std::string_view element) {
          auto na = element.empty() ? expected<name_addr>(failure{"empty value"}) : parse_name_addr(element);
          if (!na) fail_header(h.id, h.name, na.reason());
          return na.ok();
        });
        break;
      default:
        break;
    }
  }
}

void message_parser::check_required(message& m) {
  // §8.1.1: To, From, CSeq, Call-ID and Via are mandatory in every request (and every response
  // carries them back, §8.2.6.2). Max-Forwards is not demanded: RFC 2543 peers omit it.
  std::string missing;
  auto need = [&](bool present, std::string_view name) {
    if (present) return;
    missing += missing.empty() ? "" : ", ";
    missing += name;
  };
  need(m.via_count_ > 0 || m.header_count(header_id::via) > 0, "Via");
  need(m.header_count(header_id::from) > 0, "From");
  need(m.header_count(header_id::to) > 0, "To");
  need(m.header_count(header_id::call_id) > 0, "Call-ID");
  need(m.header_count(header_id::cseq) > 0, "CSeq");
  if (!missing.empty()) {
    fail(400, "missing required header: " + missing);
    return;
  }
  if (m.is_request()) {
    if (!error_ && m.cseq_.method != m.method_name_) {
      // RFC 4475 §3.1.2.17-18: 400; 501 preferred when the method itself is unknown.
      fail(m.method_ == sip_method::unknown ? 501 : 400, "CSeq method does not match the request method");
    }
  } else {
    m.method_ = method_from_name(m.cseq_.method);
  }
}

parse_result message_parser::run() {
  std::size_t skip = 0;
  while (skip + 1 < input_.size() && input_[skip] == '\r' && input_[skip + 1] == '\n') skip += 2;  // §7.5
  data_ = input_.substr(skip);
  if (data_.empty()) return {nullptr, parse_error{400, "empty message"}};
  if (data_.size() > limits_.max_message_bytes) return {nullptr, parse_error{513, "message too large"}};
  const void* lf = std::memchr(data_.data(), '\n', data_.size());
  if (lf == nullptr) return {nullptr, parse_error{400, "start line not terminated by CRLF"}};
  std::size_t lf_at = static_cast<std::size_t>(static_cast<const char*>(lf) - data_.data());
  if (lf_at == 0 || data_[lf_at - 1] != '\r') return {nullptr, parse_error{400, "start line not terminated by CRLF"}};
  start_line_end_ = lf_at - 1;

  fields_ = &scratch_fields();
  split_headers(lf_at + 1);
  if (truncated_) message_end_ = header_end_;
  else frame_body();

  message_ptr handle = message::allocate(static_cast<std::uint32_t>(fields_->size()), data_.substr(0, message_end_));
  message& m = const_cast<message&>(*handle);
  std::memcpy(m.fields(), fields_->data(), fields_->size() * sizeof(header_field));
  char* buffer = m.data();
  for (const header_field& f : *fields_) {
    if (!f.folded) continue;
    for (std::size_t i = f.value_offset; i < f.value_offset + f.value_length; ++i)
      if (buffer[i] == '\r' || buffer[i] == '\n') buffer[i] = ' ';  // §7.3.1: folding is one SP
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
  return detail::message_parser(bytes, mode, limits).run();
}

}  // namespace sipactor
