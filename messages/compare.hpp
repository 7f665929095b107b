// Header comparison rules of RFC 3261 §7.3.1 and §20 where elements compare values: tokens
// (tags, branch, methods in Via) are case-insensitive; Call-ID and the CSeq method are
// case-sensitive; From/To compare by URI and shared parameters (§20.20, §20.39).
#pragma once

#include <string_view>

#include "messages/header_views.hpp"

namespace sipactor {

// Tags (§19.3) and branch ids (§8.1.1.7) are tokens: case-insensitive (§7.3.1).
bool tags_equal(std::string_view a, std::string_view b) noexcept;
bool branches_equal(std::string_view a, std::string_view b) noexcept;
// §20.8: Call-IDs are case-sensitive and compared byte for byte.
inline bool call_ids_equal(std::string_view a, std::string_view b) noexcept { return a == b; }
// §20.16: equal sequence numbers and equal (case-sensitive) methods.
bool cseqs_equal(const cseq_value& a, const cseq_value& b) noexcept;
// §17.2.3: the sent-by of two Via values (host case-insensitive, port as given).
bool sent_by_equal(const via& a, const via& b) noexcept;
// §20.20/§20.39: From/To are equal when their URIs are equivalent (§19.1.4) and every
// parameter present in both has equal values; parameters present in one only are ignored.
bool addresses_equal(const name_addr& a, const name_addr& b);

}  // namespace sipactor
