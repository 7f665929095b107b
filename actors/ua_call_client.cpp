// The UAC side of a call (RFC 3261 §13.2): the INVITE, its 3xx and 401/407 retries (§8.1.3.4,
// §8.1.3.5), CANCEL (§9.1), the ACK for the 2xx (§13.2.2.4) and the forks that answer too.
#include "actors/transaction_layer.hpp"
#include "actors/ua_call_state.hpp"
#include "messages/builder.hpp"

namespace sipactor {

namespace {

caf::behavior calling(call_ptr self);

void fail(call_ptr self, int status, std::string reason, message_ptr response) {
  auto& st = self->state;
  if (st.outcome.pending()) st.outcome.deliver(call_outcome{status, std::move(reason), std::move(response), {}});
  end_call(self, "the call failed");
}

void send_invite(call_ptr self, outgoing_request request) {
  auto& st = self->state;
  st.next_hop = request.next_hop;
  ready_request ready = make_ready(*st.env, request);
  if (!ready.out.message) return fail(self, 503, "Service Unavailable (" + ready.error + ")", {});
  st.invite = ready.out.message;
  st.invite_out = ready.out;
  st.provisional_seen = false;
  self->send(st.env->transactions, client_request{std::move(ready.out), self_handle(self)});
}

// §9.1: "the destination address, port, and transport for the CANCEL MUST be identical to those
// used to send the original request"; it gets its own non-INVITE client transaction, whose
// answer changes nothing here (the INVITE's 487 or final response ends the call).
void send_cancel(call_ptr self) {
  auto& st = self->state;
  if (st.cancel_sent || !st.invite) return;
  parse_result cancel = make_cancel(*st.invite);
  if (!cancel.ok()) return;
  st.cancel_sent = true;
  transport::outbound_request out = st.invite_out;
  out.message = cancel.message;
  self->send(st.env->transactions, client_request{std::move(out), self_handle(self)});
}

// A message of the INVITE's latest attempt (not an earlier one's, nor its CANCEL's, which has
// the same branch, §9.1).
bool is_current(call_ptr self, const message& m) {
  return self->state.invite && m.method() == sip_method::invite &&
         m.top_via().branch == self->state.invite->top_via().branch;
}

// §12.1.2: a provisional response with a To tag creates an early dialog (the first one only:
// further forks become dialogs when they answer 2xx).
void on_provisional(call_ptr self, const message_ptr& response) {
  auto& st = self->state;
  st.provisional_seen = true;
  if (response->status() > 100 && !response->to_tag().empty() && !st.dialog) {
    auto early = make_uac_dialog(*st.invite, *response, st.invite_out.transport == transport::transport_kind::tls);
    if (early) {
      st.dialog = std::move(*early);
      register_dialog(self);
    }
  }
  // §9.1: "If no provisional response has been received, the CANCEL request MUST NOT be sent;
  // rather, the client MUST wait for the arrival of a provisional response before sending".
  if (st.cancel_wanted) send_cancel(self);
}

bool retry(call_ptr self, const message& response) {
  auto& st = self->state;
  int status = response.status();
  if (status == 401 || status == 407) {
    auth_retry r = retry_with_credentials(*st.env, st.invite, response, st.next_hop, st.realms_tried);
    if (!r.ok) return false;
    st.realms_tried.push_back(r.realm);
    send_invite(self, std::move(r.request));
    return true;
  }
  if (status >= 300 && status < 400 && st.redirects < st.env->config.max_redirects) {
    if (!st.targets) st.targets.emplace(st.invite->request_uri().text);
    st.targets->add_from(response);
    auto target = st.targets->next();
    if (!target) return false;
    ++st.redirects;
    outgoing_request next = request_for_retry(st.invite, target->request_uri);
    next.request.set_request_uri(target->request_uri);
    next.request.remove_header("Route");
    send_invite(self, std::move(next));
    return true;
  }
  return false;
}

void on_final_failure(call_ptr self, const message_ptr& response) {
  auto& st = self->state;
  // A CANCEL that was asked for ends the call whatever else happens (§9.1: 487 expected).
  if (!st.cancel_wanted && retry(self, *response)) return;
  // §12.3: a non-2xx final response ends every early dialog.
  fail(self, response->status(), std::string(response->reason_phrase()), response);
}

caf::behavior calling(call_ptr self) {
  return {
    [=](const tu_response& r) {
      if (!r.response || !is_current(self, *r.response)) return;  // an earlier attempt, or the CANCEL's
      int status = r.response->status();
      if (!response_has_one_via(*r.response)) return;  // §8.1.3.3
      if (status < 200) return on_provisional(self, r.response);
      if (status < 300) return on_invite_2xx(self, r.response);
      on_final_failure(self, r.response);
    },
    [=](const stray_response& s) {
      if (s.inbound.message && s.inbound.message->status() / 100 == 2) on_invite_2xx(self, s.inbound.message);
    },
    [=](const cancel_call&) {
      auto& st = self->state;
      st.cancel_wanted = true;
      if (st.provisional_seen) send_cancel(self);
    },
    // §8.1.3.1: a timeout is a 408, a transport error a 503.
    [=](const transaction_timeout& t) {
      if (t.request && is_current(self, *t.request)) fail(self, 408, "Request Timeout (no final response)", {});
    },
    [=](const transaction_transport_error& e) {
      if (!e.request || is_current(self, *e.request)) fail(self, 503, "Service Unavailable (" + e.reason + ")", {});
    },
    [=](tu_request& e) {
      // Requests within an early dialog (UPDATE, PRACK: RFC 3311, RFC 3262) are not supported
      // yet: 481 (§12.2.2).
      if (e.inbound.message && e.inbound.message->method() != sip_method::ack && e.server_transaction)
        respond(self, e.server_transaction, message_builder::response_to(*e.inbound.message, 481).build().message);
    },
    [=](dialog_request&) { return request_outcome{481, "the call is not answered yet", {}}; },
  };
}

}  // namespace

// §13.2.2.4: "If the dialog identifier in the 2xx response matches the dialog identifier of an
// existing dialog, the dialog MUST be transitioned to the "confirmed" state [...]. Otherwise, a
// new dialog in the "confirmed" state MUST be constructed". Each 2xx is ACKed, retransmissions
// too; a 2xx from a second fork gets its ACK and then a BYE (this UA keeps the first answer).
void on_invite_2xx(call_ptr self, const message_ptr& response) {
  auto& st = self->state;
  dialog_id id = uac_dialog_id(*response);
  bool tls = st.invite_out.transport == transport::transport_kind::tls;
  if (st.dialog && st.dialog->confirmed()) {
    if (id == st.dialog->id) {
      if (st.ack_out.message) self->send(st.env->transport, st.ack_out);
      return;
    }
    auto fork = make_uac_dialog(*st.invite, *response, tls);
    if (!fork) return;
    fork->phase = dialog_phase::confirmed;
    outgoing_request ack = make_ack(*fork, *st.invite);
    ready_request ready = make_ready(*st.env, ack);
    if (ready.out.message) self->send(st.env->transport, ready.out);
    outgoing_request bye = make_dialog_request(*fork, "BYE");
    self->send(spawn_ua_request(self->system(), st.env, std::move(bye), true, caf::actor{}), send_atom::value);
    return;
  }
  if (st.dialog && st.dialog->id == id) {
    process_response(*st.dialog, *response);
  } else {
    if (st.dialog) forget_dialog(self);  // an early dialog of another fork
    auto made = make_uac_dialog(*st.invite, *response, tls);
    if (!made) {
      // A 2xx that cannot make a dialog (no Contact): the call cannot go on.
      if (st.outcome.pending()) st.outcome.deliver(call_outcome{500, made.reason(), response, {}});
      return end_call(self, made.reason());
    }
    st.dialog = std::move(*made);
    process_response(*st.dialog, *response);
  }
  register_dialog(self);
  outgoing_request ack = make_ack(*st.dialog, *st.invite);
  ready_request ready = make_ready(*st.env, ack);
  if (ready.out.message) {
    st.ack_out = ready.out;
    self->send(st.env->transport, ready.out);
  }
  if (st.outcome.pending())
    st.outcome.deliver(call_outcome{response->status(), std::string(response->reason_phrase()), response, self_handle(self)});
  self->become(in_dialog(self));
}

caf::actor spawn_uac_call(caf::actor_system& sys, ua_env_ptr env, std::string call_id, std::string from_tag) {
  return sys.spawn(
      [](call_ptr self, ua_env_ptr env, std::string call_id, std::string from_tag) -> caf::behavior {
        auto& st = self->state;
        st.env = std::move(env);
        st.role = dialog_role::uac;
        st.call_id = std::move(call_id);
        st.from_tag = std::move(from_tag);
        return {
          [=](place_call& call) -> caf::result<call_outcome> {
            auto& st = self->state;
            st.call_ref = call.call_ref;
            st.outcome = self->make_response_promise();
            request_spec spec;
            spec.method = "INVITE";
            spec.request_uri = call.target;
            spec.call_id = st.call_id;
            spec.from_tag = st.from_tag;
            spec.content_type = call.content_type;
            spec.body = call.body;
            auto made = make_request(st.env->config.identity, spec);
            if (!made) {
              st.outcome.deliver(call_outcome{500, made.reason(), {}, {}});
              end_call(self, made.reason());
              return caf::delegated<call_outcome>{};
            }
            for (const auto& h : call.headers) made->request.add_header(h.name, h.value);
            self->send(st.env->ua, call_registered{st.call_id, st.from_tag, st.call_ref, self_handle(self)});
            self->become(calling(self));
            send_invite(self, std::move(*made));
            return caf::delegated<call_outcome>{};
          },
        };
      },
      std::move(env), std::move(call_id), std::move(from_tag));
}

}  // namespace sipactor
