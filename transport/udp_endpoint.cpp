#include "transport/udp_endpoint.hpp"

#include <atomic>
#include <mutex>

#include "transport/inbound.hpp"
#include "transport/socket_waiting_scheduler.hpp"

namespace sipactor::transport {

namespace {

// What both ways of reading do with a received batch (RFC 3261 §18.2.1, §18.1.2): drop what is
// too large, skip keep-alives, deliver what parses, answer bad requests with their error.
template <class Deliver>
void handle_batch(const std::vector<datagram>& batch, const udp_socket& socket, const transport_limits& limits,
                  transport_counters& counters, Deliver&& deliver) {
  const socket_address& local = socket.local();
  for (const datagram& d : batch) {
    if (d.truncated || d.bytes.size() > limits.max_datagram) {
      ++counters.dropped;
      continue;
    }
    if (d.bytes.find_first_not_of("\r\n") == std::string_view::npos) continue;  // keep-alive
    inbound_result r = process_inbound(d.bytes, framing::datagram, transport_kind::udp, d.source, limits.parse);
    switch (r.outcome) {
      case inbound_outcome::deliver:
        ++counters.received;
        deliver(inbound_message{std::move(r.message), transport_kind::udp, local, d.source, caf::actor{}});
        break;
      case inbound_outcome::answer:
        ++counters.answered;
        if (socket.send_to(r.answer, d.source).empty()) ++counters.sent;
        else ++counters.send_errors;
        break;
      case inbound_outcome::drop:
        ++counters.dropped;
        break;
    }
  }
}

constexpr std::size_t batch_size = 32;

// The reader loop of one socket on a thread of its own: receive a batch, handle it, and look at
// the mailbox between batches (a stop request, a stats query).
void udp_reader(caf::blocking_actor* self, std::shared_ptr<const udp_socket> socket, caf::actor sink,
                transport_limits limits) {
  udp_receiver receiver(batch_size, limits.max_datagram + 1);
  std::vector<datagram> batch;
  transport_counters counters;
  bool running = true;
  while (running) {
    if (!receiver.receive(*socket, batch)) break;
    handle_batch(batch, *socket, limits, counters, [&](inbound_message&& m) { self->send(sink, std::move(m)); });
    // Between batches: stop requests and stats queries, without waiting. The emptiness check
    // avoids receive()'s timed wait (a futex call per batch) when there is nothing.
    for (bool pending = !self->mailbox().empty(); pending && running;) {
      self->receive([&](close_atom) { running = false; },
                    [&](caf::exit_msg&) { running = false; },
                    [&](stats_atom) { return counters; },
                    caf::after(std::chrono::seconds(0)) >> [&] { pending = false; });
    }
  }
}

// One socket read by the scheduler's workers (socket_waiting_scheduler.hpp): the worker that
// finds it readable takes a batch without waiting and enqueues each message to the sink with
// itself as execution unit, so the sink's actor runs on that worker without waking another.
class udp_worker_reader final : public readable_handler {
public:
  udp_worker_reader(std::shared_ptr<const udp_socket> socket, caf::actor sink, transport_limits limits,
                    std::size_t workers)
      : socket_(std::move(socket)), sink_(std::move(sink)), limits_(limits), per_worker_(workers) {}

  void on_readable(caf::execution_unit* worker, std::size_t index) override {
    caf::actor sink;
    {
      std::lock_guard<std::mutex> guard(lock_);
      sink = sink_;
    }
    if (!sink || index >= per_worker_.size()) return;
    worker_buffers& own = per_worker_[index];  // only this worker touches its entry
    if (!own.receiver) own.receiver = std::make_unique<udp_receiver>(batch_size, limits_.max_datagram + 1);
    if (!own.receiver->receive(*socket_, own.batch, false) || own.batch.empty()) return;
    transport_counters delta;
    auto* target = caf::actor_cast<caf::abstract_actor*>(sink);
    handle_batch(own.batch, *socket_, limits_, delta, [&](inbound_message&& m) {
      target->enqueue(nullptr, caf::make_message_id(), caf::make_message(std::move(m)), worker);
    });
    received_ += delta.received;
    answered_ += delta.answered;
    dropped_ += delta.dropped;
    sent_ += delta.sent;
    send_errors_ += delta.send_errors;
  }

  // After this, a worker that still finds the socket readable delivers nothing.
  void close() {
    std::lock_guard<std::mutex> guard(lock_);
    sink_ = nullptr;
  }

  transport_counters counters() const {
    transport_counters c;
    c.received = received_;
    c.answered = answered_;
    c.dropped = dropped_;
    c.sent = sent_;
    c.send_errors = send_errors_;
    return c;
  }

private:
  struct worker_buffers {
    std::unique_ptr<udp_receiver> receiver;  // made on first use: 2 MiB of slots
    std::vector<datagram> batch;
  };

  std::shared_ptr<const udp_socket> socket_;
  std::mutex lock_;
  caf::actor sink_;
  transport_limits limits_;
  std::vector<worker_buffers> per_worker_;
  std::atomic<std::uint64_t> received_{0}, answered_{0}, dropped_{0}, sent_{0}, send_errors_{0};
};

// Stands for a worker-read socket where the transport expects a reader: answers stats and
// close; when it ends, the workers stop reading the socket.
caf::behavior udp_watch(caf::event_based_actor* self, std::shared_ptr<udp_worker_reader> reader, int fd) {
  auto& sys = self->system();
  self->attach_functor([&sys, reader, fd] {
    unwatch_readable(sys, fd);
    reader->close();
  });
  return {
      [=](close_atom) { self->quit(); },
      [=](stats_atom) { return reader->counters(); },
  };
}

}  // namespace

udp_endpoint open_udp_endpoint(caf::actor_system& sys, const socket_address& address, std::size_t readers,
                               const caf::actor& sink, const transport_limits& limits, bool read_on_workers,
                               std::string& error) {
  udp_endpoint endpoint;
  const std::size_t workers = read_on_workers ? socket_waiting_workers(sys) : 0;
  if (workers > 0) {
    // One socket: every worker's epoll watches it, and a datagram wakes one of them.
    auto s = std::make_shared<udp_socket>(udp_socket::bind(address, udp_socket_options{}, error));
    if (!s->valid()) return udp_endpoint{};
    auto reader = std::make_shared<udp_worker_reader>(s, sink, limits, workers);
    if (!watch_readable(sys, s->fd(), reader)) {
      error = "the scheduler's workers cannot wait on the UDP socket";
      return udp_endpoint{};
    }
    endpoint.socket = s;
    endpoint.readers.push_back(sys.spawn(udp_watch, reader, s->fd()));
    return endpoint;
  }
  socket_address bind_to = address;
  std::vector<std::shared_ptr<const udp_socket>> sockets;
  for (std::size_t i = 0; i < std::max<std::size_t>(readers, 1); ++i) {
    auto s = std::make_shared<udp_socket>(udp_socket::bind(bind_to, udp_socket_options{}, error));
    if (!s->valid()) return udp_endpoint{};
    bind_to = s->local();  // the others share the (possibly picked) port
    sockets.push_back(std::move(s));
  }
  endpoint.socket = sockets.front();
  for (auto& s : sockets) endpoint.readers.push_back(sys.spawn<caf::detached>(udp_reader, s, sink, limits));
  return endpoint;
}

}  // namespace sipactor::transport
