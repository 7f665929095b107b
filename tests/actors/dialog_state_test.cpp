// The dialog of RFC 3261 §12 as a value: creation on both sides (RFC 3665 §3.2 as the script),
// early and confirmed states, the remote sequence number (§12.2.2) and target refresh.
#include <catch2/catch.hpp>

#include <unordered_set>

#include "actors/dialog_requests.hpp"
#include "actors/dialog_state.hpp"
#include "tests/actors/rfc3665_messages.hpp"
#include "tests/actors/ua_test_messages.hpp"

namespace sipactor {
namespace {

using ua_test::parsed;
using ua_test::sip;

std::vector<std::string> route_values(const dialog_state& d) {
  std::vector<std::string> out;
  for (const route_entry& r : d.route_set) out.push_back(r.value);
  return out;
}

// Bob's 200 to F7: §12.1.1 Record-Route copied, Contact added, To tag 314159.
message_ptr bob_ok(const message& invite, int status = 200) {
  auto b = message_builder::response_to(invite, status, {}, "314159");
  invite.for_each_header(header_id::record_route, [&](const header& h) { b.add_header("Record-Route", h.value); });
  b.add_header("Contact", "<sip:bob@client.biloxi.example.com;transport=tcp>");
  return ua_test::built(b);
}

// An in-dialog request from the peer of a UAS dialog created from F7 (Alice -> Bob).
message_ptr from_alice(std::string_view method, std::uint32_t cseq, std::string_view extra = "Max-Forwards: 70") {
  return parsed(sip({std::string(method) + " sip:bob@client.biloxi.example.com;transport=tcp SIP/2.0",
                     "Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK" + std::to_string(cseq) +
                         std::string(method),
                     "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl",
                     "To: Bob <sip:bob@biloxi.example.com>;tag=314159",
                     "Call-ID: 3848276298220188511@atlanta.example.com",
                     "CSeq: " + std::to_string(cseq) + " " + std::string(method), extra}));
}

dialog_state bob_dialog() {
  auto invite = parsed(rfc3665::s32_f7_invite());
  auto d = make_uas_dialog(*invite, *bob_ok(*invite), false);
  REQUIRE(d.ok());
  return *d;
}

}  // namespace

TEST_CASE("§12.1.1: Bob, the UAS of RFC 3665 §3.2, creates the dialog from F7 and his 200", "[dialog]") {
  auto invite = parsed(rfc3665::s32_f7_invite());
  auto ok = bob_ok(*invite);
  auto d = make_uas_dialog(*invite, *ok, false);
  REQUIRE(d.ok());
  CHECK(d->role == dialog_role::uas);
  CHECK(d->confirmed());
  CHECK(d->id == dialog_id{"3848276298220188511@atlanta.example.com", "314159", "9fxced76sl"});
  CHECK(d->id == uas_dialog_id(*ok));
  // Record-Route of the request, in order, parameters kept.
  CHECK(route_values(*d) == std::vector<std::string>{"<sip:ss2.biloxi.example.com;lr>", "<sip:ss1.atlanta.example.com;lr>"});
  CHECK(d->route_set[0].uri == "sip:ss2.biloxi.example.com;lr");
  CHECK(d->route_set[0].loose);
  CHECK(d->remote_target == "sip:alice@client.atlanta.example.com;transport=tcp");
  CHECK(d->remote_seq == std::optional<std::uint32_t>(2));
  CHECK_FALSE(d->local_seq);
  CHECK(d->remote_uri == "sip:alice@atlanta.example.com");
  CHECK(d->remote_display_name == "Alice");
  CHECK(d->local_uri == "sip:bob@biloxi.example.com");
  CHECK(d->local_display_name == "Bob");
  CHECK(d->local_contact == "<sip:bob@client.biloxi.example.com;transport=tcp>");
  CHECK_FALSE(d->secure);
  CHECK(d->invite_cseq == 2);

  // A 180 creates an early dialog; the 200 Bob sends later confirms it (§12.1).
  auto early = make_uas_dialog(*invite, *bob_ok(*invite, 180), false);
  REQUIRE(early.ok());
  CHECK(early->early());
  process_sent_response(*early, *ok);
  CHECK(early->confirmed());
}

TEST_CASE("§12.1.2: Alice, the UAC of RFC 3665 §3.2: F11 makes an early dialog, F14 confirms it", "[dialog]") {
  auto invite = parsed(rfc3665::s32_f4_invite());
  auto ringing = parsed(rfc3665::s32_to_alice(180));
  auto d = make_uac_dialog(*invite, *ringing, false);
  REQUIRE(d.ok());
  CHECK(d->role == dialog_role::uac);
  CHECK(d->early());
  CHECK(d->id == dialog_id{"3848276298220188511@atlanta.example.com", "9fxced76sl", "314159"});
  CHECK(d->id == uac_dialog_id(*ringing));
  // Record-Route of the response in reverse order.
  CHECK(route_values(*d) == std::vector<std::string>{"<sip:ss1.atlanta.example.com;lr>", "<sip:ss2.biloxi.example.com;lr>"});
  CHECK(d->remote_target == "sip:bob@client.biloxi.example.com;transport=tcp");
  CHECK(d->local_seq == std::optional<std::uint32_t>(2));
  CHECK_FALSE(d->remote_seq);
  CHECK(d->remote_uri == "sip:bob@biloxi.example.com");
  CHECK(d->local_uri == "sip:alice@atlanta.example.com");
  CHECK(d->local_contact == "<sip:alice@client.atlanta.example.com;transport=tcp>");

  process_response(*d, *parsed(rfc3665::s32_to_alice(200)));
  CHECK(d->confirmed());
  CHECK(route_values(*d) == std::vector<std::string>{"<sip:ss1.atlanta.example.com;lr>", "<sip:ss2.biloxi.example.com;lr>"});

  // F20: Bob's BYE reaches Alice, who is UAS for it: the UAS rule of §12 finds her dialog.
  auto bye = parsed(rfc3665::s32_f20_bye());
  CHECK(uas_dialog_id(*bye) == d->id);
  CHECK(check_request_order(*d, *bye).passed());
  apply_request(*d, *bye);
  CHECK(d->remote_seq == std::optional<std::uint32_t>(1));
}

TEST_CASE("§13.2.2.4: the 2xx recomputes the route set of the early dialog", "[dialog]") {
  auto invite = parsed(rfc3665::s32_f4_invite());
  std::string ringing_text = rfc3665::s32_to_alice(180);
  // RFC 2543 did not mandate Record-Route in 1xx: the 180 has none.
  ringing_text.erase(ringing_text.find("Record-Route"), ringing_text.find("From:") - ringing_text.find("Record-Route"));
  auto d = make_uac_dialog(*invite, *parsed(ringing_text), false);
  REQUIRE(d.ok());
  CHECK(d->route_set.empty());
  process_response(*d, *parsed(rfc3665::s32_to_alice(200)));
  CHECK(route_values(*d) == std::vector<std::string>{"<sip:ss1.atlanta.example.com;lr>", "<sip:ss2.biloxi.example.com;lr>"});
}

TEST_CASE("§12.3: a non-2xx final response ends the early dialog, on both sides", "[dialog]") {
  auto invite = parsed(rfc3665::s32_f4_invite());
  auto d = make_uac_dialog(*invite, *parsed(rfc3665::s32_to_alice(180)), false);
  REQUIRE(d.ok());
  std::string busy = rfc3665::s32_to_alice(180);
  busy.replace(0, busy.find("\r\n"), "SIP/2.0 486 Busy Here");
  process_response(*d, *parsed(busy));
  CHECK(d->terminated());

  auto f7 = parsed(rfc3665::s32_f7_invite());
  auto uas = make_uas_dialog(*f7, *bob_ok(*f7, 183), false);
  REQUIRE(uas.ok());
  auto rejected = ua_test::built(message_builder::response_to(*f7, 603, {}, "314159"));
  process_sent_response(*uas, *rejected);
  CHECK(uas->terminated());
}

TEST_CASE("§12.1: what cannot create a dialog fails with a reason", "[dialog]") {
  auto invite = parsed(rfc3665::s32_f7_invite());
  // 100 Trying, or any response without a To tag.
  auto trying = ua_test::built(message_builder::response_to(*invite, 100));
  CHECK_FALSE(make_uas_dialog(*invite, *trying, false).ok());
  CHECK_FALSE(make_uac_dialog(*invite, *trying, false).ok());
  auto no_tag = ua_test::built(message_builder::response_to(*invite, 200).add_header("Contact", "<sip:b@h>"));
  CHECK_FALSE(make_uac_dialog(*invite, *no_tag, false).ok());
  // A final failure.
  auto busy = ua_test::built(message_builder::response_to(*invite, 486, {}, "t").add_header("Contact", "<sip:b@h>"));
  CHECK_FALSE(make_uas_dialog(*invite, *busy, false).ok());
  // The UAS needs the request's Contact and its own.
  std::string no_contact = rfc3665::s32_f7_invite();
  no_contact.erase(no_contact.find("Contact:"), no_contact.find("\r\n", no_contact.find("Contact:")) + 2 - no_contact.find("Contact:"));
  auto bare = parsed(no_contact);
  auto made = make_uas_dialog(*bare, *bob_ok(*bare), false);
  CHECK_FALSE(made.ok());
  CHECK(std::string(made.reason()).find("Contact") != std::string::npos);
  CHECK_FALSE(make_uas_dialog(*invite, *ua_test::built(message_builder::response_to(*invite, 200, {}, "t")), false).ok());
  // A 2xx without Contact cannot give the UAC a remote target.
  auto f4 = parsed(rfc3665::s32_f4_invite());
  auto ok_without_contact = ua_test::built(message_builder::response_to(*f4, 200, {}, "t"));
  CHECK_FALSE(make_uac_dialog(*f4, *ok_without_contact, false).ok());
}

TEST_CASE("§12.1.2: a 180 without Contact leaves the Request-URI as remote target until the 200", "[dialog]") {
  auto f4 = parsed(rfc3665::s32_f4_invite());
  auto ringing = ua_test::built(message_builder::response_to(*f4, 180, {}, "314159"));
  auto d = make_uac_dialog(*f4, *ringing, false);
  REQUIRE(d.ok());
  CHECK(d->remote_target == "sip:bob@biloxi.example.com");
  process_response(*d, *parsed(rfc3665::s32_to_alice(200)));
  CHECK(d->remote_target == "sip:bob@client.biloxi.example.com;transport=tcp");
}

TEST_CASE("§12.1: the secure flag needs TLS and a SIPS Request-URI", "[dialog]") {
  std::string text = rfc3665::s32_f7_invite();
  text.replace(text.find("sip:bob@client"), 3, "sips");
  text.replace(text.find("<sip:alice@client"), 4, "<sips");
  auto invite = parsed(text);
  auto ok = bob_ok(*invite);
  CHECK(make_uas_dialog(*invite, *ok, true)->secure);
  CHECK_FALSE(make_uas_dialog(*invite, *ok, false)->secure);
  CHECK_FALSE(make_uas_dialog(*parsed(rfc3665::s32_f7_invite()), *ok, true)->secure);
}

TEST_CASE("§12: dialog IDs: Call-ID byte for byte, tags as tokens (case-insensitive)", "[dialog]") {
  dialog_id a{"a84b4c76e66710@pc33", "1928301774", "as9x"};
  dialog_id b{"a84b4c76e66710@pc33", "1928301774", "AS9X"};
  dialog_id c{"A84B4C76E66710@pc33", "1928301774", "as9x"};
  CHECK(a == b);
  CHECK(a.hash() == b.hash());
  CHECK(a != c);
  CHECK(a != dialog_id{"a84b4c76e66710@pc33", "as9x", "1928301774"});  // local and remote differ
  std::unordered_set<dialog_id, dialog_id_hash> dialogs{a};
  CHECK(dialogs.count(b) == 1);
  CHECK(dialogs.count(c) == 0);

  // Forking (§13.2.2.4): a 2xx with another To tag is another dialog.
  auto f4 = parsed(rfc3665::s32_f4_invite());
  std::string other = rfc3665::s32_to_alice(200);
  other.replace(other.find("tag=314159"), 10, "tag=271828");
  auto first = make_uac_dialog(*f4, *parsed(rfc3665::s32_to_alice(200)), false);
  auto second = make_uac_dialog(*f4, *parsed(other), false);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(first->id != second->id);
  CHECK(first->id.local_tag == second->id.local_tag);
}

TEST_CASE("§12.2.2: a request with a lower CSeq than the remote sequence number gets 500", "[dialog]") {
  dialog_state d = bob_dialog();  // remote sequence number 2
  auto info = from_alice("INFO", 5);
  REQUIRE(check_request_order(d, *info).passed());
  apply_request(d, *info);
  CHECK(d.remote_seq == std::optional<std::uint32_t>(5));

  auto late = from_alice("BYE", 4);
  uas_check_result r = check_request_order(d, *late);
  CHECK(r.status == 500);
  CHECK(r.reason.find("lower") != std::string::npos);
  REQUIRE(r.response);
  CHECK(r.response->status() == 500);
  CHECK(r.response->reason_phrase() == "Server Internal Error");
  CHECK(r.response->to_tag() == "314159");  // the request's To tag is kept (§8.2.6.2)
  CHECK(r.response->cseq().number == 4);
  ua_test::round_trip(r.response);
  CHECK(d.remote_seq == std::optional<std::uint32_t>(5));  // a rejected request changes nothing

  // Gaps are no error ("a UAS SHOULD be prepared to receive ... CSeq values more than one higher").
  auto gap = from_alice("BYE", 9);
  CHECK(check_request_order(d, *gap).passed());
  apply_request(d, *gap);
  CHECK(d.remote_seq == std::optional<std::uint32_t>(9));

  // ACK and CANCEL carry the number of the request they belong to.
  auto ack = from_alice("ACK", 2);
  CHECK(check_request_order(d, *ack).passed());
  apply_request(d, *ack);
  auto cancel = from_alice("CANCEL", 3);
  CHECK(check_request_order(d, *cancel).passed());
  apply_request(d, *cancel);
  CHECK(d.remote_seq == std::optional<std::uint32_t>(9));
}

TEST_CASE("§12.2.2 / §12.2.1.2: target refresh with RFC 3665 §3.7 (IP address change)", "[dialog]") {
  auto invite = parsed(rfc3665::s37_f1_invite());
  auto d = make_uac_dialog(*invite, *parsed(rfc3665::s37_f7_ok()), false);
  REQUIRE(d.ok());
  CHECK(d->confirmed());
  CHECK(d->route_set.empty());
  CHECK(d->remote_target == "sip:bob@client.biloxi.example.com");

  // F9: Bob's re-INVITE with his new Contact.
  auto reinvite = parsed(rfc3665::s37_f9_reinvite());
  CHECK(uas_dialog_id(*reinvite) == d->id);
  REQUIRE(check_request_order(*d, *reinvite).passed());
  apply_request(*d, *reinvite);
  CHECK(d->remote_target == "sip:bob@client.chicago.example.com");
  CHECK(d->remote_seq == std::optional<std::uint32_t>(14));

  // Requests that are not target refresh requests leave the remote target alone (§12.2).
  std::string info_text = rfc3665::s37_f9_reinvite();
  info_text.replace(0, 6, "INFO");
  info_text.replace(info_text.find("14 INVITE"), 9, "15 INFO");
  info_text.replace(info_text.find("client.chicago.example.com>"), 26, "elsewhere.example.com");
  apply_request(*d, *parsed(info_text));
  CHECK(d->remote_target == "sip:bob@client.chicago.example.com");
  CHECK(d->remote_seq == std::optional<std::uint32_t>(15));

  // Alice's own re-INVITE: its 2xx's Contact replaces the remote target (§12.2.1.2); the route
  // set is not touched by target refresh (§12.2).
  auto out = make_dialog_request(*d, "INVITE");
  auto sent = ua_test::finished(out);
  auto ok = ua_test::built(message_builder::response_to(*sent, 200)
                               .add_header("Contact", "<sip:bob@192.0.2.55:5062>")
                               .add_header("Record-Route", "<sip:new-proxy.example.com;lr>"));
  process_response(*d, *ok);
  CHECK(d->remote_target == "sip:bob@192.0.2.55:5062");
  CHECK(d->route_set.empty());

  // A 2xx to a BYE or an INFO is no target refresh.
  auto info_out = make_dialog_request(*d, "INFO");
  auto info_sent = ua_test::finished(info_out);
  process_response(*d, *ua_test::built(message_builder::response_to(*info_sent, 200).add_header("Contact", "<sip:x@y>")));
  CHECK(d->remote_target == "sip:bob@192.0.2.55:5062");
  // Nor does a failed re-INVITE change it.
  auto again = make_dialog_request(*d, "INVITE");
  auto sent_again = ua_test::finished(again);
  process_response(*d, *ua_test::built(message_builder::response_to(*sent_again, 488).add_header("Contact", "<sip:x@y>")));
  CHECK(d->remote_target == "sip:bob@192.0.2.55:5062");
  CHECK(d->confirmed());
}

TEST_CASE("§12.2.1.2: the callee's own re-INVITE refreshes the remote target too", "[dialog]") {
  dialog_state d = bob_dialog();
  auto out = make_dialog_request(d, "INVITE");
  auto reinvite = ua_test::finished(out, "TCP", "client.biloxi.example.com:5060");
  CHECK(ua_test::header_or_empty(*reinvite, "Contact") == "<sip:bob@client.biloxi.example.com;transport=tcp>");
  process_response(d, *ua_test::built(message_builder::response_to(*reinvite, 200)
                                          .add_header("Contact", "<sip:alice@192.0.2.101;transport=tcp>")));
  CHECK(d.remote_target == "sip:alice@192.0.2.101;transport=tcp");
  CHECK(d.confirmed());
}

TEST_CASE("§12.2.1.2: 481 and 408 end the dialog", "[dialog]") {
  CHECK(response_ends_dialog(481));
  CHECK(response_ends_dialog(408));
  CHECK_FALSE(response_ends_dialog(200));
  CHECK_FALSE(response_ends_dialog(487));
}

}  // namespace sipactor
