// A sipactor stack in the user's CAF actor system: transports, transaction layer and UA core
// from one config struct, with a typed handle for the application's commands (actors/ua_api.hpp).
// No globals: two stacks in one actor system are independent.
//
//   caf::actor_system_config cfg;
//   sipactor::add_message_types(cfg);
//   caf::actor_system sys{cfg};
//   auto app = sys.spawn(my_app, 0);  // CAF 0.17: give actor functions an argument besides self
//   sipactor::stack s = sipactor::spawn_stack(sys, config, app);
//   if (!s) { std::cerr << s.error; ... }
//   self->request(s.ua, caf::infinite, sipactor::place_call{"sip:bob@192.0.2.7"}).then(...);
//   ...
//   sipactor::stop_stack(s);
#pragma once

#include <caf/all.hpp>

#include <string>
#include <vector>

#include "actors/transaction_layer.hpp"
#include "actors/ua_api.hpp"
#include "actors/ua_config.hpp"
#include "actors/ua_core.hpp"
#include "transport/transport_config.hpp"

namespace sipactor {

struct stack_config {
  transport::transport_config transport;  // listen points (port 0: a free one), TLS, limits
  transaction_layer_config transactions;  // T1, T2, T4, shards
  // Identity and policy. An empty From or Contact is made from the first listen point
  // ("sip:sipactor@<address>").
  ua_config ua;
};

// The commands a stack takes and what each answers.
using ua_handle = caf::typed_actor<caf::replies_to<send_request>::with<request_outcome>,
                                   caf::replies_to<place_call>::with<call_outcome>, caf::reacts_to<cancel_call>>;

struct stack {
  ua_handle ua;  // the application's commands go here
  std::vector<transport::listen_point> listening;  // what is bound (ports picked for port 0)
  std::string error;  // why the stack could not start (then ua is empty)

  caf::actor transport;
  transaction_layer transactions;
  ua_core core;

  explicit operator bool() const noexcept { return error.empty(); }
};

// Registers every sipactor message type with `cfg` (names for CAF's type system; required for
// the stack's messages to cross into other actors of the user's system with their names).
void add_message_types(caf::actor_system_config& cfg);

// The scheduler as sipactor's own commands run it (CAF-0.17.md): `threads` workers (0: one per
// core), at most 100 messages per actor per turn (spawning from actors stays cheap), and idle
// workers that poll 100 times and then sleep, without CAF's default 500 further polls 50 us
// apart: those wake-ups cost more CPU than the SIP work at moderate rates (bench/RESULTS.md,
// "Proxy (issue 7)"). With `workers_read_udp` the workers sleep in epoll on the UDP sockets and
// read them themselves (transport/socket_waiting_scheduler.hpp), so a datagram wakes one thread,
// not a reader thread and then a worker. Optional for embedders; call before the system starts.
void configure_scheduler(caf::actor_system_config& cfg, std::size_t threads, bool workers_read_udp = true);

// Starts a stack whose events go to `app`. Blocks until the transports are bound.
stack spawn_stack(caf::actor_system& sys, const stack_config& config, caf::actor app);

// Stops the stack's actors (calls in progress end without BYE).
void stop_stack(const stack& s);

}  // namespace sipactor
