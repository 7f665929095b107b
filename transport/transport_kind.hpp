// The transports of RFC 3261 §18.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "messages/text.hpp"

namespace sipactor::transport {

enum class transport_kind : std::uint8_t { udp, tcp, tls };

constexpr std::string_view to_string(transport_kind t) noexcept {
  switch (t) {
    case transport_kind::udp: return "UDP";
    case transport_kind::tcp: return "TCP";
    case transport_kind::tls: return "TLS";
  }
  return "UDP";
}

constexpr bool is_reliable(transport_kind t) noexcept { return t != transport_kind::udp; }

// §18.2.2, §19.1.2, §26.2.2: the port a URI or Via without one means: 5061 for TLS, else 5060.
constexpr std::uint16_t default_port(transport_kind t) noexcept { return t == transport_kind::tls ? 5061 : 5060; }

// From a Via transport token or a URI transport parameter (case-insensitive).
inline std::optional<transport_kind> transport_from(std::string_view token) noexcept {
  if (text::iequals(token, "UDP")) return transport_kind::udp;
  if (text::iequals(token, "TCP")) return transport_kind::tcp;
  if (text::iequals(token, "TLS")) return transport_kind::tls;
  return std::nullopt;
}

}  // namespace sipactor::transport
