#include "actors/auth_client.hpp"

#include "messages/identifiers.hpp"
#include "messages/text.hpp"

namespace sipactor::auth {

namespace {

// The algorithm a challenge names; RFC 2617 §3.2.1: absent means MD5.
std::optional<digest_algorithm> challenge_algorithm(const auth_value& challenge) {
  auto token = challenge.param("algorithm");
  if (!token) return digest_algorithm::md5;
  return parse_algorithm(text::unquote(*token));
}

// qop-options = "qop" "=" <"> 1#qop-value <"> (RFC 2617 §3.2.1).
bool offers_qop_auth(std::string_view options) {
  bool found = false;
  text::for_each_element(options, [&](std::string_view element) {
    found = text::iequals(element, "auth");
    return !found;
  });
  return found;
}

}  // namespace

bool digest_account::can_answer(digest_algorithm a) const noexcept {
  if (password) return true;
  return !(a == digest_algorithm::sha256 ? ha1_sha256 : ha1_md5).empty();
}

std::string digest_account::ha1(digest_algorithm a, std::string_view realm) const {
  if (password) return compute_ha1(a, username, realm, *password);
  return a == digest_algorithm::sha256 ? ha1_sha256 : ha1_md5;
}

const auth_value* choose_challenge(const std::vector<auth_value>& challenges, const digest_account& account,
                                   std::string_view realm) {
  const auth_value* best = nullptr;
  int best_strength = 0;
  for (const auto& challenge : challenges) {
    if (!text::iequals(challenge.scheme, "Digest")) continue;
    if (!realm.empty() && challenge.param_unquoted("realm") != realm) continue;
    auto algorithm = challenge_algorithm(challenge);
    if (!algorithm || !account.can_answer(*algorithm)) continue;
    if (algorithm_strength(*algorithm) > best_strength) {
      best = &challenge;
      best_strength = algorithm_strength(*algorithm);
    }
  }
  return best;
}

expected<std::string> credentials_value(const auth_value& challenge, const digest_account& account,
                                        const digest_request& request) {
  if (!text::iequals(challenge.scheme, "Digest")) return failure{"challenge is not Digest"};
  if (!challenge.param("realm")) return failure{"Digest challenge without realm"};
  if (!challenge.param("nonce")) return failure{"Digest challenge without nonce"};
  auto algorithm = challenge_algorithm(challenge);
  if (!algorithm) return failure{"unsupported Digest algorithm"};
  if (!account.can_answer(*algorithm)) return failure{"no secret for the Digest algorithm"};
  // RFC 3261 §22.4 item 8: a challenge with qop MUST be answered with qop.
  bool with_qop = challenge.param("qop").has_value();
  if (with_qop && !offers_qop_auth(challenge.param_unquoted("qop"))) return failure{"Digest qop auth not offered"};

  std::string realm = challenge.param_unquoted("realm");
  std::string nonce = challenge.param_unquoted("nonce");
  std::string ha1 = account.ha1(*algorithm, realm);
  std::string nc = format_nonce_count(request.nc);
  std::string_view qop = with_qop ? "auth" : "";
  std::string response = compute_response(*algorithm, {ha1, nonce, nc, request.cnonce, qop, request.method,
                                                       request.digest_uri});
  if (response.empty()) return failure{"Digest algorithm unavailable"};

  std::string out = "Digest username=";
  append_quoted(out, account.username);
  out += ", realm=";
  append_quoted(out, realm);
  out += ", nonce=";
  append_quoted(out, nonce);
  out += ", uri=";  // §22.4 item 2: quoted in SIP
  append_quoted(out, request.digest_uri);
  out += ", response=";
  append_quoted(out, response);
  out += ", algorithm=";
  out += algorithm_name(*algorithm);
  if (auto opaque = challenge.param("opaque")) {
    out += ", opaque=";
    append_quoted(out, text::unquote(*opaque));
  }
  // RFC 2617 §3.2.2: cnonce and nc only with qop.
  if (with_qop) {
    out += ", cnonce=";
    append_quoted(out, request.cnonce);
    out += ", qop=auth, nc=";
    out += nc;
  }
  return out;
}

std::string new_cnonce() { return random_token(16); }

}  // namespace sipactor::auth
