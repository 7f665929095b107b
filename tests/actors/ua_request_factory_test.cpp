// The UAC outside of dialogs (RFC 3261 §8.1): new requests with RFC 3665 §3.2 F1 as the model,
// the pre-existing route set, CANCEL (§9.1), retries (§8.1.3.5) and 3xx target sets (§8.1.3.4).
#include <catch2/catch.hpp>

#include "actors/ua_request_factory.hpp"
#include "tests/actors/rfc3665_messages.hpp"
#include "tests/actors/ua_test_messages.hpp"

namespace sipactor {
namespace {

using ua_test::parsed;
using ua_test::sip;

uac_identity alice() {
  uac_identity id;
  id.from = "Alice <sip:alice@atlanta.example.com>";
  id.contact = "<sip:alice@client.atlanta.example.com;transport=tcp>";
  id.call_id_host = "atlanta.example.com";
  id.preloaded_route = {"<sip:ss1.atlanta.example.com;lr>"};
  return id;
}

request_spec invite_bob() {
  request_spec spec;
  spec.method = "INVITE";
  spec.request_uri = "sip:bob@biloxi.example.com";
  spec.to = "Bob <sip:bob@biloxi.example.com>";
  spec.content_type = "application/sdp";
  spec.body = "v=0\r\no=alice 2890844526 2890844526 IN IP4 client.atlanta.example.com\r\n";
  return spec;
}

message_ptr redirect(std::initializer_list<std::string_view> contacts) {
  std::string text =
      "SIP/2.0 302 Moved Temporarily\r\n"
      "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bKbf9f44\r\n"
      "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n"
      "To: <sip:bob@biloxi.example.com>;tag=53fHlqlQ2\r\n"
      "Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com\r\n"
      "CSeq: 1 INVITE\r\n";
  for (std::string_view c : contacts) text += "Contact: " + std::string(c) + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return parsed(text);
}

}  // namespace

TEST_CASE("§8.1.1: RFC 3665 §3.2 F1, Alice's INVITE through her outbound proxy", "[ua][factory]") {
  auto made = make_request(alice(), invite_bob());
  REQUIRE(made.ok());
  outgoing_request out = std::move(*made);
  CHECK(out.next_hop == "sip:ss1.atlanta.example.com;lr");
  CHECK_FALSE(out.sips_request_uri);
  CHECK(out.branch.substr(0, 7) == "z9hG4bK");
  auto invite = ua_test::finished(out, "TCP", "client.atlanta.example.com:5060");

  CHECK(invite->request_uri().text == "sip:bob@biloxi.example.com");
  CHECK(invite->header_at(0).id == header_id::via);
  CHECK(invite->top_via().branch == out.branch);
  CHECK(invite->max_forwards() == 70);
  CHECK(ua_test::route_values(*invite) == std::vector<std::string>{"<sip:ss1.atlanta.example.com;lr>"});
  CHECK(ua_test::header_or_empty(*invite, "To") == "Bob <sip:bob@biloxi.example.com>");
  CHECK(invite->to_tag().empty());
  CHECK(invite->from().display_name == "Alice");
  CHECK(invite->from_tag().size() >= 8);
  CHECK(invite->call_id().size() > std::string_view("@atlanta.example.com").size());
  CHECK(invite->call_id().substr(invite->call_id().find('@')) == "@atlanta.example.com");
  CHECK(invite->cseq().method == "INVITE");
  CHECK(invite->cseq().number >= 1);
  CHECK(invite->cseq().number < (1u << 31));
  CHECK(ua_test::header_or_empty(*invite, "Contact") == "<sip:alice@client.atlanta.example.com;transport=tcp>");
  CHECK(invite->content_type() == "application/sdp");
  CHECK(invite->body() == invite_bob().body);

  // Each request is new: a new tag, Call-ID and branch.
  auto other = make_request(alice(), invite_bob());
  REQUIRE(other.ok());
  auto second = ua_test::finished(*other);
  CHECK(second->from_tag() != invite->from_tag());
  CHECK(second->call_id() != invite->call_id());
  CHECK(second->top_via().branch != invite->top_via().branch);
}

TEST_CASE("§8.1.1: defaults and options of a request", "[ua][factory]") {
  uac_identity id = alice();
  id.preloaded_route.clear();
  id.user_agent = "sipactor/0.1";
  id.supported = {"replaces", "timer"};
  request_spec spec;
  spec.method = "OPTIONS";
  spec.request_uri = "sip:carol@chicago.example.com";
  auto made = make_request(id, spec);
  REQUIRE(made.ok());
  CHECK(made->next_hop == "sip:carol@chicago.example.com");
  auto options = ua_test::finished(*made);
  CHECK(ua_test::header_or_empty(*options, "To") == "<sip:carol@chicago.example.com>");  // §8.1.1.1
  CHECK(options->header_count(header_id::route) == 0);
  CHECK(options->header_count(header_id::contact) == 0);  // OPTIONS establishes no dialog
  CHECK(ua_test::header_or_empty(*options, "User-Agent") == "sipactor/0.1");
  CHECK(ua_test::header_or_empty(*options, "Supported") == "replaces, timer");

  // A REGISTER repeats Call-ID and From tag and counts CSeq up (§10.2); its Contact is asked for.
  spec.method = "REGISTER";
  spec.request_uri = "sip:registrar.atlanta.example.com";
  spec.to = "Alice <sip:alice@atlanta.example.com>";
  spec.call_id = "843817637684230@998sdasdh09";
  spec.from_tag = "a73kszlfl";
  spec.cseq = 1826;
  spec.with_contact = true;
  auto reg = make_request(id, spec);
  REQUIRE(reg.ok());
  auto registration = ua_test::finished(*reg);
  CHECK(registration->call_id() == "843817637684230@998sdasdh09");
  CHECK(registration->from_tag() == "a73kszlfl");
  CHECK(registration->cseq().number == 1826);
  CHECK(registration->header_count(header_id::contact) == 1);
}

TEST_CASE("§8.1.1.1: a strict outbound proxy puts itself in the Request-URI", "[ua][factory]") {
  uac_identity id = alice();
  id.preloaded_route = {"<sip:outbound.atlanta.example.com>"};
  auto made = make_request(id, invite_bob());
  REQUIRE(made.ok());
  CHECK(made->next_hop == "sip:outbound.atlanta.example.com");
  auto invite = ua_test::finished(*made);
  CHECK(invite->request_uri().text == "sip:outbound.atlanta.example.com");
  CHECK(ua_test::route_values(*invite) == std::vector<std::string>{"<sip:bob@biloxi.example.com>"});
}

TEST_CASE("§8.1.1: what cannot make a request fails with a reason", "[ua][factory]") {
  auto fails = [](uac_identity id, request_spec spec) {
    auto made = make_request(id, spec);
    INFO((made.ok() ? "made" : made.reason()));
    return !made.ok();
  };
  request_spec spec = invite_bob();
  spec.request_uri = "not a uri";
  CHECK(fails(alice(), spec));
  spec = invite_bob();
  spec.to = "Bob <sip:bob@biloxi.example.com>;tag=x";  // §8.1.1.2
  CHECK(fails(alice(), spec));
  spec = invite_bob();
  spec.cseq = 1u << 31;  // §8.1.1.5
  CHECK(fails(alice(), spec));
  spec = invite_bob();
  spec.method = "ACK";
  CHECK(fails(alice(), spec));
  spec = invite_bob();
  spec.request_uri = "sips:bob@biloxi.example.com";  // §8.1.1.8: a SIPS Request-URI needs a SIPS Contact
  CHECK(fails(alice(), spec));
  uac_identity secure = alice();
  secure.contact = "<sips:alice@client.atlanta.example.com>";
  auto made = make_request(secure, spec);
  REQUIRE(made.ok());
  CHECK(made->sips_request_uri);
  uac_identity no_contact = alice();
  no_contact.contact.clear();
  CHECK(fails(no_contact, invite_bob()));
  uac_identity bad_route = alice();
  bad_route.preloaded_route = {"<mailto:ss1@atlanta.example.com>"};
  CHECK(fails(bad_route, invite_bob()));
}

TEST_CASE("§8.1.3.5: the retry after 407 has the same Call-ID, To, From and CSeq + 1", "[ua][factory]") {
  auto made = make_request(alice(), invite_bob());
  REQUIRE(made.ok());
  auto first = ua_test::finished(*made);
  outgoing_request retry = request_for_retry(first, made->next_hop);
  CHECK(retry.branch != made->branch);
  CHECK(retry.next_hop == made->next_hop);
  CHECK_FALSE(retry.request.build().ok());  // no Via yet: not a valid request
  retry.request.add_header("Proxy-Authorization", "Digest username=\"alice\", realm=\"atlanta.example.com\", nonce=\"n\", "
                                                  "uri=\"sip:bob@biloxi.example.com\", response=\"r\"");
  auto second = ua_test::finished(retry);
  CHECK(second->via_count() == 1);
  CHECK(second->top_via().branch == retry.branch);
  CHECK(second->call_id() == first->call_id());
  CHECK(second->from_tag() == first->from_tag());
  CHECK(ua_test::header_or_empty(*second, "To") == ua_test::header_or_empty(*first, "To"));
  CHECK(second->cseq().number == first->cseq().number + 1);
  CHECK(second->cseq().method == "INVITE");
  CHECK(second->body() == first->body());
  CHECK(ua_test::route_values(*second) == ua_test::route_values(*first));
  CHECK(second->header_count(header_id::proxy_authorization) == 1);
}

TEST_CASE("§9.1: the CANCEL of an INVITE", "[ua][factory][cancel]") {
  std::string text = rfc3665::s32_f4_invite();
  text.insert(text.find("Content-Length"), "Require: 100rel\r\nProxy-Require: foo\r\n");
  auto invite = parsed(text);
  parse_result r = make_cancel(*invite);
  REQUIRE(r.ok());
  auto cancel = ua_test::round_trip(r.message);
  CHECK(cancel->method() == sip_method::cancel);
  CHECK(cancel->request_uri().text == invite->request_uri().text);
  CHECK(cancel->via_count() == 1);
  CHECK(cancel->top_via().text == invite->top_via().text);
  CHECK(ua_test::route_values(*cancel) == ua_test::route_values(*invite));
  CHECK(ua_test::header_or_empty(*cancel, "To") == ua_test::header_or_empty(*invite, "To"));
  CHECK(ua_test::header_or_empty(*cancel, "From") == ua_test::header_or_empty(*invite, "From"));
  CHECK(cancel->call_id() == invite->call_id());
  CHECK(cancel->cseq().number == invite->cseq().number);
  CHECK(cancel->cseq().method == "CANCEL");
  CHECK(cancel->max_forwards() == 70);
  CHECK(cancel->header_count(header_id::require) == 0);
  CHECK(cancel->header_count(header_id::proxy_require) == 0);
  CHECK(cancel->body().empty());

  // Only a request other than ACK and CANCEL can be cancelled.
  parse_result again = make_cancel(*cancel);
  CHECK_FALSE(again.ok());
}

TEST_CASE("§8.1.3.4: the 3xx target set, by decreasing q, each URI once", "[ua][factory][redirect]") {
  redirect_target_set targets("sip:bob@biloxi.example.com");
  std::size_t added = targets.add_from(*redirect({
      "<sip:bob@192.0.2.4>;q=0.5",
      "<sip:bob@client.biloxi.example.com;transport=tcp>",  // no q: ranks as 1.0
      "<sip:bob@BILOXI.example.com>",                        // the original Request-URI (§19.1.4)
      "<mailto:bob@biloxi.example.com>",                     // not a SIP target
      "<sip:bob@192.0.2.5;method=OPTIONS?Subject=call%20me&Priority=urgent>;q=0.7",
      "<sip:bob@office.biloxi.example.com>;q=1.0",
      "<sip:bob@192.0.2.4>;q=0.9",  // listed twice: once is enough
  }));
  CHECK(added == 4);
  CHECK(targets.pending() == 4);

  // A second 3xx adds only what is new, in its place by q.
  CHECK(targets.add_from(*redirect({"<sip:bob@192.0.2.4>", "<tel:+1-201-555-0123>;q=0.6"})) == 1);

  auto first = targets.next();
  REQUIRE(first);
  CHECK(first->uri == "sip:bob@client.biloxi.example.com;transport=tcp");
  CHECK(first->q_milli == 1000);
  CHECK(targets.next()->uri == "sip:bob@office.biloxi.example.com");
  auto third = targets.next();
  REQUIRE(third);
  CHECK(third->uri == "sip:bob@192.0.2.5;method=OPTIONS?Subject=call%20me&Priority=urgent");
  CHECK(third->request_uri == "sip:bob@192.0.2.5");  // "except for the method-param and header"
  CHECK(third->method == "OPTIONS");
  CHECK(third->headers == std::vector<std::pair<std::string, std::string>>{{"Subject", "call me"}, {"Priority", "urgent"}});
  CHECK(targets.next()->uri == "tel:+1-201-555-0123");
  CHECK(targets.next()->uri == "sip:bob@192.0.2.4");
  CHECK_FALSE(targets.next());

  // Tried URIs never come back.
  CHECK(targets.add_from(*redirect({"<sip:bob@192.0.2.4>", "<sip:bob@biloxi.example.com>"})) == 0);
  // Only 3xx responses count.
  CHECK(targets.add_from(*parsed(rfc3665::s32_to_alice(200))) == 0);
}

TEST_CASE("§8.1.3.4: leaving SIPS is flagged", "[ua][factory][redirect]") {
  redirect_target_set targets("sips:bob@biloxi.example.com");
  targets.add_from(*redirect({"<sips:bob@192.0.2.4>", "<sip:bob@192.0.2.5>;q=0.5"}));
  CHECK_FALSE(targets.next()->leaves_sips);
  CHECK(targets.next()->leaves_sips);
}

TEST_CASE("§8.1.3.3 and §8.1.3.5: response checks of the UAC", "[ua][factory]") {
  auto ok = parsed(rfc3665::s32_to_alice(200));
  CHECK(response_has_one_via(*ok));
  std::string two = rfc3665::s32_to_alice(200);
  two.insert(two.find("Via:"), "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bKx\r\n");
  CHECK_FALSE(response_has_one_via(*parsed(two)));

  auto challenge = [](int status) {
    std::string text = rfc3665::s32_to_alice(200);
    text.replace(0, text.find("\r\n"), "SIP/2.0 " + std::to_string(status) + " Whatever");
    return challenge_of(*parsed(text));
  };
  CHECK(challenge(401) == auth_challenge::www_authenticate);
  CHECK(challenge(407) == auth_challenge::proxy_authenticate);
  CHECK(challenge(403) == auth_challenge::none);
  for (int status : {401, 407, 413, 415, 416, 420}) CHECK(response_invites_retry(status));
  for (int status : {400, 403, 404, 408, 480, 486, 500}) CHECK_FALSE(response_invites_retry(status));
}

}  // namespace sipactor
