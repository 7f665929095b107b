// The Digest scheme's computations and header values (RFC 3261 §22.4, RFC 2617 §3.2, RFC 7616
// §3.4, RFC 8760 §2): the hash algorithms, HA1/HA2/response, the challenges a server sends and
// the credentials it reads back. No state and no I/O; the server's decisions are in
// auth_verifier.hpp, the client's in auth_client.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messages/expected.hpp"
#include "messages/header_views.hpp"

namespace sipactor::auth {

// RFC 8760 §2.1: the algorithms of the IANA "Hash Algorithms for HTTP Digest Authentication"
// registry we implement. MD5 stays for RFC 3261 / RFC 2617 peers.
enum class digest_algorithm : std::uint8_t { md5, sha256 };

// What a server offers by default, most preferred first (RFC 8760 §2.3: challenges go out in
// the order the server would like them used).
inline const std::vector<digest_algorithm>& default_algorithms() {
  static const std::vector<digest_algorithm> algorithms{digest_algorithm::sha256, digest_algorithm::md5};
  return algorithms;
}

// The token of the "algorithm" parameter: "MD5", "SHA-256".
std::string_view algorithm_name(digest_algorithm a) noexcept;
// Reads an "algorithm" token, case-insensitively (RFC 2617 §3.2.1: tokens). nullopt when we do
// not implement it (MD5-sess, SHA-512-256, ...). An absent parameter means MD5; callers decide.
std::optional<digest_algorithm> parse_algorithm(std::string_view token) noexcept;
// Bigger is stronger; what a client uses to choose among offered challenges.
int algorithm_strength(digest_algorithm a) noexcept;
// Length of H(...) in lowercase hex: 32 for MD5, 64 for SHA-256 (RFC 8760 §2.2).
std::size_t digest_length(digest_algorithm a) noexcept;

// H(data) in lowercase hex (RFC 2617 §3.2.1, RFC 7616 §3.3). Empty only when the crypto library
// refuses the algorithm (e.g. MD5 in a FIPS-only build); an empty digest never verifies.
std::string hash_hex(digest_algorithm a, std::string_view data);

// HA1 = H(username ":" realm ":" password) (RFC 2617 §3.2.2.2, algorithm "MD5" / "SHA-256").
std::string compute_ha1(digest_algorithm a, std::string_view username, std::string_view realm,
                        std::string_view password);

// What request-digest covers besides HA1. qop empty: RFC 2069 compatibility (RFC 2617
// §3.2.2.1), nc and cnonce unused.
struct response_input {
  std::string_view ha1;
  std::string_view nonce;
  std::string_view nc;  // 8LHEX exactly as sent: it is hashed as text
  std::string_view cnonce;
  std::string_view qop;  // "auth" or empty
  std::string_view method;
  std::string_view digest_uri;
};
// RFC 2617 §3.2.2.1 and §3.2.2.3 (qop=auth, HA2 = H(method ":" digest-uri)):
//   qop present: H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)
//   qop absent:  H(HA1 ":" nonce ":" HA2)
std::string compute_response(digest_algorithm a, const response_input& in);

// Compares two hex digests in time that depends only on their lengths; hex case is ignored
// (RFC 2617 asks for lowercase, some clients send uppercase).
bool digests_equal(std::string_view expected_hex, std::string_view received_hex) noexcept;

// Who challenges: a UAS or registrar answers 401 with WWW-Authenticate and reads Authorization
// (§22.2); a proxy answers 407 with Proxy-Authenticate and reads Proxy-Authorization (§22.3).
enum class challenger : std::uint8_t { user_agent, proxy };
int challenge_status(challenger c) noexcept;                     // 401, 407
std::string_view challenge_reason(challenger c) noexcept;        // "Unauthorized", ...
std::string_view challenge_header(challenger c) noexcept;        // "WWW-Authenticate", ...
std::string_view credentials_header(challenger c) noexcept;      // "Authorization", ...

struct challenge_params {
  std::string_view realm;
  std::string_view nonce;
  std::string_view opaque;  // omitted when empty
  bool stale = false;       // RFC 2617 §3.2.1: the nonce was stale but the digest was right
};
// One challenge: Digest realm="...", nonce="...", opaque="...", stale=true, algorithm=A,
// qop="auth". RFC 3261 §22.4 item 8: servers always send qop.
std::string challenge_value(digest_algorithm a, const challenge_params& p);
// One challenge per algorithm, in the given order; each goes into its own header field value
// (RFC 8760 §2.3).
std::vector<std::string> challenge_values(const challenge_params& p,
                                          const std::vector<digest_algorithm>& algorithms = default_algorithms());

// The Digest credentials of an Authorization or Proxy-Authorization value (RFC 2617 §3.2.2),
// unquoted.
struct digest_credentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;       // digest-uri (RFC 3261 §22.4 item 3: a Request-URI)
  std::string response;  // request-digest
  std::string cnonce;
  std::string opaque;
  std::string qop;       // "auth", or empty for RFC 2069 credentials
  std::string nc_text;   // as sent, for the hash
  std::uint32_t nc = 0;
  digest_algorithm algorithm = digest_algorithm::md5;
};
// Fails with the reason when the value is not Digest, lacks username, realm, nonce, uri or
// response, names an algorithm or qop we do not implement, or has qop without a valid nc
// (8 hex digits) and cnonce.
expected<digest_credentials> read_digest_credentials(const auth_value& value);

// quoted-string (RFC 3261 §25.1): DQUOTE, the text with '"' and '\' escaped, DQUOTE.
void append_quoted(std::string& out, std::string_view text);
// nc-value = 8LHEX (RFC 2617 §3.2.2).
std::string format_nonce_count(std::uint32_t nc);

}  // namespace sipactor::auth
