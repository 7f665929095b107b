// Message parsing: RFC 3261 §7 syntax, §7.3 header forms, §18.3 framing, errors as values.
#include <catch2/catch.hpp>

#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include "messages/header_table.hpp"
#include "messages/method.hpp"
#include "messages/parser.hpp"
#include "tests/test_files.hpp"

namespace sipactor {
namespace {

const std::string invite_head =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@pc33.atlanta.example.com>\r\n";

message_ptr must_parse(const std::string& bytes, framing mode = framing::datagram) {
  parse_result r = parse_message(bytes, mode);
  INFO((r.error ? r.error->reason : std::string("ok")));
  REQUIRE(r.ok());
  return r.message;
}

parse_error must_fail(const std::string& bytes, framing mode = framing::datagram) {
  parse_result r = parse_message(bytes, mode);
  REQUIRE_FALSE(r.ok());
  return *r.error;
}

}  // namespace

TEST_CASE("method names: every known name and its near misses (case-sensitive, §7.1)", "[parser]") {
  for (int k = 1; k <= static_cast<int>(sip_method::update); ++k) {
    const auto method = static_cast<sip_method>(k);
    const std::string name(method_name(method));
    INFO(name);
    REQUIRE(!name.empty());
    CHECK(method_from_name(name) == method);
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(c | 0x20);
    CHECK(method_from_name(lower) == sip_method::unknown);
    CHECK(method_from_name(name.substr(0, name.size() - 1)) == sip_method::unknown);
    CHECK(method_from_name(name + "S") == sip_method::unknown);
    std::string changed = name;
    changed.back() = static_cast<char>(changed.back() + 1);
    CHECK(method_from_name(changed) == sip_method::unknown);
    for (std::size_t i = 0; i < name.size(); ++i) {  // every octet counts, the 9th of SUBSCRIBE too
      std::string one_off = name;
      one_off[i] = static_cast<char>(one_off[i] ^ 0x01);
      CHECK(method_from_name(one_off) == sip_method::unknown);
    }
  }
  CHECK(method_from_name("") == sip_method::unknown);
  CHECK(method_from_name("FOO") == sip_method::unknown);
  CHECK(method_from_name("NEWMETHOD") == sip_method::unknown);
}

// The header names the line cut recognises (a perfect hash of the first and last words, then
// the words compared; the middle word too past 16 octets): every name in any case, and every
// near miss of it.
TEST_CASE("header names: every known name in any case and its near misses", "[parser]") {
  for (const auto& e : detail::long_names) {
    const std::string name(e.name);
    INFO(name);
    CHECK(lookup_header(name) == e.id);
    std::string lower = name, upper = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(lookup_header(lower) == e.id);
    CHECK(lookup_header(upper) == e.id);
    if (name.size() > 2) {  // one letter left is a compact form ("T" is To)
      CHECK(lookup_header(name.substr(0, name.size() - 1)) != e.id);
      CHECK(lookup_header(name.substr(1)) != e.id);
    }
    CHECK(lookup_header(name + "x") != e.id);
    for (std::size_t i = 0; i < name.size(); ++i) {  // every octet counts, the middle ones of long names too
      std::string one_off = name;
      one_off[i] = static_cast<char>(one_off[i] ^ 0x01);
      CHECK(lookup_header(one_off) != e.id);
    }
  }
  CHECK(lookup_header("X-Unknown-Header-Name") == header_id::other);
  CHECK(lookup_header("Proxy-Authorizatio") == header_id::other);
}

TEST_CASE("a request: start line, hot views, body framed by Content-Length", "[parser]") {
  auto m = must_parse(invite_head + "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n");
  CHECK(m->is_request());
  CHECK(m->method() == sip_method::invite);
  CHECK(m->request_uri().user == "bob");
  CHECK(m->top_via().transport == "UDP");
  CHECK(m->top_via().host == "pc33.atlanta.example.com");
  CHECK(m->top_via().branch == "z9hG4bK776asdhds");
  CHECK(m->top_via().has_rfc3261_branch());
  CHECK(m->from_tag() == "1928301774");
  CHECK(m->to_tag().empty());
  CHECK(m->to().display_name == "Bob");
  CHECK(m->call_id() == "a84b4c76e66710@pc33.atlanta.example.com");
  CHECK(m->cseq().number == 314159);
  CHECK(m->max_forwards() == 70);
  CHECK(m->content_type() == "application/sdp");
  CHECK(m->body() == "v=0\n");
  CHECK(m->header_count() == 9);
}

TEST_CASE("a response: status line, method from CSeq, empty reason allowed", "[parser]") {
  auto m = must_parse(
      "SIP/2.0 180 Ringing\r\n"
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\r\n"
      "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
      "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n");
  CHECK(m->is_response());
  CHECK(m->status() == 180);
  CHECK(m->reason_phrase() == "Ringing");
  CHECK(m->method() == sip_method::invite);
  CHECK(m->to_tag() == "a6c85cf");
  CHECK(m->top_via().received == "192.0.2.1");
  CHECK(must_fail("SIP/2.0 99 Low\r\n\r\n").reason.find("status code") != std::string::npos);
  CHECK(must_fail("SIP/2.0 700 High\r\n\r\n").reason.find("status code") != std::string::npos);
  CHECK_FALSE(parse_message("SIP/2.0 1000 Long\r\n\r\n").answerable());
}

TEST_CASE("compact forms, any case, repeated and comma-joined headers", "[parser]") {
  auto m = must_parse(
      "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n"
      "v: SIP/2.0/TCP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b.example.com:5070;branch=z9hG4bK2\r\n"
      "VIA: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK3;rport\r\n"
      "t: <sip:carol@chicago.example.com>\r\nf: <sip:a@b.example.com>;tag=x\r\n"
      "i: 1@h\r\ncseq: 1 OPTIONS\r\n"
      "m: <sip:a@1.example.com>;q=0.5, <sip:a@2.example.com>;expires=60\r\n"
      "CONTACT: sip:a@3.example.com\r\n"
      "k: path, outbound\r\nX-Custom: a, b ; c\r\nl: 0\r\n\r\n");
  REQUIRE(m->vias().size() == 3);
  CHECK(m->via_count() == 3);
  CHECK(m->vias()[1].port == 5070);
  CHECK(m->vias()[2].host == "[2001:db8::1]");
  CHECK(m->vias()[2].rport);
  CHECK(m->vias()[2].rport_value == 0);
  CHECK(m->call_id() == "1@h");
  REQUIRE(m->contacts().contacts.size() == 3);
  CHECK(m->contacts().contacts[0].q_milli == 500);
  CHECK(m->contacts().contacts[1].expires == 60u);
  REQUIRE(m->supported());
  CHECK(m->supported()->size() == 2);
  CHECK(m->header_value("x-custom") == std::string_view("a, b ; c"));  // unknown: verbatim
  CHECK(m->header_value("Supported") == std::string_view("path, outbound"));
  CHECK(m->header_at(1).name == "VIA");  // names kept as written
}

TEST_CASE("header folding is read as a single space and values are trimmed", "[parser]") {
  auto m = must_parse(
      "OPTIONS sip:x@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP\r\n  host.example.com\r\n\t;branch=z9hG4bK9\r\n"
      "To: <sip:x@example.com>\r\nFrom: <sip:y@example.com>;tag=1\r\nCall-ID:   spaced   \r\n"
      "CSeq: 1\r\n OPTIONS\r\nSubject:\r\n  folded\r\n  subject\r\nContent-Length: 0\r\n\r\n");
  CHECK(m->top_via().host == "host.example.com");
  CHECK(m->top_via().branch == "z9hG4bK9");
  CHECK(m->call_id() == "spaced");
  CHECK(m->cseq().method == "OPTIONS");
  auto subject = m->header_value("Subject");
  REQUIRE(subject);
  CHECK(subject->find_first_of("\r\n") == std::string_view::npos);
  CHECK(subject->substr(0, 6) == "folded");
  CHECK(subject->substr(subject->size() - 7) == "subject");
}

TEST_CASE("§18.3 datagram framing", "[parser]") {
  SECTION("octets past Content-Length are discarded") {
    auto m = must_parse(invite_head + "Content-Length: 3\r\n\r\nabcGARBAGE");
    CHECK(m->body() == "abc");
    CHECK(m->bytes().find("GARBAGE") == std::string_view::npos);
  }
  SECTION("a Content-Length larger than the datagram is an error a request is answered for") {
    parse_result r = parse_message(invite_head + "Content-Length: 10\r\n\r\nabc");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->status == 400);
    CHECK(r.answerable());
    CHECK(r.message->call_id() == "a84b4c76e66710@pc33.atlanta.example.com");
  }
  SECTION("without Content-Length the body runs to the end of the datagram") {
    auto m = must_parse(invite_head + "\r\nbody to the end");
    CHECK(m->body() == "body to the end");
    CHECK_FALSE(m->has_content_length());
  }
  SECTION("CRLFs before the start line are ignored (§7.5)") {
    auto m = must_parse("\r\n\r\n" + invite_head + "Content-Length: 0\r\n\r\n");
    CHECK(m->method() == sip_method::invite);
  }
  SECTION("non-numeric, negative and repeated lengths") {
    CHECK(must_fail(invite_head + "Content-Length: five\r\n\r\n").reason.find("Content-Length") != std::string::npos);
    CHECK(must_fail(invite_head + "Content-Length: -1\r\n\r\n").status == 400);
    CHECK(must_fail(invite_head + "Content-Length: 0\r\nl: 0\r\n\r\n").reason.find("multiple") != std::string::npos);
    CHECK(must_fail(invite_head + "Content-Length: 99999999999999999999\r\n\r\n").status == 513);
  }
}

TEST_CASE("a stream message must carry Content-Length", "[parser]") {
  CHECK(must_fail(invite_head + "\r\n", framing::stream).reason.find("Content-Length") != std::string::npos);
  CHECK(must_parse(invite_head + "Content-Length: 0\r\n\r\n", framing::stream));
}

TEST_CASE("errors carry a status and a reason, and what is needed to answer", "[parser]") {
  SECTION("a header line without a colon") {
    parse_result r = parse_message(invite_head + "Broken header line\r\nContent-Length: 0\r\n\r\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->reason == "header line without ':'");
    REQUIRE(r.answerable());
    CHECK(r.message->top_via().branch == "z9hG4bK776asdhds");
    CHECK(r.message->cseq().number == 314159);
  }
  SECTION("header lines that do not start with a name") {
    // Each is read after the lines before it, and the header section goes on after it.
    const std::string start = "OPTIONS sip:a@b.com SIP/2.0\r\n";
    const std::string rest = "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 0\r\n\r\n";
    CHECK(must_fail(start + " Via: x\r\n" + rest).reason == "continuation line before the first header");
    CHECK(must_fail(start + rest.substr(0, rest.size() - 4) + "\r\n: value\r\n\r\n").reason == "malformed header name");
    CHECK(must_fail(invite_head + "@Subject: x\r\n\r\n").reason == "malformed header name");
    CHECK(must_fail(invite_head + "@Subject x\r\n\r\n").reason == "header line without ':'");
    CHECK(must_fail(invite_head + "Bad Name: x\r\n\r\n").reason == "malformed header name");
    CHECK(must_fail(invite_head + "\x80Subject: x\r\n\r\n").reason == "malformed header name");
    // Whitespace between the name and the colon is allowed (HCOLON), and an empty value too.
    auto ok = must_parse(invite_head + "Subject \t: x\r\nOrganization:\r\n\r\n");
    CHECK(ok->header_value(header_id::subject) == "x");
    CHECK(ok->header_value(header_id::organization) == std::string_view{});
  }
  SECTION("a bare LF") {
    CHECK(must_fail("OPTIONS sip:a@b SIP/2.0\r\nVia: x\nTo: y\r\n\r\n").reason.find("bare LF") != std::string::npos);
  }
  SECTION("garbage") {
    parse_result r = parse_message(std::string("\x01\x02\x03 garbage"));
    CHECK_FALSE(r.ok());
    CHECK_FALSE(r.answerable());
    CHECK(parse_message("").error->reason == "empty message");
    CHECK(parse_message("\r\n\r\n").error);
  }
  SECTION("an unsupported SIP version is 505") {
    CHECK(must_fail("OPTIONS sip:a@b.com SIP/3.0\r\n\r\n").status == 505);
  }
  SECTION("Max-Forwards beyond 255") {
    CHECK(must_fail(invite_head + "Max-Forwards: 256\r\n\r\n").reason.find("Max-Forwards") != std::string::npos);
  }
  SECTION("limits") {
    parse_limits small;
    small.max_header_lines = 5;
    parse_result r = parse_message(invite_head + "Content-Length: 0\r\n\r\n", framing::datagram, small);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->reason == "too many header lines");
    small.max_message_bytes = 100;
    CHECK(parse_message(invite_head + "Content-Length: 0\r\n\r\n", framing::datagram, small).error->status == 513);
  }
}

TEST_CASE("a message is shared by handle and its lazy views are safe to read concurrently", "[parser]") {
  auto m = must_parse(test::torture("longreq"));
  message_ptr copy = m;
  CHECK(copy.get() == m.get());
  std::vector<const std::vector<via>*> seen(4);
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) readers.emplace_back([&, i] { seen[i] = &copy->vias(); });
  for (auto& t : readers) t.join();
  for (auto* p : seen) CHECK(p == seen[0]);
  CHECK(seen[0]->size() == 34);
  CHECK(m->heap_bytes() > m->bytes().size());
}

TEST_CASE("a shared message is destroyed once and only by the holder that lets go last", "[parser]") {
  // release() skips the atomic decrement when it sees a count of 1. Four threads copy and drop
  // handles to one message while each, once its own handle is gone, parses other messages into
  // the blocks its thread caches. A block released early would be reused under the threads still
  // reading it, and their reads of the message would change; a double release would hand one
  // block out twice (ASan/LSan in the sanitizer build).
  const std::string other_bytes = invite_head + "Content-Length: 0\r\n\r\n";
  for (int round = 0; round < 20; ++round) {
    message_ptr shared = must_parse(invite_head + "Subject: shared\r\nContent-Length: 0\r\n\r\n");
    std::vector<message_ptr> handles(4, shared);
    shared = nullptr;
    std::vector<int> bad(4, 0);
    std::vector<std::thread> holders;
    for (int t = 0; t < 4; ++t) {
      holders.emplace_back([&, t, mine = std::move(handles[static_cast<std::size_t>(t)])]() mutable {
        const int keep = 200 + 300 * t + 50 * round;  // the threads let go at different times
        for (int i = 0; i < keep; ++i) {
          message_ptr copy = mine;
          if (copy->from_tag() != "1928301774" || copy->header_count() != 9) ++bad[static_cast<std::size_t>(t)];
        }
        mine = nullptr;
        for (int i = 0; i < 50; ++i) {
          parse_result r = parse_message(other_bytes);
          if (!r.ok() || r.message->header_count() != 8) ++bad[static_cast<std::size_t>(t)];
        }
      });
    }
    for (auto& h : holders) h.join();
    for (int b : bad) CHECK(b == 0);
  }
}

TEST_CASE("the CSeq method matches the request's octet for octet at every length (§8.1.1.5)", "[parser]") {
  const std::string tail =
      "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
      "To: <sip:bob@biloxi.example.com>\r\nFrom: <sip:alice@atlanta.example.com>;tag=1\r\n"
      "Call-ID: a84b4c76e66710\r\n";
  auto request = [&](const std::string& method, const std::string& cseq_method) {
    return method + " sip:bob@biloxi.example.com SIP/2.0\r\n" + tail + "CSeq: 7 " + cseq_method +
           "\r\nContent-Length: 0\r\n\r\n";
  };
  const std::string letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (std::size_t n = 1; n <= 20; ++n) {
    const std::string method = letters.substr(0, n);  // unknown methods pass the parser when they match
    INFO(method);
    CHECK(parse_message(request(method, method)).ok());
    for (std::size_t i = 0; i < n; ++i) {
      std::string lower = method;
      lower[i] = static_cast<char>(lower[i] | 0x20);
      parse_result r = parse_message(request(method, lower));
      REQUIRE_FALSE(r.ok());
      CHECK(r.error->reason == "CSeq method does not match the request method");
    }
    CHECK_FALSE(parse_message(request(method, method + "A")).ok());
    if (n > 1) CHECK_FALSE(parse_message(request(method, method.substr(1))).ok());
  }
  for (int k = 1; k <= static_cast<int>(sip_method::update); ++k) {
    const std::string name(method_name(static_cast<sip_method>(k)));
    INFO(name);
    CHECK(parse_message(request(name, name)).ok());
    std::string last_off = name;
    last_off.back() = static_cast<char>(last_off.back() ^ 0x01);
    parse_result r = parse_message(request(name, last_off));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error->status == 400);
  }
}

TEST_CASE("message blocks: released on other threads, in every size class, cached per thread", "[parser]") {
  // Bodies that put the message in each block size class and beyond the largest (8 KiB).
  std::vector<std::string> requests;
  for (std::size_t body : {0, 1500, 2500, 4000, 6000, 9000}) {
    requests.push_back(invite_head + "Content-Length: " + std::to_string(body) + "\r\n\r\n" + std::string(body, 'x'));
  }
  std::vector<message_ptr> parsed;
  for (int round = 0; round < 3; ++round)
    for (const std::string& bytes : requests) parsed.push_back(must_parse(bytes));
  // Released on a thread that then ends: its cache fills, overflows to the allocator, and is
  // freed at thread exit (LSan checks that nothing is left).
  std::thread releaser([moved = std::move(parsed)]() mutable { moved.clear(); });
  releaser.join();
  // Parsed on a thread, read and released here, while this thread's blocks are reused.
  for (int round = 0; round < 20; ++round) {
    message_ptr from_other;
    std::thread parser([&] { from_other = must_parse(requests[static_cast<std::size_t>(round) % requests.size()]); });
    parser.join();
    message_ptr here = must_parse(requests[static_cast<std::size_t>(round + 1) % requests.size()]);
    CHECK(from_other->contacts().contacts.size() == 1);
    CHECK(here->from_tag() == "1928301774");
    CHECK(from_other->heap_bytes() >= from_other->bytes().size());
  }
}

TEST_CASE("a reused block starts as a new message", "[parser]") {
  // A message with every view filled, released, then one with few headers in the same block.
  auto full = must_parse(invite_head + "Expires: 60\r\nContent-Type: application/sdp\r\nContent-Length: 0\r\n\r\n");
  CHECK(full->expires() == 60u);
  CHECK(full->vias().size() == 1);  // a lazy view
  full = nullptr;
  auto bare = must_parse("OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@example.com>\r\n"
                         "From: <sip:b@example.com>;tag=1\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n");
  CHECK_FALSE(bare->expires());
  CHECK(bare->content_type().empty());
  CHECK(bare->max_forwards() == -1);
  CHECK(bare->contacts().contacts.empty());
  CHECK(bare->to_tag().empty());
  CHECK(bare->request_uri().host == "example.com");
}

}  // namespace sipactor

namespace sipactor {

TEST_CASE("§18.2.1 and RFC 3581: the server transport completes the top Via", "[parser]") {
  auto request = [](const std::string& via) {
    return "OPTIONS sip:a@example.com SIP/2.0\r\nVia: " + via +
           "\r\nVia: SIP/2.0/UDP second.example.com;branch=z9hG4bK2\r\nTo: <sip:a@example.com>\r\n"
           "From: <sip:b@example.com>;tag=1\r\nCall-ID: c@h\r\nCSeq: 1 OPTIONS\r\nContent-Length: 4\r\n\r\nbody";
  };
  auto received = [&](const std::string& via, packet_source from) {
    parse_result r = parse_message(request(via), framing::datagram, {}, from);
    INFO((r.error ? r.error->reason : std::string("ok")));
    REQUIRE(r.ok());
    // Everything behind the rewritten value is still where the views say.
    CHECK(r.message->call_id() == "c@h");
    CHECK(r.message->body() == "body");
    CHECK(r.message->vias().size() == 2);
    CHECK(r.message->vias()[1].host == "second.example.com");
    return r.message;
  };
  SECTION("a domain name in sent-by gets received (§18.2.1 example)") {
    auto m = received("SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bK1", {"192.0.2.4", 5060});
    CHECK(m->top_via().received == "192.0.2.4");
    CHECK(m->top_via().branch == "z9hG4bK1");
    CHECK(m->header_value("Via") == std::string_view("SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bK1;received=192.0.2.4"));
  }
  SECTION("the same address as the source: unchanged") {
    auto m = received("SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bK1", {"192.0.2.4", 5070});
    CHECK(m->top_via().received.empty());
    CHECK_FALSE(m->top_via().rport);
  }
  SECTION("rport: value filled and received always added (RFC 3581 §4)") {
    auto m = received("SIP/2.0/UDP 192.0.2.4:5060;rport;branch=z9hG4bK1", {"192.0.2.4", 33333});
    CHECK(m->top_via().rport_value == 33333);
    CHECK(m->top_via().received == "192.0.2.4");
    CHECK(m->top_via().branch == "z9hG4bK1");
  }
  SECTION("IPv6: equal addresses in another notation are the same") {
    auto m = received("SIP/2.0/UDP [2001:db8:0:0::1]:5060;branch=z9hG4bK1", {"2001:db8::1", 5060});
    CHECK(m->top_via().received.empty());
    auto n = received("SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1", {"2001:db8::2", 5060});
    CHECK(n->top_via().received == "2001:db8::2");
  }
  SECTION("an existing received value is replaced, the rest shrinks or grows") {
    auto m = received("SIP/2.0/UDP host.example.com;received=203.0.113.200;branch=z9hG4bK1", {"10.0.0.1", 5060});
    CHECK(m->top_via().received == "10.0.0.1");
  }
  SECTION("responses are not touched") {
    std::string resp = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP name.example.com;branch=z9hG4bK1\r\nTo: <sip:a@b>;tag=2\r\n"
                       "From: <sip:b@c>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    auto r = parse_message(resp, framing::datagram, {}, packet_source{"192.0.2.9", 5060});
    REQUIRE(r.ok());
    CHECK(r.message->top_via().received.empty());
  }
}

}  // namespace sipactor
