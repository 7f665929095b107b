// The DNS wire format (RFC 1035 §4, RFC 2782, RFC 3403, RFC 3596): queries encoded to exact
// octets, responses decoded from hand-built octets (compression included), every malformed
// input refused with a reason, and random damage to valid responses never crashing (ASan in CI).
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "transport/dns_message.hpp"

namespace sipactor {
namespace {

using transport::decode_dns_message;
using transport::dns_type;

// Octets written by hand: numbers, labels, pointers, and record data whose length is patched in.
struct wire {
  std::string b;
  wire& u8(int v) {
    b.push_back(static_cast<char>(v & 0xFF));
    return *this;
  }
  wire& u16(int v) { return u8(v >> 8).u8(v); }
  wire& u32(std::uint32_t v) { return u16(static_cast<int>(v >> 16)).u16(static_cast<int>(v & 0xFFFF)); }
  wire& label(const std::string& s) {
    u8(static_cast<int>(s.size()));
    b += s;
    return *this;
  }
  wire& root() { return u8(0); }
  wire& pointer(std::size_t offset) { return u8(0xC0 | static_cast<int>(offset >> 8)).u8(static_cast<int>(offset & 0xFF)); }
  wire& header(int id, int flags, int qd, int an, int ns, int ar) { return u16(id).u16(flags).u16(qd).u16(an).u16(ns).u16(ar); }
  // TYPE, CLASS IN, TTL, then RDLENGTH patched by end_data().
  std::size_t begin_record(dns_type type, std::uint32_t ttl) {
    u16(static_cast<int>(type)).u16(1).u32(ttl);
    std::size_t at = b.size();
    u16(0);
    return at;
  }
  wire& end_data(std::size_t at) {
    std::size_t n = b.size() - at - 2;
    b[at] = static_cast<char>(n >> 8);
    b[at + 1] = static_cast<char>(n & 0xFF);
    return *this;
  }
  std::size_t size() const { return b.size(); }
};

// Header and the question "example.com" (at offset 12) of type `type`; ends at offset 29.
wire response_start(int an, int ar, dns_type type, int flags = 0x8180) {
  wire w;
  w.header(0xBEEF, flags, 1, an, 0, ar).label("example").label("com").root().u16(static_cast<int>(type)).u16(1);
  return w;
}

// A NAPTR answer, an SRV answer and an A additional record, all owners and names compressed.
std::string compressed_response() {
  wire w = response_start(2, 1, dns_type::naptr);
  w.pointer(12);
  std::size_t naptr = w.begin_record(dns_type::naptr, 3600);
  w.u16(10).u16(20).label("S").label("SIPS+D2T").label("");
  std::size_t srv_owner = w.size();
  w.label("_sips").label("_tcp").pointer(12);
  w.end_data(naptr);
  w.pointer(srv_owner);
  std::size_t srv = w.begin_record(dns_type::srv, 0x80000001u);  // RFC 2181 §8: read as 0
  w.u16(5).u16(60).u16(5061);
  std::size_t target = w.size();
  w.label("Proxy1").pointer(12);
  w.end_data(srv);
  w.pointer(target);
  std::size_t a = w.begin_record(dns_type::a, 120);
  w.u8(192).u8(0).u8(2).u8(10);
  w.end_data(a);
  return w.b;
}

std::string reason_of(const std::string& bytes) {
  auto m = decode_dns_message(bytes);
  return m ? std::string("(decoded)") : std::string(m.reason());
}

TEST_CASE("DNS message: a query is encoded to the octets of RFC 1035 §4.1") {
  auto q = transport::encode_dns_query(0x1234, "example.com", dns_type::srv);
  REQUIRE(q);
  wire expected;
  expected.header(0x1234, 0x0100, 1, 0, 0, 0).label("example").label("com").root().u16(33).u16(1);
  CHECK(*q == expected.b);
  // A trailing dot names the same absolute name.
  CHECK(*transport::encode_dns_query(0x1234, "example.com.", dns_type::srv) == expected.b);
  auto naptr = transport::encode_dns_query(7, "sip.example", dns_type::naptr);
  REQUIRE(naptr);
  CHECK(static_cast<unsigned char>((*naptr)[naptr->size() - 3]) == 35);
}

TEST_CASE("DNS message: invalid names are not encoded") {
  CHECK_FALSE(transport::encode_dns_query(1, "a..example", dns_type::a));
  CHECK_FALSE(transport::encode_dns_query(1, ".example", dns_type::a));
  CHECK_FALSE(transport::encode_dns_query(1, std::string(64, 'x') + ".example", dns_type::a));
  CHECK(transport::encode_dns_query(1, std::string(63, 'x') + ".example", dns_type::a));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
  auto too_long = transport::encode_dns_query(1, long_name, dns_type::a);
  REQUIRE_FALSE(too_long);
  CHECK(std::string(too_long.reason()).find("255") != std::string::npos);
  CHECK_FALSE(transport::encode_dns_query(1, "bad\\", dns_type::a));
  CHECK_FALSE(transport::encode_dns_query(1, "bad\\99", dns_type::a));
}

TEST_CASE("DNS message: a response with compressed names is decoded") {
  auto m = decode_dns_message(compressed_response());
  INFO((m ? "" : m.reason()));
  REQUIRE(m);
  CHECK(m->id == 0xBEEF);
  CHECK(m->is_response);
  CHECK(m->recursion_available);
  CHECK_FALSE(m->truncated);
  CHECK(m->rcode == transport::dns_rcode::no_error);
  REQUIRE(m->questions.size() == 1);
  CHECK(m->questions[0].name == "example.com");
  CHECK(m->questions[0].type == dns_type::naptr);
  REQUIRE(m->answers.naptr.size() == 1);
  const auto& n = m->answers.naptr[0];
  CHECK(n.owner == "example.com");
  CHECK(n.ttl == 3600);
  CHECK(n.order == 10);
  CHECK(n.preference == 20);
  CHECK(n.flags == "S");
  CHECK(n.services == "SIPS+D2T");
  CHECK(n.regexp.empty());
  CHECK(n.replacement == "_sips._tcp.example.com");
  REQUIRE(m->answers.srv.size() == 1);
  const auto& s = m->answers.srv[0];
  CHECK(s.owner == "_sips._tcp.example.com");
  CHECK(s.ttl == 0);
  CHECK(s.priority == 5);
  CHECK(s.weight == 60);
  CHECK(s.port == 5061);
  CHECK(s.target == "Proxy1.example.com");
  REQUIRE(m->additional.addresses.size() == 1);
  CHECK(m->additional.addresses[0].owner == "Proxy1.example.com");
  CHECK(m->additional.addresses[0].address == "192.0.2.10");
  CHECK_FALSE(m->additional.addresses[0].ipv6);
  CHECK(m->additional.addresses[0].ttl == 120);
  // RFC 4343: names compare without regard to case or a trailing dot.
  CHECK(transport::dns_name_equal(s.target, "proxy1.EXAMPLE.com."));
  CHECK_FALSE(transport::dns_name_equal(s.target, "proxy2.example.com"));
  CHECK(transport::dns_name_canonical("Proxy1.Example.COM.") == "proxy1.example.com");
}

TEST_CASE("DNS message: AAAA, CNAME, NXDOMAIN and TC are decoded and other types skipped") {
  wire w = response_start(3, 0, dns_type::aaaa, 0x8383);  // TC, RD, RA, NXDOMAIN
  w.pointer(12);
  std::size_t cname = w.begin_record(dns_type::cname, 60);
  w.label("www").pointer(12);
  w.end_data(cname);
  w.pointer(12).u16(15).u16(1).u32(60).u16(4).u16(10).pointer(12);  // MX: skipped
  w.pointer(cname + 2);
  std::size_t aaaa = w.begin_record(dns_type::aaaa, 30);
  for (int i = 0; i < 15; ++i) w.u8(i == 0 ? 0x20 : i == 1 ? 0x01 : i == 2 ? 0x0d : i == 3 ? 0xb8 : 0);
  w.u8(1);
  w.end_data(aaaa);
  auto m = decode_dns_message(w.b);
  INFO((m ? "" : m.reason()));
  REQUIRE(m);
  CHECK(m->truncated);
  CHECK(m->rcode == transport::dns_rcode::name_error);
  CHECK(transport::rcode_name(m->rcode) == "NXDOMAIN");
  REQUIRE(m->answers.cnames.size() == 1);
  CHECK(m->answers.cnames[0].canonical_name == "www.example.com");
  CHECK(m->answers.srv.empty());
  REQUIRE(m->answers.addresses.size() == 1);
  CHECK(m->answers.addresses[0].ipv6);
  CHECK(m->answers.addresses[0].address == "2001:db8::1");
  CHECK(m->answers.addresses[0].owner == "www.example.com");
}

TEST_CASE("DNS message: every record type survives an encode and decode round trip") {
  transport::dns_message m;
  m.id = 99;
  m.is_response = true;
  m.authoritative = true;
  m.rcode = transport::dns_rcode::no_error;
  m.questions.push_back({"Example.com", dns_type::naptr, transport::dns_class_in});
  m.answers.naptr.push_back({"example.com", 60, 100, 50, "s", "SIP+D2U", "", "_sip._udp.example.com"});
  m.answers.srv.push_back({"_sip._udp.example.com", 60, 1, 2, 5060, "a\\.b.example.com"});
  m.answers.cnames.push_back({"alias.example.com", 5, "example.com"});
  m.additional.addresses.push_back({"a\\.b.example.com", 7, false, "198.51.100.7"});
  m.additional.addresses.push_back({"a\\.b.example.com", 7, true, "2001:db8::7"});
  auto bytes = transport::encode_dns_message(m);
  REQUIRE(bytes);
  auto back = decode_dns_message(*bytes);
  REQUIRE(back);
  CHECK(back->id == 99);
  CHECK(back->authoritative);
  CHECK(back->questions[0].name == "Example.com");
  REQUIRE(back->answers.naptr.size() == 1);
  CHECK(back->answers.naptr[0].services == "SIP+D2U");
  CHECK(back->answers.naptr[0].replacement == "_sip._udp.example.com");
  REQUIRE(back->answers.srv.size() == 1);
  CHECK(back->answers.srv[0].target == "a\\.b.example.com");  // a dot inside a label, escaped
  REQUIRE(back->answers.cnames.size() == 1);
  REQUIRE(back->additional.addresses.size() == 2);
  CHECK(back->additional.addresses[1].address == "2001:db8::7");
  CHECK(transport::fuzz_dns_message(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()) == 0);
  // An address that is not numeric is refused.
  m.additional.addresses[0].address = "host";
  CHECK_FALSE(transport::encode_dns_message(m));
}

TEST_CASE("DNS message: malformed input is refused with a reason") {
  SECTION("shorter than the header") {
    CHECK(reason_of("") == "shorter than a DNS header");
    CHECK(reason_of(std::string(11, '\0')) == "shorter than a DNS header");
    CHECK_FALSE(decode_dns_message(nullptr, 0));
  }
  SECTION("counts that overrun the buffer") {
    wire w = response_start(0xFFFF, 0, dns_type::a);
    CHECK(reason_of(w.b) == "section counts overrun the message");
    wire q;
    q.header(1, 0, 0xFFFF, 0, 0, 0);
    CHECK(reason_of(q.b) == "section counts overrun the message");
  }
  SECTION("a label that runs past the end") {
    wire w;
    w.header(1, 0x8180, 1, 0, 0, 0).u8(7).u8('e').u8('x').u8('a').u8('m');
    CHECK(reason_of(w.b).find("runs past the end") != std::string::npos);
  }
  SECTION("a question cut after its name") {
    wire w;
    w.header(1, 0x8180, 1, 0, 0, 0).label("example").root().u16(1);
    CHECK(reason_of(w.b) == "question runs past the end of the message");
  }
  SECTION("a pointer to itself") {
    wire w;
    w.header(1, 0x8180, 1, 0, 0, 0).pointer(12).u16(1).u16(1);
    CHECK(reason_of(w.b).find("loop") != std::string::npos);
  }
  SECTION("a pointer forward") {
    wire w;
    w.header(1, 0x8180, 1, 0, 0, 0).pointer(18).u16(1).u16(1).label("a").root();
    CHECK(reason_of(w.b).find("loop") != std::string::npos);
  }
  SECTION("a pointer back to the start of its own name, after a label") {
    wire w;
    w.header(1, 0x8180, 1, 0, 0, 0).label("a").pointer(12).u16(1).u16(1);
    CHECK(reason_of(w.b).find("loop") != std::string::npos);
  }
  SECTION("two pointers pointing at each other") {
    // Q (inside the data of a skipped record type) points forward to P, P points back to Q.
    wire w = response_start(2, 0, dns_type::a);
    w.pointer(12);
    std::size_t at = w.begin_record(static_cast<dns_type>(99), 1);
    std::size_t q = w.size();
    w.u16(0);  // the pointer to P, patched below
    w.end_data(at);
    std::size_t p = w.size();
    w.pointer(q);
    w.begin_record(dns_type::a, 1);
    w.u32(0);
    w.b[q] = static_cast<char>(0xC0 | (p >> 8));
    w.b[q + 1] = static_cast<char>(p & 0xFF);
    CHECK(reason_of(w.b).find("loop") != std::string::npos);
  }
  SECTION("a pointer that runs past the end") {
    wire w;
    w.header(1, 0x8180, 1, 0, 0, 0).label("a").label("b").u8(0xC0);
    CHECK(reason_of(w.b) == "compression pointer runs past the end of the message");
  }
  SECTION("labels longer than 63 octets and unknown label types") {
    for (int length : {0x40, 0x7F, 0x80, 0xBF}) {
      wire w;
      w.header(1, 0x8180, 1, 0, 0, 0).u8(length);
      w.b += std::string(static_cast<std::size_t>(length & 0x3F) + 8, 'a');
      CHECK(reason_of(w.b).find("longer than 63") != std::string::npos);
    }
  }
  SECTION("names longer than 255 octets, in place and across pointers") {
    wire w;
    w.header(1, 0x8180, 1, 0, 0, 0);
    for (int i = 0; i < 5; ++i) w.label(std::string(63, 'a'));
    w.root().u16(1).u16(1);
    CHECK(reason_of(w.b) == "domain name longer than 255 octets");
    wire v;
    v.header(1, 0x8180, 1, 1, 0, 0);
    for (int i = 0; i < 3; ++i) v.label(std::string(63, 'b'));  // 193 octets at 12
    v.root().u16(1).u16(1);
    v.label(std::string(63, 'c')).pointer(12);  // 64 + 193 = 257
    v.begin_record(dns_type::a, 1);
    v.u32(0);
    CHECK(reason_of(v.b) == "domain name longer than 255 octets");
  }
  SECTION("record data that runs past the end") {
    wire w = response_start(1, 0, dns_type::a);
    w.pointer(12).u16(1).u16(1).u32(60).u16(4).u8(192).u8(0);
    CHECK(reason_of(w.b) == "record data runs past the end of the message");
  }
  SECTION("a resource record cut in its fixed fields") {
    wire w = response_start(1, 0, dns_type::a);
    w.pointer(12).u16(1).u16(1).u8(0).u8(0).u8(0).u8(0).u8(0);
    CHECK(reason_of(w.b) == "resource record runs past the end of the message");
  }
  SECTION("record data of the wrong length") {
    wire w = response_start(1, 0, dns_type::a);
    w.pointer(12);
    std::size_t at = w.begin_record(dns_type::a, 1);
    w.u8(1).u8(2).u8(3).u8(4).u8(5);
    w.end_data(at);
    CHECK(reason_of(w.b) == "A record data is not 4 octets");
    wire v = response_start(1, 0, dns_type::aaaa);
    v.pointer(12);
    at = v.begin_record(dns_type::aaaa, 1);
    v.u32(0);
    v.end_data(at);
    CHECK(reason_of(v.b) == "AAAA record data is not 16 octets");
  }
  SECTION("SRV data too short or with a target past its data") {
    wire w = response_start(1, 0, dns_type::srv);
    w.pointer(12);
    std::size_t at = w.begin_record(dns_type::srv, 1);
    w.u16(1).u16(2);
    w.end_data(at);
    w.b += std::string(8, '\0');
    CHECK(reason_of(w.b) == "SRV record data too short");
    wire v = response_start(1, 0, dns_type::srv);
    v.pointer(12);
    at = v.begin_record(dns_type::srv, 1);
    v.u16(1).u16(2).u16(5060).label("host");
    v.end_data(at);
    v.b[at + 1] = static_cast<char>(6 + 2);  // RDLENGTH ends inside the target
    v.root();
    CHECK(reason_of(v.b).find("past its record data") != std::string::npos);
  }
  SECTION("NAPTR character-strings that overrun the record data") {
    wire w = response_start(1, 0, dns_type::naptr);
    w.pointer(12);
    std::size_t at = w.begin_record(dns_type::naptr, 1);
    w.u16(1).u16(1).label("s").u8(40).u8('S');
    w.end_data(at);
    w.b += std::string(60, '\0');
    CHECK(reason_of(w.b) == "character-string runs past its record data");
    wire v = response_start(1, 0, dns_type::naptr);
    v.pointer(12);
    at = v.begin_record(dns_type::naptr, 1);
    v.u16(1).u16(1);
    v.end_data(at);
    CHECK(reason_of(v.b) == "character-string runs past its record data");
  }
  SECTION("record data longer than its fields") {
    wire w = response_start(1, 0, dns_type::cname);
    w.pointer(12);
    std::size_t at = w.begin_record(dns_type::cname, 1);
    w.pointer(12).u8(0);
    w.end_data(at);
    CHECK(reason_of(w.b) == "record data longer than its fields");
  }
}

// Damage a valid response every way: every prefix, random octets changed, octets inserted and
// removed, random garbage. Decoding must only ever succeed or fail (ASan watches the reads).
TEST_CASE("DNS message: random truncations and mutations never crash the decoder") {
  std::vector<std::string> seeds = {compressed_response()};
  transport::dns_message m;
  m.is_response = true;
  m.questions.push_back({"example.com", dns_type::naptr, transport::dns_class_in});
  m.answers.naptr.push_back({"example.com", 60, 10, 10, "s", "SIP+D2T", "", "_sip._tcp.example.com"});
  m.answers.srv.push_back({"_sip._tcp.example.com", 60, 1, 2, 5060, "sip.example.com"});
  m.additional.addresses.push_back({"sip.example.com", 7, true, "2001:db8::7"});
  seeds.push_back(*transport::encode_dns_message(m));
  std::mt19937 random(20240611);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n)(random); };
  std::size_t decoded = 0, refused = 0;
  auto feed = [&](const std::string& bytes) {
    auto r = decode_dns_message(bytes);
    (r ? decoded : refused)++;
    if (!r) CHECK(r.reason() != nullptr);
    transport::fuzz_dns_message(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  };
  for (const std::string& seed : seeds) {
    for (std::size_t n = 0; n <= seed.size(); ++n) feed(seed.substr(0, n));
    for (int round = 0; round < 20000; ++round) {
      std::string bytes = seed;
      std::size_t edits = 1 + pick(3);
      for (std::size_t e = 0; e < edits; ++e) {
        switch (pick(3)) {
          case 0: bytes[pick(bytes.size() - 1)] = static_cast<char>(pick(255)); break;
          case 1: bytes.insert(pick(bytes.size()), 1, static_cast<char>(pick(255))); break;
          case 2:
            if (bytes.size() > 1) bytes.erase(pick(bytes.size() - 1), 1);
            break;
          default: bytes[pick(bytes.size() - 1)] = static_cast<char>(0xC0 | pick(3)); break;
        }
      }
      if (pick(4) == 0) bytes.resize(pick(bytes.size()));
      feed(bytes);
    }
  }
  for (int round = 0; round < 5000; ++round) {
    std::string bytes(pick(80), '\0');
    for (char& c : bytes) c = static_cast<char>(pick(255));
    feed(bytes);
  }
  CHECK(decoded > 0);
  CHECK(refused > 0);
}

}  // namespace
}  // namespace sipactor
