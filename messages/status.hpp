// Reason phrases of RFC 3261 §21 (and the extensions the stack sends).
#pragma once

#include <string_view>

namespace sipactor {

// "Not Found" for 404; a class phrase ("Client Error") for codes without a registered one.
std::string_view default_reason_phrase(int status) noexcept;

}  // namespace sipactor
