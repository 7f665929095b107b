#include "transport/udp_endpoint.hpp"

#include "transport/inbound.hpp"

namespace sipactor::transport {

namespace {

// The reader loop of one socket: receive a batch, parse each datagram, deliver or answer, and
// look at the mailbox between batches (a stop request, a stats query).
void udp_reader(caf::blocking_actor* self, std::shared_ptr<const udp_socket> socket, caf::actor sink,
                transport_limits limits) {
  udp_receiver receiver(32, limits.max_datagram + 1);
  std::vector<datagram> batch;
  transport_counters counters;
  bool running = true;
  const socket_address local = socket->local();
  while (running) {
    if (!receiver.receive(*socket, batch)) break;
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
          self->send(sink, inbound_message{std::move(r.message), transport_kind::udp, local, d.source, caf::actor{}});
          break;
        case inbound_outcome::answer:
          ++counters.answered;
          if (socket->send_to(r.answer, d.source).empty()) ++counters.sent;
          else ++counters.send_errors;
          break;
        case inbound_outcome::drop:
          ++counters.dropped;
          break;
      }
    }
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

}  // namespace

udp_endpoint open_udp_endpoint(caf::actor_system& sys, const socket_address& address, std::size_t readers,
                               const caf::actor& sink, const transport_limits& limits, std::string& error) {
  udp_endpoint endpoint;
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
