// The common forms of the views parse_message fills, read with the character-class bitmaps of
// the message (char_masks.hpp). Each function either parses its text exactly as the full parser
// (via.cpp, name_addr.cpp, uri.cpp, scalar_headers.cpp) would, or returns false: on anything
// unusual (%-escapes, IPv6, URI headers, schemes other than sip/sips) and on every error, so that
// the full parser decides and words the reason. A false return may leave `out`
// partly written: the caller resets it. Internal to messages/.
#pragma once

#include <cstddef>

#include "messages/char_masks.hpp"
#include "messages/header_views.hpp"
#include "messages/uri.hpp"

namespace sipactor::detail {

// A sip: or sips: URI starting at b, read until the first octet that cannot continue it (at most
// e); `stop` is that position. The caller checks that the URI ends where its context says.
bool fast_sip_uri(const char_masks& m, std::size_t b, std::size_t e, std::size_t& stop, uri& out) noexcept;

// As parse_via_at / parse_name_addr_at on the value [pos, e): pos ends at e or at the ','.
bool fast_via(const char_masks& m, std::size_t e, std::size_t& pos, via& out) noexcept;
bool fast_name_addr(const char_masks& m, std::size_t e, std::size_t& pos, name_addr& out) noexcept;

// Whole values [b, e), already trimmed.
bool fast_call_id(const char_masks& m, std::size_t b, std::size_t e) noexcept;
bool fast_cseq(const char_masks& m, std::size_t b, std::size_t e, cseq_value& out) noexcept;
bool fast_media_type(const char_masks& m, std::size_t b, std::size_t e) noexcept;

}  // namespace sipactor::detail
