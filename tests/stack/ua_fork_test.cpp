// A forked INVITE (RFC 3261 §13.2.2.4, §12.1.2): the peer here plays a forking proxy on a plain
// UDP socket and answers one INVITE from two branches (two To tags): two early dialogs, then two
// 2xx. The UAC keeps the first answer, acknowledges both 2xx and ends the second dialog with BYE.
#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "actors/stack.hpp"
#include "messages/builder.hpp"
#include "messages/parser.hpp"
#include "tests/stack/test_app.hpp"
#include "tests/support/test_sockets.hpp"

namespace sipactor::test {
namespace {

using namespace std::chrono_literals;

std::string reply(const message& request, int status, const std::string& tag, const udp_peer& peer) {
  auto b = message_builder::response_to(request, status, {}, tag);
  if (status > 100) b.add_header("Contact", "<sip:bob-" + tag + "@" + peer.local().to_string() + ">");
  return b.serialize();
}

// The next request of `method` the peer receives (other datagrams are skipped).
message_ptr next_request(const udp_peer& peer, sip_method method) {
  for (int i = 0; i < 20; ++i) {
    auto datagram = peer.receive(3000ms);
    if (!datagram) return nullptr;
    auto parsed = parse_message(*datagram);
    if (parsed.ok() && parsed.message->is_request() && parsed.message->method() == method) return parsed.message;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Stack: a forked INVITE answered by two branches keeps the first 2xx, ACKs both, BYEs the second (13.2.2.4)",
          "[stack][ua][call]") {
  caf::actor_system sys{stack_test_config()};
  auto log = std::make_shared<app_log>();
  stack_config config;
  config.transport.listen.push_back({transport::transport_kind::udp, *transport::socket_address::from("127.0.0.1", 0)});
  config.transport.udp_readers = 1;
  config.transactions.shards = 2;
  config.ua.shards = 2;
  stack alice = spawn_stack(sys, config, spawn_test_app(sys, log, {}));
  REQUIRE(alice);
  udp_peer proxy;
  const auto& alice_address = alice.listening.front().address;
  caf::scoped_actor self{sys};
  auto pending = self->request(alice.ua, 20s,
                               place_call{"sip:bob@" + proxy.local().to_string(), "application/sdp", "v=0\r\n", {}, {}});
  message_ptr invite = next_request(proxy, sip_method::invite);
  REQUIRE(invite);
  // Two branches ring (two early dialogs), then both answer.
  proxy.send(reply(*invite, 180, "forkA", proxy), alice_address);
  proxy.send(reply(*invite, 180, "forkB", proxy), alice_address);
  proxy.send(reply(*invite, 200, "forkA", proxy), alice_address);
  proxy.send(reply(*invite, 200, "forkB", proxy), alice_address);
  call_outcome out;
  std::move(pending).receive([&](const call_outcome& o) { out = o; }, [&](caf::error&) {});
  REQUIRE(out.status == 200);
  REQUIRE(out.dialog);
  CHECK(out.response->to_tag() == "forkA");
  // Both 2xx are acknowledged (each ACK its own transaction, §13.2.2.4), then the second dialog
  // gets a BYE.
  std::vector<std::string> acked;
  for (int i = 0; i < 2; ++i) {
    message_ptr ack = next_request(proxy, sip_method::ack);
    REQUIRE(ack);
    acked.emplace_back(ack->to_tag());
    CHECK(ack->cseq().number == invite->cseq().number);
  }
  std::sort(acked.begin(), acked.end());
  CHECK(acked == std::vector<std::string>{"forkA", "forkB"});
  message_ptr bye = next_request(proxy, sip_method::bye);
  REQUIRE(bye);
  CHECK(bye->to_tag() == "forkB");
  CHECK(bye->request_uri().text == "sip:bob-forkB@" + proxy.local().to_string());
  proxy.send(reply(*bye, 200, "forkB", proxy), alice_address);
  // The kept dialog goes on: its BYE goes to the first branch's Contact.
  auto hangup = self->request(out.dialog, 20s, dialog_request{"BYE", {}, {}, {}});
  message_ptr bye_a = next_request(proxy, sip_method::bye);
  REQUIRE(bye_a);
  CHECK(bye_a->to_tag() == "forkA");
  CHECK(bye_a->request_uri().text == "sip:bob-forkA@" + proxy.local().to_string());
  proxy.send(reply(*bye_a, 200, "forkA", proxy), alice_address);
  request_outcome done;
  std::move(hangup).receive([&](const request_outcome& o) { done = o; }, [&](caf::error&) {});
  CHECK(done.status == 200);
  stop_stack(alice);
}

}  // namespace sipactor::test
