#include "actors/auth_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "messages/text.hpp"

namespace sipactor::auth {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

const EVP_MD* evp_digest(digest_algorithm a) noexcept {
  return a == digest_algorithm::sha256 ? EVP_sha256() : EVP_md5();
}

std::string joined(std::initializer_list<std::string_view> parts) {
  std::size_t size = parts.size();
  for (auto p : parts) size += p.size();
  std::string out;
  out.reserve(size);
  bool first = true;
  for (auto p : parts) {
    if (!first) out += ':';
    out += p;
    first = false;
  }
  return out;
}

bool is_nc_value(std::string_view s) noexcept {
  if (s.size() != 8) return false;
  for (char c : s)
    if (!text::is_hex(c)) return false;
  return true;
}

std::uint32_t hex_to_u32(std::string_view s) noexcept {
  std::uint32_t v = 0;
  for (char c : s) v = (v << 4) | static_cast<std::uint32_t>(text::hex_value(c));
  return v;
}

// RFC 2617 §3.2.2: qop-value is a token; a few clients quote it anyway, so quotes are removed.
bool qop_offers_auth(std::string_view qop) {
  return text::iequals(text::trim(qop), "auth");
}

}  // namespace

std::string_view algorithm_name(digest_algorithm a) noexcept {
  return a == digest_algorithm::sha256 ? "SHA-256" : "MD5";
}

std::optional<digest_algorithm> parse_algorithm(std::string_view token) noexcept {
  if (text::iequals(token, "MD5")) return digest_algorithm::md5;
  if (text::iequals(token, "SHA-256")) return digest_algorithm::sha256;
  return std::nullopt;
}

int algorithm_strength(digest_algorithm a) noexcept { return a == digest_algorithm::sha256 ? 2 : 1; }

std::size_t digest_length(digest_algorithm a) noexcept { return a == digest_algorithm::sha256 ? 64 : 32; }

std::string hash_hex(digest_algorithm a, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), md, &length, evp_digest(a), nullptr) != 1) return {};
  // RFC 8760 §2.2: most significant nibble first, lowercase.
  std::string out(2 * static_cast<std::size_t>(length), '0');
  for (unsigned int i = 0; i < length; ++i) {
    out[2 * i] = hex_digits[md[i] >> 4];
    out[2 * i + 1] = hex_digits[md[i] & 0x0f];
  }
  return out;
}

std::string compute_ha1(digest_algorithm a, std::string_view username, std::string_view realm,
                        std::string_view password) {
  return hash_hex(a, joined({username, realm, password}));
}

std::string compute_response(digest_algorithm a, const response_input& in) {
  std::string ha2 = hash_hex(a, joined({in.method, in.digest_uri}));
  if (ha2.empty() || in.ha1.empty()) return {};
  if (in.qop.empty()) return hash_hex(a, joined({in.ha1, in.nonce, ha2}));  // RFC 2069
  return hash_hex(a, joined({in.ha1, in.nonce, in.nc, in.cnonce, in.qop, ha2}));
}

bool digests_equal(std::string_view expected_hex, std::string_view received_hex) noexcept {
  if (expected_hex.empty() || expected_hex.size() != received_hex.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < expected_hex.size(); ++i)
    difference |= static_cast<unsigned char>(text::to_lower(expected_hex[i]) ^ text::to_lower(received_hex[i]));
  return difference == 0;
}

int challenge_status(challenger c) noexcept { return c == challenger::proxy ? 407 : 401; }

std::string_view challenge_reason(challenger c) noexcept {
  return c == challenger::proxy ? "Proxy Authentication Required" : "Unauthorized";
}

std::string_view challenge_header(challenger c) noexcept {
  return c == challenger::proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

std::string_view credentials_header(challenger c) noexcept {
  return c == challenger::proxy ? "Proxy-Authorization" : "Authorization";
}

std::string challenge_value(digest_algorithm a, const challenge_params& p) {
  std::string out = "Digest realm=";
  append_quoted(out, p.realm);
  out += ", nonce=";
  append_quoted(out, p.nonce);
  if (!p.opaque.empty()) {
    out += ", opaque=";
    append_quoted(out, p.opaque);
  }
  if (p.stale) out += ", stale=true";
  out += ", algorithm=";
  out += algorithm_name(a);
  out += ", qop=\"auth\"";
  return out;
}

std::vector<std::string> challenge_values(const challenge_params& p, const std::vector<digest_algorithm>& algorithms) {
  std::vector<std::string> out;
  out.reserve(algorithms.size());
  for (auto a : algorithms) out.push_back(challenge_value(a, p));
  return out;
}

expected<digest_credentials> read_digest_credentials(const auth_value& value) {
  // RFC 3261 §22: servers MUST NOT accept Basic (or any scheme but Digest).
  if (!text::iequals(value.scheme, "Digest")) return failure{"credentials are not Digest"};
  struct required {
    std::string_view name;
    std::string digest_credentials::*field;
    const char* missing;
  };
  static const required fields[] = {
      {"username", &digest_credentials::username, "Digest credentials without username"},
      {"realm", &digest_credentials::realm, "Digest credentials without realm"},
      {"nonce", &digest_credentials::nonce, "Digest credentials without nonce"},
      {"uri", &digest_credentials::uri, "Digest credentials without uri"},
      {"response", &digest_credentials::response, "Digest credentials without response"},
  };
  digest_credentials c;
  for (const auto& f : fields) {
    if (!value.param(f.name)) return failure{f.missing};
    c.*f.field = value.param_unquoted(f.name);
  }
  if (auto algorithm = value.param("algorithm")) {
    auto known = parse_algorithm(text::unquote(*algorithm));
    if (!known) return failure{"unsupported Digest algorithm"};
    c.algorithm = *known;
  }
  c.opaque = value.param_unquoted("opaque");
  if (value.param("qop")) {
    // RFC 2617 §3.2.2: with qop, cnonce and nc MUST be sent.
    if (!qop_offers_auth(value.param_unquoted("qop"))) return failure{"unsupported Digest qop"};
    c.qop = "auth";
    if (!value.param("cnonce")) return failure{"Digest credentials with qop but without cnonce"};
    c.cnonce = value.param_unquoted("cnonce");
    if (!value.param("nc")) return failure{"Digest credentials with qop but without nc"};
    c.nc_text = value.param_unquoted("nc");
    if (!is_nc_value(c.nc_text)) return failure{"malformed Digest nc"};
    c.nc = hex_to_u32(c.nc_text);
  }
  return c;
}

void append_quoted(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

std::string format_nonce_count(std::uint32_t nc) {
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i, nc >>= 4) out[static_cast<std::size_t>(i)] = hex_digits[nc & 0x0f];
  return out;
}

}  // namespace sipactor::auth
