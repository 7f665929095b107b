// parse_message on one datagram, then the properties the rest of the stack relies on:
//  - every view of a parsed (or partial) message can be read, lazy ones included;
//  - the views of an accepted message agree with its header lines (the lazy lists were
//    validated at parse time, so they hold one entry per element);
//  - a copy serializes to a stream message that parses back equal to the original, except for
//    the Content-Length line serialization appends when the original had none; serializing
//    that again gives the same octets;
//  - parsed as received from a packet source, a request differs from the plain parse only in
//    its top via-parm, which carries received and rport as §18.2.1 and RFC 3581 §4 say;
//  - the forwarding edits of a proxy (push Via, Max-Forwards, Route, Record-Route) on an
//    accepted request, and popping the top Via of a response, give messages that parse;
//  - a response to an accepted request parses; the answer to a rejected but answerable request
//    (§8.2.6) serializes and parses as a response with the error's status, and parses without
//    error whenever the Via, From, To, Call-ID and CSeq it copies were valid;
//  - the bitmap fast paths (with each character classifier) and the full parsers give the same
//    error, the same views and the same spans (tests/view_dump.hpp).
#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "fuzz/fuzz_common.hpp"
#include "messages/builder.hpp"
#include "messages/parser.hpp"
#include "tests/view_dump.hpp"

using namespace sipactor;
using namespace sipactor::fuzz;

namespace {

// Limits protect against what peers send; our own output may pass them (a copy of a message
// at the limit gains a Content-Length line and ": " after each name, a forwarded one a Via and
// more), so copies are parsed as message_builder::build() parses them: without peer limits.
parse_limits own_output_limits() {
  parse_limits l;
  l.max_message_bytes = 16 * 1024 * 1024;
  l.max_header_lines = 65535;
  return l;
}

std::string describe(const parse_result& r, std::string_view bytes) {
  std::string out = r.error ? std::to_string(r.error->status) + " " + r.error->reason : "ok";
  out += " | ";
  out.append(bytes.substr(0, 1500));
  return out;
}

void touch_message(const message& m, bool accepted) {
  use(m.is_request() ? 1u : 2u);
  use(static_cast<std::size_t>(m.method()));
  use(m.method_name());
  if (m.is_request()) {
    // request_uri() is only set from a successful parse_uri.
    touch_uri(m.request_uri(), !m.request_uri().text.empty());
  } else {
    use(static_cast<std::size_t>(m.status()));
    use(m.reason_phrase());
  }

  const std::vector<header> all = m.headers();
  FUZZ_CHECK(all.size() == m.header_count());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const header& h = all[i];
    const header at = m.header_at(i);
    FUZZ_CHECK(at.id == h.id && at.name == h.name && at.value == h.value);
    FUZZ_CHECK(!h.name.empty());
    // "outer whitespace trimmed" (folding included: a folded value must not start with the
    // space a stray CR became).
    if (accepted) FUZZ_CHECK_MSG(text::trim(h.value) == h.value, h.value);
    use(h.name);
    use(h.value);
    FUZZ_CHECK_MSG(m.header_value(h.name).has_value(), h.name);
    FUZZ_CHECK(m.header_count(h.id) >= 1);
    if (h.id != header_id::other) FUZZ_CHECK(m.header_value(h.id).has_value());
  }

  touch_via(m.top_via());
  use(m.via_count());
  if (!m.from().text.empty()) touch_name_addr(m.from(), true);
  if (!m.to().text.empty()) touch_name_addr(m.to(), true);
  FUZZ_CHECK(m.from_tag() == m.from().tag());
  FUZZ_CHECK(m.to_tag() == m.to().tag());
  use(m.call_id());
  use(m.cseq().number);
  use(m.cseq().method);
  use(static_cast<std::size_t>(m.max_forwards() + 1));
  use(m.expires().value_or(0));
  use(m.min_expires().value_or(0));
  use(m.content_type());
  use(m.has_content_length() ? 1u : 0u);
  use(m.body());

  const std::vector<via>& vias = m.vias();
  for (const via& v : vias) touch_via(v);
  const contact_list& contacts = m.contacts();
  use(contacts.star ? 1u : 0u);
  for (const contact& c : contacts.contacts) {
    touch_name_addr(c.address, true);
    use(c.expires.value_or(0));
    FUZZ_CHECK(c.q_milli >= -1 && c.q_milli <= 1000);
  }
  for (const name_addr& r : m.routes()) touch_name_addr(r, true);
  for (const name_addr& r : m.record_routes()) touch_name_addr(r, true);
  touch_token_list(m.allow());
  touch_token_list(m.supported());
  touch_token_list(m.require());
  touch_token_list(m.proxy_require());
  touch_token_list(m.unsupported());
  touch_auth(m.www_authenticate());
  touch_auth(m.proxy_authenticate());
  touch_auth(m.authorization());
  touch_auth(m.proxy_authorization());
  touch_expected(m.media(), [](const media_type& t) {
    use(t.type);
    use(t.subtype);
    use(t.params);
    use(t.is("application", "sdp") ? 1u : 0u);
    touch_params(t.params);
  });
  touch_expected(m.date(), [](const sip_date& d) {
    FUZZ_CHECK(d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31);
    use(static_cast<std::size_t>(d.unix_time()));
  });
  touch_expected(m.retry_after(), [](const retry_after_value& r) {
    use(r.seconds);
    use(r.comment);
    use(r.params);
    use(r.duration.value_or(0));
  });
  touch_expected(m.timestamp(), [](const timestamp_value& t) {
    use(t.value);
    use(t.delay);
  });
  FUZZ_CHECK(m.start_line_length() <= m.bytes().size());
  FUZZ_CHECK(m.body().size() <= m.bytes().size());
  use(m.heap_bytes());

  if (!accepted) return;
  // The message was accepted: the checks that ran at parse time hold for the views.
  FUZZ_CHECK(m.via_count() >= 1);
  if (m.via_count() < 255) FUZZ_CHECK(vias.size() == m.via_count());
  else FUZZ_CHECK(vias.size() >= 255);
  FUZZ_CHECK(vias.front().text == m.top_via().text);
  FUZZ_CHECK(!m.from().text.empty() && !m.to().text.empty());
  FUZZ_CHECK(!m.call_id().empty() && !m.cseq().method.empty());
  if (m.is_request()) FUZZ_CHECK(m.cseq().method == m.method_name());
  if (m.is_response()) FUZZ_CHECK(m.status() >= 100 && m.status() <= 699);
  FUZZ_CHECK(m.max_forwards() >= -1 && m.max_forwards() <= 255);
  if (m.has_content_length()) {
    auto length = text::parse_decimal(*m.header_value(header_id::content_length), 1u << 20);
    FUZZ_CHECK(length && *length == m.body().size());
  }
  FUZZ_CHECK(m.routes().size() == element_count(m, header_id::route));
  FUZZ_CHECK(m.record_routes().size() == element_count(m, header_id::record_route));
  std::size_t contact_elements = 0;
  m.for_each_header(header_id::contact, [&](const header& h) {
    if (text::trim(h.value) == "*") return;
    text::for_each_element(h.value, [&](std::string_view) {
      ++contact_elements;
      return true;
    });
  });
  FUZZ_CHECK(contacts.contacts.size() == contact_elements);
}

// b equals a plus one Content-Length line at the end, carrying the body length.
void check_equal_but_added_length(const message& a, const message& b, std::string_view wire) {
  FUZZ_CHECK_MSG(b.has_content_length(), wire);
  FUZZ_CHECK_MSG(a.status() == b.status() && a.body() == b.body(), wire);
  if (a.is_request())
    FUZZ_CHECK_MSG(a.method_name() == b.method_name() && a.request_uri().text == b.request_uri().text, wire);
  else
    FUZZ_CHECK_MSG(a.reason_phrase() == b.reason_phrase(), wire);
  FUZZ_CHECK_MSG(b.header_count() == a.header_count() + 1, wire);
  for (std::size_t i = 0; i < a.header_count(); ++i) {
    header ha = a.header_at(i), hb = b.header_at(i);
    FUZZ_CHECK_MSG(ha.id == hb.id && ha.value == hb.value && text::iequals(ha.name, hb.name), wire);
  }
  header added = b.header_at(a.header_count());
  FUZZ_CHECK_MSG(added.id == header_id::content_length && added.value == std::to_string(a.body().size()), wire);
}

void check_round_trip(const message_ptr& original) {
  const message& m = *original;
  const std::string wire = message_builder::copy_of(original).serialize();
  parse_result again = parse_message(wire, framing::stream, own_output_limits());
  FUZZ_CHECK_MSG(again.ok(), describe(again, wire));
  if (m.has_content_length()) FUZZ_CHECK_MSG(*again.message == m, wire);
  else check_equal_but_added_length(m, *again.message, wire);
  // The serialized form is a fixed point.
  const std::string wire2 = message_builder::copy_of(again.message).serialize();
  FUZZ_CHECK_MSG(wire2 == wire, wire2);
  parse_result third = parse_message(wire2, framing::stream, own_output_limits());
  FUZZ_CHECK_MSG(third.ok() && *third.message == *again.message, describe(third, wire2));
  touch_message(*again.message, true);
  FUZZ_CHECK(message_builder::copy_of(original).build().ok());
}

// §16.6 steps 3, 4, 6 (strict-route popping aside) and 8 on an accepted request.
void check_forwarding(const message_ptr& request) {
  const message& m = *request;
  auto b = message_builder::copy_of(request);
  b.push_via("SIP/2.0/TCP proxy.fuzz.invalid:5060;branch=z9hG4bKfuzz.1");
  b.decrement_max_forwards();
  if (!m.routes().empty()) b.pop_route();
  b.add_record_route("<sip:proxy.fuzz.invalid;lr>");
  const std::string wire = b.serialize();
  parse_result fwd = parse_message(wire, framing::stream, own_output_limits());
  FUZZ_CHECK_MSG(fwd.ok(), describe(fwd, wire));
  const message& f = *fwd.message;
  FUZZ_CHECK_MSG(f.top_via().branch == "z9hG4bKfuzz.1" && f.top_via().host == "proxy.fuzz.invalid", wire);
  if (m.via_count() < 255) FUZZ_CHECK_MSG(f.via_count() == m.via_count() + 1, wire);
  int expected_mf = m.max_forwards() < 0 ? 70 : (m.max_forwards() > 0 ? m.max_forwards() - 1 : 0);
  FUZZ_CHECK_MSG(f.max_forwards() == expected_mf, wire);
  if (!m.routes().empty()) FUZZ_CHECK_MSG(f.routes().size() == m.routes().size() - 1, wire);
  FUZZ_CHECK_MSG(!f.record_routes().empty() && f.record_routes().front().address.host == "proxy.fuzz.invalid", wire);
  FUZZ_CHECK_MSG(f.record_routes().size() == m.record_routes().size() + 1, wire);
  FUZZ_CHECK_MSG(f.body() == m.body() && f.request_uri().text == m.request_uri().text, wire);
}

// §16.7 step 3 on an accepted response with more than one Via.
void check_pop_via(const message_ptr& response) {
  const message& m = *response;
  if (m.via_count() < 2 || m.via_count() >= 255) return;
  const std::string wire = message_builder::copy_of(response).pop_via().serialize();
  parse_result up = parse_message(wire, framing::stream, own_output_limits());
  FUZZ_CHECK_MSG(up.ok(), describe(up, wire));
  FUZZ_CHECK_MSG(up.message->via_count() == m.via_count() - 1, wire);
  FUZZ_CHECK_MSG(up.message->top_via().text == m.vias()[1].text, wire);
}

bool valid_call_id(std::string_view s) {
  auto word = [](std::string_view w) { return !w.empty() && text::all_of(w, text::word); };
  std::size_t at = s.find('@');
  return at == std::string_view::npos ? word(s) : word(s.substr(0, at)) && word(s.substr(at + 1));
}

// The headers response_to copies are present once (Via: at least once) and each parses.
bool copied_headers_valid(const message& request) {
  bool ok = request.header_count(header_id::via) >= 1 && request.header_count(header_id::from) == 1 &&
            request.header_count(header_id::to) == 1 && request.header_count(header_id::call_id) == 1 &&
            request.header_count(header_id::cseq) == 1;
  if (!ok) return false;
  request.for_each_header(header_id::via, [&](const header& h) {
    text::for_each_element(h.value, [&](std::string_view element) {
      if (element.empty() || !parse_via(element)) ok = false;
      return ok;
    });
  });
  return ok && parse_name_addr(*request.header_value(header_id::from)).ok() &&
         parse_name_addr(*request.header_value(header_id::to)).ok() &&
         valid_call_id(*request.header_value(header_id::call_id)) &&
         parse_cseq(*request.header_value(header_id::cseq)).ok();
}

void check_response(const message& request, int status, std::string_view to_tag, bool must_parse) {
  const std::string wire = message_builder::response_to(request, status, {}, to_tag).serialize();
  parse_result r = parse_message(wire, framing::stream, own_output_limits());
  FUZZ_CHECK_MSG(r.message != nullptr, describe(r, wire));
  FUZZ_CHECK_MSG(r.message->is_response() && r.message->status() == status, describe(r, wire));
  if (!must_parse) return;
  FUZZ_CHECK_MSG(r.ok(), describe(r, wire));
  const message& resp = *r.message;
  FUZZ_CHECK_MSG(resp.call_id() == request.call_id() && resp.from_tag() == request.from_tag(), wire);
  FUZZ_CHECK_MSG(resp.cseq().number == request.cseq().number && resp.cseq().method == request.cseq().method, wire);
  FUZZ_CHECK_MSG(resp.via_count() == request.via_count() && resp.top_via().text == request.top_via().text, wire);
  // §8.2.6.2: the To tag is the request's, or the one the UAS added (not to a 100).
  std::string_view expected_tag = !request.to_tag().empty() || status == 100 ? request.to_tag() : to_tag;
  FUZZ_CHECK_MSG(resp.to_tag() == expected_tag, wire);
  touch_message(resp, true);
}

}  // namespace

bool same_ip(std::string_view host, std::string_view address) {
  if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::string h(host), a(address);
  in6_addr x{}, y{};
  if (inet_pton(AF_INET6, h.c_str(), &x) == 1 && inet_pton(AF_INET6, a.c_str(), &y) == 1)
    return std::memcmp(&x, &y, sizeof x) == 0;
  return host == address;
}

// The request parsed as received from `source` against the plain parse of the same octets.
void check_received(std::string_view input, const parse_result& plain, const packet_source& source) {
  const parse_result r = parse_message(input, framing::datagram, parse_limits{}, source);
  FUZZ_CHECK_MSG(r.ok() == plain.ok(), describe(r, input));
  FUZZ_CHECK((r.message == nullptr) == (plain.message == nullptr));
  if (!r.message) return;
  touch_message(*r.message, r.ok());
  if (!r.ok()) return;
  const message& m = *r.message;
  const message& p = *plain.message;
  if (m.is_response()) {
    FUZZ_CHECK_MSG(m == p, m.bytes());
    return;
  }
  check_round_trip(r.message);
  // Everything but the top via-parm is unchanged.
  FUZZ_CHECK_MSG(m.header_count() == p.header_count() && m.body() == p.body() && m.via_count() == p.via_count(), m.bytes());
  FUZZ_CHECK_MSG(m.request_uri().text == p.request_uri().text && m.has_content_length() == p.has_content_length(), m.bytes());
  bool top_seen = false;
  for (std::size_t i = 0; i < m.header_count(); ++i) {
    const header a = m.header_at(i), b = p.header_at(i);
    FUZZ_CHECK_MSG(a.id == b.id && a.name == b.name, m.bytes());
    if (a.id == header_id::via && !top_seen) {
      top_seen = true;
      // The rest of the first Via line follows the top via-parm unchanged.
      const std::string_view tail_p = b.value.substr(p.top_via().text.size());
      FUZZ_CHECK_MSG(a.value.size() >= tail_p.size() && a.value.substr(a.value.size() - tail_p.size()) == tail_p, a.value);
      continue;
    }
    FUZZ_CHECK_MSG(a.value == b.value, m.bytes());
  }
  const via& was = p.top_via();
  const via& now = m.top_via();
  FUZZ_CHECK_MSG(now.host == was.host && now.port == was.port && now.transport == was.transport, now.text);
  FUZZ_CHECK_MSG(now.branch == was.branch && now.maddr == was.maddr && now.rport == was.rport, now.text);
  const bool received = was.rport || classify_host(was.host) == host_kind::name ||
                        !same_ip(was.host, source.address) || !was.received.empty();
  FUZZ_CHECK_MSG(now.received == (received ? source.address : std::string_view{}), now.text);
  const std::uint16_t rport = !was.rport ? 0 : was.rport_value != 0 ? was.rport_value : source.port;
  FUZZ_CHECK_MSG(now.rport_value == rport, now.text);
  for (std::size_t i = 1; i < m.vias().size() && i < p.vias().size(); ++i)
    FUZZ_CHECK_MSG(m.vias()[i].text == p.vias()[i].text, m.bytes());
}

// The bitmap fast paths with every classifier, and the full parsers alone, decide the same.
void check_paths(std::string_view input, std::size_t size) {
  static const packet_source source{"192.0.2.1", 5060};
  const test::path_dumps d = test::parse_all_paths(input, size % 2 ? framing::stream : framing::datagram, {},
                                                   size % 3 == 0 ? &source : nullptr);
  if (const auto* bad = d.mismatch())
    invariant_failed(__FILE__, __LINE__, "fast path (classifier below) == full parsers",
                     "classifier " + std::to_string(static_cast<int>(bad->first)) + "\n" + bad->second +
                         "\n---- full parsers:\n" + d.full);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_paths(input, size);
  const parse_result r = parse_message(input, framing::datagram);
  if (r.ok()) {
    FUZZ_CHECK(r.message != nullptr);
    touch_message(*r.message, true);
    check_round_trip(r.message);
    static const packet_source sources[] = {{"192.0.2.1", 5060}, {"2001:db8::1", 5070}, {"10.0.0.7", 1}};
    check_received(input, r, sources[size % 3]);
    if (r.message->is_request()) {
      check_forwarding(r.message);
      check_response(*r.message, 100, {}, true);
      check_response(*r.message, 180, "fuzz-to-tag", true);
    } else {
      check_pop_via(r.message);
    }
    return 0;
  }
  const parse_error& e = *r.error;
  FUZZ_CHECK(!e.reason.empty());
  FUZZ_CHECK_MSG(e.status == 400 || e.status == 501 || e.status == 505 || e.status == 513, e.reason);
  if (r.message) touch_message(*r.message, false);
  check_received(input, r, packet_source{"192.0.2.1", 5060});
  if (r.answerable()) check_response(*r.message, e.status, {}, copied_headers_valid(*r.message));
  return 0;
}
