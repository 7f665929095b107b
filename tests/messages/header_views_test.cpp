// Typed header views (RFC 3261 §20): each parser on its own.
#include <catch2/catch.hpp>

#include "messages/header_views.hpp"

namespace sipactor {

TEST_CASE("Via: sent-protocol, sent-by and the parameters of §18 and RFC 3581", "[views]") {
  auto v = parse_via("SIP/2.0/TLS client.example.com:5061;branch=z9hG4bKabc;rport=5062;received=192.0.2.9;maddr=239.1.1.1");
  REQUIRE(v);
  CHECK(v->transport == "TLS");
  CHECK(v->port == 5061);
  CHECK(v->rport);
  CHECK(v->rport_value == 5062);
  CHECK(v->received == "192.0.2.9");
  CHECK(v->maddr == "239.1.1.1");
  CHECK(v->param("BRANCH") == std::string_view("z9hG4bKabc"));

  auto spaced = parse_via("SIP / 2.0 / UDP   host.example.com : 5060 ; branch = z9hG4bKx ; rport");
  REQUIRE(spaced);
  CHECK(spaced->host == "host.example.com");
  CHECK(spaced->port == 5060);
  CHECK(spaced->branch == "z9hG4bKx");
  CHECK(spaced->rport);

  CHECK_FALSE(parse_via("SIP/2.0/UDP"));                 // no sent-by
  CHECK_FALSE(parse_via("HTTP/1.1/TCP host"));          // not SIP
  CHECK_FALSE(parse_via("SIP/2.0/UDP host;branch"));    // branch without value
  CHECK_FALSE(parse_via("SIP/2.0/UDP host;rport=abc"));
  CHECK_FALSE(parse_via("SIP/2.0/UDP host:70000"));
  CHECK_FALSE(parse_via("SIP/2.0/UDP 1.2.3.256"));  // neither an IPv4 address nor a host name
  CHECK_FALSE(parse_via("SIP/2.0/UDP 192.0.2.15;;"));  // RFC 4475 badinv01
}

TEST_CASE("name-addr and addr-spec with header parameters", "[views]") {
  auto a = parse_name_addr("\"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com;transport=tcp>;tag=88sja8x;x=\"q;v\"");
  REQUIRE(a);
  CHECK(a->display_name_unquoted() == "Alice \"A\"");
  CHECK(a->address.param("transport") == std::string_view("tcp"));
  CHECK(a->tag() == "88sja8x");
  CHECK(a->param("x") == std::string_view("\"q;v\""));
  CHECK(a->bracketed);

  auto b = parse_name_addr("sip:+12125551212@phone2net.example.com;tag=887s");
  REQUIRE(b);
  CHECK_FALSE(b->bracketed);
  CHECK(b->address.params.empty());  // in addr-spec form ;tag is a header parameter
  CHECK(b->tag() == "887s");

  auto c = parse_name_addr("Anonymous Caller <sip:c8oqz84zk7z@privacy.org>");
  REQUIRE(c);
  CHECK(c->display_name == "Anonymous Caller");

  CHECK_FALSE(parse_name_addr("<sip:a@b.com"));            // missing >
  CHECK_FALSE(parse_name_addr("\"unterminated <sip:a@b.com>"));
  CHECK_FALSE(parse_name_addr("<sip:a@b.com> junk"));
  CHECK_FALSE(parse_name_addr("a,b <sip:a@b.com>"));       // display name needs quotes
  // §7.3.1: a parameter name appears once; tag-param = "tag" EQUAL token.
  CHECK_FALSE(parse_name_addr("<sip:a@b.com>;tag=x;TAG=y"));
  CHECK_FALSE(parse_name_addr("<sip:a@b.com>;tag"));
  CHECK_FALSE(parse_via("SIP/2.0/UDP h;branch=z9hG4bK1;branch=z9hG4bK2"));
  CHECK_FALSE(parse_uri("sip:h;lr;%6C%72"));
}

TEST_CASE("Contact: star, expires, q", "[views]") {
  contact_list star;
  CHECK(parse_contact_value(" * ", star) == nullptr);
  CHECK(star.star);

  contact_list list;
  REQUIRE(parse_contact_value("<sip:a@x.com>;expires=3600;q=0.7, <sip:b@y.com>;q=1.0, <sip:c@z.com>;expires=junk", list) == nullptr);
  REQUIRE(list.contacts.size() == 3);
  CHECK(list.contacts[0].expires == 3600u);
  CHECK(list.contacts[0].q_milli == 700);
  CHECK(list.contacts[1].q_milli == 1000);
  CHECK_FALSE(list.contacts[1].expires);
  CHECK(list.contacts[2].expires == 3600u);  // §10.2.1.1: malformed reads as 3600

  contact_list huge;
  REQUIRE(parse_contact_value("<sip:a@x.com>;expires=99999999999999", huge) == nullptr);
  CHECK(huge.contacts[0].expires == 4294967295u);

  contact_list bad;
  CHECK(parse_contact_value("<sip:a@x.com>;q=1.5", bad) != nullptr);
  CHECK(parse_contact_value("<sip:a@x.com>;q=0.1234", bad) != nullptr);
  CHECK(parse_contact_value("<sip:a@x.com>,,<sip:b@x.com>", bad) != nullptr);
}

TEST_CASE("CSeq, delta-seconds, token lists, media types", "[views]") {
  auto c = parse_cseq("4711 REGISTER");
  REQUIRE(c);
  CHECK(c->number == 4711);
  CHECK(c->method == "REGISTER");
  CHECK(parse_cseq("4294967295 INVITE"));
  CHECK_FALSE(parse_cseq("4294967296 INVITE"));
  CHECK_FALSE(parse_cseq("INVITE"));
  CHECK_FALSE(parse_cseq("12INVITE"));

  CHECK(*parse_delta_seconds("0600") == 600u);
  CHECK_FALSE(parse_delta_seconds("-1"));

  std::vector<std::string_view> tokens;
  CHECK(parse_token_list("INVITE, ACK,CANCEL ,BYE", tokens) == nullptr);
  CHECK(tokens == std::vector<std::string_view>{"INVITE", "ACK", "CANCEL", "BYE"});
  CHECK(parse_token_list("100rel, bad token", tokens) != nullptr);

  auto m = parse_media_type("multipart/mixed ; boundary=7a9cbec02ceef655");
  REQUIRE(m);
  CHECK(m->is("Multipart", "MIXED"));
  CHECK(find_param(m->params, "boundary") == std::string_view("7a9cbec02ceef655"));
  CHECK_FALSE(parse_media_type("application"));
}

TEST_CASE("Date, Retry-After, Timestamp", "[views]") {
  auto d = parse_date("Sat, 13 Nov 2010 23:29:00 GMT");
  REQUIRE(d);
  CHECK(d->unix_time() == 1289690940);
  auto est = parse_date("Fri, 01 Jan 2010 16:00:00 EST");
  REQUIRE_FALSE(est);
  CHECK(std::string(est.reason()).find("GMT") != std::string::npos);
  CHECK_FALSE(parse_date("Sat, 13 Nov 2010"));

  auto r = parse_retry_after("18000 (in a meeting) ;duration=3600");
  REQUIRE(r);
  CHECK(r->seconds == 18000);
  CHECK(r->comment == "(in a meeting)");
  CHECK(r->duration == 3600u);
  CHECK_FALSE(parse_retry_after("soon"));

  auto t = parse_timestamp("54.2 0.5");
  REQUIRE(t);
  CHECK(t->value == "54.2");
  CHECK(t->delay == "0.5");
  CHECK_FALSE(parse_timestamp("abc"));
}

TEST_CASE("challenges and credentials (§22, RFC 2617)", "[views]") {
  std::vector<auth_value> challenges;
  REQUIRE(parse_auth_value("Digest realm=\"atlanta.example.com\", qop=\"auth\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", "
                           "algorithm=SHA-256, stale=FALSE, Digest realm=\"atlanta.example.com\", nonce=\"x\", algorithm=MD5",
                           challenges) == nullptr);
  REQUIRE(challenges.size() == 2);
  CHECK(challenges[0].scheme == "Digest");
  CHECK(challenges[0].param_unquoted("realm") == "atlanta.example.com");
  CHECK(challenges[0].param("algorithm") == std::string_view("SHA-256"));
  CHECK(challenges[1].param("algorithm") == std::string_view("MD5"));

  std::vector<auth_value> credentials;
  REQUIRE(parse_auth_value("Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"dcd98b\", "
                           "uri=\"sip:bob@biloxi.example.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
                           "response=\"6629fae49393a05397450978507c4ef1\"",
                           credentials) == nullptr);
  REQUIRE(credentials.size() == 1);
  CHECK(credentials[0].param_unquoted("uri") == "sip:bob@biloxi.example.com");
  CHECK(credentials[0].param("nc") == std::string_view("00000001"));

  std::vector<auth_value> bad;
  CHECK(parse_auth_value("realm=\"x\"", bad) != nullptr);
  CHECK(parse_auth_value("Digest realm=\"unterminated", bad) != nullptr);
}

TEST_CASE("contact_vector: one contact in place, more on the heap, copied and moved whole", "[views]") {
  auto make = [](std::string_view text, int q) {
    contact c;
    c.address.text = text;
    c.q_milli = q;
    return c;
  };
  contact_vector v;
  CHECK(v.empty());
  CHECK(v.begin() == v.end());
  v.push_back(make("a", 1));
  REQUIRE(v.size() == 1);
  CHECK(v.front().address.text == "a");
  contact_vector one = v;  // in place
  CHECK(one.size() == 1);
  CHECK(one[0].q_milli == 1);
  v.push_back(make("b", 2));
  v.emplace_back().q_milli = 3;
  v.push_back(v[0]);  // an element of its own
  REQUIRE(v.size() == 4);
  int sum = 0;
  for (const contact& c : v) sum += c.q_milli;
  CHECK(sum == 1 + 2 + 3 + 1);
  CHECK(v.back().address.text == "a");
  contact_vector copy = v;
  contact_vector moved = std::move(copy);
  CHECK(moved.size() == 4);
  CHECK(moved[1].address.text == "b");
  one = moved;
  CHECK(one.size() == 4);
  moved = contact_vector{};
  CHECK(moved.empty());
  contact_vector single;
  single.push_back(make("s", 7));
  one = std::move(single);
  REQUIRE(one.size() == 1);
  CHECK(one[0].q_milli == 7);
  one.clear();
  CHECK(one.empty());
  CHECK(one.size() == 0);
}

}  // namespace sipactor
