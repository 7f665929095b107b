// The proxy fixture: a proxy core behind the real transaction layer, on the virtual clock, with
// the fake transport of transaction_test_fixture.hpp, a fake target source (AOR -> contacts) and
// a fake registrar. Tests read like call flows: a request from the network, what the proxy sent,
// a response from a callee, what went upstream.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "actors/proxy_core.hpp"
#include "actors/proxy_targets.hpp"
#include "tests/actors/proxy_test_messages.hpp"
#include "tests/actors/transaction_test_fixture.hpp"

namespace sipactor::test {

struct proxy_fixture : transaction_fixture {
  transaction_layer layer;
  proxy_core core;
  std::map<std::string, std::vector<proxy_target>> bindings;  // what the target source answers
  std::vector<tu_request> registrar_got;

  caf::actor target_source = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const target_query& q) {
      auto i = bindings.find(q.aor);
      if (i == bindings.end()) return target_answer{{}, 404};
      return target_answer{i->second, 0};
    }};
  }, this);
  caf::actor registrar = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const tu_request& r) { registrar_got.push_back(r); }};
  }, this);

  explicit proxy_fixture(proxy_config c = proxy_test::config(), bool with_registrar = true,
                         transaction_config timers = {}) {
    config = timers;
    if (with_registrar) c.registrar = registrar;
    c.shards = 2;
    core = spawn_proxy_core(sys, c, {}, {}, target_source);
    if (c.stateless) {
      complete_proxy_core(core, {}, transport_actor);
    } else {
      transaction_layer_config lc;
      lc.timers = config;
      lc.shards = 2;
      layer = spawn_transaction_layer(sys, lc, transport_actor, core.entry);
      complete_proxy_core(core, layer.entry, transport_actor);
    }
    sched.run();
  }
  ~proxy_fixture() {
    // Everything still running ends on its timers (Timer C, linger, transactions).
    for (int i = 0; i < 400; ++i) {
      sched.advance_time(std::chrono::seconds(1));
      sched.run();
    }
    if (layer.entry) stop_transaction_layer(layer);
    stop_proxy_core(core);
    for (auto& a : {target_source, registrar}) caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
  }

  // A message from the network: to the transaction layer, or to the core when it is the
  // transport's sink (stateless).
  void from_network(const message_ptr& m, transport_kind t = transport_kind::udp) {
    deliver(layer.entry ? layer.entry : core.entry, inbound(m, t));
  }

  std::vector<sent_message> requests_sent(const std::string& method) const {
    std::vector<sent_message> out;
    for (const auto& s : sent)
      if (!s.response && s.message->method_name() == method) out.push_back(s);
    return out;
  }
  // Statuses of the responses sent upstream for `method`, without 100 (Trying) (the server
  // transaction's own).
  std::vector<int> upstream(const std::string& method = "INVITE") const {
    std::vector<int> out;
    for (const auto& s : sent)
      if (s.response && s.message->status() != 100 && s.message->cseq().method == method)
        out.push_back(s.message->status());
    return out;
  }
  message_ptr last_upstream() const {
    for (auto i = sent.rbegin(); i != sent.rend(); ++i)
      if (i->response) return i->message;
    return nullptr;
  }

  // A callee answers the request the proxy sent it.
  void answer(const sent_message& forwarded, int status, const std::string& to_tag = "callee",
              std::initializer_list<std::string> extra = {}) {
    auto b = message_builder::response_to(*forwarded.message, status, {}, status > 100 ? to_tag : "");
    for (const std::string& line : extra) {
      auto colon = line.find(':');
      b.add_header(line.substr(0, colon), line.substr(colon + 2));
    }
    auto r = b.build();
    REQUIRE(r.ok());
    from_network(r.message, forwarded.transport);
  }
  // The request the proxy sent to `host` (the last one with that method).
  sent_message sent_to(const std::string& method, const std::string& host) const {
    auto all = requests_sent(method);
    for (auto i = all.rbegin(); i != all.rend(); ++i)
      if (i->destination.ip() == host) return *i;
    FAIL("no " << method << " sent to " << host);
    return {};
  }
};

}  // namespace sipactor::test
