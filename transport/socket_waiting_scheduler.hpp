// A CAF scheduler whose idle workers wait on sockets instead of a condition variable.
//
// With CAF's work-stealing scheduler a datagram costs two wake-ups when the stack is idle: a
// reader thread wakes in recvmmsg, and the worker it hands the message to wakes on its condition
// variable. At a few hundred calls a second every datagram arrives at an idle stack, and those
// wake-ups are a large part of the CPU per call. Here a worker with nothing to run sleeps in
// epoll_wait on the watched sockets and an eventfd: a datagram wakes one worker, which reads it,
// parses it and hands it to its actor on the same worker, with no second thread involved. A
// busy worker also looks at the sockets (without waiting) every few jobs, so reading keeps up
// under load. Everything else (queues, stealing, spawn and send) is CAF's work stealing.
//
// Installed by `install_socket_waiting_scheduler(cfg)` before the actor system is created; the
// UDP transport then watches its sockets (`watch_readable`) instead of spawning reader threads.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <cstddef>
#include <memory>

namespace sipactor::transport {

// Makes the actor system created from `cfg` use the socket-waiting scheduler (with the
// `scheduler.*` and `work-stealing.*` settings of `cfg`).
void install_socket_waiting_scheduler(caf::actor_system_config& cfg);

// What a worker runs when a watched socket is readable: read what is there (without waiting)
// and hand it to actors with `worker` as the execution unit, so they run on this worker. Called
// from several workers at once when the socket has much to read.
class readable_handler {
public:
  virtual ~readable_handler();
  virtual void on_readable(caf::execution_unit* worker, std::size_t worker_index) = 0;
};

// The number of workers when `sys` runs the socket-waiting scheduler, 0 otherwise.
std::size_t socket_waiting_workers(caf::actor_system& sys);

// Lets the workers of `sys` wait on `fd` and run `handler` when it is readable. The scheduler
// keeps the handler until it stops (a worker may be running it while it is unwatched). False
// when `sys` does not run the socket-waiting scheduler or epoll refuses the descriptor.
bool watch_readable(caf::actor_system& sys, int fd, std::shared_ptr<readable_handler> handler);

// Lets `a` run on worker `index` (modulo the number of workers): a message that wakes it on
// another worker queues it there instead. For actors that are busy all the time and keep much
// state, such as the shards of a layer: their state stays in one core's cache instead of moving
// to whichever core sent the last message. An idle worker may still steal it. False when `sys`
// does not run the socket-waiting scheduler, `a` is not a scheduled actor, or too many have a home.
// Set before `a` gets messages; it lasts as long as the actor system (do not use it for actors
// that end before it).
bool set_home_worker(caf::actor_system& sys, const caf::actor& a, std::size_t index);

// The workers stop waiting on `fd`; a handler already running finishes.
void unwatch_readable(caf::actor_system& sys, int fd);

}  // namespace sipactor::transport
