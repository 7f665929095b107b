// The typed views parse_message fills and validates (RFC 3261 §20), and the headers every message
// must carry (§8.1.1). Each header goes through its fast path (fast_views.hpp) first; whatever
// that does not take is parsed again by the full parser, which decides and words the error.
#include <atomic>
#include <cstdint>

#include "messages/fast_views.hpp"
#include "messages/header_table.hpp"
#include "messages/message_parser.hpp"
#include "messages/text.hpp"

namespace sipactor::detail {

namespace {

std::atomic<bool> fast_views_on{true};

bool valid_call_id(std::string_view s) {
  // callid = word [ "@" word ]
  std::size_t at = s.find('@');
  auto word = [](std::string_view w) { return !w.empty() && text::all_of(w, text::word); };
  if (at == std::string_view::npos) return word(s);
  return word(s.substr(0, at)) && word(s.substr(at + 1));
}

constexpr std::uint64_t bit(header_id id) { return std::uint64_t{1} << static_cast<unsigned>(id); }

// a == b for names such as methods: up to 16 octets as two overlapping words from each side,
// without a call to memcmp; longer ones by ==.
inline bool same_octets(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    if (SIPACTOR_UNLIKELY(n > 16)) return a == b;
    return ((load_word<std::uint64_t>(x) ^ load_word<std::uint64_t>(y)) |
            (load_word<std::uint64_t>(x + n - 8) ^ load_word<std::uint64_t>(y + n - 8))) == 0;
  }
  if (n >= 4) {
    return ((load_word<std::uint32_t>(x) ^ load_word<std::uint32_t>(y)) |
            (load_word<std::uint32_t>(x + n - 4) ^ load_word<std::uint32_t>(y + n - 4))) == 0;
  }
  if (n >= 2) {
    return ((load_word<std::uint16_t>(x) ^ load_word<std::uint16_t>(y)) |
            (load_word<std::uint16_t>(x + n - 2) ^ load_word<std::uint16_t>(y + n - 2))) == 0;
  }
  return n == 0 || x[0] == y[0];
}

}  // namespace

bool fast_views_enabled() noexcept { return fast_views_on.load(std::memory_order_relaxed); }
void enable_fast_views(bool on) noexcept { fast_views_on.store(on, std::memory_order_relaxed); }

void message_parser::fail_header(header_id id, std::string_view what, const char* reason) {
  if (error_) return;
  std::string r = "invalid ";
  r += id == header_id::other ? what : canonical_name(id);
  r += " header: ";
  r += reason;
  fail(400, std::move(r));
}

__attribute__((always_inline)) inline void message_parser::via_header(message& m, std::size_t index, bool first) {
  const auto [vb, ve] = value_span(m, index);
  const std::uint8_t count_before = m.via_count_;
  // After a Via header that failed, top_via_ holds what the full parser read of it, and keeps it
  // unless another value overwrites it: only the full parser reproduces that.
  if (fast_ && (first || count_before != 0)) {
    std::size_t pos = vb;
    bool ok = true;
    for (;;) {
      if (m.via_count_ == 0) {
        if (!(ok = fast_via(*masks_, ve, pos, m.top_via_))) break;
        m.via_count_ = 1;
      } else {
        via other;  // the other values: validated only
        if (!(ok = fast_via(*masks_, ve, pos, other))) break;
        if (m.via_count_ < 255) ++m.via_count_;
      }
      if (pos >= ve) break;
      ++pos;  // the comma
    }
    if (ok) return;
    m.via_count_ = count_before;
    if (count_before == 0) m.top_via_ = via{};
  }
  const header h = m.header_at(index);
  std::size_t pos = 0;
  const char* reason = nullptr;
  if (m.via_count_ == 0) {
    reason = parse_via_at(h.value, pos, m.top_via_);
    if (reason == nullptr) m.via_count_ = 1;
    if (reason == nullptr && pos < h.value.size()) ++pos;
  }
  while (reason == nullptr && pos < h.value.size()) {
    via other;
    reason = parse_via_at(h.value, pos, other);
    if (reason == nullptr && m.via_count_ < 255) ++m.via_count_;
    if (reason == nullptr && pos < h.value.size()) ++pos;
  }
  if (reason != nullptr) fail_header(h.id, h.name, reason);
}

// From and To: one name-addr each.
__attribute__((always_inline)) inline void message_parser::address_header(message& m, std::size_t index) {
  const auto [vb, ve] = value_span(m, index);
  const bool is_from = m.fields()[index].id == header_id::from;
  name_addr& target = is_from ? m.from_ : m.to_;
  std::size_t pos = vb;
  if (fast_) {
    if (fast_name_addr(*masks_, ve, pos, target) && pos == ve) return;
    target = name_addr{};
  }
  const header h = m.header_at(index);
  pos = 0;
  const char* reason = parse_name_addr_at(h.value, pos, target);
  if (reason == nullptr && pos != h.value.size()) reason = "more than one address";
  if (reason != nullptr) {
    target = name_addr{};
    fail_header(h.id, h.name, reason);
  }
}

// The first Contact value is kept parsed (§20.10, with its expires and q) for contacts() while it is
// the only one.
__attribute__((always_inline)) inline void message_parser::contact_header(message& m, std::size_t index) {
  const auto [vb, ve] = value_span(m, index);
  // A "*" (§20.10) once trimmed: the value starts with '*' or whitespace.
  const char first = vb < ve ? m.data()[vb] : '\0';
  if ((first == '*' || text::is_lws(first)) && text::trim(value_at(m, vb, ve)) == "*") {
    m.contact_values_ = message::contact_values_unknown;
    return;
  }
  if (fast_) {
    const std::uint8_t before = m.contact_values_;
    std::size_t pos = vb;
    bool ok = true;
    for (;;) {
      if (m.contact_values_ == 0) {
        // Read as contacts() reads it (expires, q), so that contacts() returns it as it is.
        // (single_contact_ is empty while contact_values_ is 0.)
        contact& c = m.single_contact_.contacts.emplace_back();
        ok = fast_name_addr(*masks_, ve, pos, c.address) && read_contact_params(c.address, c) == nullptr;
        if (ok) m.contact_values_ = 1;
      } else {
        name_addr other;
        ok = fast_name_addr(*masks_, ve, pos, other) &&
             (other.params.empty() || check_contact_params(other) == nullptr);
        if (ok && m.contact_values_ != message::contact_values_unknown) m.contact_values_ = 2;
      }
      if (!ok || pos >= ve) break;
      ++pos;  // the comma
    }
    if (ok) return;
    if (before == 0) m.single_contact_.contacts.clear();
  }
  m.contact_values_ = message::contact_values_unknown;
  const header h = m.header_at(index);
  const char* q_reason = nullptr;
  const char* reason = for_each_value<name_addr>(h.value, parse_name_addr_at, [&](const name_addr& na) {
    if (q_reason == nullptr) q_reason = check_contact_params(na);
  });
  if (reason != nullptr || q_reason != nullptr) fail_header(h.id, h.name, reason != nullptr ? reason : q_reason);
}

// Route and Record-Route: lists of name-addrs, validated here, parsed on use.
void message_parser::route_header(message& m, std::size_t index) {
  const auto [vb, ve] = value_span(m, index);
  if (fast_) {
    std::size_t pos = vb;
    for (;;) {
      name_addr na;
      if (!fast_name_addr(*masks_, ve, pos, na)) break;
      if (pos >= ve) return;
      ++pos;
    }
  }
  const header h = m.header_at(index);
  if (const char* reason = for_each_value<name_addr>(h.value, parse_name_addr_at, [](const name_addr&) {}))
    fail_header(h.id, h.name, reason);
}

void message_parser::parse_views(message& m) {
  std::uint64_t seen = 0;  // bit per header_id present
  static_assert(static_cast<unsigned>(header_id::count_) <= 64);
  auto single = [&](header_id id) __attribute__((always_inline)) {
    if ((seen & bit(id)) != 0) {
      if (!error_) fail(400, std::string("multiple ") + std::string(canonical_name(id)) + " headers");
      return false;
    }
    seen |= bit(id);
    return true;
  };
  const header_field* fields = m.fields();
  for (std::size_t i = 0; i < m.header_count_; ++i) {
    const header_field& f = fields[i];
    const std::size_t vb = f.value_offset, ve = vb + f.value_length;
    switch (f.id) {
      case header_id::via:
        via_header(m, i, (seen & bit(header_id::via)) == 0);
        seen |= bit(header_id::via);
        break;
      case header_id::from:
      case header_id::to:
        if (single(f.id)) address_header(m, i);
        break;
      case header_id::call_id: {
        if (!single(f.id)) break;
        m.call_id_ = value_at(m, vb, ve);
        if (!(fast_ && fast_call_id(*masks_, vb, ve)) && !valid_call_id(m.call_id_))
          fail_header(f.id, {}, "not a word [\"@\" word]");
        break;
      }
      case header_id::cseq: {
        if (!single(f.id) || (fast_ && fast_cseq(*masks_, vb, ve, m.cseq_))) break;
        const header h = m.header_at(i);
        if (auto c = parse_cseq(h.value)) m.cseq_ = *c;
        else fail_header(h.id, h.name, c.reason());
        break;
      }
      case header_id::max_forwards: {
        if (!single(f.id)) break;
        // §20.22: an integer in the range 0-255 (RFC 4475 §3.1.2.4)
        std::uint64_t v = 0;
        if (text::parse_decimal(value_at(m, vb, ve), 255, v)) m.max_forwards_ = static_cast<int>(v);
        else fail_header(f.id, {}, "not a number from 0 to 255");
        break;
      }
      case header_id::content_type: {
        if (!single(f.id)) break;
        m.content_type_ = value_at(m, vb, ve);
        if (fast_ && fast_media_type(*masks_, vb, ve)) break;
        if (auto t = parse_media_type(m.content_type_); !t) fail_header(f.id, {}, t.reason());
        break;
      }
      case header_id::expires:
      case header_id::min_expires: {
        if (!single(f.id)) break;
        const header h = m.header_at(i);
        if (auto v = parse_delta_seconds(h.value)) (h.id == header_id::expires ? m.expires_ : m.min_expires_) = *v;
        else fail_header(h.id, h.name, v.reason());
        break;
      }
      case header_id::contact:
        contact_header(m, i);
        break;
      case header_id::route:
      case header_id::record_route:
        route_header(m, i);
        break;
      default:
        break;
    }
  }
  seen_ = seen;
}

void message_parser::check_required(message& m) {
  // §8.1.1: To, From, CSeq, Call-ID and Via are mandatory in every request (and every response
  // carries them back, §8.2.6.2). Max-Forwards is not demanded: RFC 2543 peers omit it.
  constexpr std::uint64_t required =
      bit(header_id::via) | bit(header_id::from) | bit(header_id::to) | bit(header_id::call_id) | bit(header_id::cseq);
  if ((seen_ & required) != required) {
    std::string missing;
    auto need = [&](header_id id) {
      if ((seen_ & bit(id)) != 0) return;
      missing += missing.empty() ? "" : ", ";
      missing += canonical_name(id);
    };
    need(header_id::via);
    need(header_id::from);
    need(header_id::to);
    need(header_id::call_id);
    need(header_id::cseq);
    fail(400, "missing required header: " + missing);
    return;
  }
  if (m.is_request()) {
    // §8.1.1.5: the CSeq method matches the request's, octet for octet (§7.1: case-sensitive).
    const bool same = same_octets(m.cseq_.method, m.method_name_);
    if (!error_ && !same) {
      // RFC 4475 §3.1.2.17-18: 400; 501 preferred when the method itself is unknown.
      fail(m.method_ == sip_method::unknown ? 501 : 400, "CSeq method does not match the request method");
    }
  } else {
    m.method_ = method_from_name(m.cseq_.method);
  }
}

}  // namespace sipactor::detail
