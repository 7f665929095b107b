#include "actors/ua_request.hpp"

#include <optional>
#include <string>
#include <vector>

#include "actors/transaction_layer.hpp"

namespace sipactor {

namespace {

struct request_state {
  ua_env_ptr env;
  outgoing_request next;  // the attempt about to go (built, without Via)
  message_ptr sent;       // the attempt in flight
  std::string branch;     // its branch: responses of an earlier attempt are ignored
  std::string next_hop;
  bool in_dialog = false;
  caf::actor observer;
  caf::response_promise promise;
  std::vector<std::string> realms_tried;   // §22: each realm's credentials once
  std::optional<redirect_target_set> targets;  // §8.1.3.4, made at the first 3xx
  std::size_t redirects = 0;
  std::uint32_t last_cseq = 0;
  credentials auth;
  static inline const char* name = "sip-ua-request";
};

using self_ptr = caf::stateful_actor<request_state>*;

void finish(self_ptr self, request_outcome outcome) {
  auto& st = self->state;
  if (st.observer)
    self->send(st.observer, request_finished{outcome, st.last_cseq, std::string(st.sent ? st.sent->method_name() : "")});
  if (st.promise.pending()) st.promise.deliver(std::move(outcome));
  self->quit();
}

void made_up(self_ptr self, int status, std::string reason) { finish(self, request_outcome{status, std::move(reason), {}}); }

// Sends st.next as a new client transaction; its events come to this actor.
void attempt(self_ptr self) {
  auto& st = self->state;
  st.next_hop = st.next.next_hop;
  ready_request ready = make_ready(*st.env, st.next);
  if (!ready.out.message) return made_up(self, 503, ready.error);  // §8.1.3.1: as a transport error
  st.sent = ready.out.message;
  st.branch = std::string(st.sent->top_via().branch);
  st.last_cseq = st.sent->cseq().number;
  self->send(st.env->transactions, client_request{std::move(ready.out), caf::actor_cast<caf::actor>(self)});
}

bool current(self_ptr self, const message& m) { return m.top_via().branch == self->state.branch; }

// §8.1.3.4: the next URI of the target set, as a new request with the same Call-ID, To, From and
// a higher CSeq.
bool redirect(self_ptr self, const message& response) {
  auto& st = self->state;
  if (st.in_dialog || st.redirects >= st.env->config.max_redirects) return false;
  if (!st.targets) st.targets.emplace(st.sent->request_uri().text);
  st.targets->add_from(response);
  auto target = st.targets->next();
  if (!target) return false;
  ++st.redirects;
  st.next = request_for_retry(st.sent, target->request_uri);
  st.next.request.set_request_uri(target->request_uri);
  // The request goes to the new target itself, past any pre-existing route set.
  st.next.request.remove_header("Route");
  attempt(self);
  return true;
}

void on_response(self_ptr self, const message_ptr& response) {
  auto& st = self->state;
  if (!response || !current(self, *response)) return;
  int status = response->status();
  if (status < 200) return;
  // §8.1.3.3: a response with more than one Via is discarded.
  if (!response_has_one_via(*response)) return;
  if (status == 401 || status == 407) {
    auth_retry retry = retry_with_credentials(*st.env, st.sent, *response, st.next_hop, st.realms_tried, st.auth);
    if (retry.ok) {
      st.realms_tried.push_back(retry.realm);
      st.next = std::move(retry.request);
      return attempt(self);
    }
  }
  if (status >= 300 && status < 400 && redirect(self, *response)) return;
  finish(self, request_outcome{status, std::string(response->reason_phrase()), response});
}

caf::behavior sending(self_ptr self) {
  return {
    [=](send_atom) -> caf::result<request_outcome> {
      self->state.promise = self->make_response_promise();
      attempt(self);
      return caf::delegated<request_outcome>{};
    },
    [=](const tu_response& r) { on_response(self, r.response); },
    // §8.1.3.1: a timeout is a 408, a transport error a 503.
    [=](const transaction_timeout& t) {
      if (t.request && current(self, *t.request)) made_up(self, 408, "Request Timeout (no response)");
    },
    [=](const transaction_transport_error& e) {
      if (!e.request || current(self, *e.request)) made_up(self, 503, "Service Unavailable (" + e.reason + ")");
    },
  };
}

}  // namespace

caf::actor spawn_ua_request(caf::actor_system& sys, ua_env_ptr env, outgoing_request request, bool in_dialog,
                            caf::actor observer, credentials auth) {
  // outgoing_request holds a move-only builder: handed over through a shared holder.
  auto holder = std::make_shared<outgoing_request>(std::move(request));
  return sys.spawn(
      [](self_ptr self, ua_env_ptr env, std::shared_ptr<outgoing_request> request, bool in_dialog,
         caf::actor observer, credentials auth) -> caf::behavior {
        auto& st = self->state;
        st.auth = std::move(auth);
        st.env = std::move(env);
        st.next = std::move(*request);
        st.in_dialog = in_dialog;
        st.observer = std::move(observer);
        return sending(self);
      },
      std::move(env), std::move(holder), in_dialog, std::move(observer), std::move(auth));
}

}  // namespace sipactor
