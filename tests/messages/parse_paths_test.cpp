// The parser has two ways through a message: the bitmap fast paths (with each character
// classifier the CPU runs: scalar, SSSE3, AVX2, AVX-512) and the full parsers. These tests hold them to the
// same result, error reasons included, on the corpus and on systematic mutations of it.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "messages/char_masks.hpp"
#include "messages/parser.hpp"
#include "tests/test_files.hpp"
#include "tests/view_dump.hpp"

namespace sipactor {
namespace {

std::vector<std::string> corpus() {
  std::vector<std::string> inputs;
  for (const auto& f : test::files_in(test::torture_dir(), ".dat")) inputs.push_back(test::read_file(f));
  for (const auto& f : test::files_in(std::string(SIPACTOR_SOURCE_DIR) + "/tests/data/fuzz-regressions", ".bin"))
    inputs.push_back(test::read_file(f));
  inputs.push_back(test::read_file(std::string(SIPACTOR_SOURCE_DIR) + "/tests/data/sipp-invite.sip"));
  for (const auto& f : test::files_in(std::string(SIPACTOR_SOURCE_DIR) + "/tests/data/rfc3665", ".sip"))
    inputs.push_back(test::read_file(f));
  return inputs;
}

// Forms the fast paths take, and their near misses that must go to the full parsers.
const char* const kVariants[] = {
    "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK1;rport\r\n"
    "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1\r\nTo: Bob <sips:bob@biloxi.example.com;transport=tls>\r\n"
    "Call-ID: a@b\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@192.0.2.1:5060;ob>;expires=60;q=0.5\r\nMax-Forwards: 70\r\n"
    "Content-Length: 0\r\n\r\n",
    "INVITE SIP:Bob:secret@Example.COM:5061;lr;Transport=UDP;maddr=1.2.3.4 sip/2.0\r\nv: SIP/2.0/TCP 1.2.3.4 ; branch = z9hG4bK2 , "
    "SIP/2.0/UDP [2001:db8::1]:5060;received=1.1.1.1\r\nf: <sip:a@b>;tag=x\r\nt: sip:b@c\r\ni: x\r\nCSeq: 4294967295 INVITE\r\n"
    "m: *\r\nl: 0\r\n\r\n",
    "INVITE sip:%61lice@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\nFrom: <sip:a@b;x=1;X=2>;tag=1\r\n"
    "To: \"a\\\"b\" <sip:b@c>\r\nCall-ID: x@\r\nCSeq: 01 INVITE\r\nContact: sip:c@d;expires=10, <sip:e@f?h=1>\r\n"
    "Route: <sip:p1;lr>, <sip:p2;lr>\r\nRecord-Route: <sip:r;lr>\r\nContent-Type: application/sdp;charset=x\r\n\r\n",
    "REGISTER sips:registrar.example.com SIP/2.0\r\nVia: SIP/2.0/TLS 1.2.3.256;branch=z9hG4bK4\r\nVia: SIP/2.0/UDP a-b.c_d.example.\r\n"
    "From: <tel:+1-555-0100>;tag=a;tag=b\r\nTo: <sip:a@1abc.example.com:0>\r\nCall-ID: 1\r\nCSeq: 1 REGISTER\r\n"
    "Contact: <sip:a@b>;q=1.5\r\nContact: <urn:x>\r\nExpires: 60\r\nContent-Type: text/plain\r\n\r\n",
    "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK5;received=127.0.0.1;rport=5080\r\n"
    "From: sipp <sip:sipp@127.0.0.1:5080>;tag=1\r\nTo: service <sip:service@127.0.0.1:5060>;tag=2\r\n"
    "Call-ID: 1-1@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:service@127.0.0.1:5060;transport=UDP>\r\n"
    "Content-Length: 0\r\n\r\n",
    "OPTIONS sip:u@h:65536 SIP/2.0\r\nVia: SIP/2.0/UDP h:005060;branch=z9hG4bK6;maddr;rport=99999\r\n"
    "From: a b c <sip:a@b>;tag=\"q\"\r\nTo: <sip:b@c >\r\nCall-ID: a b\r\nCSeq: 1 OPTIONS x\r\n"
    "Contact: \"x\" sip:a@b\r\nContent-Type: a /b\r\n\r\n",
    // LWS around ";" and "=" in generic-params (SEMI, EQUAL), before quoted and plain values.
    "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h:5060 ;branch= z9hG4bK7 ; rport ;x =\"a b\";y=\t1\r\n"
    "From: <sip:a@b> ; tag = 1;n= \"q\"\r\nTo: <sip:b@c>;tag=2 ;lr\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
    "Contact: <sip:c@d>;expires =10; q= 0.5 ,<sip:e@f> ;x\r\nContent-Length: 0\r\n\r\n",
};

void check_paths(std::string_view bytes, framing mode = framing::datagram, const packet_source* source = nullptr) {
  const test::path_dumps d = test::parse_all_paths(bytes, mode, {}, source);
  INFO(std::string(bytes.substr(0, 600)));
  REQUIRE(d.fast.size() >= 1);
  for (const auto& [kernel, dump] : d.fast) {
    INFO("classifier " << static_cast<int>(kernel));
    REQUIRE(dump == d.full);
  }
}

}  // namespace

TEST_CASE("character classes: every kernel gives the table's bits", "[parse-paths]") {
  std::mt19937 rng(42);
  const std::string alphabet = "aZ09-._!%*+`'~()<>:\\\"/[]?{}&=$,;@# \t\r\n\x7f\x80\xff";
  std::vector<detail::classifier> kernels;
  for (auto k : detail::all_classifiers)
    if (detail::classifier_available(k)) kernels.push_back(k);
  REQUIRE(kernels.front() == detail::classifier::scalar);
  for (int round = 0; round < 2000; ++round) {
    const std::size_t n = round % 65;
    std::string block(64, '\0');
    for (char& c : block)
      c = (rng() & 1) ? alphabet[rng() % alphabet.size()] : static_cast<char>(rng() & 0xff);
    for (detail::classifier k : kernels) {
      std::uint64_t out[detail::scan_classes];
      detail::classify_block(k, block.data(), n, out);
      for (unsigned c = 0; c < detail::sc_count_; ++c) {
        for (std::size_t i = 0; i < 64; ++i) {
          const unsigned char ch = static_cast<unsigned char>(block[i]);
          const bool want = i < n && ch < 128 && (detail::scan_table[ch] >> c & 1) != 0;
          INFO("kernel " << static_cast<int>(k) << " class " << c << " octet " << i << " of " << n);
          REQUIRE(((out[c] >> i) & 1) == want);
        }
      }
    }
  }
}

TEST_CASE("character classes: classify_through classifies up to the block asked for", "[parse-paths]") {
  const std::string text(300, 'a');  // blocks 0-4, the last one of 44 octets
  detail::char_masks masks;
  masks.reset(text.data(), text.size());
  CHECK(masks.classified() == 0);
  masks.classify_through(0);
  CHECK(masks.classified() == 64);
  masks.classify_through(2 * 64 + 5);
  CHECK(masks.classified() == 3 * 64);
  masks.classify_through(64);  // already there
  CHECK(masks.classified() == 3 * 64);
  masks.classify_through(1000);  // never past the end
  CHECK(masks.classified() == text.size());
  CHECK(masks.skip(detail::sc_token, 0, text.size()) == text.size());
  masks.reset(text.data(), 10);
  masks.classify_through(0);
  CHECK(masks.classified() == 10);
}

TEST_CASE("parse paths: fast views and full parsers agree on the corpus", "[parse-paths]") {
  for (const std::string& bytes : corpus()) {
    check_paths(bytes);
    check_paths(bytes, framing::stream);
    const packet_source source{"192.0.2.99", 5099};
    check_paths(bytes, framing::datagram, &source);
  }
  for (const char* v : kVariants) check_paths(v);
}

// The line cutting classifies two blocks ahead of itself unless it sees LF ? LF: the empty line at
// every offset of a block, with and without a body behind it, and after a bare LF.
TEST_CASE("parse paths: the header section ends at every offset of a block", "[parse-paths]") {
  const std::string head =
      "OPTIONS sip:u@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK7\r\nFrom: <sip:a@b>;tag=1\r\n"
      "To: <sip:u@example.com>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n";
  for (std::size_t pad = 0; pad < 130; ++pad) {
    const std::string subject = "Subject: " + std::string(pad, 'x') + "\r\n";
    check_paths(head + subject + "\r\n");
    check_paths(head + subject + "Content-Length: 70\r\n\r\n" + std::string(70, 'b'), framing::stream);
    check_paths(head + subject + "\n\r\nv=0\r\n\r\n");
  }
}

// The IPv4 shape table and the port reading of the fast paths against the full parsers: hosts of
// three to five groups of 1 to 4 digits (each at and around 255), dots first, last and doubled,
// and ports of 0 to 6 digits, in the Request-URI, the Via, a From and a Contact.
TEST_CASE("parse paths: IPv4 hosts and ports of every shape", "[parse-paths]") {
  const std::vector<std::string> groups{"0", "1", "9", "10", "99", "100", "199", "200", "249", "250",
                                        "255", "256", "260", "300", "999", "0000", "01"};
  const std::vector<std::string> ports{"", ":0", ":5", ":05060", ":5060", ":65535", ":65536", ":99999", ":123456"};
  std::mt19937 rng(7);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  std::vector<std::string> hosts{".1.2.3", "1.2.3.", "1..2.3", "1.2..3", "1.2.3..", "1.2.3.4.", ".1.2.3.4"};
  for (int k = 0; k < 1500; ++k) {
    const int count = k < 100 ? 3 : k < 200 ? 5 : 4;
    std::string host = pick(groups);
    for (int g = 1; g < count; ++g) host += "." + pick(groups);
    hosts.push_back(host);
  }
  for (const std::string& host : hosts) {
    const std::string port = pick(ports), other = pick(ports);
    check_paths("OPTIONS sip:u@" + host + port + " SIP/2.0\r\nVia: SIP/2.0/UDP " + host + other +
                ";branch=z9hG4bK1\r\nFrom: <sip:a@" + host + other + ">;tag=1\r\nTo: <sip:b@example.com>\r\n"
                "Call-ID: c\r\nCSeq: 1 OPTIONS\r\nContact: sip:c@" + host + port + "\r\n\r\n");
  }
  // And what they decide, read back.
  auto ruri = [](const std::string& uri) {
    return parse_message("OPTIONS " + uri + " SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                         "To: <sip:b@c>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n");
  };
  const parse_result top = ruri("sip:u@255.255.255.255:65535");
  REQUIRE(top.ok());
  CHECK(top.message->request_uri().host == "255.255.255.255");
  CHECK(top.message->request_uri().host_type == host_kind::ipv4);
  CHECK(top.message->request_uri().port == 65535);
  CHECK(ruri("sip:u@0.0.0.0:1").ok());
  for (const char* bad : {"sip:u@256.1.1.1", "sip:u@1.1.1.300", "sip:u@1.2.3", "sip:u@1.2.3.4.5", "sip:u@1.2..3.4",
                          "sip:u@1.2.3.4:65536", "sip:u@1.2.3.4:0", "sip:u@1.2.3.4:123456", "sip:u@1111.2.3.4"}) {
    INFO(bad);
    CHECK_FALSE(ruri(bad).ok());
  }
}

// The host-name check of the fast paths (dot and dash bitmaps) against the full parsers' loop:
// names of 1 to 6 labels, each label good or bad at its start or end ("-", digits, "_", empty),
// with and without the final "." (or two), from 1 to over 64 octets, at every offset within a
// block, in the Request-URI, the Via, a From and a Contact.
TEST_CASE("parse paths: host names of every shape", "[parse-paths]") {
  const std::vector<std::string> labels{"a",  "Z",  "ab", "a-b", "a--b", "-a", "a-", "-", "1", "12",
                                        "1a", "a1", "_",  "_a", "a_",   "",   "example", std::string(30, 'x'),
                                        std::string(62, 'y')};
  std::mt19937 rng(11);
  auto pick = [&]() { return labels[rng() % labels.size()]; };
  std::vector<std::string> hosts{".", "..", "a.", "a..", ".a", "a..b", std::string(63, 'h') + ".", std::string(64, 'h'),
                                 std::string(65, 'h'), std::string(64, 'h') + "."};
  for (int k = 0; k < 1200; ++k) {
    std::string host = pick();
    for (int l = 1 + static_cast<int>(rng() % 6); l > 1; --l) host += "." + pick();
    const unsigned end = rng() % 8;
    if (end == 0) host += ".";
    if (end == 1) host += "..";
    if (!host.empty()) hosts.push_back(host);
  }
  for (std::size_t k = 0; k < hosts.size(); ++k) {
    const std::string& host = hosts[k];
    const std::string pad(k % 64, 'p');  // moves every host across the block boundaries
    check_paths("OPTIONS sip:u@" + host + " SIP/2.0\r\nVia: SIP/2.0/UDP " + host + ":5060;branch=z9hG4bK1\r\n"
                "Subject: " + pad + "\r\nFrom: <sip:a@" + host + ">;tag=1\r\nTo: <sip:b@example.com>\r\n"
                "Call-ID: c\r\nCSeq: 1 OPTIONS\r\nContact: <sip:c@" + host + ";transport=tcp>\r\n\r\n");
  }
  // And what they decide, read back.
  auto ruri = [](const std::string& uri) {
    return parse_message("OPTIONS " + uri + " SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
                         "To: <sip:b@c>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n");
  };
  for (const std::string& good : std::vector<std::string>{"sip:u@a-b.example.com", "sip:u@example.com.", "sip:u@x_y.example", "sip:u@a.b1",
                                 "sip:u@1a.example.com", "sip:u@" + std::string(70, 'h') + ".example.com"}) {
    INFO(good);
    const parse_result r = ruri(good);
    REQUIRE(r.ok());
    CHECK(r.message->request_uri().host_type == host_kind::name);
  }
  for (const char* bad : {"sip:u@a..b", "sip:u@.a", "sip:u@a-.b", "sip:u@a.-b", "sip:u@-a", "sip:u@a.1b",
                          "sip:u@a..", "sip:u@a.b-", "sip:u@a._b.9"}) {
    INFO(bad);
    CHECK_FALSE(ruri(bad).ok());
  }
}

TEST_CASE("parse paths: fast views and full parsers agree on mutations", "[parse-paths]") {
  const std::string replacements = " \t;,:@<>\"\\%?[]=/.-Aa0\r\n*";
  std::vector<std::string> bases{test::read_file(std::string(SIPACTOR_SOURCE_DIR) + "/tests/data/sipp-invite.sip")};
  for (const char* v : kVariants) bases.emplace_back(v);
  for (const std::string& base : bases) {
    for (std::size_t i = 0; i < base.size(); ++i) {
      std::string cut = base;
      cut.erase(i, 1);
      check_paths(cut);
      for (char c : replacements) {
        if (base[i] == c) continue;
        std::string changed = base;
        changed[i] = c;
        check_paths(changed);
      }
    }
  }
}

}  // namespace sipactor
