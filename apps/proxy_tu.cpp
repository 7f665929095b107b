#include "apps/proxy_tu.hpp"

#include <algorithm>

#include "actors/proxy_auth.hpp"
#include "actors/transaction_layer.hpp"
#include "actors/ua_responses.hpp"
#include "messages/builder.hpp"
#include "messages/text.hpp"

namespace sipactor::apps {

namespace {

struct tu_state {
  proxy_tu_config config;
  bool draining = false;
  static inline const char* name = "sip-proxy-tu";
};

using self_ptr = caf::stateful_actor<tu_state>*;

void answer(self_ptr self, const tu_request& e, int status, const char* header = nullptr, std::string value = {}) {
  auto b = message_builder::response_to(*e.inbound.message, status, {}, response_to_tag(*e.inbound.message));
  if (header != nullptr) b.add_header(header, value);
  auto built = b.build();
  if (built.ok() && e.server_transaction) self->send(e.server_transaction, built.message);
}

// §11: an OPTIONS whose Request-URI names this server (no user part; one of our domains or an
// address we listen on) is answered by us, not routed.
bool to_ourselves(const tu_state& st, const message& request) {
  const uri& target = request.request_uri();
  if (request.method() != sip_method::options || !target.is_sip() || target.has_userinfo) return false;
  std::string host = target.host_canonical();
  if (std::any_of(st.config.domains.begin(), st.config.domains.end(),
                  [&](const std::string& d) { return text::iequals(d, host); }))
    return true;
  return std::any_of(st.config.listening.begin(), st.config.listening.end(),
                     [&](const transport::listen_point& p) { return p.address.ip() == host; });
}

std::string allowed(const tu_state& st) {
  if (st.config.proxy) return "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, PRACK, MESSAGE";
  if (st.config.redirect) return "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER";
  return "OPTIONS, REGISTER";
}

void on_request(self_ptr self, tu_request& e) {
  auto& st = self->state;
  if (!e.inbound.message) return;
  const message& request = *e.inbound.message;
  sip_method method = request.method();
  bool belongs_to_running = method == sip_method::ack || method == sip_method::cancel;
  if (st.draining && !belongs_to_running) return answer(self, e, 503, "Retry-After", std::to_string(st.config.retry_after));
  if (method == sip_method::register_) {
    self->send(st.config.registrar, std::move(e));
    return;
  }
  if (to_ourselves(st, request)) return answer(self, e, 200, "Allow", allowed(st));
  if (st.config.proxy) {
    bool authenticate = st.config.authenticator && needs_proxy_authentication(st.config.domains, request);
    self->send(authenticate ? st.config.authenticator : st.config.proxy, std::move(e));
    return;
  }
  if (st.config.redirect) {
    self->send(st.config.registrar, std::move(e));
    return;
  }
  if (method == sip_method::ack) return;
  if (method == sip_method::cancel) return answer(self, e, e.cancelled_invite ? 200 : 481);  // §9.2
  answer(self, e, 501, "Allow", allowed(st));  // §21.5.2: no proxy core in this build yet
}

template <class Event>
void to_proxy(self_ptr self, Event& e) {
  if (self->state.config.proxy) self->send(self->state.config.proxy, std::move(e));
}

}  // namespace

caf::actor spawn_proxy_tu(caf::actor_system& sys, proxy_tu_config config) {
  return sys.spawn(
      [](self_ptr self, proxy_tu_config config) -> caf::behavior {
        self->state.config = std::move(config);
        return {
            [=](tu_request& e) { on_request(self, e); },
            [=](stray_response& s) { to_proxy(self, s); },
            [=](transaction_timeout& t) { to_proxy(self, t); },
            [=](transaction_transport_error& t) { to_proxy(self, t); },
            [](const transaction_terminated&) {},
            [=](proxy_core_atom, caf::actor proxy) { self->state.config.proxy = std::move(proxy); },
            [=](drain_atom) { self->state.draining = true; },
        };
      },
      std::move(config));
}

}  // namespace sipactor::apps
