// Stream framing for TCP/TLS (RFC 3261 §18.3) and RFC 5626 keep-alives.
#include <catch2/catch.hpp>

#include "messages/parser.hpp"
#include "messages/stream_framer.hpp"
#include "tests/test_files.hpp"

namespace sipactor {
namespace {

std::string options(const std::string& call_id, const std::string& body = "") {
  return "OPTIONS sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bK" + call_id +
         "\r\nTo: <sip:a@example.com>\r\nFrom: <sip:b@example.com>;tag=1\r\nCall-ID: " + call_id +
         "\r\nCSeq: 1 OPTIONS\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

using kind = stream_framer::event_kind;

std::vector<std::string> drain(stream_framer& f) {
  std::vector<std::string> out;
  for (;;) {
    auto e = f.next();
    if (e.kind == kind::need_more) return out;
    if (e.kind == kind::message) out.emplace_back(e.bytes);
    if (e.kind == kind::keepalive_ping) out.emplace_back("PING");
    if (e.kind == kind::keepalive_pong) out.emplace_back("PONG");
    if (e.kind == kind::error) {
      out.emplace_back(std::string("ERROR ") + e.reason);
      return out;
    }
  }
}

}  // namespace

TEST_CASE("a message delivered byte by byte comes out once, whole", "[framer]") {
  std::string m = options("one", "hello");
  stream_framer f;
  std::vector<std::string> got;
  for (char c : m) {
    f.append(std::string_view(&c, 1));
    for (auto& s : drain(f)) got.push_back(s);
    if (got.empty()) CHECK(f.buffered() > 0);
  }
  REQUIRE(got.size() == 1);
  CHECK(got[0] == m);
  CHECK(f.buffered() == 0);
  auto parsed = parse_message(got[0], framing::stream);
  REQUIRE(parsed.ok());
  CHECK(parsed.message->body() == "hello");
}

TEST_CASE("pipelined messages and keep-alives in one segment", "[framer]") {
  std::string a = options("a", "xyz"), b = options("b"), c = options("c", "0123456789");
  stream_framer f;
  f.append("\r\n\r\n" + a + b + "\r\n" + c + "\r\n\r\n");
  auto got = drain(f);
  REQUIRE(got.size() == 6);
  CHECK(got[0] == "PING");
  CHECK(got[1] == a);
  CHECK(got[2] == b);
  CHECK(got[3] == "PONG");
  CHECK(got[4] == c);
  CHECK(got[5] == "PING");
}

TEST_CASE("a lone CRLF waits until it is known not to be half a ping", "[framer]") {
  stream_framer f;
  f.append("\r\n");
  CHECK(drain(f).empty());
  f.append("\r\n");
  CHECK(drain(f) == std::vector<std::string>{"PING"});
}

TEST_CASE("framing errors are fatal and carry the header section", "[framer]") {
  SECTION("negative Content-Length (RFC 4475 ncl)") {
    stream_framer f;
    f.append(test::torture("ncl"));
    auto e = f.next();
    REQUIRE(e.kind == kind::error);
    CHECK(std::string(e.reason).find("Content-Length") != std::string::npos);
    CHECK(e.bytes.substr(0, 6) == "INVITE");
    CHECK(f.failed());
    f.append(options("later"));
    CHECK(f.next().kind == kind::error);
  }
  SECTION("missing Content-Length") {
    stream_framer f;
    f.append("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n");
    CHECK(f.next().kind == kind::error);
  }
  SECTION("conflicting Content-Length (RFC 4475 mcl01)") {
    stream_framer f;
    f.append(test::torture("mcl01"));
    CHECK(f.next().kind == kind::error);
  }
  SECTION("a header section that never ends") {
    framer_limits limits;
    limits.max_header_bytes = 1024;
    stream_framer f(limits);
    std::string junk(2000, 'a');
    f.append(junk);
    auto e = f.next();
    REQUIRE(e.kind == kind::error);
    CHECK(std::string(e.reason) == "header section too large");
  }
  SECTION("a body beyond the message limit") {
    framer_limits limits;
    limits.max_message_bytes = 4096;
    stream_framer f(limits);
    f.append("OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 100000\r\n\r\n");
    CHECK(f.next().kind == kind::error);
  }
}

TEST_CASE("a Content-Length larger than what arrived waits for more (RFC 4475 clerr over TCP)", "[framer]") {
  stream_framer f;
  f.append(test::torture("clerr"));
  CHECK(f.next().kind == kind::need_more);
  CHECK_FALSE(f.in_header_section());
  CHECK(f.buffered() > 0);
}

TEST_CASE("the header-section flag tells a read timeout what it is waiting for", "[framer]") {
  stream_framer f;
  CHECK_FALSE(f.in_header_section());
  f.append("INVITE sip:a@b SIP/2.0\r\nVia: SIP/2");
  CHECK(f.next().kind == kind::need_more);
  CHECK(f.in_header_section());
}

}  // namespace sipactor
