#include "transport/stream_broker.hpp"

#include "transport/stream_connection.hpp"

#include <unordered_map>

namespace sipactor::transport {

namespace {
// CAF 0.17 keeps a read buffer of the configured size per connection, idle or not: small while
// traffic is small, larger while a read fills it (bench/RESULTS.md, idle connection memory).
constexpr std::size_t small_read = 512;
constexpr std::size_t large_read = 32 * 1024;

void adapt_read_size(caf::io::broker* self, caf::io::connection_handle hdl, std::size_t& current, std::size_t got) {
  std::size_t wanted = got >= current ? large_read : small_read;
  if (wanted == current) return;
  current = wanted;
  self->configure_read(hdl, caf::io::receive_policy::at_most(wanted));
}
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
        adapt_read_size(self, hdl, *read_size, msg.buf.size());
        self->send(owner, stream_bytes{std::move(msg.buf)});
      },
      [=](stream_write& out) {
        self->write(hdl, out.bytes.size(), out.bytes.data());
        self->flush(hdl);
      },
      [=](close_atom, caf::io::connection_handle) {
        self->close(hdl);
        self->quit();
      },
      [=](const caf::io::connection_closed_msg&) {
        self->send(owner, closed_atom::value);
        self->quit();
      },
  };
}

namespace {
// What a listener keeps per accepted connection: no broker actor per connection (about 2 KB
// each), just the socket, its connection actor and its read size.
struct accepted_connection {
  caf::actor owner;
  std::size_t read_size = small_read;
};
struct listener_state {
  std::unordered_map<caf::io::connection_handle, accepted_connection> by_handle;
  std::unordered_map<caf::actor_addr, caf::io::connection_handle> by_owner;
};
}  // namespace

caf::behavior stream_listener(caf::io::broker* self, listener_params params) {
  std::string host = params.address.ip();
  auto doorman = self->add_tcp_doorman(params.address.port(), host.c_str(), true);
  if (!doorman) {
    self->quit(doorman.error());
    return {};
  }
  listen_point bound{params.transport, params.address};
  bound.address.set_port(doorman->second);
  auto limits = std::make_shared<const transport_limits>(params.limits);
  auto st = std::make_shared<listener_state>();
  // An error message (a connection answering something it did not expect) must not end the
  // listener and with it every accepted connection: CAF's default error handler quits.
  self->set_error_handler([](caf::error&) {});
  auto forget = [=](caf::io::connection_handle hdl) {
    auto it = st->by_handle.find(hdl);
    if (it == st->by_handle.end()) return;
    st->by_owner.erase(it->second.owner.address());
    st->by_handle.erase(it);
  };
  self->set_down_handler([=](const caf::down_msg& dm) {
    // A connection actor is gone: its socket goes with it.
    auto it = st->by_owner.find(dm.source);
    if (it == st->by_owner.end()) return;
    caf::io::connection_handle hdl = it->second;
    self->close(hdl);
    forget(hdl);
  });
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
        st->by_handle[msg.handle] = accepted_connection{connection, small_read};
        st->by_owner[connection.address()] = msg.handle;
        self->monitor(connection);
        self->configure_read(msg.handle, caf::io::receive_policy::at_most(small_read));
        self->send(connection, attach_atom::value, caf::actor_cast<caf::actor>(self), msg.handle);
        self->send(params.registry, accepted_atom::value, params.transport, remote.value_or(socket_address{}), connection);
      },
      [=](caf::io::new_data_msg& msg) {
        auto it = st->by_handle.find(msg.handle);
        if (it == st->by_handle.end()) return;
        adapt_read_size(self, msg.handle, it->second.read_size, msg.buf.size());
        self->send(it->second.owner, stream_bytes{std::move(msg.buf)});
      },
      [=](stream_write& out) {
        if (st->by_handle.count(out.handle) == 0) return;  // closed meanwhile
        self->write(out.handle, out.bytes.size(), out.bytes.data());
        self->flush(out.handle);
      },
      [=](close_atom, caf::io::connection_handle hdl) {
        if (st->by_handle.count(hdl) == 0) return;
        self->close(hdl);
        forget(hdl);
      },
      [=](const caf::io::connection_closed_msg& msg) {
        // CAF keeps the scribe in the broker until it is closed, peer-closed or not: close it,
        // or every connection leaves its scribe behind (found by sipactor_conn_bench).
        self->close(msg.handle);
        auto it = st->by_handle.find(msg.handle);
        if (it == st->by_handle.end()) return;
        self->send(it->second.owner, closed_atom::value);
        forget(msg.handle);
      },
      [=](listening_atom) { return bound; },
      [=](close_atom) { self->quit(); },
  };
}

void stream_connector(caf::blocking_actor* self, caf::actor owner, socket_address destination) {
  auto broker = self->system().middleman().spawn_client(connection_broker, destination.ip(), destination.port(), owner);
  // The handle is the broker's own; it ignores the one in stream_write.
  if (broker) self->send(owner, attach_atom::value, caf::actor{*broker}, caf::io::connection_handle{});
  else self->send(owner, connect_failed_atom::value, self->system().render(broker.error()));
}

}  // namespace sipactor::transport
