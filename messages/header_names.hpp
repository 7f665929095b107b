// Header field names of RFC 3261 §20 (and the common extensions), their compact forms (§7.3.3)
// and a case-insensitive lookup from name to id.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipactor {

enum class header_id : std::uint8_t {
  other = 0,  // unknown: kept verbatim, looked up by name
  accept,
  accept_encoding,
  accept_language,
  alert_info,
  allow,
  allow_events,
  authentication_info,
  authorization,
  call_id,
  call_info,
  contact,
  content_disposition,
  content_encoding,
  content_language,
  content_length,
  content_type,
  cseq,
  date,
  error_info,
  event,
  expires,
  from,
  in_reply_to,
  max_forwards,
  mime_version,
  min_expires,
  organization,
  path,
  priority,
  proxy_authenticate,
  proxy_authorization,
  proxy_require,
  rack,
  reason,
  record_route,
  refer_to,
  referred_by,
  reply_to,
  require,
  retry_after,
  route,
  rseq,
  server,
  session_expires,
  subject,
  subscription_state,
  supported,
  timestamp,
  to,
  unsupported,
  user_agent,
  via,
  warning,
  www_authenticate,
  count_
};

// header_id::other for names we do not know. Accepts compact forms ("v", "i", "m", ...).
header_id lookup_header(std::string_view name) noexcept;

// The long form as RFC 3261 spells it ("Call-ID", "CSeq", "WWW-Authenticate").
std::string_view canonical_name(header_id id) noexcept;

}  // namespace sipactor
