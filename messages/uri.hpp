// URIs of RFC 3261 §19.1 (sip, sips), RFC 3966 (tel) and any other absoluteURI kept opaque
// (RFC 4475 §3.3.2-3.3.4). A uri is a set of views into text owned elsewhere (the message buffer).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "messages/expected.hpp"

namespace sipactor {

enum class uri_scheme : std::uint8_t { sip, sips, tel, other };
enum class host_kind : std::uint8_t { none, name, ipv4, ipv6 };

struct uri {
  std::string_view text;      // the whole URI as written
  std::string_view user;      // sip/sips: user part (escaped); tel: the number
  std::string_view password;  // sip/sips
  std::string_view host;      // sip/sips: as written, IPv6 with its brackets
  std::string_view params;    // ";a=b;c" as written (sip/sips/tel), starting with ';'
  std::string_view headers;   // after '?', without it (sip/sips)
  std::uint16_t port = 0;     // 0: not given
  uri_scheme scheme = uri_scheme::other;
  host_kind host_type = host_kind::none;
  bool has_userinfo = false;  // an '@' was present
  bool has_password = false;

  bool is_sip() const noexcept { return scheme == uri_scheme::sip || scheme == uri_scheme::sips; }
  std::string_view scheme_text() const noexcept { return text.substr(0, text.find(':')); }
  // Everything after "scheme:" (what an unknown scheme is made of).
  std::string_view opaque() const noexcept {
    auto colon = text.find(':');
    return colon == std::string_view::npos ? std::string_view{} : text.substr(colon + 1);
  }
  std::optional<std::string_view> param(std::string_view name) const;
  bool has_param(std::string_view name) const { return param(name).has_value(); }
  std::string user_unescaped() const;
  // host without IPv6 brackets, lower-cased.
  std::string host_canonical() const;
};

// Parses one URI. `text` must be exactly the URI (no <>, no surrounding whitespace).
expected<uri> parse_uri(std::string_view text);
// The same into `out`, which must be default-constructed (it is filled, not reset); returns
// nullptr, or the reason the text is not a URI.
const char* parse_uri_into(std::string_view text, uri& out) noexcept;

// RFC 3261 §19.1.4 equivalence for sip/sips; RFC 3966 §4-style for tel; otherwise
// case-insensitive scheme and exact remainder.
bool uri_equivalent(const uri& a, const uri& b);

// Validation of a host as RFC 3261 §25.1 defines it (hostname / IPv4address / IPv6reference).
host_kind classify_host(std::string_view host) noexcept;

}  // namespace sipactor
