// The server's verdicts on credentials (RFC 3261 §22, RFC 2617 §3.2, RFC 8760), written as call
// flows: REGISTER, 401, REGISTER with credentials, verdict. The clock is a value we move.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/auth_client.hpp"
#include "actors/auth_users.hpp"
#include "actors/auth_verifier.hpp"
#include "messages/parser.hpp"

namespace sipactor::auth {
namespace {

using std::chrono::seconds;
const auth_clock::time_point t0{seconds(1'700'000'000)};

message_ptr request(std::string_view method, std::string_view request_uri, std::string_view extra_headers = {}) {
  std::string text = std::string(method) + " " + std::string(request_uri) + " SIP/2.0\r\n" +
                     "Via: SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bKnashds7\r\n"
                     "Max-Forwards: 70\r\n"
                     "To: Bob <sip:bob@biloxi.com>\r\n"
                     "From: Bob <sip:bob@biloxi.com>;tag=456248\r\n"
                     "Call-ID: 843817637684230@998sdasdh09\r\n"
                     "CSeq: 1826 " + std::string(method) + "\r\n" +
                     "Contact: <sip:bob@192.0.2.4>\r\n" + std::string(extra_headers) + "Content-Length: 0\r\n\r\n";
  auto parsed = parse_message(text);
  INFO(text);
  REQUIRE(parsed.ok());
  return parsed.message;
}

// The challenges of a result as the client's parser reads them.
std::vector<auth_value> offered(const auth_result& r) {
  std::vector<auth_value> out;
  for (const auto& value : r.challenges) REQUIRE(parse_auth_value(value, out) == nullptr);
  return out;
}

struct registrar {
  auth_policy policy;
  user_table users;
  digest_authenticator auth;
  explicit registrar(auth_policy p) : policy(p), auth(std::move(p), "registrar secret") {
    users.put(hash_password("bob", "biloxi.com", "zanzibar"));
  }
  static auth_policy defaults(challenger role = challenger::user_agent) {
    auth_policy p;
    p.role = role;
    p.realms = {"biloxi.com"};
    return p;
  }
  registrar() : registrar(defaults()) {}

  auth_result check(const message_ptr& m, auth_clock::time_point now = t0) { return auth.verify(*m, users, now); }
  std::string header() const { return std::string(credentials_header(policy.role)) + ": "; }

  // The client's answer to challenge `r`, as a request carrying it.
  message_ptr answer(const auth_result& r, const digest_account& account, std::uint32_t nc = 1,
                     std::string_view method = "REGISTER", std::string_view uri = "sip:biloxi.com",
                     std::string_view digest_uri = {}) {
    auto challenges = offered(r);
    const auth_value* chosen = choose_challenge(challenges, account);
    REQUIRE(chosen != nullptr);
    auto value = credentials_value(*chosen, account, {method, digest_uri.empty() ? uri : digest_uri, nc, "0a4f113b"});
    REQUIRE(value.ok());
    return request(method, uri, header() + *value + "\r\n");
  }
};

const digest_account bob{"bob", std::string("zanzibar"), "", ""};
const digest_account bob_md5_only{"bob", std::nullopt, "12af60467a33e8518da5c68bbff12b11", ""};

}  // namespace

TEST_CASE("Auth: REGISTER without credentials gets 401 with SHA-256 then MD5 challenges", "[auth][verifier]") {
  registrar server;
  auto r = server.check(request("REGISTER", "sip:biloxi.com"));
  CHECK(r.outcome == auth_outcome::challenge);
  CHECK(r.status == 401);
  CHECK(r.reason == "Unauthorized");
  CHECK(r.header_name == "WWW-Authenticate");
  auto challenges = offered(r);
  REQUIRE(challenges.size() == 2);
  CHECK(challenges[0].param_unquoted("algorithm") == "SHA-256");  // RFC 8760 §2.3: preferred first
  CHECK(challenges[1].param_unquoted("algorithm") == "MD5");
  for (const auto& c : challenges) {
    CHECK(c.param_unquoted("realm") == "biloxi.com");
    CHECK(c.param_unquoted("qop") == "auth");  // §22.4 item 8
    CHECK_FALSE(c.param("stale"));
  }
  CHECK(challenges[0].param_unquoted("nonce") == challenges[1].param_unquoted("nonce"));

  // The 401 itself (§8.2.6): one WWW-Authenticate field per challenge, in order.
  auto reg = request("REGISTER", "sip:biloxi.com");
  auto built = response_for(*reg, r, "as8d7f").build();
  REQUIRE(built.ok());
  CHECK(built.message->status() == 401);
  CHECK(built.message->to_tag() == "as8d7f");
  CHECK(built.message->header_count(header_id::www_authenticate) == 2);
  REQUIRE(built.message->www_authenticate().ok());
  CHECK(built.message->www_authenticate()->at(0).param_unquoted("algorithm") == "SHA-256");
}

TEST_CASE("Auth: round trips, SHA-256 and MD5, registrar and proxy", "[auth][verifier]") {
  SECTION("registrar, SHA-256") {
    registrar server;
    auto challenge = server.check(request("REGISTER", "sip:biloxi.com"));
    auto r = server.check(server.answer(challenge, bob));
    CHECK(r.outcome == auth_outcome::authenticated);
    CHECK(r.status == 0);
    CHECK(r.user == "bob");
    CHECK(r.realm == "biloxi.com");
    CHECK(r.algorithm == digest_algorithm::sha256);
    // The next request on the same nonce, nc 2 (RFC 2617 §3.2.2).
    CHECK(server.check(server.answer(challenge, bob, 2), t0 + seconds(60)).authenticated());
  }
  SECTION("registrar, MD5 (client with only an MD5 HA1)") {
    registrar server;
    auto challenge = server.check(request("REGISTER", "sip:biloxi.com"));
    auto r = server.check(server.answer(challenge, bob_md5_only));
    CHECK(r.authenticated());
    CHECK(r.algorithm == digest_algorithm::md5);
  }
  SECTION("proxy: 407, Proxy-Authenticate, Proxy-Authorization (§22.3)") {
    registrar proxy(registrar::defaults(challenger::proxy));
    auto invite = request("INVITE", "sip:alice@atlanta.com");
    auto challenge = proxy.check(invite);
    CHECK(challenge.status == 407);
    CHECK(challenge.reason == "Proxy Authentication Required");
    CHECK(challenge.header_name == "Proxy-Authenticate");
    auto with_credentials = proxy.answer(challenge, bob, 1, "INVITE", "sip:alice@atlanta.com");
    CHECK(proxy.check(with_credentials).authenticated());
    // An Authorization header (meant for the UAS) does not satisfy the proxy.
    auto wrong_header = request("INVITE", "sip:alice@atlanta.com",
                                "Authorization: " + std::string(with_credentials->header_value("Proxy-Authorization").value()) + "\r\n");
    CHECK(proxy.check(wrong_header).status == 407);
  }
  SECTION("two steps, the HA1 looked up in between (as an actor would)") {
    registrar server;
    auto challenge = server.check(request("REGISTER", "sip:biloxi.com"));
    auto m = server.answer(challenge, bob);
    auth_step step = server.auth.begin(*m, t0);
    REQUIRE_FALSE(step.result);
    CHECK(step.pending.credentials.username == "bob");
    CHECK(step.pending.credentials.algorithm == digest_algorithm::sha256);
    auto ha1 = server.users.find_ha1("bob", "biloxi.com", digest_algorithm::sha256);
    CHECK(server.auth.finish(step.pending, ha1, t0).authenticated());
  }
}

TEST_CASE("Auth: wrong password and unknown user get the same 403", "[auth][verifier]") {
  registrar server;
  auto challenge = server.check(request("REGISTER", "sip:biloxi.com"));
  auto wrong = server.check(server.answer(challenge, {"bob", std::string("guess"), "", ""}));
  auto unknown = server.check(server.answer(challenge, {"mallory", std::string("zanzibar"), "", ""}));
  CHECK(wrong.outcome == auth_outcome::forbidden);
  CHECK(wrong.status == 403);
  CHECK(unknown.status == 403);
  CHECK(wrong.reason == unknown.reason);  // what goes on the wire is the same
  CHECK(wrong.challenges.empty());
  CHECK(unknown.challenges.empty());
  CHECK(wrong.detail.find("wrong response") != std::string::npos);  // logs may tell them apart
  CHECK(unknown.detail.find("unknown user") != std::string::npos);

  // A user known for MD5 only cannot answer with SHA-256, whatever it sends.
  registrar md5_store;
  md5_store.users.put({"carol", "biloxi.com", compute_ha1(digest_algorithm::md5, "carol", "biloxi.com", "pw"), ""});
  auto c = md5_store.check(request("REGISTER", "sip:biloxi.com"));
  CHECK(md5_store.check(md5_store.answer(c, {"carol", std::string("pw"), "", ""})).status == 403);

  // The policy that challenges again instead.
  auto p = registrar::defaults();
  p.rechallenge_bad_credentials = true;
  registrar lenient(p);
  auto again = lenient.check(lenient.answer(lenient.check(request("REGISTER", "sip:biloxi.com")),
                                            {"bob", std::string("guess"), "", ""}));
  CHECK(again.status == 401);
  CHECK(again.challenges.size() == 2);
  CHECK(again.challenges[0].find("stale") == std::string::npos);
}

TEST_CASE("Auth: credentials for another realm, or not Digest, get a challenge", "[auth][verifier]") {
  registrar server;
  auto other = request("REGISTER", "sip:biloxi.com",
                       "Authorization: Digest username=\"bob\", realm=\"atlanta.com\", nonce=\"x\", "
                       "uri=\"sip:biloxi.com\", response=\"00\"\r\n");
  auto r = server.check(other);
  CHECK(r.status == 401);
  CHECK(r.detail == "credentials for other realms only");
  auto basic = server.check(request("REGISTER", "sip:biloxi.com", "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n"));
  CHECK(basic.status == 401);  // §22: never Basic
  CHECK(basic.detail == "no credentials");
  // Without a '=' it is not even §25 syntax (other-response = auth-scheme LWS auth-param ...).
  auto token68 = server.check(request("REGISTER", "sip:biloxi.com", "Authorization: Basic Ym9iOnphbnppYmFy\r\n"));
  CHECK(token68.status == 400);
}

TEST_CASE("Auth: nonces that are stale, forged or replayed", "[auth][verifier]") {
  registrar server;
  auto challenge = server.check(request("REGISTER", "sip:biloxi.com"));

  SECTION("stale with the right password: challenge with stale=true (RFC 2617 §3.2.1)") {
    auto r = server.check(server.answer(challenge, bob), t0 + seconds(301));
    CHECK(r.status == 401);
    CHECK(r.detail == "stale nonce");
    auto fresh = offered(r);
    REQUIRE(fresh.size() == 2);
    CHECK(fresh[0].param_unquoted("stale") == "true");
    // The client retries on the new nonce without asking its user.
    CHECK(server.check(server.answer(r, bob), t0 + seconds(302)).authenticated());
  }
  SECTION("stale with a wrong password: 403, not stale=true") {
    auto r = server.check(server.answer(challenge, {"bob", std::string("guess"), "", ""}), t0 + seconds(301));
    CHECK(r.status == 403);
  }
  SECTION("a nonce we did not issue (another secret, e.g. before a restart): plain challenge") {
    digest_authenticator other(registrar::defaults(), "another secret");
    auto foreign = other.challenge(t0);
    auto r = server.check(server.answer(foreign, bob));
    CHECK(r.status == 401);
    CHECK(r.detail == "nonce not issued here");
    CHECK(r.challenges[0].find("stale") == std::string::npos);
  }
  SECTION("replayed nc: challenge with stale=true and a new nonce") {
    auto first = server.answer(challenge, bob, 1);
    CHECK(server.check(first).authenticated());
    auto replay = server.check(first, t0 + seconds(1));
    CHECK(replay.status == 401);
    CHECK(replay.detail.find("replay") != std::string::npos);
    CHECK(offered(replay)[0].param_unquoted("stale") == "true");
    CHECK(offered(replay)[0].param_unquoted("nonce") != offered(challenge)[0].param_unquoted("nonce"));
    // A lower nc too; a higher one passes.
    CHECK(server.check(server.answer(challenge, bob, 3)).authenticated());
    CHECK(server.check(server.answer(challenge, bob, 2)).status == 401);
    CHECK(server.check(server.answer(challenge, bob, 4)).authenticated());
  }
  SECTION("a forged request cannot use up the client's nonce counts") {
    auto forged = server.answer(challenge, {"bob", std::string("guess"), "", ""}, 9);
    CHECK(server.check(forged).status == 403);
    CHECK(server.check(server.answer(challenge, bob, 1)).authenticated());
  }
}

TEST_CASE("Auth: unreadable credentials get 400 with the reason", "[auth][verifier]") {
  registrar server;
  std::string nonce = offered(server.check(request("REGISTER", "sip:biloxi.com")))[0].param_unquoted("nonce");
  auto status_of = [&](const std::string& params) {
    auto r = server.check(request("REGISTER", "sip:biloxi.com", "Authorization: Digest " + params + "\r\n"));
    return std::to_string(r.status) + " " + r.reason;
  };
  const std::string n = "nonce=\"" + nonce + "\", ";
  const std::string rest = "qop=auth, nc=00000001, cnonce=\"c\"";
  CHECK(status_of("realm=\"biloxi.com\", " + n + "uri=\"sip:biloxi.com\", response=\"0\", " + rest) ==
        "400 Digest credentials without username");
  CHECK(status_of("username=\"bob\", realm=\"biloxi.com\", uri=\"sip:biloxi.com\", response=\"0\", " + rest) ==
        "400 Digest credentials without nonce");
  CHECK(status_of("username=\"bob\", realm=\"biloxi.com\", " + n + "response=\"0\", " + rest) ==
        "400 Digest credentials without uri");
  CHECK(status_of("username=\"bob\", realm=\"biloxi.com\", " + n + "uri=\"sip:biloxi.com\", " + rest) ==
        "400 Digest credentials without response");
  CHECK(status_of("username=\"bob\", realm=\"biloxi.com\", " + n + "uri=\"sip:biloxi.com\", response=\"0\", qop=auth") ==
        "400 Digest credentials with qop but without cnonce");
  CHECK(status_of("username=\"bob\", realm=\"biloxi.com\", " + n + "uri=\"sip:biloxi.com\", response=\"0\", "
                  "algorithm=SHA-256") == "400 Digest credentials without qop");  // RFC 7616 needs qop
  CHECK(status_of("username=\"bob\", realm=\"biloxi.com\", " + n + "uri=\"no uri\", response=\"0\", " + rest) ==
        "400 malformed Digest uri");
  CHECK(status_of("username=\"bob\", realm=\"biloxi.com\", " + n + "uri=\"sip:biloxi.com\", response=\"0\", "
                  "algorithm=SHA-512-256, " + rest) == "400 unsupported Digest algorithm");
  // Without a realm we cannot tell whose they are, so they are unreadable, not someone else's.
  CHECK(status_of("username=\"bob\", " + n + "uri=\"sip:biloxi.com\", response=\"0\", " + rest) ==
        "400 Digest credentials without realm");
  auto malformed = server.check(request("REGISTER", "sip:biloxi.com", "Authorization: Digest username\r\n"));
  CHECK(malformed.status == 400);
  CHECK(malformed.reason.rfind("malformed Authorization: ", 0) == 0);
}

TEST_CASE("Auth: digest-uri must match the Request-URI unless the policy allows", "[auth][verifier]") {
  registrar server;
  auto challenge = server.check(request("REGISTER", "sip:biloxi.com"));
  auto other_uri = server.answer(challenge, bob, 1, "REGISTER", "sip:biloxi.com", "sip:atlanta.com");
  auto r = server.check(other_uri);
  CHECK(r.status == 400);
  CHECK(r.reason == "Digest uri does not match the Request-URI");
  // §19.1.4 equivalence, not text equality.
  auto equivalent = server.answer(challenge, bob, 2, "REGISTER", "sip:biloxi.com", "sip:BILOXI.com");
  CHECK(server.check(equivalent).authenticated());

  auto p = registrar::defaults();
  p.check_digest_uri = false;  // RFC 3261 §22.4 item 6
  registrar relaxed(p);
  auto c2 = relaxed.check(request("REGISTER", "sip:biloxi.com"));
  CHECK(relaxed.check(relaxed.answer(c2, bob, 1, "REGISTER", "sip:biloxi.com", "sip:atlanta.com")).authenticated());
}

TEST_CASE("Auth: RFC 2069 clients (MD5 without qop) and what is not offered", "[auth][verifier]") {
  registrar server;
  std::string nonce = offered(server.check(request("REGISTER", "sip:biloxi.com")))[0].param_unquoted("nonce");
  auto old_challenge = "Digest realm=\"biloxi.com\", nonce=\"" + nonce + "\"";
  std::vector<auth_value> parsed;
  REQUIRE(parse_auth_value(old_challenge, parsed) == nullptr);
  auto value = credentials_value(parsed[0], bob, {"REGISTER", "sip:biloxi.com", 1, ""});
  REQUIRE(value.ok());
  CHECK(value->find("qop") == std::string::npos);
  auto m = request("REGISTER", "sip:biloxi.com", "Authorization: " + *value + "\r\n");
  CHECK(server.check(m).authenticated());  // §22.4: RFC 2069 compatibility
  CHECK(server.check(m).authenticated());  // no nc, so no replay check within the nonce's life

  auto p = registrar::defaults();
  p.accept_rfc2069 = false;
  registrar strict(p);
  CHECK(strict.check(m).status == 400);

  auto sha_only = registrar::defaults();
  sha_only.algorithms = {digest_algorithm::sha256};
  registrar modern(sha_only);
  auto c = modern.check(request("REGISTER", "sip:biloxi.com"));
  CHECK(c.challenges.size() == 1);
  // A client answering with MD5 anyway (to a challenge we did not send).
  auto md5 = "Digest realm=\"biloxi.com\", nonce=\"" + offered(c)[0].param_unquoted("nonce") + "\", qop=\"auth\"";
  parsed.clear();
  REQUIRE(parse_auth_value(md5, parsed) == nullptr);
  auto md5_value = credentials_value(parsed[0], bob, {"REGISTER", "sip:biloxi.com", 1, "c"});
  REQUIRE(md5_value.ok());
  auto r = modern.check(request("REGISTER", "sip:biloxi.com", "Authorization: " + *md5_value + "\r\n"));
  CHECK(r.status == 400);
  CHECK(r.reason == "Digest algorithm not offered");
}

TEST_CASE("Auth: ACK and CANCEL are never challenged (§22.1)", "[auth][verifier]") {
  registrar proxy(registrar::defaults(challenger::proxy));
  auto challenge = proxy.check(request("INVITE", "sip:alice@atlanta.com"));
  auto invite = proxy.answer(challenge, bob, 1, "INVITE", "sip:alice@atlanta.com");
  CHECK(proxy.check(invite).authenticated());
  // The ACK repeats the INVITE's Proxy-Authorization: computed for INVITE, same nc.
  std::string credentials(invite->header_value("Proxy-Authorization").value());
  auto ack = request("ACK", "sip:alice@atlanta.com", "Proxy-Authorization: " + credentials + "\r\n");
  CHECK(proxy.check(ack).authenticated());
  CHECK(proxy.check(ack, t0 + seconds(310)).authenticated());  // even once the nonce is stale

  auto bare_ack = proxy.check(request("ACK", "sip:alice@atlanta.com"));
  CHECK(bare_ack.outcome == auth_outcome::unauthenticated);
  CHECK(bare_ack.status == 0);
  CHECK(bare_ack.challenges.empty());
  auto cancel = proxy.check(request("CANCEL", "sip:alice@atlanta.com"));
  CHECK(cancel.outcome == auth_outcome::unauthenticated);
  CHECK(cancel.status == 0);
  auto bad_ack = proxy.check(request("ACK", "sip:alice@atlanta.com", "Proxy-Authorization: Digest username\r\n"));
  CHECK(bad_ack.outcome == auth_outcome::unauthenticated);
}

}  // namespace sipactor::auth
