// Building and serializing messages: §8.2.6 responses, §16.6 forwarding edits, round trips.
#include <catch2/catch.hpp>

#include "messages/builder.hpp"
#include "messages/parser.hpp"
#include "tests/test_files.hpp"

namespace sipactor {
namespace {

message_ptr parsed(const std::string& bytes) {
  parse_result r = parse_message(bytes);
  INFO((r.error ? r.error->reason : std::string("ok")));
  REQUIRE(r.ok());
  return r.message;
}

message_ptr built(const message_builder& b) {
  parse_result r = b.build();
  INFO((r.error ? r.error->reason : std::string("ok")) << "\n" << b.serialize());
  REQUIRE(r.ok());
  return r.message;
}

const std::string request =
    "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp1, SIP/2.0/UDP pc33.example.com;branch=z9hG4bKu1\r\n"
    "Max-Forwards: 69\r\n"
    "To: Bob <sip:bob@biloxi.example.com>\r\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Timestamp: 54\r\n"
    "Contact: <sip:alice@pc33.example.com>\r\n"
    "Content-Type: application/sdp\r\n"
    "Content-Length: 4\r\n\r\nv=0\n";

}  // namespace

TEST_CASE("§8.2.6: a response copies Via, From, To, Call-ID, CSeq and adds the To tag", "[builder]") {
  auto req = parsed(request);
  auto ringing = built(message_builder::response_to(*req, 180, {}, "as9x"));
  CHECK(ringing->status() == 180);
  CHECK(ringing->reason_phrase() == "Ringing");
  REQUIRE(ringing->vias().size() == 2);
  CHECK(ringing->vias()[0].branch == "z9hG4bKp1");
  CHECK(ringing->vias()[1].branch == "z9hG4bKu1");
  CHECK(ringing->from_tag() == "1928301774");
  CHECK(ringing->to_tag() == "as9x");
  CHECK(ringing->call_id() == req->call_id());
  CHECK(ringing->cseq().number == 314159);
  CHECK(ringing->method() == sip_method::invite);
  CHECK_FALSE(ringing->header_value("Timestamp"));
  CHECK(ringing->body().empty());
  CHECK(ringing->header_value("Content-Length") == std::string_view("0"));

  // §8.2.6.1: 100 Trying carries no To tag and copies the Timestamp.
  auto trying = built(message_builder::response_to(*req, 100, {}, "as9x"));
  CHECK(trying->to_tag().empty());
  CHECK(trying->header_value("Timestamp") == std::string_view("54"));

  // A request that already has a To tag keeps it.
  auto in_dialog = parsed(std::string(request).replace(request.find("To: Bob <sip:bob@biloxi.example.com>"), 36,
                                                       "To: Bob <sip:bob@biloxi.example.com>;tag=old"));
  CHECK(built(message_builder::response_to(*in_dialog, 200, "Fine", "new"))->to_tag() == "old");
  CHECK(built(message_builder::response_to(*in_dialog, 200, "Fine", "new"))->reason_phrase() == "Fine");
}

TEST_CASE("§16.6 forwarding edits: Via, Record-Route, Max-Forwards, Route", "[builder]") {
  auto req = parsed(request);
  auto b = message_builder::copy_of(req);
  b.set_request_uri("sip:bob@192.0.2.4:5062")
      .push_via("SIP/2.0/TCP edge.example.com:5060;branch=z9hG4bKedge")
      .add_record_route("<sip:edge.example.com;lr;transport=tcp>")
      .add_record_route("<sip:edge.example.com;lr>")
      .decrement_max_forwards()
      .push_route("<sip:next.example.com;lr>");
  auto fwd = built(b);
  CHECK(fwd->request_uri().host == "192.0.2.4");
  REQUIRE(fwd->vias().size() == 3);
  CHECK(fwd->top_via().branch == "z9hG4bKedge");
  CHECK(fwd->header_at(0).name == "Via");
  REQUIRE(fwd->record_routes().size() == 2);
  CHECK(fwd->record_routes()[0].address.text == "sip:edge.example.com;lr");
  CHECK(fwd->max_forwards() == 68);
  REQUIRE(fwd->routes().size() == 1);
  CHECK(fwd->body() == "v=0\n");

  // Responses come back: the proxy pops its own Via, even from a comma-joined line.
  auto resp = built(message_builder::response_to(*fwd, 200, {}, "t"));
  auto back = built(message_builder::copy_of(resp).pop_via());
  REQUIRE(back->vias().size() == 2);
  CHECK(back->top_via().branch == "z9hG4bKp1");
  auto back2 = built(message_builder::copy_of(back).pop_via());
  REQUIRE(back2->vias().size() == 1);
  CHECK(back2->top_via().branch == "z9hG4bKu1");
  CHECK(back2->header_count(header_id::via) == 1);

  auto no_mf = parsed("OPTIONS sip:a@b.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:a@b.com>\r\n"
                      "From: <sip:c@d.com>;tag=1\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n\r\n");
  CHECK(built(message_builder::copy_of(no_mf).decrement_max_forwards())->max_forwards() == 70);
  CHECK(built(message_builder::copy_of(no_mf).pop_route())->routes().empty());
}

TEST_CASE("§7.3.1: the first Via pushed onto a message without Via goes on top", "[builder]") {
  auto b = message_builder::request("OPTIONS", "sip:bob@example.com");
  b.add_header("Max-Forwards", "70")
      .add_header("To", "<sip:bob@example.com>")
      .add_header("From", "<sip:alice@example.com>;tag=a")
      .add_header("Call-ID", "c1")
      .add_header("CSeq", "1 OPTIONS")
      .push_via("SIP/2.0/UDP h.example.com;branch=z9hG4bK1");
  auto m = built(b);
  CHECK(m->header_at(0).id == header_id::via);
  CHECK(built(b.pop_via().push_via("SIP/2.0/TCP h.example.com;branch=z9hG4bK2"))->header_at(0).value ==
        "SIP/2.0/TCP h.example.com;branch=z9hG4bK2");
}

TEST_CASE("set, add and remove headers, bodies set Content-Length", "[builder]") {
  auto b = message_builder::request("MESSAGE", "sip:bob@example.com");
  b.add_header("Via", "SIP/2.0/UDP h.example.com;branch=z9hG4bK1")
      .add_header("To", "<sip:bob@example.com>")
      .add_header("From", "<sip:alice@example.com>;tag=a")
      .add_header("Call-ID", "c1")
      .add_header("CSeq", "1 MESSAGE")
      .add_header("X-Trace", "one")
      .add_header("x-trace", "two")
      .set_body("text/plain", "hello there");
  auto m = built(b);
  CHECK(m->method() == sip_method::message);
  CHECK(m->body() == "hello there");
  CHECK(m->content_type() == "text/plain");
  CHECK(m->header_value("Content-Length") == std::string_view("11"));
  CHECK(m->header_count() == 9);

  b.set_header("X-Trace", "only").remove_header("CSeq").add_header("CSeq", "2 MESSAGE").set_body("", "");
  auto n = b.build();
  REQUIRE(n.ok());
  CHECK(n.message->header_value("x-trace") == std::string_view("only"));
  CHECK(n.message->cseq().number == 2);
  CHECK(n.message->body().empty());
  CHECK_FALSE(n.message->header_value("Content-Type"));
}

TEST_CASE("round trip: parse(serialize(m)) equals m for every accepted torture message", "[builder]") {
  const char* names[] = {"wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq",
                         "semiuri", "transports", "mpart01", "unreason", "noreason", "badbranch", "unkscm",
                         "novelsc", "unksm2", "bext01", "invut", "regaut01", "bcast", "zeromf", "cparam01",
                         "cparam02", "regescrt", "sdp01", "baddate", "inv2543"};
  for (const char* name : names) {
    DYNAMIC_SECTION(name) {
      auto m = parsed(test::torture(name));
      std::string once = message_builder::copy_of(m).serialize();
      auto again = parse_message(once, framing::stream);
      INFO(once);
      REQUIRE(again.ok());
      if (m->has_content_length()) {
        CHECK(*again.message == *m);
      } else {
        // Serialization always frames with Content-Length (§18.3); nothing else changes.
        CHECK(again.message->header_count() == m->header_count() + 1);
        CHECK(again.message->body() == m->body());
      }
      // And a second round changes nothing at all.
      CHECK(message_builder::copy_of(again.message).serialize() == once);
    }
  }
}

TEST_CASE("an unmodified copy of a message in canonical form serializes to its own bytes", "[builder]") {
  auto m = parsed(request);
  CHECK(message_builder::copy_of(m).serialize() == m->bytes());
  // Spacing is normalized to "Name: value" (SIPp writes "Content-Length:   129").
  auto sipp = parsed(test::read_file(std::string(SIPACTOR_SOURCE_DIR) + "/tests/data/sipp-invite.sip"));
  std::string copy = message_builder::copy_of(sipp).serialize();
  CHECK(copy.find("Content-Length: 129\r\n") != std::string::npos);
  CHECK(*parse_message(copy).message == *sipp);
}

}  // namespace sipactor
