#include "messages/header_names.hpp"

#include <array>

#include "messages/text.hpp"

namespace sipactor {

namespace {

struct name_entry {
  std::string_view name;
  header_id id;
};

constexpr name_entry long_names[] = {
    {"Accept", header_id::accept},
    {"Accept-Encoding", header_id::accept_encoding},
    {"Accept-Language", header_id::accept_language},
    {"Alert-Info", header_id::alert_info},
    {"Allow", header_id::allow},
    {"Allow-Events", header_id::allow_events},
    {"Authentication-Info", header_id::authentication_info},
    {"Authorization", header_id::authorization},
    {"Call-ID", header_id::call_id},
    {"Call-Info", header_id::call_info},
    {"Contact", header_id::contact},
    {"Content-Disposition", header_id::content_disposition},
    {"Content-Encoding", header_id::content_encoding},
    {"Content-Language", header_id::content_language},
    {"Content-Length", header_id::content_length},
    {"Content-Type", header_id::content_type},
    {"CSeq", header_id::cseq},
    {"Date", header_id::date},
    {"Error-Info", header_id::error_info},
    {"Event", header_id::event},
    {"Expires", header_id::expires},
    {"From", header_id::from},
    {"In-Reply-To", header_id::in_reply_to},
    {"Max-Forwards", header_id::max_forwards},
    {"MIME-Version", header_id::mime_version},
    {"Min-Expires", header_id::min_expires},
    {"Organization", header_id::organization},
    {"Path", header_id::path},
    {"Priority", header_id::priority},
    {"Proxy-Authenticate", header_id::proxy_authenticate},
    {"Proxy-Authorization", header_id::proxy_authorization},
    {"Proxy-Require", header_id::proxy_require},
    {"RAck", header_id::rack},
    {"Reason", header_id::reason},
    {"Record-Route", header_id::record_route},
    {"Refer-To", header_id::refer_to},
    {"Referred-By", header_id::referred_by},
    {"Reply-To", header_id::reply_to},
    {"Require", header_id::require},
    {"Retry-After", header_id::retry_after},
    {"Route", header_id::route},
    {"RSeq", header_id::rseq},
    {"Server", header_id::server},
    {"Session-Expires", header_id::session_expires},
    {"Subject", header_id::subject},
    {"Subscription-State", header_id::subscription_state},
    {"Supported", header_id::supported},
    {"Timestamp", header_id::timestamp},
    {"To", header_id::to},
    {"Unsupported", header_id::unsupported},
    {"User-Agent", header_id::user_agent},
    {"Via", header_id::via},
    {"Warning", header_id::warning},
    {"WWW-Authenticate", header_id::www_authenticate},
};

// RFC 3261 §7.3.3 and the extensions that define compact forms (RFC 3265, 3515, 3892, 4028).
constexpr header_id compact_form(char c) noexcept {
  switch (text::to_lower(c)) {
    case 'c': return header_id::content_type;
    case 'e': return header_id::content_encoding;
    case 'f': return header_id::from;
    case 'i': return header_id::call_id;
    case 'k': return header_id::supported;
    case 'l': return header_id::content_length;
    case 'm': return header_id::contact;
    case 'o': return header_id::event;
    case 'r': return header_id::refer_to;
    case 's': return header_id::subject;
    case 't': return header_id::to;
    case 'u': return header_id::allow_events;
    case 'v': return header_id::via;
    case 'b': return header_id::referred_by;
    case 'x': return header_id::session_expires;
    default: return header_id::other;
  }
}

constexpr std::uint32_t hash_name(std::string_view s) noexcept {
  std::uint32_t h = 2166136261u;
  for (char c : s) h = (h ^ static_cast<unsigned char>(text::to_lower(c))) * 16777619u;
  return h;
}

// Open-addressing table over the long names: one hash and one comparison per lookup.
constexpr std::size_t table_size = 256;
struct name_table {
  std::array<std::uint8_t, table_size> slot{};  // index + 1 into long_names; 0 = empty
  constexpr name_table() {
    for (std::size_t i = 0; i < std::size(long_names); ++i) {
      std::size_t s = hash_name(long_names[i].name) % table_size;
      while (slot[s] != 0) s = (s + 1) % table_size;
      slot[s] = static_cast<std::uint8_t>(i + 1);
    }
  }
};
constexpr name_table table{};

}  // namespace

header_id lookup_header(std::string_view name) noexcept {
  if (name.size() == 1) return compact_form(name[0]);
  std::size_t s = hash_name(name) % table_size;
  while (table.slot[s] != 0) {
    const name_entry& e = long_names[table.slot[s] - 1];
    if (text::iequals(e.name, name)) return e.id;
    s = (s + 1) % table_size;
  }
  return header_id::other;
}

std::string_view canonical_name(header_id id) noexcept {
  for (const auto& e : long_names)
    if (e.id == id) return e.name;
  return {};
}

}  // namespace sipactor
