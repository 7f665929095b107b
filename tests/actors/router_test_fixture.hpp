// The router fixture: a transaction layer on the virtual clock between the fake transport and
// the fake TU of transaction_test_fixture.hpp.
#pragma once

#include "actors/transaction_key.hpp"
#include "actors/transaction_layer.hpp"
#include "tests/actors/transaction_test_fixture.hpp"

namespace sipactor::test {

struct router_fixture : transaction_fixture {
  transaction_layer layer;
  bool tu_hears_termination = true;  // the tests look at what the TU hears

  explicit router_fixture(std::size_t shards = 4) { start_layer(shards, transport_actor); }
  ~router_fixture() {
    // Transactions still waiting for the TU would outlive the test; the fixture kills `spawned`.
    for (const auto& r : tu_requests)
      if (r.event.server_transaction) spawned.push_back(r.event.server_transaction);
    stop_transaction_layer(layer);
    sched.run();
  }

  // `idle_per_kind`: see transaction_layer_config (0: no transaction actor is reused).
  void start_layer(std::size_t shards, const caf::actor& transport, std::size_t idle_per_kind = 256) {
    transaction_layer_config c;
    c.timers = config;
    c.shards = shards;
    c.idle_per_kind = idle_per_kind;
    c.tu_hears_termination = tu_hears_termination;
    layer = spawn_transaction_layer(sys, c, transport, tu);
    sched.run();
  }

  void from_network(const message_ptr& m, transport_kind t = transport_kind::udp) { deliver(layer.entry, inbound(m, t)); }

  // The TU answers the server transaction of its `i`th request.
  void tu_answers(std::size_t i, int status, const std::string& to_tag = "uas1") {
    REQUIRE(tu_requests.size() > i);
    deliver(tu_requests[i].event.server_transaction, response_to(tu_requests[i].event.inbound.message, status, to_tag));
  }

  std::vector<transaction_layer_counters> per_shard() {
    std::vector<transaction_layer_counters> out;
    caf::scoped_actor self{sys};
    for (const auto& shard : layer.shards) {
      self->send(shard, transport::stats_atom::value);
      sched.run();
      self->receive([&](const transaction_layer_counters& c) { out.push_back(c); });
    }
    return out;
  }
  transaction_layer_counters counters() {
    transaction_layer_counters sum;
    for (const auto& c : per_shard()) sum += c;
    return sum;
  }

  // client_request through request(): the transaction's handle, or the error's text.
  caf::actor start_client(message_ptr request, caf::actor for_tu = {}, std::string* error = nullptr,
                          transport_kind t = transport_kind::udp) {
    caf::scoped_actor self{sys};
    caf::actor txn;
    auto answer = self->request(layer.entry, caf::infinite, client_request{outbound(std::move(request), t), for_tu});
    sched.run();
    std::move(answer).receive([&](caf::actor& a) { txn = std::move(a); },
                              [&](caf::error& e) {
                                if (error) *error = sys.render(e);
                              });
    if (txn) spawned.push_back(txn);
    return txn;
  }
};

inline message_ptr with_header(const message_ptr& m, const std::string& name, const std::string& value) {
  auto b = message_builder::copy_of(m);
  b.set_header(name, value);
  auto r = b.build();
  REQUIRE(r.ok());
  return r.message;
}

// §17.1.1.3: the ACK for a non-2xx has the INVITE's branch; the To tag of the response.
inline message_ptr ack_for(const message_ptr& invite, const std::string& branch, const std::string& to_tag = "uas1") {
  auto ack = request("ACK", transport_kind::udp, branch);
  ack = with_header(ack, "To", "Bob <sip:bob@biloxi.example.com>;tag=" + to_tag);
  return with_header(ack, "CSeq", std::to_string(invite->cseq().number) + " ACK");
}

}  // namespace sipactor::test
