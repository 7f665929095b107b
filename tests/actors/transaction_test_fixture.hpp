// Test bench for the transaction actors: CAF's test_coordinator (virtual clock, one thread), a
// fake transport and a fake TU that log what reaches them with the virtual time, and SIP
// messages made by the project's parser and builder.
#pragma once

#include <algorithm>

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "actors/transaction_layer.hpp"
#include "actors/transaction_messages.hpp"
#include "messages/builder.hpp"
#include "messages/parser.hpp"

namespace Catch {
template <>
struct StringMaker<std::chrono::milliseconds> {
  static std::string convert(std::chrono::milliseconds v) { return std::to_string(v.count()) + "ms"; }
};
}  // namespace Catch

namespace sipactor::test {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using transport::socket_address;
using transport::transport_kind;

inline message_ptr parse(const std::string& text) {
  auto r = parse_message(text);
  INFO(text);
  REQUIRE(r.ok());
  return r.message;
}

// A request as a UAC or proxy sends it (one Via, or `extra_vias` below it).
inline message_ptr request(const std::string& method, transport_kind t = transport_kind::udp,
                           const std::string& branch = "z9hG4bKtx1", const std::string& extra_headers = "") {
  return parse(method + " sip:bob@biloxi.example.com SIP/2.0\r\n"
               "Via: SIP/2.0/" + std::string(transport::to_string(t)) + " pc33.atlanta.example.com;branch=" + branch +
               "\r\nMax-Forwards: 70\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n"
               "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
               "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nCSeq: 314159 " + method + "\r\n" +
               extra_headers + "Content-Length: 0\r\n\r\n");
}

inline message_ptr response_to(const message_ptr& req, int status, const std::string& to_tag = "b7x1") {
  auto r = message_builder::response_to(*req, status, {}, to_tag).build();
  REQUIRE(r.ok());
  return r.message;
}

inline socket_address address(const char* ip, std::uint16_t port) { return *socket_address::from(ip, port); }

inline transport::outbound_request outbound(message_ptr m, transport_kind t) {
  return {std::move(m), t, address("192.0.2.20", 5060), {}};
}

inline transport::inbound_message inbound(message_ptr m, transport_kind t) {
  return {std::move(m), t, address("192.0.2.10", 5060), address("198.51.100.7", 40000), {}};
}

template <class T>
struct at {
  ms time;
  T event;
};

struct sent_message {
  ms time;
  message_ptr message;
  bool response = false;
  transport_kind transport = transport_kind::udp;
  socket_address destination;  // requests: destination; responses: the request's source
  socket_address local;        // responses: where the request arrived
};

inline caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  return cfg;
}

struct transaction_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  caf::actor_clock::time_point start = sched.clock().now();
  transaction_config config;

  // What the fake transport was asked to send; set fail_sends to answer each with send_failed.
  std::vector<sent_message> sent;
  bool fail_sends = false;
  std::vector<std::string> unreachable;  // IP addresses whose requests fail as fail_sends does
  // What the fake TU and the fake owner received.
  std::vector<at<tu_request>> tu_requests;
  std::vector<at<tu_response>> tu_responses;
  std::vector<at<transaction_timeout>> timeouts;
  std::vector<at<transaction_transport_error>> transport_errors;
  std::vector<at<transaction_terminated>> tu_terminated;
  std::vector<at<stray_response>> stray_responses;
  std::vector<at<transaction_terminated>> owner_terminated;
  std::vector<caf::actor> spawned;

  caf::actor transport_actor = sys.spawn([this](caf::event_based_actor* self, const void*) -> caf::behavior {
    auto fail = [=](const message_ptr& m) {
      if (fail_sends) self->send(caf::actor_cast<caf::actor>(self->current_sender()), transport::send_failed{m, "unreachable"});
    };
    return {
      [=](const transport::outbound_request& r) {
        sent.push_back({now(), r.message, false, r.transport, r.destination, {}});
        if (std::find(unreachable.begin(), unreachable.end(), r.destination.ip()) != unreachable.end())
          self->send(caf::actor_cast<caf::actor>(self->current_sender()), transport::send_failed{r.message, "unreachable"});
        else
          fail(r.message);
      },
      [=](const transport::outbound_response& r) {
        sent.push_back({now(), r.message, true, r.transport, r.source, r.local});
        fail(r.message);
      },
    };
  }, this);  // an argument: CAF 0.17 + UBSan, see actors/*_transaction_*.cpp
  caf::actor tu = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {
      [=](const tu_request& e) { tu_requests.push_back({now(), e}); },
      [=](const tu_response& e) { tu_responses.push_back({now(), e}); },
      [=](const transaction_timeout& e) { timeouts.push_back({now(), e}); },
      [=](const transaction_transport_error& e) { transport_errors.push_back({now(), e}); },
      [=](const transaction_terminated& e) { tu_terminated.push_back({now(), e}); },
      [=](const stray_response& e) { stray_responses.push_back({now(), e}); },
    };
  }, this);  // an argument: CAF 0.17 + UBSan, see actors/*_transaction_*.cpp
  caf::actor owner = sys.spawn([this](caf::event_based_actor*, const void*) -> caf::behavior {
    return {[=](const transaction_terminated& e) { owner_terminated.push_back({now(), e}); }};
  }, this);  // an argument: CAF 0.17 + UBSan, see actors/*_transaction_*.cpp

  transaction_fixture() { sched.run(); }
  ~transaction_fixture() {
    for (auto& a : spawned) caf::anon_send_exit(a, caf::exit_reason::kill);
    for (auto& a : {transport_actor, tu, owner}) caf::anon_send_exit(a, caf::exit_reason::kill);
    sched.run();
    spawned.clear();
    tu_requests.clear();
    tu_responses.clear();
    timeouts.clear();
    transport_errors.clear();
    tu_terminated.clear();
    stray_responses.clear();
    owner_terminated.clear();
  }

  transaction_peers peers() { return {transport_actor, tu, owner, caf::actor{}}; }
  ms now() const { return std::chrono::duration_cast<ms>(sched.clock().now() - start); }

  template <class Spawn, class Message>
  caf::actor spawn(Spawn spawn_fn, Message m) {
    caf::actor a = spawn_fn(sys, config, peers(), std::move(m));
    spawned.push_back(a);
    sched.run();
    return a;
  }

  // Delivers a message as the router (or the TU) would, and lets every actor run.
  template <class T>
  void deliver(const caf::actor& to, T message) {
    caf::anon_send(to, std::move(message));
    sched.run();
  }

  // Moves the virtual clock to `t` in 1 ms steps, so that every timer fires at its own instant
  // and is re-armed from there (advancing in one step would handle all due timers at `t`).
  void advance_to(ms t) {
    sched.run();
    while (now() < t) {
      sched.advance_time(1ms);
      sched.run();
    }
  }
  void advance(ms d) { advance_to(now() + d); }

  // The transaction told its owner it terminated and has quit (only the three fakes still run).
  bool finished() { return !owner_terminated.empty() && sys.registry().running() == 3; }

  std::vector<ms> send_times() const {
    std::vector<ms> times;
    for (const auto& s : sent) times.push_back(s.time);
    return times;
  }
  std::vector<int> sent_statuses() const {
    std::vector<int> statuses;
    for (const auto& s : sent) statuses.push_back(s.response ? s.message->status() : 0);
    return statuses;
  }
};

}  // namespace sipactor::test
