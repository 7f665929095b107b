#include "transport/stream_broker.hpp"

#include "transport/stream_connection.hpp"

namespace sipactor::transport {

namespace {
// CAF 0.17 keeps a read buffer of the configured size per connection, idle or not: small while
// traffic is small, larger while a read fills it (bench/RESULTS.md, idle connection memory).
constexpr std::size_t small_read = 1024;
constexpr std::size_t large_read = 32 * 1024;
}  // namespace

caf::behavior connection_broker(caf::io::broker* self, caf::io::connection_handle hdl, caf::actor owner) {
  auto read_size = std::make_shared<std::size_t>(small_read);
  self->configure_read(hdl, caf::io::receive_policy::at_most(small_read));
  self->monitor(owner);
  self->set_down_handler([=](const caf::down_msg&) {
    self->close(hdl);
    self->quit();
  });
  return {
      [=](caf::io::new_data_msg& msg) {
        std::size_t wanted = msg.buf.size() >= *read_size ? large_read : small_read;
        if (wanted != *read_size) {
          *read_size = wanted;
          self->configure_read(hdl, caf::io::receive_policy::at_most(wanted));
        }
        self->send(owner, stream_bytes{std::move(msg.buf)});
      },
      [=](stream_bytes& out) {
        self->write(hdl, out.bytes.size(), out.bytes.data());
        self->flush(hdl);
      },
      [=](close_atom) {
        self->close(hdl);
        self->quit();
      },
      [=](const caf::io::connection_closed_msg&) {
        self->send(owner, closed_atom::value);
        self->quit();
      },
  };
}

caf::behavior stream_listener(caf::io::broker* self, listener_params params) {
  std::string host = params.address.ip();
  auto doorman = self->add_tcp_doorman(params.address.port(), host.c_str(), true);
  if (!doorman) {
    self->quit(doorman.error());
    return {};
  }
  listen_point bound{params.transport, params.address};
  auto limits = std::make_shared<const transport_limits>(params.limits);
  bound.address.set_port(doorman->second);
  return {
      [=](const caf::io::new_connection_msg& msg) {
        auto remote = socket_address::from(self->remote_addr(msg.handle), self->remote_port(msg.handle));
        connection_params p;
        p.transport = params.transport;
        p.local = bound.address;
        p.remote = remote.value_or(socket_address{});
        p.sink = params.sink;
        p.registry = params.registry;
        p.limits = limits;
        p.tls = params.tls;
        caf::actor connection = spawn_stream_connection(self->system(), std::move(p));
        caf::actor broker = self->fork(connection_broker, msg.handle, connection);
        self->send(connection, attach_atom::value, broker);
        self->send(params.registry, accepted_atom::value, params.transport, remote.value_or(socket_address{}), connection);
      },
      [=](listening_atom) { return bound; },
      [=](close_atom) { self->quit(); },
  };
}

void stream_connector(caf::blocking_actor* self, caf::actor owner, socket_address destination) {
  auto broker = self->system().middleman().spawn_client(connection_broker, destination.ip(), destination.port(), owner);
  if (broker) self->send(owner, attach_atom::value, caf::actor{*broker});
  else self->send(owner, connect_failed_atom::value, self->system().render(broker.error()));
}

}  // namespace sipactor::transport
