// The UAS side of a call (RFC 3261 §13.3): the application is asked, its provisional and final
// answers go out through the INVITE server transaction, a CANCEL gets the INVITE a 487 (§9.2),
// and a 2xx is retransmitted until the ACK (§13.3.1.4, actors/ua_dialog.cpp).
#include "actors/transaction_layer.hpp"
#include "actors/ua_call_state.hpp"
#include "messages/builder.hpp"

namespace sipactor {

namespace {

const message& invite_of(call_ptr self) { return *self->state.request.inbound.message; }

void answered(call_ptr self) {
  auto& st = self->state;
  st.final_sent = true;
  self->send(st.env->ua, invite_answered{st.request.server_transaction, std::string(invite_of(self).call_id())});
}

// An answer from the application to the INVITE (§13.3.1.1-13.3.1.4).
void on_answer(call_ptr self, const answer& a) {
  auto& st = self->state;
  if (st.final_sent) return;  // a late or repeated final answer
  message_ptr response = build_answer(self, invite_of(self), a, st.local_tag);
  if (!response) return;
  int status = response->status();
  respond(self, st.request.server_transaction, response);
  if (status < 200) {
    // §12.1.1: a provisional response with a To tag makes the dialog early.
    if (status > 100 && !st.dialog) {
      auto early = make_uas_dialog(invite_of(self), *response, st.request.inbound.transport == transport::transport_kind::tls);
      if (early) st.dialog = std::move(*early);
    }
    return;
  }
  answered(self);
  if (status >= 300) return end_call(self, "the call was declined");
  if (!st.dialog) {
    auto made = make_uas_dialog(invite_of(self), *response, st.request.inbound.transport == transport::transport_kind::tls);
    if (!made) return end_call(self, made.reason());
    st.dialog = std::move(*made);
  }
  process_sent_response(*st.dialog, *response);
  apply_request(*st.dialog, invite_of(self));
  // RFC 6026: the INVITE server transaction passes the 2xx on once; its retransmissions are the
  // UAS core's (§13.3.1.4).
  start_ok_retransmission(self, response, invite_of(self).cseq().number);
  self->become(in_dialog(self));
}

// §9.2: "the UAS SHOULD respond to the INVITE with a 487 (Request Terminated)". The CANCEL's
// own 200 is sent by the UA core.
void on_cancel(call_ptr self, const cancel_received& c) {
  auto& st = self->state;
  if (st.final_sent) return;
  respond(self, st.request.server_transaction, build_answer(self, invite_of(self), answer{487, {}, {}, {}, {}}, st.local_tag));
  answered(self);
  self->send(st.env->app, call_cancelled{self_handle(self), c.cancel});
  end_call(self, "cancelled");
}

caf::behavior ringing(call_ptr self) {
  return {
    [=](const answer& a) { on_answer(self, a); },
    [=](const cancel_received& c) { on_cancel(self, c); },
    [=](tu_request& e) {
      if (!e.inbound.message || e.inbound.message->method() == sip_method::ack) return;
      const message& request = *e.inbound.message;
      // §15: "The caller's UA MAY send a BYE for either confirmed or early dialogs": 200 to the
      // BYE, 487 to the INVITE (§15.1.2).
      if (request.method() == sip_method::bye) {
        respond(self, e.server_transaction, build_answer(self, request, answer{}, {}));
        if (!self->state.final_sent) {
          respond(self, self->state.request.server_transaction,
                  build_answer(self, invite_of(self), answer{487, {}, {}, {}, {}}, self->state.local_tag));
          answered(self);
        }
        return end_call(self, "BYE received before the answer");
      }
      respond(self, e.server_transaction, build_answer(self, request, answer{481, {}, {}, {}, {}}, {}));
    },
    [=](dialog_request&) { return request_outcome{481, "the call is not answered yet", {}}; },
    [](const transaction_timeout&) {},
    [](const transaction_transport_error&) {},
  };
}

}  // namespace

caf::actor spawn_uas_call(caf::actor_system& sys, ua_env_ptr env, tu_request request, std::string local_tag) {
  return sys.spawn(
      [](call_ptr self, ua_env_ptr env, tu_request request, std::string local_tag) -> caf::behavior {
        auto& st = self->state;
        st.env = std::move(env);
        st.role = dialog_role::uas;
        st.request = std::move(request);
        st.local_tag = std::move(local_tag);
        // §13.3.1: the application decides; its answer may come as the reply or as sends to
        // this actor (provisional ones always).
        self->request(st.env->app, caf::infinite, incoming_call{st.request.inbound.message, self_handle(self)})
            .then([=](answer& a) { self->send(self, std::move(a)); },
                  [=](caf::error&) { self->send(self, answer{500, "Server Internal Error (no answer)", {}, {}, {}}); });
        return ringing(self);
      },
      std::move(env), std::move(request), std::move(local_tag));
}

}  // namespace sipactor
