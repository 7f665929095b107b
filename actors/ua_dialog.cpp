// The dialog part of a call actor (actors/ua_call.hpp): RFC 3261 §12.2 requests within the
// dialog both ways, §13.3.1.4 2xx retransmission, §14 re-INVITE, §15 BYE.
#include <algorithm>

#include "actors/transaction_layer.hpp"
#include "actors/ua_call_state.hpp"
#include "messages/builder.hpp"

namespace sipactor {

caf::actor self_handle(call_ptr self) { return caf::actor_cast<caf::actor>(self); }

void register_dialog(call_ptr self) {
  auto& st = self->state;
  if (st.dialog) self->send(st.env->ua, dialog_registered{st.dialog->id, self_handle(self)});
}

void forget_dialog(call_ptr self) {
  auto& st = self->state;
  if (st.dialog) self->send(st.env->ua, dialog_forgotten{st.dialog->id, self_handle(self)});
}

void end_call(call_ptr self, const std::string& reason) {
  auto& st = self->state;
  if (st.dialog && st.dialog->confirmed()) self->send(st.env->app, dialog_ended{self_handle(self), reason});
  forget_dialog(self);
  if (st.role == dialog_role::uac)
    self->send(st.env->ua, call_forgotten{st.call_id, st.from_tag, st.call_ref, self_handle(self)});
  if (st.outcome.pending()) st.outcome.deliver(call_outcome{500, "Server Internal Error (" + reason + ")", {}, {}});
  if (st.reinvite_outcome.pending()) st.reinvite_outcome.deliver(request_outcome{481, reason, {}});
  if (st.deferred_bye_outcome.pending()) st.deferred_bye_outcome.deliver(request_outcome{481, reason, {}});
  self->quit();
}

void respond(call_ptr self, const caf::actor& transaction, const message_ptr& response) {
  if (transaction && response) self->send(transaction, response);
}

message_ptr build_answer(call_ptr self, const message& request, const answer& a, std::string_view to_tag) {
  const auto& config = self->state.env->config;
  int status = a.status >= 100 && a.status <= 699 ? a.status : 500;
  auto b = message_builder::response_to(request, status, a.reason, to_tag);
  bool dialog_response = status > 100 && status < 300 &&
                         (request.method() == sip_method::invite || is_target_refresh(request.method()));
  if (dialog_response) {
    // §12.1.1: "The UAS MUST copy all Record-Route header field values from the request into
    // the response (including the URIs, URI parameters, and any Record-Route header field
    // parameters, whether they are known or unknown to the UAS) and MUST maintain the order"; and
    // add a Contact (§12.1.1, §12.2.2 for target refresh requests).
    request.for_each_header(header_id::record_route, [&](const header& h) { b.add_header("Record-Route", h.value); });
    if (!config.identity.contact.empty()) b.add_header("Contact", config.identity.contact);
  }
  if (status == 405 || (request.method() == sip_method::options && status / 100 == 2))
    b.add_header("Allow", comma_list(config.policy.capabilities.allowed_methods));
  if (!config.identity.user_agent.empty()) b.add_header("Server", config.identity.user_agent);
  for (const auto& h : a.headers) b.add_header(h.name, h.value);
  if (!a.body.empty()) b.set_body(a.content_type, a.body);
  auto built = b.build();
  if (built.ok()) return built.message;
  // What the application gave does not make a valid response: answer 500 instead of nothing.
  auto fallback = message_builder::response_to(request, 500, "Server Internal Error (invalid answer)", to_tag).build();
  return fallback.message;
}

// --- §13.3.1.4: "the 2xx response is passed to the transport with an interval that starts at
// T1 seconds and doubles for each retransmission until it reaches T2 seconds", until the ACK;
// after 64*T1 without one, "the dialog is confirmed, but the session SHOULD be terminated.
// This is accomplished with a BYE".

void send_ok(call_ptr self) {
  auto& st = self->state;
  self->send(st.env->transport, transport::outbound_response{st.ok, st.request.inbound.transport, st.request.inbound.local,
                                                             st.request.inbound.remote, st.request.inbound.connection});
}

void arm_ok_timer(call_ptr self) {
  auto& st = self->state;
  self->delayed_send(self, st.ok_interval, ok_timer_atom::value, ++st.ok_generation);
}

void start_ok_retransmission(call_ptr self, message_ptr ok, std::uint32_t cseq) {
  auto& st = self->state;
  st.ok = std::move(ok);
  st.ok_cseq = cseq;
  // Over a reliable transport the 2xx is not retransmitted (§13.3.1.4: "the retransmissions
  // ... for reliable transports" are the transport's), but the ACK is still awaited.
  st.ok_interval = st.env->config.timers.t1;
  st.ok_deadline = self->clock().now() + st.env->config.timers.timer_b();
  arm_ok_timer(self);
}

void send_bye(call_ptr self, std::vector<header_field> headers, caf::response_promise promise);

void ack_arrived(call_ptr self, const message& ack) {
  auto& st = self->state;
  if (!st.ok || ack.cseq().number != st.ok_cseq) return;
  st.ok = nullptr;
  ++st.ok_generation;
  if (st.deferred_bye) {
    auto headers = std::move(st.deferred_bye->headers);
    st.deferred_bye.reset();
    send_bye(self, std::move(headers), std::move(st.deferred_bye_outcome));
  }
}

void on_ok_timer(call_ptr self, std::uint32_t generation) {
  auto& st = self->state;
  if (!st.ok || generation != st.ok_generation) return;
  if (self->clock().now() >= st.ok_deadline) {
    st.ok = nullptr;
    send_bye(self, {}, {});
    return;
  }
  if (!transport::is_reliable(st.request.inbound.transport)) send_ok(self);
  st.ok_interval = std::min(2 * st.ok_interval, st.env->config.timers.t2);
  arm_ok_timer(self);
}

// --- requests this UA sends in the dialog

// BYE (§15.1.1) through its own request actor; the dialog ends when it finishes.
void send_bye(call_ptr self, std::vector<header_field> headers, caf::response_promise promise) {
  auto& st = self->state;
  if (!st.dialog || st.ending) {
    if (promise.pending()) promise.deliver(request_outcome{481, "the dialog is ending", {}});
    return;
  }
  st.ending = true;
  outgoing_request bye = make_dialog_request(*st.dialog, "BYE");
  for (const auto& h : headers) bye.request.add_header(h.name, h.value);
  caf::actor sender = spawn_ua_request(self->system(), st.env, std::move(bye), true, self_handle(self));
  // The promise goes with the message: the request actor answers the application directly.
  if (promise.pending()) promise.delegate(sender, send_atom::value);
  else self->send(sender, send_atom::value);
}

caf::result<request_outcome> on_dialog_request(call_ptr self, dialog_request& d) {
  auto& st = self->state;
  if (!st.dialog || st.ending) return request_outcome{481, "Call/Transaction Does Not Exist", {}};
  if (d.method == "BYE") {
    // §15: "the callee's UA MUST NOT send a BYE on a confirmed dialog until it has received an
    // ACK for its 2xx response or until the server transaction times out."
    if (!may_send_bye(*st.dialog, st.ok != nullptr)) {
      if (st.ok && !st.deferred_bye) {
        st.deferred_bye = std::move(d);
        st.deferred_bye_outcome = self->make_response_promise();
        return caf::delegated<request_outcome>{};
      }
      return request_outcome{481, "a BYE cannot be sent in this dialog state", {}};
    }
    auto promise = self->make_response_promise();
    send_bye(self, std::move(d.headers), promise);
    return caf::delegated<request_outcome>{};
  }
  if (d.method == "ACK" || d.method == "CANCEL")
    return request_outcome{500, "ACK and CANCEL are sent by the UA itself", {}};
  outgoing_request out = make_dialog_request(*st.dialog, d.method);
  for (const auto& h : d.headers) out.request.add_header(h.name, h.value);
  if (!d.body.empty()) out.request.set_body(d.content_type, d.body);
  if (d.method == "INVITE") {
    // §14.1: "a UAC MUST NOT initiate a re-INVITE transaction within a dialog while another
    // INVITE transaction is in progress in either direction."
    if (st.own_invite_pending || st.peer_invite_pending)
      return request_outcome{491, "Request Pending (an INVITE is in progress in this dialog)", {}};
    ready_request ready = make_ready(*st.env, out);
    if (!ready.out.message) return request_outcome{503, ready.error, {}};
    st.reinvite = ready.out.message;
    st.own_invite_pending = true;
    st.reinvite_outcome = self->make_response_promise();
    self->send(st.env->transactions, client_request{std::move(ready.out), self_handle(self)});
    return caf::delegated<request_outcome>{};
  }
  caf::actor sender = spawn_ua_request(self->system(), st.env, std::move(out), true, self_handle(self));
  self->delegate(sender, send_atom::value);
  return caf::delegated<request_outcome>{};
}

// The re-INVITE's responses (§14.1) and, at the UAC, the initial INVITE's 2xx retransmissions.
void on_reinvite_response(call_ptr self, const message_ptr& response) {
  auto& st = self->state;
  int status = response->status();
  if (status < 200) return;
  if (status < 300) {
    if (st.own_invite_pending) {
      process_response(*st.dialog, *response);
      outgoing_request ack = make_ack(*st.dialog, *st.reinvite);
      ready_request ready = make_ready(*st.env, ack);
      if (ready.out.message) st.reinvite_ack_out = ready.out;
      st.own_invite_pending = false;
      if (st.reinvite_outcome.pending())
        st.reinvite_outcome.deliver(request_outcome{status, std::string(response->reason_phrase()), response});
    }
    // §13.2.2.4: every 2xx retransmission gets the same ACK.
    if (st.reinvite_ack_out.message) self->send(st.env->transport, st.reinvite_ack_out);
    return;
  }
  if (!st.own_invite_pending) return;
  st.own_invite_pending = false;
  if (st.reinvite_outcome.pending())
    st.reinvite_outcome.deliver(request_outcome{status, std::string(response->reason_phrase()), response});
  // §14.1: a non-2xx leaves the session as it was; §12.2.1.2: 481 and 408 end the dialog.
  if (response_ends_dialog(status)) send_bye(self, {}, {});
}

// --- requests the peer sends in the dialog (§12.2.2)

void answer_later(call_ptr self, tu_request e) {
  auto& st = self->state;
  auto request = e.inbound.message;
  self->request(st.env->app, caf::infinite, incoming_request{request, self_handle(self)})
      .then(
          [=](answer& a) {
            auto response = build_answer(self, *request, a, {});
            respond(self, e.server_transaction, response);
            if (request->method() == sip_method::invite) {
              self->state.peer_invite_pending = false;
              if (response && response->status() / 100 == 2) start_ok_retransmission(self, response, request->cseq().number);
            }
          },
          [=](caf::error&) {
            respond(self, e.server_transaction,
                    build_answer(self, *request, answer{500, "Server Internal Error (no answer)", {}, {}, {}}, {}));
            if (request->method() == sip_method::invite) self->state.peer_invite_pending = false;
          });
}

void on_peer_request(call_ptr self, tu_request& e) {
  auto& st = self->state;
  const message& request = *e.inbound.message;
  if (request.method() == sip_method::ack) return ack_arrived(self, request);
  if (!st.dialog) return;
  uas_check_result order = check_request_order(*st.dialog, request);
  if (!order.passed()) return respond(self, e.server_transaction, order.response);
  if (request.method() == sip_method::invite) {
    uas_check_result glare = check_reinvite(request, st.own_invite_pending, st.peer_invite_pending);
    if (!glare.passed()) return respond(self, e.server_transaction, glare.response);
    st.peer_invite_pending = true;
  }
  apply_request(*st.dialog, request);
  if (request.method() == sip_method::bye) {
    // §15.1.2: "the UAS core ... MUST generate a 2xx response to the BYE".
    respond(self, e.server_transaction, build_answer(self, request, answer{}, {}));
    return end_call(self, "BYE received");
  }
  answer_later(self, std::move(e));
}

caf::behavior in_dialog(call_ptr self) {
  return {
    [=](tu_request& e) {
      if (e.inbound.message) on_peer_request(self, e);
    },
    [=](dialog_request& d) { return on_dialog_request(self, d); },
    [=](const tu_response& r) {
      auto& st = self->state;
      if (!r.response) return;
      if (r.response->method() != sip_method::invite) return;  // a CANCEL's answer
      if (st.reinvite && r.response->top_via().branch == st.reinvite->top_via().branch)
        return on_reinvite_response(self, r.response);
      if (st.invite && r.response->top_via().branch == st.invite->top_via().branch && r.response->status() / 100 == 2)
        on_invite_2xx(self, r.response);
    },
    [=](const stray_response& s) {
      if (s.inbound.message && s.inbound.message->status() / 100 == 2) on_invite_2xx(self, s.inbound.message);
    },
    [=](const request_finished& f) {
      auto& st = self->state;
      if (st.dialog && f.last_cseq > st.dialog->local_seq.value_or(0)) st.dialog->local_seq = f.last_cseq;
      if (f.method == "BYE") return end_call(self, "BYE sent");
      if (response_ends_dialog(f.outcome.status)) send_bye(self, {}, {});
    },
    [=](const transaction_timeout& t) {
      auto& st = self->state;
      if (st.reinvite && t.request && t.request->top_via().branch == st.reinvite->top_via().branch)
        on_reinvite_response(self, message_builder::response_to(*t.request, 408).build().message);
    },
    [=](const transaction_transport_error& e) {
      auto& st = self->state;
      if (!st.own_invite_pending) return;
      st.own_invite_pending = false;
      if (st.reinvite_outcome.pending()) st.reinvite_outcome.deliver(request_outcome{503, e.reason, {}});
    },
    [=](ok_timer_atom, std::uint32_t generation) { on_ok_timer(self, generation); },
    [](const answer&) {},          // a late answer to the INVITE: already answered
    [](const cancel_received&) {},  // §9.2: a CANCEL after the final response has no effect
    [](const cancel_call&) {},
  };
}

}  // namespace sipactor
