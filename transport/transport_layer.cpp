#include "transport/transport_layer.hpp"

#include <algorithm>
#include <thread>

#include "messages/builder.hpp"
#include "transport/connection_registry.hpp"
#include "transport/stream_broker.hpp"
#include "transport/tls_context.hpp"
#include "transport/udp_endpoint.hpp"

namespace sipactor::transport {

namespace {

struct layer_state {
  transport_config config;
  std::vector<udp_endpoint> udp;
  std::vector<caf::actor> listeners;
  caf::actor registry;
  transport_counters counters;
  std::vector<listen_point> listening;
  static inline const char* name = "sip-transport";
};

using self_ptr = caf::stateful_actor<layer_state>*;

const udp_endpoint* udp_for(self_ptr self, const socket_address& local, int family) {
  const udp_endpoint* fallback = nullptr;
  for (const auto& e : self->state.udp) {
    if (e.socket->local() == local) return &e;
    if (fallback == nullptr && e.socket->local().family() == family) fallback = &e;
  }
  return fallback;
}

void add_counters(transport_counters& into, const transport_counters& c) {
  into.received += c.received;
  into.answered += c.answered;
  into.dropped += c.dropped;
  into.sent += c.sent;
  into.send_errors += c.send_errors;
  into.connections_open += c.connections_open;
  into.connections_refused += c.connections_refused;
  into.connections_closed_error += c.connections_closed_error;
}

void report_failure(self_ptr self, const message_ptr& m, std::string reason) {
  ++self->state.counters.send_errors;
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (sender) self->send(sender, send_failed{m, std::move(reason)});
}

void send_udp(self_ptr self, const message_ptr& m, const socket_address& local, const socket_address& to) {
  const udp_endpoint* e = udp_for(self, local, to.family());
  if (e == nullptr) return report_failure(self, m, "no UDP socket for " + to.to_string());
  std::string error = e->socket->send_to(m->bytes(), to);
  if (!error.empty()) return report_failure(self, m, std::move(error));
  ++self->state.counters.sent;
}

// §18.1.1: a request larger than 1300 octets (path MTU unknown) goes over TCP, and the Via the
// client transport inserted says so.
message_ptr with_tcp_via(const message_ptr& m) {
  std::string_view top = m->top_via().text;
  std::string rewritten = "SIP/2.0/TCP " + std::string(top.substr(top.find_first_of(" \t") + 1));
  auto built = message_builder::copy_of(m).pop_via().push_via(rewritten).build();
  return built.ok() ? built.message : message_ptr{};
}

// §18.2.2 (and RFC 3581 §4) for unreliable transports.
std::optional<socket_address> udp_response_destination(const outbound_response& out) {
  const via& v = out.message->top_via();
  if (!v.maddr.empty()) return socket_address::from(v.maddr, v.port != 0 ? v.port : 5060);
  if (!v.received.empty()) {
    std::uint16_t port = v.rport && v.rport_value != 0 ? v.rport_value : (v.port != 0 ? v.port : 5060);
    return socket_address::from(v.received, port);
  }
  return socket_address::from(v.host, v.port != 0 ? v.port : 5060);
}

caf::behavior layer(self_ptr self, layer_state initial) {
  self->state = std::move(initial);
  // The state is gone when attached functors run: they get their own copies of the handles.
  std::vector<caf::actor> parts = self->state.listeners;
  for (auto& e : self->state.udp) parts.insert(parts.end(), e.readers.begin(), e.readers.end());
  parts.push_back(self->state.registry);
  self->attach_functor([parts] {
    for (auto& p : parts)
      if (p) caf::anon_send(p, close_atom::value);
  });
  return {
      [=](const outbound_request& out) {
        if (!out.message) return;
        if (out.transport != transport_kind::udp) {
          self->delegate(self->state.registry, out);
          return;
        }
        if (out.message->bytes().size() > self->state.config.limits.udp_mtu_limit && out.message->is_request()) {
          message_ptr tcp = with_tcp_via(out.message);
          if (tcp) {
            self->delegate(self->state.registry, outbound_request{tcp, transport_kind::tcp, out.destination, {}});
            return;
          }
        }
        send_udp(self, out.message, socket_address{}, out.destination);
      },
      [=](const outbound_response& out) {
        if (!out.message || out.message->via_count() == 0) return report_failure(self, out.message, "response without Via");
        if (is_reliable(out.transport)) {
          self->delegate(self->state.registry, out);
          return;
        }
        auto to = udp_response_destination(out);
        if (!to) return report_failure(self, out.message, "cannot route response to Via " + std::string(out.message->top_via().text));
        send_udp(self, out.message, out.local, *to);
      },
      [=](listening_atom) { return self->state.listening; },
      [=](stats_atom) -> caf::result<transport_counters> {
        // The layer's own sends, each UDP reader's receive counters, the registry's connections
        // (which sums its connections' counters).
        auto rp = self->make_response_promise<transport_counters>();
        auto sum = std::make_shared<transport_counters>(self->state.counters);
        std::vector<caf::actor> parts{self->state.registry};
        for (auto& e : self->state.udp) parts.insert(parts.end(), e.readers.begin(), e.readers.end());
        auto pending = std::make_shared<std::size_t>(parts.size());
        for (auto& part : parts) {
          self->request(part, std::chrono::seconds(5), stats_atom::value)
              .then(
                  [=](const transport_counters& c) mutable {
                    add_counters(*sum, c);
                    if (--*pending == 0) rp.deliver(*sum);
                  },
                  [=](caf::error&) mutable {
                    if (--*pending == 0) rp.deliver(*sum);
                  });
        }
        return rp;
      },
  };
}

}  // namespace

transport_layer start_transport(caf::actor_system& sys, const transport_config& config, const caf::actor& sink) {
  transport_layer result;
  std::shared_ptr<const tls::context> tls_server, tls_client;
  bool wants_tls = std::any_of(config.listen.begin(), config.listen.end(),
                               [](const listen_config& l) { return l.transport == transport_kind::tls; });
  {
    tls::tls_config client_config;
    client_config.ca_file = config.tls.ca_file;
    client_config.certificate_file = config.tls.certificate_file;
    client_config.private_key_file = config.tls.private_key_file;
    client_config.verify_peer = true;  // always for outbound TLS (sips:)
    auto client = tls::context::create(tls::role::client, client_config);
    if (client) tls_client = client.value;
    if (wants_tls) {
      tls::tls_config server_config = client_config;
      server_config.verify_peer = config.tls.verify_clients;
      server_config.require_peer_certificate = config.tls.verify_clients;  // mutual TLS: no certificate, no entry
      auto server = tls::context::create(tls::role::server, server_config);
      if (!server) {
        result.error = "TLS: " + server.error;
        return result;
      }
      tls_server = server.value;
    }
  }

  registry_params rp;
  rp.sink = sink;
  rp.limits = config.limits;
  rp.tls_client = tls_client;
  caf::actor registry = spawn_connection_registry(sys, rp);

  std::vector<udp_endpoint> udp;
  std::vector<caf::actor> listeners;
  std::vector<listen_point> listening;
  caf::scoped_actor scope{sys};
  auto fail = [&](std::string why) {
    for (auto& e : udp)
      for (auto& r : e.readers) caf::anon_send(r, close_atom::value);
    for (auto& l : listeners) caf::anon_send(l, close_atom::value);
    caf::anon_send(registry, close_atom::value);
    result.error = std::move(why);
    return result;
  };
  std::size_t readers = config.udp_readers != 0 ? config.udp_readers : std::max(1u, std::thread::hardware_concurrency());
  for (const auto& l : config.listen) {
    if (l.transport == transport_kind::udp) {
      std::string error;
      udp_endpoint e = open_udp_endpoint(sys, l.address, readers, sink, config.limits, config.udp_read_on_workers, error);
      if (!e.socket) return fail("UDP " + l.address.to_string() + ": " + error);
      listening.push_back({transport_kind::udp, e.socket->local()});
      udp.push_back(std::move(e));
      continue;
    }
    listener_params lp;
    lp.transport = l.transport;
    lp.address = l.address;
    lp.sink = sink;
    lp.registry = registry;
    lp.limits = config.limits;
    lp.tls = l.transport == transport_kind::tls ? tls_server : nullptr;
    caf::actor listener = sys.middleman().spawn_broker(stream_listener, lp);
    listeners.push_back(listener);
    std::string error;
    scope->request(listener, std::chrono::seconds(5), listening_atom::value)
        .receive([&](const listen_point& p) { listening.push_back(p); },
                 [&](const caf::error& e) { error = sys.render(e); });
    if (!error.empty())
      return fail(std::string(to_string(l.transport)) + " " + l.address.to_string() + ": cannot listen (" + error + ")");
  }

  layer_state initial;
  initial.config = config;
  initial.udp = std::move(udp);
  initial.listeners = std::move(listeners);
  initial.registry = registry;
  initial.listening = listening;
  result.actor = sys.spawn(layer, std::move(initial));  // not a capture: see spawn_stream_connection
  result.listening = std::move(listening);
  return result;
}

}  // namespace sipactor::transport
