// URIs: RFC 3261 §19.1.1 parsing, §19.1.4 comparison (its own examples), RFC 3966 tel URIs.
#include <catch2/catch.hpp>

#include "messages/uri.hpp"

namespace sipactor {
namespace {

uri must_parse(std::string_view text) {
  auto u = parse_uri(text);
  INFO(text << ": " << (u ? "ok" : u.reason()));
  REQUIRE(u);
  return *u;
}

bool equivalent(std::string_view a, std::string_view b) { return uri_equivalent(must_parse(a), must_parse(b)); }

}  // namespace

TEST_CASE("SIP URI components", "[uri]") {
  uri u = must_parse("sips:alice:secret@[2001:db8::10]:5061;transport=tcp;lr?subject=project%20x&priority=urgent");
  CHECK(u.scheme == uri_scheme::sips);
  CHECK(u.user == "alice");
  CHECK(u.password == "secret");
  CHECK(u.host == "[2001:db8::10]");
  CHECK(u.host_type == host_kind::ipv6);
  CHECK(u.host_canonical() == "2001:db8::10");
  CHECK(u.port == 5061);
  CHECK(u.param("transport") == std::string_view("tcp"));
  CHECK(u.param("lr") == std::string_view(""));
  CHECK_FALSE(u.param("maddr"));
  CHECK(u.headers == "subject=project%20x&priority=urgent");

  uri v = must_parse("sip:192.0.2.4");
  CHECK_FALSE(v.has_userinfo);
  CHECK(v.host_type == host_kind::ipv4);
  CHECK(v.port == 0);

  uri w = must_parse("SIP:Bob@Biloxi.Example.COM.");
  CHECK(w.scheme == uri_scheme::sip);
  CHECK(w.host_type == host_kind::name);
  CHECK(w.host_canonical() == "biloxi.example.com.");
}

TEST_CASE("tel and other URI schemes", "[uri]") {
  uri t = must_parse("tel:+1-201-555-0123;phone-context=example.com");
  CHECK(t.scheme == uri_scheme::tel);
  CHECK(t.user == "+1-201-555-0123");
  CHECK(t.param("phone-context") == std::string_view("example.com"));
  CHECK(equivalent("tel:+1-201-555-0123", "tel:+1.201.555.0123"));
  CHECK_FALSE(equivalent("tel:+12015550123", "tel:+12015550124"));

  uri o = must_parse("urn:service:sos");
  CHECK(o.scheme == uri_scheme::other);
  CHECK(o.scheme_text() == "urn");
  CHECK(o.opaque() == "service:sos");
}

TEST_CASE("malformed URIs are rejected with a reason", "[uri]") {
  const char* bad[] = {
      "",                          // no scheme
      "sip",                       // no colon
      "1sip:host",                 // scheme must start with a letter
      "sip:",                      // empty
      "sip:@host",                 // empty user
      "sip:user@",                 // empty host
      "sip:user@host:",            // empty port
      "sip:user@host:99999",       // port out of range
      "sip:user@host:0",           // port zero
      "sip:user@[::1",             // unterminated IPv6
      "sip:user@[zz::1]",          // not IPv6
      "sip:user@ho st",            // whitespace
      "sip:user@host;;lr",         // empty parameter
      "sip:user@host;=x",          // empty parameter name
      "sip:user@host?",            // empty headers
      "sip:us%zzer@host",          // bad escape
      "sip:user@-host.com",        // label starting with '-'
      "sip:user@host..com",        // empty label
      "tel:",                      // empty number
      "tel:12+34",                 // '+' in the middle
      "http:",                     // empty after scheme
      "mailto:a b@example.com",    // whitespace
  };
  for (const char* text : bad) {
    INFO(text);
    auto u = parse_uri(text);
    CHECK_FALSE(u);
    if (!u) CHECK(std::string_view(u.reason()).size() > 0);
  }
}

TEST_CASE("RFC 3261 §19.1.4: URIs that are equivalent", "[uri]") {
  CHECK(equivalent("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"));
  CHECK(equivalent("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"));
  CHECK(equivalent("sip:carol@chicago.com", "sip:carol@chicago.com;security=on"));
  CHECK(equivalent("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"));
  CHECK(equivalent("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                   "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
  CHECK(equivalent("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                   "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
}

TEST_CASE("RFC 3261 §19.1.4: URIs that are not equivalent", "[uri]") {
  CHECK_FALSE(equivalent("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"));
  CHECK_FALSE(equivalent("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
  CHECK_FALSE(equivalent("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
  CHECK_FALSE(equivalent("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"));
  CHECK_FALSE(equivalent("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"));
  CHECK_FALSE(equivalent("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
  CHECK_FALSE(equivalent("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"));
  // Also: sip vs sips, a maddr or user parameter on one side only, passwords.
  CHECK_FALSE(equivalent("sip:alice@atlanta.com", "sips:alice@atlanta.com"));
  CHECK_FALSE(equivalent("sip:alice@atlanta.com", "sip:alice@atlanta.com;maddr=239.255.255.1"));
  CHECK_FALSE(equivalent("sip:+1234@gw.com;user=phone", "sip:+1234@gw.com"));
  CHECK_FALSE(equivalent("sip:alice:pw@atlanta.com", "sip:alice@atlanta.com"));
  CHECK_FALSE(equivalent("sip:alice@atlanta.com", "sip:atlanta.com"));
}

}  // namespace sipactor
