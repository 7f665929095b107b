#include "actors/transaction_key.hpp"

#include <functional>

#include "messages/text.hpp"

namespace sipactor {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::to_lower(c);
  return out;
}

std::string sent_by_of(const via& v) {
  std::string s = lower(v.host);
  if (v.port != 0) s += ":" + std::to_string(v.port);
  return s;
}

bool has_cookie(const message& m) { return m.via_count() > 0 && m.top_via().has_rfc3261_branch(); }

std::string_view key_method(const message& request) {
  return request.method() == sip_method::ack ? std::string_view("INVITE") : request.method_name();
}

transaction_key rfc2543_key(const message& request, std::string_view method) {
  transaction_key k;
  k.rfc2543 = true;
  k.method = std::string(method);
  k.request_uri = std::string(request.request_uri().text);
  k.from_tag = lower(request.from_tag());
  k.call_id = std::string(request.call_id());
  k.cseq = request.cseq().number;
  k.top_via = std::string(request.top_via().text);
  return k;
}

std::size_t mix(std::size_t h, std::size_t v) noexcept { return h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)); }

}  // namespace

bool operator==(const transaction_key& a, const transaction_key& b) {
  if (a.rfc2543 != b.rfc2543 || a.method != b.method) return false;
  if (!a.rfc2543) return a.branch == b.branch && a.sent_by == b.sent_by;
  return a.cseq == b.cseq && a.call_id == b.call_id && a.from_tag == b.from_tag && a.request_uri == b.request_uri &&
         a.top_via == b.top_via;
}

std::size_t transaction_key::hash() const noexcept {
  std::hash<std::string> h;
  std::size_t out = h(method);
  if (!rfc2543) return mix(mix(out, h(branch)), h(sent_by));
  return mix(mix(mix(out, h(call_id)), h(from_tag)), cseq);
}

transaction_key server_key(const message& request) {
  if (!has_cookie(request)) return rfc2543_key(request, key_method(request));
  transaction_key k;
  k.branch = lower(request.top_via().branch);
  k.sent_by = sent_by_of(request.top_via());
  k.method = std::string(key_method(request));
  return k;
}

transaction_key cancelled_invite_key(const message& cancel) {
  transaction_key k = server_key(cancel);
  k.method = "INVITE";
  return k;
}

transaction_key client_key(const message& response) {
  transaction_key k;
  k.branch = lower(response.top_via().branch);
  k.method = std::string(response.cseq().method);
  return k;
}

transaction_key client_key_of_request(const message& request) {
  transaction_key k;
  k.branch = lower(request.top_via().branch);
  k.method = std::string(key_method(request));
  return k;
}

std::size_t shard_of(const message& m, std::size_t shards) noexcept {
  if (shards <= 1) return 0;
  std::size_t h;
  if (has_cookie(m)) {
    // The branch alone: CANCEL and the ACK for a non-2xx share the INVITE's branch.
    h = 1469598103934665603ull;
    for (char c : m.top_via().branch) h = (h ^ static_cast<unsigned char>(text::to_lower(c))) * 1099511628211ull;
  } else {
    h = std::hash<std::string_view>{}(m.call_id()) ^ (static_cast<std::size_t>(m.cseq().number) * 0x9e3779b97f4a7c15ull);
  }
  return h % shards;
}

}  // namespace sipactor
