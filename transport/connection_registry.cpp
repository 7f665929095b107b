#include "transport/connection_registry.hpp"

#include <map>
#include <unordered_map>

#include "transport/stream_broker.hpp"
#include "transport/stream_connection.hpp"

namespace sipactor::transport {

namespace {

struct connection_key {
  transport_kind transport;
  socket_address remote;
  friend bool operator<(const connection_key& a, const connection_key& b) {
    if (a.transport != b.transport) return a.transport < b.transport;
    return a.remote < b.remote;
  }
};

struct registry_state {
  registry_params params;
  std::shared_ptr<const transport_limits> limits;  // handed to the connections it opens
  std::map<connection_key, caf::actor> by_peer;
  std::unordered_map<caf::actor_addr, connection_key> by_actor;
  std::unordered_map<std::string, std::size_t> per_ip;
  transport_counters counters;
  static inline const char* name = "sip-connection-registry";
};

using self_ptr = caf::stateful_actor<registry_state>*;

void add(self_ptr self, const connection_key& key, const caf::actor& connection) {
  auto& st = self->state;
  st.by_peer[key] = connection;
  st.by_actor[connection.address()] = key;
  ++st.per_ip[key.remote.ip()];
  self->monitor(connection);
}

// A connection that closed (it says so with its final counters) or went down.
void forget(self_ptr self, const caf::actor_addr& connection) {
  auto& st = self->state;
  auto it = st.by_actor.find(connection);
  if (it == st.by_actor.end()) return;
  auto peer = st.by_peer.find(it->second);
  if (peer != st.by_peer.end() && peer->second.address() == connection) st.by_peer.erase(peer);
  if (auto ip = st.per_ip.find(it->second.remote.ip()); ip != st.per_ip.end() && --ip->second == 0)
    st.per_ip.erase(ip);
  st.by_actor.erase(it);
  self->demonitor(connection);
}

bool over_limit(self_ptr self, const socket_address& remote) {
  auto& st = self->state;
  auto it = st.per_ip.find(remote.ip());
  std::size_t from_peer = it == st.per_ip.end() ? 0 : it->second;
  return st.by_actor.size() >= st.params.limits.max_connections ||
         from_peer >= st.params.limits.max_connections_per_peer;
}

// The connection to `key`, opened (and connecting) when there is none.
caf::actor connection_to(self_ptr self, const connection_key& key, const std::string& server_name) {
  auto& st = self->state;
  if (auto it = st.by_peer.find(key); it != st.by_peer.end()) return it->second;
  if (over_limit(self, key.remote)) return {};
  connection_params p;
  p.transport = key.transport;
  p.remote = key.remote;
  p.outbound = true;
  p.server_name = server_name.empty() ? key.remote.ip() : server_name;
  p.sink = st.params.sink;
  p.registry = self;
  p.limits = st.limits;
  p.tls = st.params.tls_client;
  caf::actor connection = spawn_stream_connection(self->system(), std::move(p));
  add(self, key, connection);
  self->system().spawn<caf::detached>(stream_connector, connection, key.remote);
  return connection;
}

// §18.2.2: where a response goes when its connection is gone: the received address (else the
// sent-by host when numeric) and the sent-by port (else the transport's default).
std::optional<socket_address> response_destination(const outbound_response& out) {
  const via& v = out.message->top_via();
  std::string_view host = !v.received.empty() ? v.received : v.host;
  std::uint16_t port = v.port != 0 ? v.port : default_port(out.transport);
  return socket_address::from(host, port);
}

}  // namespace

caf::behavior registry_behavior(self_ptr self, registry_params params) {
  self->state.params = std::move(params);
  self->state.limits = std::make_shared<const transport_limits>(self->state.params.limits);
  auto tick_every = std::max(std::chrono::milliseconds(100), self->state.params.limits.idle_timeout / 4);
  self->delayed_send(self, tick_every, tick_atom::value);
  self->set_down_handler([=](const caf::down_msg& dm) { forget(self, dm.source); });
  return {
      [=](accepted_atom, transport_kind transport, const socket_address& remote, const caf::actor& connection) {
        auto& st = self->state;
        if (over_limit(self, remote)) {
          ++st.counters.connections_refused;
          self->send(connection, close_atom::value);
          return;
        }
        ++st.counters.connections_open;
        // A newer connection from the same peer takes the key; the older stays usable by handle.
        add(self, connection_key{transport, remote}, connection);
      },
      [=](const outbound_request& out) {
        caf::actor connection = connection_to(self, {out.transport, out.destination}, out.server_name);
        if (!connection) {
          ++self->state.counters.connections_refused;
          auto sender = caf::actor_cast<caf::actor>(self->current_sender());
          if (sender) self->send(sender, send_failed{out.message, "connection limit reached"});
          return;
        }
        self->delegate(connection, out);
      },
      [=](const outbound_response& out) {
        auto& st = self->state;
        if (out.connection && st.by_actor.count(out.connection.address()) > 0) {
          self->delegate(out.connection, out);
          return;
        }
        // §18.2.2: "If the connection is no longer open, the server SHOULD open a connection".
        auto destination = response_destination(out);
        caf::actor connection = destination ? connection_to(self, {out.transport, *destination}, {}) : caf::actor{};
        if (!connection) {
          auto sender = caf::actor_cast<caf::actor>(self->current_sender());
          if (sender) self->send(sender, send_failed{out.message, "no connection for the response"});
          return;
        }
        self->delegate(connection, out);
      },
      [=](tick_atom) {
        for (auto& [actor, key] : self->state.by_actor) {
          (void)key;
          self->send(caf::actor_cast<caf::actor>(actor), tick_atom::value);
        }
        self->delayed_send(self, tick_every, tick_atom::value);
      },
      [=](stats_atom) -> caf::result<transport_counters> {
        // Open connections, refusals, and the sum of the live connections' own counters
        // (closed ones report theirs when they go, see closing_stats).
        auto rp = self->make_response_promise<transport_counters>();
        auto sum = std::make_shared<transport_counters>(self->state.counters);
        sum->connections_open = self->state.by_actor.size();
        auto pending = std::make_shared<std::size_t>(self->state.by_actor.size() + 1);
        auto done = [=]() mutable {
          if (--*pending == 0) rp.deliver(*sum);
        };
        for (auto& [address, key] : self->state.by_actor) {
          (void)key;
          self->request(caf::actor_cast<caf::actor>(address), std::chrono::seconds(2), stats_atom::value)
              .then(
                  [=](const transport_counters& c) mutable {
                    sum->received += c.received;
                    sum->answered += c.answered;
                    sum->dropped += c.dropped;
                    sum->sent += c.sent;
                    sum->connections_closed_error += c.connections_closed_error;
                    done();
                  },
                  [=](caf::error&) mutable { done(); });
        }
        done();
        return rp;
      },
      [=](const transport_counters& final_counts) {
        // A connection's counters when it closes. From here on nothing is routed to it: what was
        // routed before comes back from it (it answers nothing else until told it is forgotten).
        forget(self, self->current_sender() ? self->current_sender()->address() : caf::actor_addr{});
        auto& c = self->state.counters;
        c.received += final_counts.received;
        c.answered += final_counts.answered;
        c.dropped += final_counts.dropped;
        c.sent += final_counts.sent;
        c.connections_closed_error += final_counts.connections_closed_error;
        return forgotten_atom::value;
      },
      [=](close_atom) {
        for (auto& [actor, key] : self->state.by_actor) {
          (void)key;
          self->send(caf::actor_cast<caf::actor>(actor), close_atom::value);
        }
        self->quit();
      },
  };
}

caf::actor spawn_connection_registry(caf::actor_system& sys, registry_params params) {
  return sys.spawn(registry_behavior, std::move(params));  // not a capture: see spawn_stream_connection
}

}  // namespace sipactor::transport
