// Embedding sipactor in a CAF application (issue 5): the program's own actor system holds its
// own actors (a call counter and two application actors) and two sipactor stacks. Alice's stack
// calls Bob's over UDP on 127.0.0.1; Bob answers (180, then 200 with SDP); Alice hangs up (BYE).
// The program prints what happened and exits 0 when all of it did, 1 otherwise (or when nothing
// happens within the time limits).
//
// README
// ------
// Built with sipactor (the option SIPACTOR_BUILD_EXAMPLES, on by default) and run by ctest as
// `sipactor_embedding_example`. Built against an installed sipactor:
//
//   cmake --install build --prefix /opt/sipactor
//   cmake -S examples/embedding -B build-example -DCMAKE_PREFIX_PATH=/opt/sipactor
//   cmake --build build-example
//   ./build-example/sipactor_embedding_example
//
// In a project of your own:
//
//   find_package(sipactor REQUIRED)  # finds CAF 0.17, OpenSSL 3, SQLite3 and Threads as well
//   target_link_libraries(app PRIVATE sipactor::sipactor)
//
// The steps, as in main() below:
//   1. sipactor::add_message_types(cfg) on your caf::actor_system_config; load CAF's I/O module
//      too (a stack's TCP and TLS listeners are CAF brokers);
//   2. spawn the application actor that a stack reports to: it receives incoming_call,
//      incoming_request, call_cancelled and dialog_ended (actors/ua_api.hpp);
//   3. sipactor::spawn_stack(sys, config, app) for each stack; stack.ua takes place_call,
//      send_request and cancel_call, a dialog's handle takes dialog_request;
//   4. sipactor::stop_stack(stack) before the actor system goes.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <tuple>

#include "actors/stack.hpp"

namespace {

using namespace std::chrono_literals;

// --- an actor of the program's own: counts what happens to calls

using offered_atom = caf::atom_constant<caf::atom("offered")>;
using answered_atom = caf::atom_constant<caf::atom("answered")>;
using ended_atom = caf::atom_constant<caf::atom("ended")>;
using counts_atom = caf::atom_constant<caf::atom("counts")>;
using call_atom = caf::atom_constant<caf::atom("call")>;

using call_counter = caf::typed_actor<caf::reacts_to<offered_atom>, caf::reacts_to<answered_atom>,
                                      caf::reacts_to<ended_atom>,
                                      caf::replies_to<counts_atom>::with<int, int, int>>;

struct counter_state {
  int offered = 0, answered = 0, ended = 0;
  static inline const char* name = "call-counter";
};

// The unused int: CAF 0.17 dereferences a null argument tuple when an actor function takes no
// argument besides `self` (UBSan reports it), so every spawn here passes one.
call_counter::behavior_type count_calls(call_counter::stateful_pointer<counter_state> self, int) {
  return {
    [=](offered_atom) { ++self->state.offered; },
    [=](answered_atom) { ++self->state.answered; },
    [=](ended_atom) { ++self->state.ended; },
    [=](counts_atom) { return std::make_tuple(self->state.offered, self->state.answered, self->state.ended); },
  };
}

const std::string sdp =
    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";

void say(const std::string& who, const std::string& what) { std::cout << who << ": " << what << std::endl; }

// --- Bob's application: answers every call

caf::behavior callee(caf::event_based_actor* self, call_counter counter) {
  return {
    [=](const sipactor::incoming_call& c) -> sipactor::answer {
      self->send(counter, offered_atom::value);
      say("bob", "INVITE from " + std::string(c.invite->header_value("From").value_or("?")));
      // Provisional answers go to the call's handle; the final one is this handler's result.
      self->send(c.call, sipactor::answer{180, {}, {}, {}, {}});
      return sipactor::answer{200, {}, {}, "application/sdp", sdp};
    },
    [=](const sipactor::incoming_request& r) {
      say("bob", std::string(r.request->method_name()) + " within the call");
      return sipactor::answer{200, {}, {}, {}, {}};
    },
    [=](const sipactor::call_cancelled&) { say("bob", "the caller cancelled"); },
    [=](const sipactor::dialog_ended& e) {
      self->send(counter, ended_atom::value);
      say("bob", "call ended (" + e.reason + ")");
    },
  };
}

// Answers a promise kept in a handler's captures (which are const).
void finish(caf::typed_response_promise<bool> promise, bool ok) { promise.deliver(ok); }

// --- Alice's application: on (call, ua, target), calls, then hangs up; answers true when the
// call was answered and the BYE got 200.

caf::behavior caller(caf::event_based_actor* self, call_counter counter) {
  return {
    [=](call_atom, const sipactor::ua_handle& ua, const std::string& target) -> caf::result<bool> {
      auto done = self->make_response_promise<bool>();
      say("alice", "calling " + target);
      self->request(ua, 10s, sipactor::place_call{target, "application/sdp", sdp, {}, {}})
          .then(
              [=](const sipactor::call_outcome& out) {
                say("alice", "call outcome " + std::to_string(out.status) + " " + out.reason);
                if (out.status != 200 || !out.dialog) {
                  finish(done, false);
                  return;
                }
                self->send(counter, answered_atom::value);
                self->request(out.dialog, 10s, sipactor::dialog_request{"BYE", {}, {}, {}})
                    .then(
                        [=](const sipactor::request_outcome& bye) {
                          say("alice", "BYE answered " + std::to_string(bye.status));
                          finish(done, bye.status == 200);
                        },
                        [=](caf::error& e) {
                          say("alice", "BYE failed: " + self->system().render(e));
                          finish(done, false);
                        });
              },
              [=](caf::error& e) {
                say("alice", "the call failed: " + self->system().render(e));
                finish(done, false);
              });
      return done;
    },
    [=](const sipactor::incoming_call&) { return sipactor::answer{486, {}, {}, {}, {}}; },  // busy
    [=](const sipactor::incoming_request&) { return sipactor::answer{200, {}, {}, {}, {}}; },
    [=](const sipactor::call_cancelled&) {},
    [=](const sipactor::dialog_ended& e) {
      self->send(counter, ended_atom::value);
      say("alice", "call ended (" + e.reason + ")");
    },
  };
}

sipactor::stack_config udp_on_loopback(const std::string& from) {
  sipactor::stack_config c;
  c.transport.listen.push_back(
      {sipactor::transport::transport_kind::udp, *sipactor::transport::socket_address::from("127.0.0.1", 0)});
  c.transport.udp_readers = 1;
  c.transactions.shards = 1;
  c.ua.shards = 1;
  c.ua.identity.from = from;  // the Contact is made from the listen point
  c.ua.identity.user_agent = "sipactor-embedding-example";
  return c;
}

}  // namespace

int main() {
  caf::actor_system_config cfg;
  // CAF 0.17's scheduler defaults are slow to spawn actors (CAF-0.17.md): set them.
  cfg.set("scheduler.max-threads", 2);
  cfg.set("scheduler.max-throughput", 100);
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.load<caf::io::middleman>();
  sipactor::add_message_types(cfg);  // the one call that makes sipactor's messages known
  caf::actor_system sys{cfg};

  auto counter = sys.spawn(count_calls, 0);
  auto bob_app = sys.spawn(callee, counter);
  auto alice_app = sys.spawn(caller, counter);
  sipactor::stack bob = sipactor::spawn_stack(sys, udp_on_loopback("Bob <sip:bob@example.org>"), bob_app);
  sipactor::stack alice = sipactor::spawn_stack(sys, udp_on_loopback("Alice <sip:alice@example.org>"), alice_app);

  bool ok = false;
  if (!bob || !alice) {
    std::cerr << "a stack did not start: " << bob.error << alice.error << std::endl;
  } else {
    caf::scoped_actor self{sys};
    std::string target = "sip:bob@" + bob.listening.front().address.to_string();
    self->request(alice_app, 30s, call_atom::value, alice.ua, target)
        .receive([&](bool answered_and_ended) { ok = answered_and_ended; },
                 [&](caf::error& e) { std::cerr << "no result: " << sys.render(e) << std::endl; });
    // Both sides report the end of the call: Alice's when the BYE is answered, Bob's when the
    // BYE arrives; wait a little for both.
    int offered = 0, answered = 0, ended = 0;
    for (int i = 0; i < 50 && ended < 2; ++i) {
      self->request(counter, 1s, counts_atom::value)
          .receive([&](int o, int a, int e) { std::tie(offered, answered, ended) = std::tie(o, a, e); },
                   [&](caf::error&) {});
      if (ended < 2) std::this_thread::sleep_for(100ms);
    }
    std::cout << "calls offered " << offered << ", answered " << answered << ", ended " << ended << std::endl;
    ok = ok && offered == 1 && answered == 1 && ended == 2;
  }

  sipactor::stop_stack(alice);
  sipactor::stop_stack(bob);
  for (const caf::actor& a : {alice_app, bob_app}) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(counter, caf::exit_reason::user_shutdown);
  std::cout << (ok ? "OK" : "FAILED") << std::endl;
  return ok ? 0 : 1;
}
