// Header comparison rules (RFC 3261 §7.3.1, §20).
#include <catch2/catch.hpp>

#include "messages/compare.hpp"

namespace sipactor {

TEST_CASE("tags, branches, Call-ID and CSeq compare as §7.3.1 and §20 say", "[compare]") {
  CHECK(tags_equal("a6C85cf", "A6c85CF"));
  CHECK_FALSE(tags_equal("a6c85cf", "a6c85cg"));
  CHECK(branches_equal("z9hG4bK776asdhds", "Z9HG4BK776ASDHDS"));
  CHECK(call_ids_equal("f81d4fae@foo.bar.com", "f81d4fae@foo.bar.com"));
  CHECK_FALSE(call_ids_equal("f81d4fae@foo.bar.com", "F81D4FAE@foo.bar.com"));
  CHECK(cseqs_equal({4711, "INVITE"}, {4711, "INVITE"}));
  CHECK_FALSE(cseqs_equal({4711, "INVITE"}, {4711, "invite"}));
  CHECK_FALSE(cseqs_equal({4711, "INVITE"}, {4712, "INVITE"}));
}

TEST_CASE("Via sent-by", "[compare]") {
  auto a = parse_via("SIP/2.0/UDP PC33.example.com:5060;branch=z9hG4bK1");
  auto b = parse_via("SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK2");
  auto c = parse_via("SIP/2.0/UDP pc33.example.com;branch=z9hG4bK1");
  REQUIRE((a && b && c));
  CHECK(sent_by_equal(*a, *b));
  CHECK_FALSE(sent_by_equal(*a, *c));
}

TEST_CASE("From/To: URI equivalence and shared parameters", "[compare]") {
  auto a = parse_name_addr("\"Alice\" <sip:alice@atlanta.com>;tag=88sja8x;x=1");
  auto b = parse_name_addr("<sip:alice@ATLANTA.com>;TAG=88SJA8X");
  auto c = parse_name_addr("<sip:alice@atlanta.com>;tag=other");
  auto d = parse_name_addr("<sip:bob@atlanta.com>;tag=88sja8x");
  REQUIRE((a && b && c && d));
  CHECK(addresses_equal(*a, *b));  // display names and one-sided parameters are ignored
  CHECK_FALSE(addresses_equal(*a, *c));
  CHECK_FALSE(addresses_equal(*a, *d));
}

}  // namespace sipactor
