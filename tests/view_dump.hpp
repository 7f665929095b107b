// A text dump of everything parse_message decided about some bytes: the error, and every view of
// the message with each span as offset:length into the message and its text. Two parses of the
// same bytes along different paths (the fast views or the full parsers, the AVX-512 or the
// portable classifier) must give the same dump. Used by the tests and the parse fuzzer.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/char_masks.hpp"
#include "messages/fast_views.hpp"
#include "messages/message_parser.hpp"
#include "messages/parser.hpp"

namespace sipactor::test {

class view_dump {
 public:
  explicit view_dump(const parse_result& r) {
    if (r.error) out_ += "error " + std::to_string(r.error->status) + " " + r.error->reason + "\n";
    if (!r.message) return;
    const message& m = *r.message;
    base_ = m.bytes().data();
    span("bytes", m.bytes());
    num("status", m.status());
    num("method", static_cast<long long>(m.method()));
    span("method_name", m.method_name());
    span("reason", m.reason_phrase());
    add("ruri", m.request_uri());
    add("top_via", m.top_via());
    num("via_count", static_cast<long long>(m.via_count()));
    add("from", m.from());
    add("to", m.to());
    span("from_tag", m.from_tag());
    span("to_tag", m.to_tag());
    span("call_id", m.call_id());
    num("cseq", m.cseq().number);
    span("cseq_method", m.cseq().method);
    num("max_forwards", m.max_forwards());
    num("expires", m.expires() ? static_cast<long long>(*m.expires()) : -1);
    num("min_expires", m.min_expires() ? static_cast<long long>(*m.min_expires()) : -1);
    span("content_type", m.content_type());
    span("body", m.body());
    for (std::size_t i = 0; i < m.header_count(); ++i) {
      const header h = m.header_at(i);
      num("header_id", static_cast<long long>(h.id));
      span("name", h.name);
      span("value", h.value);
    }
    const contact_list& contacts = m.contacts();
    num("contact_star", contacts.star);
    for (const contact& c : contacts.contacts) {
      add("contact", c.address);
      num("contact_expires", c.expires ? static_cast<long long>(*c.expires) : -1);
      num("contact_q", c.q_milli);
    }
    for (const via& v : m.vias()) add("via", v);
  }
  // A URI alone, its spans as offsets from base.
  view_dump(const uri& u, const char* base) : base_(base) { add("uri", u); }
  const std::string& text() const noexcept { return out_; }

 private:
  void num(const char* what, long long v) { out_ += std::string(what) + "=" + std::to_string(v) + "\n"; }
  void span(const char* what, std::string_view s) {
    out_ += what;
    if (s.data() != nullptr && !s.empty()) out_ += "@" + std::to_string(s.data() - base_);
    out_ += "=";
    out_.append(s);
    out_ += "\n";
  }
  void add(const std::string& what, const uri& u) {
    span((what + ".text").c_str(), u.text);
    span((what + ".user").c_str(), u.user);
    span((what + ".password").c_str(), u.password);
    span((what + ".host").c_str(), u.host);
    span((what + ".params").c_str(), u.params);
    span((what + ".headers").c_str(), u.headers);
    num((what + ".port").c_str(), u.port);
    num((what + ".scheme").c_str(), static_cast<long long>(u.scheme));
    num((what + ".host_type").c_str(), static_cast<long long>(u.host_type));
    num((what + ".userinfo").c_str(), u.has_userinfo * 2 + u.has_password);
  }
  void add(const std::string& what, const via& v) {
    span((what + ".text").c_str(), v.text);
    span((what + ".transport").c_str(), v.transport);
    span((what + ".host").c_str(), v.host);
    num((what + ".port").c_str(), v.port);
    span((what + ".params").c_str(), v.params);
    span((what + ".branch").c_str(), v.branch);
    span((what + ".received").c_str(), v.received);
    span((what + ".maddr").c_str(), v.maddr);
    num((what + ".rport").c_str(), v.rport * 100000 + v.rport_value);
  }
  void add(const std::string& what, const name_addr& na) {
    span((what + ".text").c_str(), na.text);
    span((what + ".display").c_str(), na.display_name);
    add(what + ".uri", na.address);
    span((what + ".params").c_str(), na.params);
    span((what + ".tag").c_str(), na.tag_value);
    num((what + ".bracketed").c_str(), na.bracketed);
  }

  const char* base_ = nullptr;
  std::string out_;
};

// The URI fast path (fast_views.hpp) over bitmaps sized for exactly the octets of s, as the URI
// fuzzer and its regression inputs run it (in a message more octets always follow): the dump of
// what it read when it takes the whole text, else an empty string.
inline std::string fast_uri_dump(std::string_view s) {
  detail::char_masks masks;
  masks.reset(s.data(), s.size());
  masks.classify_through(s.size());
  uri fast;
  std::size_t stop = 0;
  if (!detail::fast_sip_uri(masks, 0, s.size(), stop, fast) || stop != s.size()) return {};
  return view_dump(fast, s.data()).text();
}

// The dumps of one input parsed along every path this machine has: the fast views with each
// classifier the CPU runs, and the full parsers alone. Restores the defaults.
struct path_dumps {
  std::string full;                                          // the full parsers alone
  std::vector<std::pair<detail::classifier, std::string>> fast;  // fast views, per classifier
  // The first fast path whose dump differs from the full parsers', or nullptr.
  const std::pair<detail::classifier, std::string>* mismatch() const {
    for (const auto& f : fast)
      if (f.second != full) return &f;
    return nullptr;
  }
};
inline path_dumps parse_all_paths(std::string_view bytes, framing mode = framing::datagram,
                                  const parse_limits& limits = {}, const packet_source* source = nullptr) {
  auto parse = [&] {
    return source != nullptr ? parse_message(bytes, mode, limits, *source) : parse_message(bytes, mode, limits);
  };
  path_dumps d;
  const detail::classifier best = detail::active_classifier();
  for (detail::classifier c : detail::all_classifiers) {
    if (!detail::classifier_available(c)) continue;
    detail::select_classifier(c);
    d.fast.emplace_back(c, view_dump(parse()).text());
  }
  detail::select_classifier(best);
  detail::enable_fast_views(false);
  d.full = view_dump(parse()).text();
  detail::enable_fast_views(true);
  return d;
}

}  // namespace sipactor::test
