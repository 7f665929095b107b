// Digest computations, challenges and credentials (RFC 2617 §3.2, §3.5; RFC 7616 §3.9.1;
// RFC 8760), server and client side. Expected digests were computed outside this code with
// md5sum/sha256sum, e.g.
//   printf 'bob:biloxi.com:zanzibar' | sha256sum
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/auth_client.hpp"
#include "actors/auth_digest.hpp"
#include "messages/header_views.hpp"

namespace sipactor::auth {
namespace {

std::vector<auth_value> parse_values(std::string_view text) {
  std::vector<auth_value> out;
  const char* reason = parse_auth_value(text, out);
  INFO(text);
  REQUIRE(reason == nullptr);
  return out;
}

auth_value parse_one(std::string_view text) {
  auto values = parse_values(text);
  REQUIRE(values.size() == 1);
  return values.front();
}

// RFC 2617 §3.5: user Mufasa, password "Circle Of Life", GET /dir/index.html.
constexpr std::string_view mufasa_nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
constexpr std::string_view mufasa_ha1 = "939e7578ed9e3c518a452acee763bce9";

}  // namespace

TEST_CASE("Digest: RFC 2617 §3.5 example (MD5, qop=auth)", "[auth][digest]") {
  CHECK(compute_ha1(digest_algorithm::md5, "Mufasa", "testrealm@host.com", "Circle Of Life") == mufasa_ha1);
  CHECK(hash_hex(digest_algorithm::md5, "GET:/dir/index.html") == "39aff3a2bab6126f332b942af96d3366");
  CHECK(compute_response(digest_algorithm::md5, {mufasa_ha1, mufasa_nonce, "00000001", "0a4f113b", "auth", "GET",
                                                 "/dir/index.html"}) == "6629fae49393a05397450978507c4ef1");
  // RFC 2069 form (no qop): H(HA1:nonce:HA2), from md5sum.
  CHECK(compute_response(digest_algorithm::md5, {mufasa_ha1, mufasa_nonce, "", "", "", "GET", "/dir/index.html"}) ==
        "670fd8c2df070c60b045671b8b24ff02");
}

TEST_CASE("Digest: SHA-256 vectors (RFC 7616 §3.9.1 and a SIP REGISTER)", "[auth][digest]") {
  // RFC 7616 §3.9.1, checked with sha256sum.
  std::string ha1 = compute_ha1(digest_algorithm::sha256, "Mufasa", "http-auth@example.org", "Circle of Life");
  CHECK(compute_response(digest_algorithm::sha256,
                         {ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "00000001",
                          "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth", "GET", "/dir/index.html"}) ==
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  // bob / biloxi.com / zanzibar, REGISTER sip:biloxi.com: computed with sha256sum.
  std::string bob = compute_ha1(digest_algorithm::sha256, "bob", "biloxi.com", "zanzibar");
  CHECK(bob == "e65db393e748c5228939a6b4b2879e9ea5625cd79fd5267868cb568d69f6b97e");
  CHECK(hash_hex(digest_algorithm::sha256, "REGISTER:sip:biloxi.com") ==
        "6bf0fcd72d0d89a0ccc72682499b006d1c303d45d80d972eaa4290d585cfb2dc");
  CHECK(compute_response(digest_algorithm::sha256,
                         {bob, "7f3c1a9e5b2d4c6f", "00000001", "0a4f113b", "auth", "REGISTER", "sip:biloxi.com"}) ==
        "1dcb1efe1a02a679e491005966d13e2b98c7a0c2987c5800014b546fe3edea68");
  CHECK(compute_ha1(digest_algorithm::md5, "bob", "biloxi.com", "zanzibar") == "12af60467a33e8518da5c68bbff12b11");
}

TEST_CASE("Digest: algorithm tokens, nc, quoting, comparison", "[auth][digest]") {
  CHECK(algorithm_name(digest_algorithm::md5) == "MD5");
  CHECK(algorithm_name(digest_algorithm::sha256) == "SHA-256");
  CHECK(parse_algorithm("sha-256") == digest_algorithm::sha256);
  CHECK(parse_algorithm("md5") == digest_algorithm::md5);
  CHECK_FALSE(parse_algorithm("MD5-sess"));
  CHECK_FALSE(parse_algorithm("SHA-512-256"));
  CHECK(digest_length(digest_algorithm::sha256) == 64);
  CHECK(hash_hex(digest_algorithm::md5, "").size() == digest_length(digest_algorithm::md5));
  CHECK(hash_hex(digest_algorithm::md5, "") == "d41d8cd98f00b204e9800998ecf8427e");  // §22.4 item 7
  CHECK(format_nonce_count(1) == "00000001");
  CHECK(format_nonce_count(0xabcdef12) == "abcdef12");
  std::string q;
  append_quoted(q, R"(a"b\c)");
  CHECK(q == R"("a\"b\\c")");
  CHECK(digests_equal("6629fae49393a05397450978507c4ef1", "6629FAE49393A05397450978507C4EF1"));
  CHECK_FALSE(digests_equal("6629fae49393a05397450978507c4ef1", "6629fae49393a05397450978507c4ef0"));
  CHECK_FALSE(digests_equal("6629fae49393a05397450978507c4ef1", "6629fae4"));
  CHECK_FALSE(digests_equal("", ""));
}

TEST_CASE("Digest: challenges, SHA-256 first, one per header value", "[auth][digest]") {
  auto values = challenge_values({"biloxi.com", "abc", "", false});
  REQUIRE(values.size() == 2);
  CHECK(values[0] == R"(Digest realm="biloxi.com", nonce="abc", algorithm=SHA-256, qop="auth")");
  CHECK(values[1] == R"(Digest realm="biloxi.com", nonce="abc", algorithm=MD5, qop="auth")");
  std::string stale = challenge_value(digest_algorithm::md5, {"a \"b\"", "n", "5ccc069c", true});
  CHECK(stale == R"(Digest realm="a \"b\"", nonce="n", opaque="5ccc069c", stale=true, algorithm=MD5, qop="auth")");
  // What we send, our parser reads back.
  auto parsed = parse_one(stale);
  CHECK(parsed.param_unquoted("realm") == "a \"b\"");
  CHECK(parsed.param_unquoted("stale") == "true");
  CHECK(challenge_status(challenger::user_agent) == 401);
  CHECK(challenge_status(challenger::proxy) == 407);
  CHECK(challenge_header(challenger::proxy) == "Proxy-Authenticate");
  CHECK(credentials_header(challenger::user_agent) == "Authorization");
}

TEST_CASE("Digest: reading credentials (RFC 3261 §22.2 example) and their faults", "[auth][digest]") {
  auto good = read_digest_credentials(parse_one(
      R"(Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
      R"(uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", )"
      R"(response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41")"));
  REQUIRE(good.ok());
  CHECK(good->username == "bob");
  CHECK(good->realm == "biloxi.com");
  CHECK(good->uri == "sip:bob@biloxi.com");
  CHECK(good->qop == "auth");
  CHECK(good->nc == 1);
  CHECK(good->nc_text == "00000001");
  CHECK(good->cnonce == "0a4f113b");
  CHECK(good->opaque == "5ccc069c403ebaf9f0171e9517f40e41");
  CHECK(good->algorithm == digest_algorithm::md5);  // RFC 2617 §3.2.1: absent means MD5

  auto reason = [](std::string_view text) -> std::string {
    auto r = read_digest_credentials(parse_one(text));
    return r.ok() ? std::string("ok") : std::string(r.reason());
  };
  const std::string base = R"(realm="r", nonce="n", uri="sip:r", response="x")";
  CHECK(reason("Digest " + base) == "Digest credentials without username");
  CHECK(reason(R"(Digest username="u", nonce="n", uri="sip:r", response="x")") == "Digest credentials without realm");
  CHECK(reason(R"(Digest username="u", realm="r", uri="sip:r", response="x")") == "Digest credentials without nonce");
  CHECK(reason(R"(Digest username="u", realm="r", nonce="n", response="x")") == "Digest credentials without uri");
  CHECK(reason(R"(Digest username="u", realm="r", nonce="n", uri="sip:r")") == "Digest credentials without response");
  CHECK(reason(R"(Digest username="u", )" + base + ", qop=auth, nc=00000001") ==
        "Digest credentials with qop but without cnonce");
  CHECK(reason(R"(Digest username="u", )" + base + R"(, qop=auth, cnonce="c")") ==
        "Digest credentials with qop but without nc");
  CHECK(reason(R"(Digest username="u", )" + base + R"(, qop=auth, cnonce="c", nc=1)") == "malformed Digest nc");
  CHECK(reason(R"(Digest username="u", )" + base + R"(, qop=auth-int, cnonce="c", nc=00000001)") ==
        "unsupported Digest qop");
  CHECK(reason(R"(Digest username="u", )" + base + ", algorithm=MD5-sess") == "unsupported Digest algorithm");
  CHECK(reason(R"(Digest username="u", )" + base + ", algorithm=SHA-256") == "ok");
  CHECK(reason("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == "credentials are not Digest");
}

TEST_CASE("Digest client: the strongest algorithm offered, whatever the order", "[auth][digest][client]") {
  auto offered = parse_values(R"(Digest realm="biloxi.com", nonce="n1", algorithm=MD5, qop="auth", )"
                              R"(Digest realm="biloxi.com", nonce="n1", algorithm=SHA-256, qop="auth", )"
                              R"(Digest realm="other.com", nonce="n2", algorithm=SHA-256, qop="auth", )"
                              R"(Basic realm="biloxi.com")");
  REQUIRE(offered.size() == 4);
  digest_account bob{"bob", std::string("zanzibar"), "", ""};
  CHECK(choose_challenge(offered, bob) == &offered[1]);
  CHECK(choose_challenge(offered, bob, "biloxi.com") == &offered[1]);
  CHECK(choose_challenge(offered, bob, "other.com") == &offered[2]);
  CHECK(choose_challenge(offered, bob, "nowhere.com") == nullptr);
  // An account holding only an MD5 HA1 answers the MD5 challenge.
  digest_account md5_only{"bob", std::nullopt, "12af60467a33e8518da5c68bbff12b11", ""};
  CHECK(choose_challenge(offered, md5_only, "biloxi.com") == &offered[0]);
  auto sha_only = parse_values(R"(Digest realm="biloxi.com", nonce="n", algorithm=SHA-256)");
  CHECK(choose_challenge(sha_only, md5_only) == nullptr);
  // No algorithm parameter: MD5 (RFC 2617 §3.2.1).
  auto plain = parse_values(R"(Digest realm="biloxi.com", nonce="n")");
  CHECK(choose_challenge(plain, md5_only) == &plain[0]);
}

TEST_CASE("Digest client: credentials reproduce RFC 2617 §3.5", "[auth][digest][client]") {
  auto challenge = parse_one(R"(Digest realm="testrealm@host.com", qop="auth,auth-int", )"
                             R"(nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41")");
  digest_account mufasa{"Mufasa", std::string("Circle Of Life"), "", ""};
  auto value = credentials_value(challenge, mufasa, {"GET", "/dir/index.html", 1, "0a4f113b"});
  REQUIRE(value.ok());
  CHECK(*value == R"(Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
                  R"(uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, )"
                  R"(opaque="5ccc069c403ebaf9f0171e9517f40e41", cnonce="0a4f113b", qop=auth, nc=00000001)");
  // The same from a stored HA1 instead of the password.
  digest_account by_ha1{"Mufasa", std::nullopt, std::string(mufasa_ha1), ""};
  auto again = credentials_value(challenge, by_ha1, {"GET", "/dir/index.html", 1, "0a4f113b"});
  REQUIRE(again.ok());
  CHECK(*again == *value);
  // ... and the server side reads it back.
  auto read = read_digest_credentials(parse_one(*value));
  REQUIRE(read.ok());
  CHECK(read->response == "6629fae49393a05397450978507c4ef1");
}

TEST_CASE("Digest client: RFC 2069 challenge and refusals", "[auth][digest][client]") {
  digest_account mufasa{"Mufasa", std::string("Circle Of Life"), "", ""};
  auto old = parse_one(R"(Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093")");
  auto value = credentials_value(old, mufasa, {"GET", "/dir/index.html", 1, "ignored"});
  REQUIRE(value.ok());
  CHECK(*value == R"(Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
                  R"(uri="/dir/index.html", response="670fd8c2df070c60b045671b8b24ff02", algorithm=MD5)");

  auto reason = [&](std::string_view challenge) -> std::string {
    auto r = credentials_value(parse_one(challenge), mufasa, {"GET", "/", 1, "c"});
    return r.ok() ? std::string("ok") : std::string(r.reason());
  };
  CHECK(reason(R"(Basic realm="r")") == "challenge is not Digest");
  CHECK(reason(R"(Digest nonce="n")") == "Digest challenge without realm");
  CHECK(reason(R"(Digest realm="r")") == "Digest challenge without nonce");
  CHECK(reason(R"(Digest realm="r", nonce="n", algorithm=MD5-sess)") == "unsupported Digest algorithm");
  CHECK(reason(R"(Digest realm="r", nonce="n", qop="auth-int")") == "Digest qop auth not offered");
  digest_account nothing{"x", std::nullopt, "", ""};
  CHECK_FALSE(credentials_value(parse_one(R"(Digest realm="r", nonce="n")"), nothing, {"GET", "/", 1, "c"}).ok());
  CHECK(new_cnonce().size() == 16);
  CHECK(new_cnonce() != new_cnonce());
}

}  // namespace sipactor::auth
