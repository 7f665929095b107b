// SIP methods (RFC 3261 §7.1 and the extensions the stack knows). Method names are
// case-sensitive; anything else is `unknown` and keeps its text in the message.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipactor {

enum class sip_method : std::uint8_t {
  unknown,
  invite,
  ack,
  bye,
  cancel,
  options,
  register_,
  prack,
  subscribe,
  notify,
  publish,
  info,
  refer,
  message,
  update,
};

sip_method method_from_name(std::string_view name) noexcept;
std::string_view method_name(sip_method m) noexcept;  // "" for unknown

}  // namespace sipactor
