#include "transport/stream_connection.hpp"

#include <chrono>

#include "transport/inbound.hpp"
#include "transport/tls_session.hpp"

namespace sipactor::transport {

namespace {

using clock = std::chrono::steady_clock;

struct connection_state {
  connection_params params;
  caf::actor broker;                   // owns the socket (shared by a listener's connections)
  caf::io::connection_handle handle;   // the socket, as the broker knows it
  stream_framer framer;
  std::unique_ptr<tls::session> tls;
  std::vector<std::vector<char>> unsent;  // octets waiting for the broker (not a deque: its
                                         // first block alone is 512 bytes per idle connection)
  // Messages sent before the connection was up, with their senders, for send_failed.
  std::vector<std::pair<caf::strong_actor_ptr, message_ptr>> waiting;
  std::uint64_t completed = 0;           // messages framed so far
  std::uint64_t timer_generation = 0;
  bool timer_armed = false;
  clock::time_point last_activity = clock::now();
  transport_counters counters;
  std::string close_reason;
  bool closed = false;
  static inline const char* name = "sip-connection";
};

using self_ptr = caf::stateful_actor<connection_state>*;

void to_broker(self_ptr self, std::vector<char> octets) {
  if (octets.empty()) return;
  auto& st = self->state;
  if (st.broker) self->send(st.broker, stream_write{st.handle, std::move(octets)});
  else st.unsent.push_back(std::move(octets));
}

void flush_tls(self_ptr self) {
  std::string cipher;
  self->state.tls->take_ciphertext(cipher);
  if (!cipher.empty()) to_broker(self, std::vector<char>(cipher.begin(), cipher.end()));
}

// Octets of a SIP message (or a keep-alive) onto the stream, through TLS when there is TLS.
void write_plain(self_ptr self, std::string_view octets) {
  auto& st = self->state;
  if (st.tls) {
    st.tls->send_plaintext(octets.data(), octets.size());
    flush_tls(self);
  } else {
    to_broker(self, std::vector<char>(octets.begin(), octets.end()));
  }
}

// A closed connection waiting to be forgotten by its registry. What is routed to it meanwhile goes
// back to the registry, which by then has forgotten it and opens a new connection (§18.2.2 for a
// response); when this connection never came up, the sender is told instead (§8.1.3.1), so a
// refused connect does not turn into an endless chain of new ones.
caf::behavior closed_behavior(self_ptr self, bool never_up, std::string reason) {
  auto pass_on = [=](const auto& out) {
    auto sender = caf::actor_cast<caf::actor>(self->current_sender());
    if (!never_up) self->delegate(self->state.params.registry, out);
    else if (sender) self->send(sender, send_failed{out.message, reason});
  };
  return {
      [=](const outbound_request& out) { pass_on(out); },
      [=](const outbound_response& out) { pass_on(out); },
      [=](stats_atom) { return self->state.counters; },
      [=](close_atom) {},
  };
}

void close(self_ptr self, std::string reason, bool error) {
  auto& st = self->state;
  if (st.closed) return;  // e.g. the broker going down while this connection lingers
  st.closed = true;
  if (st.close_reason.empty()) st.close_reason = reason;
  // §8.1.3.1 / §17.1.4: whoever sent what never left is told (treated as a 503 there).
  if (!st.broker || (st.tls && !st.tls->handshake_done())) {
    for (auto& [sender, m] : st.waiting)
      if (sender) self->send(caf::actor_cast<caf::actor>(sender), send_failed{m, reason});
  }
  st.waiting.clear();
  if (error) ++st.counters.connections_closed_error;
  if (st.tls && !st.tls->failed()) {
    st.tls->shutdown();
    flush_tls(self);
  }
  if (st.broker) {
    self->send(st.broker, close_atom::value, st.handle);
    // A monitor lives in the monitored actor and keeps a weak reference to its observer, which
    // in CAF 0.17 pins the observer's memory: a connection must not outlive its listener's list.
    self->demonitor(st.broker);
  }
  auto reason_to_exit = error ? caf::exit_reason::user_shutdown : caf::exit_reason::normal;
  if (!st.params.registry) {
    self->quit(reason_to_exit);
    return;
  }
  // The registry may still hand this connection messages it routed before it learns of the close
  // (a connect refused before the first message arrived, an idle close as a request is routed):
  // the connection lingers until the registry has forgotten it (its answer to the final counters;
  // an error when the registry is gone), and meanwhile passes on what it is given, see closed_behavior.
  bool never_up = !st.broker || (st.tls && !st.tls->handshake_done());
  // The broker's last words, ticks, timers: dropped without a word (caf::drop would answer each
  // with an error message, and an error message ends a broker that has no handler for it).
  self->set_default_handler([](caf::scheduled_actor*, caf::message_view&) -> caf::result<caf::message> {
    return caf::message{};
  });
  self->become(closed_behavior(self, never_up, st.close_reason));
  self->request(st.params.registry, caf::infinite, st.counters)
      .then([=](forgotten_atom) { self->quit(reason_to_exit); },
            [=](caf::error&) { self->quit(reason_to_exit); });
}

// RFC 3261 §18.3 on a stream: frame, parse, deliver; a framing error closes the connection after
// answering 400 when the header section was readable.
void consume_plaintext(self_ptr self, std::string_view plain) {
  auto& st = self->state;
  st.framer.append(plain);
  for (;;) {
    auto e = st.framer.next();
    switch (e.kind) {
      case stream_framer::event_kind::need_more: {
        // §18.3 / protection: a started message must complete within the read timeout.
        if (st.framer.buffered() > 0 && !st.timer_armed) {
          st.timer_armed = true;
          self->delayed_send(self, st.params.limits->header_read_timeout, read_timeout_atom::value,
                             ++st.timer_generation, st.completed);
        }
        return;
      }
      case stream_framer::event_kind::keepalive_ping:
        write_plain(self, "\r\n");  // RFC 5626 §4.4.1: pong
        continue;
      case stream_framer::event_kind::keepalive_pong:
        continue;
      case stream_framer::event_kind::message: {
        ++st.completed;
        st.timer_armed = false;
        inbound_result r = process_inbound(e.bytes, framing::stream, st.params.transport, st.params.remote,
                                           st.params.limits->parse);
        if (r.outcome == inbound_outcome::deliver) {
          ++st.counters.received;
          self->send(st.params.sink, inbound_message{std::move(r.message), st.params.transport, st.params.local,
                                                     st.params.remote, caf::actor_cast<caf::actor>(self)});
        } else if (r.outcome == inbound_outcome::answer) {
          ++st.counters.answered;
          write_plain(self, r.answer);
        } else {
          ++st.counters.dropped;
        }
        continue;
      }
      case stream_framer::event_kind::error: {
        // The stream cannot be resynchronised (RFC 4475 §3.1.2.3): answer if we can, then close.
        if (!e.bytes.empty()) {
          inbound_result r = process_inbound(e.bytes, framing::datagram, st.params.transport, st.params.remote,
                                             st.params.limits->parse);
          if (r.outcome == inbound_outcome::answer) write_plain(self, r.answer);
        }
        ++st.counters.dropped;
        close(self, std::string("framing error: ") + e.reason, true);
        return;
      }
    }
  }
}

void send_message(self_ptr self, const message_ptr& m) {
  if (!m) return;
  auto& st = self->state;
  if (!st.broker || (st.tls && !st.tls->handshake_done())) st.waiting.emplace_back(self->current_sender(), m);
  write_plain(self, m->bytes());
  ++self->state.counters.sent;
  self->state.last_activity = clock::now();
}

caf::behavior connection_behavior(self_ptr self, connection_params params) {
  auto& st = self->state;
  st.params = std::move(params);
  st.framer = stream_framer(st.params.limits->framing);
  if (st.params.transport == transport_kind::tls) {
    st.tls = std::make_unique<tls::session>(st.params.tls, st.params.outbound ? tls::role::client : tls::role::server,
                                            st.params.outbound ? st.params.server_name : std::string{});
    if (st.params.outbound) {
      st.tls->start();
      flush_tls(self);
    }
    // A handshake must finish within the read timeout too (a silent or slow TLS client).
    st.timer_armed = true;
    self->delayed_send(self, st.params.limits->header_read_timeout, read_timeout_atom::value, ++st.timer_generation,
                       st.completed);
  }
  self->set_down_handler([=](const caf::down_msg& dm) {
    if (dm.source == self->state.broker.address()) close(self, "broker gone", false);
  });
  return {
      [=](attach_atom, const caf::actor& broker, caf::io::connection_handle handle) {
        auto& st = self->state;
        st.broker = broker;
        st.handle = handle;
        self->monitor(broker);
        for (auto& octets : st.unsent) self->send(broker, stream_write{handle, std::move(octets)});
        st.unsent.clear();
        st.unsent.shrink_to_fit();
        if (!st.tls) st.waiting.clear();
      },
      [=](stream_bytes& in) {
        auto& st = self->state;
        st.last_activity = clock::now();
        if (!st.tls) {
          consume_plaintext(self, std::string_view(in.bytes.data(), in.bytes.size()));
          return;
        }
        if (!st.tls->receive_ciphertext(in.bytes.data(), in.bytes.size())) {
          flush_tls(self);  // the alert, if any
          close(self, "TLS: " + st.tls->error(), true);
          return;
        }
        flush_tls(self);
        if (st.tls->handshake_done() && !st.waiting.empty()) st.waiting.clear();
        if (st.tls->handshake_done() && st.timer_armed && st.framer.buffered() == 0) st.timer_armed = false;
        std::string plain;
        st.tls->take_plaintext(plain);
        if (!plain.empty()) consume_plaintext(self, plain);
      },
      [=](const outbound_request& out) { send_message(self, out.message); },
      [=](const outbound_response& out) { send_message(self, out.message); },
      [=](read_timeout_atom, std::uint64_t generation, std::uint64_t completed_then) {
        auto& st = self->state;
        if (generation != st.timer_generation || !st.timer_armed) return;  // stale
        bool handshaking = st.tls && !st.tls->handshake_done();
        if (st.completed == completed_then && (st.framer.buffered() > 0 || handshaking))
          close(self, std::string(handshaking ? "TLS handshake" : "message") + " incomplete after " +
                          std::to_string(st.params.limits->header_read_timeout.count()) + " ms", true);
        else
          st.timer_armed = false;
      },
      [=](tick_atom) {
        auto& st = self->state;
        if (clock::now() - st.last_activity >= st.params.limits->idle_timeout) close(self, "idle", false);
      },
      [=](connect_failed_atom, const std::string& reason) { close(self, "connect failed: " + reason, true); },
      [=](closed_atom) { close(self, "closed by peer", false); },
      [=](close_atom) { close(self, "closed", false); },
      [=](stats_atom) { return self->state.counters; },
  };
}

}  // namespace

caf::actor spawn_stream_connection(caf::actor_system& sys, connection_params params) {
  // Arguments go through spawn (not a capture): CAF 0.17 dereferences a null tuple pointer for
  // argument-less functors, which UBSan rightly reports.
  return sys.spawn(connection_behavior, std::move(params));
}

}  // namespace sipactor::transport
