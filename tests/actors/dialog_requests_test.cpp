// Requests within a dialog (RFC 3261 §12.2.1.1): loose and strict routing with the examples of
// §12.2.1.1 and §16.12.1.2, CSeq numbering, the ACK for a 2xx (§13.2.2.4), re-INVITE glare
// (§14) and when a BYE may go (§15).
#include <catch2/catch.hpp>

#include "actors/dialog_requests.hpp"
#include "actors/dialog_state.hpp"
#include "tests/actors/rfc3665_messages.hpp"
#include "tests/actors/ua_test_messages.hpp"

namespace sipactor {
namespace {

using ua_test::parsed;
using ua_test::sip;

// A confirmed UAC dialog with the given remote target and route set.
dialog_state dialog_with(std::string remote_target, std::initializer_list<std::string_view> routes) {
  dialog_state d;
  d.id = dialog_id{"a84b4c76e66710@pc33.atlanta.example.com", "1928301774", "a6c85cf"};
  d.phase = dialog_phase::confirmed;
  d.local_seq = 314159;
  d.local_uri = "sip:alice@atlanta.example.com";
  d.local_display_name = "Alice";
  d.remote_uri = "sip:bob@biloxi.example.com";
  d.remote_display_name = "Bob";
  d.remote_target = std::move(remote_target);
  d.local_contact = "<sip:alice@pc33.atlanta.example.com>";
  for (std::string_view r : routes) {
    auto entry = parse_route_entry(r);
    REQUIRE(entry.ok());
    d.route_set.push_back(*entry);
  }
  return d;
}

// The INVITE at U2 in §16.12.1.2, with U2's 200.
message_ptr strict_example_invite() {
  return parsed(sip({
      "INVITE sip:callee@u2.domain.com SIP/2.0",
      "Via: SIP/2.0/UDP p4.domain.com;branch=z9hG4bKp4",
      "Max-Forwards: 66",
      "From: <sip:caller@u1.example.com>;tag=u1",
      "To: <sip:callee@u2.domain.com>",
      "Call-ID: strict-example",
      "CSeq: 1 INVITE",
      "Contact: sip:caller@u1.example.com",
      "Record-Route: <sip:p4.domain.com;lr>",
      "Record-Route: <sip:p3.middle.com>",
      "Record-Route: <sip:p2.example.com;lr>",
      "Record-Route: <sip:p1.example.com;lr>",
  }));
}

message_ptr ok_with_record_route(const message& invite, std::string_view to_tag, std::string_view contact) {
  auto b = message_builder::response_to(invite, 200, {}, to_tag);
  invite.for_each_header(header_id::record_route, [&](const header& h) { b.add_header("Record-Route", h.value); });
  b.add_header("Contact", contact);
  return ua_test::built(b);
}

}  // namespace

TEST_CASE("§12.2.1.1: RFC 3665 §3.2 F18, Bob's BYE with the loose route set", "[dialog][routing]") {
  auto invite = parsed(rfc3665::s32_f7_invite());
  auto d = make_uas_dialog(*invite, *ok_with_record_route(*invite, "314159", "<sip:bob@client.biloxi.example.com;transport=tcp>"),
                           false);
  REQUIRE(d.ok());
  auto out = make_dialog_request(*d, "BYE");
  CHECK(out.next_hop == "sip:ss2.biloxi.example.com;lr");
  CHECK(out.branch.substr(0, 7) == "z9hG4bK");
  auto bye = ua_test::finished(out, "TCP", "client.biloxi.example.com:5060");
  CHECK(bye->method() == sip_method::bye);
  CHECK(bye->request_uri().text == "sip:alice@client.atlanta.example.com;transport=tcp");
  CHECK(ua_test::route_values(*bye) ==
        std::vector<std::string>{"<sip:ss2.biloxi.example.com;lr>", "<sip:ss1.atlanta.example.com;lr>"});
  CHECK(ua_test::header_or_empty(*bye, "From") == "Bob <sip:bob@biloxi.example.com>;tag=314159");
  CHECK(ua_test::header_or_empty(*bye, "To") == "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl");
  CHECK(bye->call_id() == "3848276298220188511@atlanta.example.com");
  CHECK(bye->max_forwards() == 70);
  // Bob's local sequence number was empty: an initial one is chosen (§8.1.1.5).
  REQUIRE(d->local_seq);
  CHECK(bye->cseq().number == *d->local_seq);
  CHECK(bye->cseq().number < (1u << 31));
  CHECK(bye->cseq().method == "BYE");
  CHECK(bye->header_count(header_id::contact) == 0);  // BYE is no target refresh request
  CHECK(bye->top_via().text == "SIP/2.0/TCP client.biloxi.example.com:5060;branch=" + out.branch + ";rport");
  CHECK(bye->header_at(0).id == header_id::via);
}

TEST_CASE("§12.2.1.1: the strict-routing example of the RFC", "[dialog][routing]") {
  dialog_state d = dialog_with("sip:user@remoteua", {"<sip:proxy1>", "<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>"});
  auto out = make_dialog_request(d, "INFO");
  CHECK(out.next_hop == "sip:proxy1");  // §8.1.2: the Request-URI, for a strict router
  auto info = ua_test::finished(out);
  CHECK(info->request_uri().text == "sip:proxy1");
  CHECK(ua_test::route_values(*info) ==
        std::vector<std::string>{"<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>", "<sip:user@remoteua>"});
}

TEST_CASE("§12.2.1.1: a strict first route loses the parameters a Request-URI may not have", "[dialog][routing]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {"<sip:p1.example.com;method=INVITE;transport=tcp;x=y?Subject=hi>"});
  auto out = make_dialog_request(d, "INFO");
  auto info = ua_test::finished(out);
  CHECK(info->request_uri().text == "sip:p1.example.com;transport=tcp;x=y");
  CHECK(ua_test::route_values(*info) == std::vector<std::string>{"<sip:bob@192.0.2.4>"});
}

TEST_CASE("§16.12.1.2: U1 and U2 route through four proxies, one of them strict", "[dialog][routing]") {
  auto invite = strict_example_invite();
  auto ok = ok_with_record_route(*invite, "u2", "<sip:callee@u2.domain.com>");

  // U2 (UAS): the route set in Record-Route order; p4 is loose, so the BYE of the example.
  auto u2 = make_uas_dialog(*invite, *ok, false);
  REQUIRE(u2.ok());
  auto out = make_dialog_request(*u2, "BYE");
  auto bye = ua_test::finished(out);
  CHECK(bye->request_uri().text == "sip:caller@u1.example.com");
  CHECK(ua_test::route_values(*bye) == std::vector<std::string>{"<sip:p4.domain.com;lr>", "<sip:p3.middle.com>",
                                                                "<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"});
  CHECK(out.next_hop == "sip:p4.domain.com;lr");

  // U1 (UAC): the reverse; p1 is loose.
  auto u1 = make_uac_dialog(*invite, *ok, false);
  REQUIRE(u1.ok());
  auto out1 = make_dialog_request(*u1, "BYE");
  auto bye1 = ua_test::finished(out1);
  CHECK(bye1->request_uri().text == "sip:callee@u2.domain.com");
  CHECK(ua_test::route_values(*bye1) == std::vector<std::string>{"<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>",
                                                                 "<sip:p3.middle.com>", "<sip:p4.domain.com;lr>"});

  // What P4 sends after removing itself is what a UA next to the strict router p3 sends.
  dialog_state next_to_p3 = dialog_with("sip:caller@u1.example.com", {"<sip:p3.middle.com>", "<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"});
  auto out3 = make_dialog_request(next_to_p3, "BYE");
  auto bye3 = ua_test::finished(out3);
  CHECK(bye3->request_uri().text == "sip:p3.middle.com");
  CHECK(ua_test::route_values(*bye3) == std::vector<std::string>{"<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>",
                                                                 "<sip:caller@u1.example.com>"});
  CHECK(out3.next_hop == "sip:p3.middle.com");
}

TEST_CASE("§12.2.1.1: an empty route set sends to the remote target without Route", "[dialog][routing]") {
  dialog_state d = dialog_with("sip:bob@client.biloxi.example.com;transport=udp", {});
  auto out = make_dialog_request(d, "OPTIONS");
  CHECK(out.next_hop == "sip:bob@client.biloxi.example.com;transport=udp");
  auto options = ua_test::finished(out);
  CHECK(options->request_uri().text == "sip:bob@client.biloxi.example.com;transport=udp");
  CHECK(options->header_count(header_id::route) == 0);
}

TEST_CASE("§12.2.1.1: CSeq numbers increase by one, ACK and CANCEL take a given one", "[dialog]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {});
  auto first = make_dialog_request(d, "INFO");
  CHECK(ua_test::finished(first)->cseq().number == 314160);
  auto second = make_dialog_request(d, "INVITE");
  CHECK(ua_test::finished(second)->cseq().number == 314161);
  auto cancel = dialog_request_with_cseq(d, "CANCEL", 314161);
  auto cancel_message = ua_test::finished(cancel);
  CHECK(cancel_message->cseq().number == 314161);
  CHECK(cancel_message->cseq().method == "CANCEL");
  CHECK(d.local_seq == std::optional<std::uint32_t>(314161));
}

TEST_CASE("§12.2.1.1: target refresh requests carry the local Contact, others do not", "[dialog]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {});
  auto reinvite = make_dialog_request(d, "INVITE");
  CHECK(ua_test::header_or_empty(*ua_test::finished(reinvite), "Contact") == "<sip:alice@pc33.atlanta.example.com>");
  auto update = make_dialog_request(d, "UPDATE");
  CHECK(ua_test::finished(update)->header_count(header_id::contact) == 1);
  auto info = make_dialog_request(d, "INFO");
  CHECK(ua_test::finished(info)->header_count(header_id::contact) == 0);
}

TEST_CASE("§12.2.1.1: a null tag is left out of To and From", "[dialog]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {});
  d.id.remote_tag.clear();
  d.remote_display_name.clear();
  auto out = make_dialog_request(d, "BYE");
  auto bye = ua_test::finished(out);
  CHECK(ua_test::header_or_empty(*bye, "To") == "<sip:bob@biloxi.example.com>");
  CHECK(bye->to_tag().empty());
  CHECK(bye->from_tag() == "1928301774");
}

TEST_CASE("§13.2.2.4: RFC 3665 §3.2 F15, Alice's ACK for the 200", "[dialog][ack]") {
  auto invite = parsed(rfc3665::s32_f4_invite());
  auto ok = parsed(rfc3665::s32_to_alice(200));
  auto d = make_uac_dialog(*invite, *ok, false);
  REQUIRE(d.ok());
  auto out = make_ack(*d, *invite);
  CHECK(out.next_hop == "sip:ss1.atlanta.example.com;lr");
  CHECK(out.branch != std::string(invite->top_via().branch));
  auto ack = ua_test::finished(out, "TCP", "client.atlanta.example.com:5060");
  CHECK(ack->method() == sip_method::ack);
  CHECK(ack->request_uri().text == "sip:bob@client.biloxi.example.com;transport=tcp");
  CHECK(ua_test::route_values(*ack) ==
        std::vector<std::string>{"<sip:ss1.atlanta.example.com;lr>", "<sip:ss2.biloxi.example.com;lr>"});
  CHECK(ack->cseq().number == 2);
  CHECK(ack->cseq().method == "ACK");
  CHECK(ack->from_tag() == "9fxced76sl");
  CHECK(ack->to_tag() == "314159");
  CHECK(ack->call_id() == "3848276298220188511@atlanta.example.com");
  CHECK(ack->max_forwards() == 70);
  CHECK(ack->header_count(header_id::contact) == 0);
  // "The ACK MUST contain the same credentials as the INVITE."
  CHECK(ua_test::values(*ack, header_id::proxy_authorization) == ua_test::values(*invite, header_id::proxy_authorization));
  CHECK(ack->body().empty());
  // The ACK does not use up a local sequence number.
  CHECK(d->local_seq == std::optional<std::uint32_t>(2));
}

TEST_CASE("§13.2.2.4: the ACK carries the answer, the credentials and the INVITE's Require", "[dialog][ack]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {"<sip:proxy.example.com;lr>"});
  auto reinvite_out = make_dialog_request(d, "INVITE");
  reinvite_out.request.add_header("Authorization", "Digest username=\"alice\", realm=\"x\", nonce=\"n\", uri=\"sip:bob@192.0.2.4\", response=\"r\"");
  reinvite_out.request.add_header("Require", "timer");
  auto reinvite = ua_test::finished(reinvite_out);
  auto out = make_ack(d, *reinvite, "application/sdp", "v=0\r\n");
  auto ack = ua_test::finished(out);
  CHECK(ack->cseq().number == reinvite->cseq().number);
  CHECK(ua_test::values(*ack, header_id::authorization) == ua_test::values(*reinvite, header_id::authorization));
  CHECK(ua_test::values(*ack, header_id::require) == std::vector<std::string>{"timer"});
  CHECK(ack->content_type() == "application/sdp");
  CHECK(ack->body() == "v=0\r\n");
}

TEST_CASE("outgoing_request::finish again replaces its Via (a new try, §8.1.2)", "[dialog]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {});
  auto out = make_dialog_request(d, "BYE");
  auto udp = ua_test::finished(out, "UDP", "192.0.2.1:5060");
  out.branch = "z9hG4bKsecondtry";
  auto tcp = ua_test::finished(out, "TCP", "192.0.2.1:5060");
  CHECK(tcp->via_count() == 1);
  CHECK(tcp->top_via().transport == "TCP");
  CHECK(tcp->top_via().branch == "z9hG4bKsecondtry");
  CHECK(udp->top_via().transport == "UDP");
}

TEST_CASE("§14.2: a re-INVITE during another INVITE gets 491 or 500 with Retry-After", "[dialog][reinvite]") {
  auto reinvite = parsed(rfc3665::s37_f9_reinvite());
  CHECK(check_reinvite(*reinvite, false, false).passed());

  uas_check_result glare = check_reinvite(*reinvite, true, false);
  CHECK(glare.status == 491);
  REQUIRE(glare.response);
  CHECK(glare.response->to_tag() == "9fxced76sl");
  ua_test::round_trip(glare.response);

  uas_check_result overlap = check_reinvite(*reinvite, false, true);
  CHECK(overlap.status == 500);
  REQUIRE(overlap.response);
  REQUIRE(overlap.response->retry_after().ok());
  CHECK(overlap.response->retry_after()->seconds <= 10);
}

TEST_CASE("§14.1: the wait after a 491 depends on who owns the Call-ID", "[dialog][reinvite]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {});
  for (int i = 0; i < 50; ++i) {
    d.role = dialog_role::uac;
    auto owner = reinvite_retry_delay(d).count();
    CHECK(owner >= 2100);
    CHECK(owner <= 4000);
    CHECK(owner % 10 == 0);
    d.role = dialog_role::uas;
    auto other = reinvite_retry_delay(d).count();
    CHECK(other >= 0);
    CHECK(other <= 2000);
    CHECK(other % 10 == 0);
  }
}

TEST_CASE("§15: the callee sends no BYE on an early dialog nor before the ACK", "[dialog]") {
  dialog_state d = dialog_with("sip:bob@192.0.2.4", {});
  d.phase = dialog_phase::early;
  d.role = dialog_role::uac;
  CHECK(may_send_bye(d, false));
  d.role = dialog_role::uas;
  CHECK_FALSE(may_send_bye(d, false));
  d.phase = dialog_phase::confirmed;
  CHECK_FALSE(may_send_bye(d, true));
  CHECK(may_send_bye(d, false));
  d.phase = dialog_phase::terminated;
  CHECK_FALSE(may_send_bye(d, false));
}

}  // namespace sipactor
