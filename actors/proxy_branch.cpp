#include "actors/proxy_branch.hpp"

#include "messages/identifiers.hpp"

namespace sipactor {

namespace {

// FNV-1a, 64 bits: equal inputs give equal values in every run and build, which a stateless
// proxy needs (§16.11: retransmissions get the same branch). Each field is followed by a
// separator so that moving text from one field to the next changes the value.
class fnv_hash {
 public:
  explicit fnv_hash(std::uint64_t seed = 14695981039346656037ull) : value_(seed) {}
  fnv_hash& add(std::string_view s) {
    for (char c : s) mix(static_cast<unsigned char>(c));
    mix(0x1f);
    return *this;
  }
  fnv_hash& add(std::uint32_t n) {
    for (int i = 0; i < 4; ++i) mix(static_cast<unsigned char>(n >> (8 * i)));
    mix(0x1f);
    return *this;
  }
  std::uint64_t value() const noexcept { return value_; }

 private:
  void mix(unsigned char c) noexcept {
    value_ ^= c;
    value_ *= 1099511628211ull;
  }
  std::uint64_t value_;
};

void append_hex(std::string& out, std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out += digits[(v >> shift) & 0xf];
}

void add_headers(fnv_hash& h, const message& m, header_id id) {
  m.for_each_header(id, [&](const header& line) { h.add(line.value); });
}

// The fields §16.6 step 8 lists, without Proxy-Require and Proxy-Authorization.
void add_routing_fields(fnv_hash& h, const message& request, std::string_view top_via) {
  h.add(request.to_tag()).add(request.from_tag()).add(request.call_id()).add(request.request_uri().text);
  h.add(top_via).add(request.cseq().number);
  add_headers(h, request, header_id::route);
}

std::string_view top_via_text(const message& request) {
  return request.via_count() > 0 ? request.top_via().text : std::string_view{};
}

// The Via `v` names: its branch when it has the magic cookie (§16.11), else the whole value.
std::string_view stateless_key(std::string_view top_via) {
  auto parsed = parse_via(top_via);
  if (parsed && parsed->has_rfc3261_branch()) return parsed->branch;
  return top_via;
}

}  // namespace

std::string loop_hash(const message& request, std::string_view top_via) {
  fnv_hash h;
  add_routing_fields(h, request, top_via);
  add_headers(h, request, header_id::proxy_require);
  add_headers(h, request, header_id::proxy_authorization);
  std::string out;
  append_hex(out, h.value());
  return out;
}

std::string stateful_branch(const message& request) {
  std::string b = new_branch();
  b += '.';
  b += loop_hash(request, top_via_text(request));
  return b;
}

std::string stateless_branch(const message& request, std::string_view top_via) {
  std::string_view key = stateless_key(top_via);
  // Two seeds: 128 bits, so that branches stay unique across transactions (§16.11) without a
  // random part.
  std::string b = "z9hG4bK";
  for (std::uint64_t seed : {14695981039346656037ull, 0x84222325cbf29ce4ull}) {
    fnv_hash h(seed);
    h.add(key);
    if (key.data() == top_via.data()) {
      // No RFC 3261 branch: the transaction is known by its fields (and the method is not one).
      h.add(request.to_tag()).add(request.from_tag()).add(request.call_id()).add(request.cseq().number);
    }
    h.add(request.request_uri().text);
    add_headers(h, request, header_id::route);
    append_hex(b, h.value());
  }
  return b;
}

std::string stateless_branch(const message& request) { return stateless_branch(request, top_via_text(request)); }

bool has_looped(const proxy_config& config, const message& request, bool stateless) {
  if (request.via_count() < 2) return false;
  const auto& vias = request.vias();
  for (std::size_t i = 0; i + 1 < vias.size(); ++i) {
    const via& v = vias[i];
    if (!is_our_sent_by(config, v.host, v.port)) continue;
    std::string_view below = vias[i + 1].text;
    if (stateless) {
      if (v.branch == stateless_branch(request, below)) return true;
      continue;
    }
    auto dot = v.branch.rfind('.');
    if (dot != std::string_view::npos && v.branch.substr(dot + 1) == loop_hash(request, below)) return true;
  }
  return false;
}

}  // namespace sipactor
