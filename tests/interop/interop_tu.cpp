#include "tests/interop/interop_tu.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "messages/builder.hpp"
#include "messages/parser.hpp"

namespace sipactor::test {

namespace {

using std::chrono::milliseconds;
using retransmit_atom = caf::atom_constant<caf::atom("retrans")>;
using next_call_atom = caf::atom_constant<caf::atom("nextcall")>;
using hang_up_atom = caf::atom_constant<caf::atom("hangup")>;

struct answered_invite {
  caf::actor transaction;
  message_ptr ok;
  milliseconds interval{0};
  milliseconds elapsed{0};
};

struct placed_call {
  message_ptr invite;
  message_ptr ack;  // once the 2xx came
  message_ptr bye;  // sent after the hold time
};

struct tu_state {
  interop_tu_setup setup;
  interop_tu_counters counters;
  std::unordered_map<std::string, answered_invite> waiting_for_ack;  // by Call-ID
  std::unordered_map<std::string, placed_call> calls;                // by Call-ID
  std::uint64_t calls_to_place = 0;
  milliseconds call_interval{0};
  milliseconds hold{0};
  transport::socket_address destination;
  std::uint64_t sequence = 0;
  static inline const char* name = "interop-tu";
};

using self_ptr = caf::stateful_actor<tu_state>*;

message_ptr parsed(const std::string& text) { return parse_message(text, framing::stream).message; }

std::string local(self_ptr self) { return self->state.setup.local.to_string(); }

// --- UAS

// The response to the request, with a fresh To tag and our Contact; sent to its transaction.
message_ptr answer(self_ptr self, const tu_request& r, int status) {
  auto response = message_builder::response_to(*r.inbound.message, status, {}, "uas" + std::to_string(++self->state.sequence))
                      .set_header("Contact", "<sip:interop@" + local(self) + ">")
                      .build();
  if (!response.ok() || !r.server_transaction) return nullptr;
  self->send(r.server_transaction, response.message);
  return response.message;
}

void on_invite(self_ptr self, const tu_request& r) {
  auto& st = self->state;
  message_ptr ok = answer(self, r, 200);
  if (!ok) return;
  ++st.counters.invites_answered;
  std::string call_id(r.inbound.message->call_id());
  st.waiting_for_ack[call_id] = answered_invite{r.server_transaction, ok, st.setup.t1, milliseconds{0}};
  self->delayed_send(self, st.setup.t1, retransmit_atom::value, call_id);
}

// §13.3.1.4: the 2xx is retransmitted at T1, doubling up to T2, until the ACK arrives or 64*T1
// have passed. It goes through the server transaction, which passes it on in Accepted (RFC 6026).
void on_retransmit(self_ptr self, const std::string& call_id) {
  auto& st = self->state;
  auto i = st.waiting_for_ack.find(call_id);
  if (i == st.waiting_for_ack.end()) return;
  auto& call = i->second;
  call.elapsed += call.interval;
  if (call.elapsed >= 64 * st.setup.t1) {
    ++st.counters.unacknowledged;
    st.waiting_for_ack.erase(i);
    return;
  }
  self->send(call.transaction, call.ok);
  ++st.counters.ok_retransmitted;
  call.interval = std::min(2 * call.interval, st.setup.t2);
  self->delayed_send(self, call.interval, retransmit_atom::value, call_id);
}

void on_request(self_ptr self, const tu_request& r) {
  auto& st = self->state;
  const message& m = *r.inbound.message;
  switch (m.method()) {
    case sip_method::invite:
      return on_invite(self, r);
    case sip_method::ack:
      ++st.counters.acks_received;
      st.waiting_for_ack.erase(std::string(m.call_id()));
      return;
    case sip_method::bye:
      ++st.counters.byes_answered;
      st.waiting_for_ack.erase(std::string(m.call_id()));
      answer(self, r, 200);
      return;
    case sip_method::cancel:
      answer(self, r, r.cancelled_invite ? 200 : 481);  // §9.2
      return;
    default:
      ++st.counters.others_answered;
      answer(self, r, 200);
      return;
  }
}

// --- UAC

void send_request(self_ptr self, const message_ptr& request) {
  auto& st = self->state;
  transport::outbound_request out{request, transport::transport_kind::udp, st.destination, {}};
  self->send(st.setup.layer, client_request{std::move(out), caf::actor{}});
}

void place_call(self_ptr self) {
  auto& st = self->state;
  std::string n = std::to_string(++st.sequence);
  std::string target = "sip:service@" + st.destination.to_string();
  message_ptr invite = parsed("INVITE " + target + " SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP " + local(self) + ";branch=z9hG4bK-" + n + "-inv;rport\r\n"
                              "Max-Forwards: 70\r\n"
                              "From: <sip:interop@" + local(self) + ">;tag=uac" + n + "\r\n"
                              "To: <" + target + ">\r\n"
                              "Call-ID: " + n + "-interop@" + st.setup.local.ip() + "\r\n"
                              "CSeq: 1 INVITE\r\n"
                              "Contact: <sip:interop@" + local(self) + ">\r\n"
                              "Content-Length: 0\r\n\r\n");
  if (!invite) return;
  st.calls[std::string(invite->call_id())] = placed_call{invite, nullptr, nullptr};
  ++st.counters.calls_started;
  send_request(self, invite);
}

// An in-dialog request of the call (§12.2.1.1): to the remote target, with the To tag of the 2xx.
message_ptr in_dialog(self_ptr self, const placed_call& call, const message& ok, const std::string& method,
                      std::uint32_t cseq, const std::string& branch) {
  const auto& contacts = ok.contacts().contacts;
  std::string target = contacts.empty() ? std::string(call.invite->request_uri().text)
                                        : std::string(contacts.front().address.address.text);
  return parsed(method + " " + target + " SIP/2.0\r\n"
                "Via: SIP/2.0/UDP " + local(self) + ";branch=" + branch + ";rport\r\n"
                "Max-Forwards: 70\r\n"
                "From: " + std::string(call.invite->header_value("From").value_or("")) + "\r\n"
                "To: " + std::string(ok.header_value("To").value_or("")) + "\r\n"
                "Call-ID: " + std::string(ok.call_id()) + "\r\n"
                "CSeq: " + std::to_string(cseq) + " " + method + "\r\n"
                "Content-Length: 0\r\n\r\n");
}

void on_invite_response(self_ptr self, const message_ptr& response) {
  auto& st = self->state;
  auto i = st.calls.find(std::string(response->call_id()));
  if (i == st.calls.end()) return;
  auto& call = i->second;
  int status = response->status();
  if (status < 200) return;
  if (status >= 300) {  // the transaction sent the ACK (§17.1.1.3)
    ++st.counters.failures;
    st.calls.erase(i);
    return;
  }
  if (call.ack) {  // a retransmitted 2xx: its ACK again (§13.2.2.4)
    ++st.counters.acks_resent;
    self->send(st.setup.transport, transport::outbound_request{call.ack, transport::transport_kind::udp, st.destination, {}});
    return;
  }
  ++st.counters.calls_answered;
  std::string n = std::to_string(++st.sequence);
  call.ack = in_dialog(self, call, *response, "ACK", 1, "z9hG4bK-" + n + "-ack");
  if (call.ack)
    self->send(st.setup.transport, transport::outbound_request{call.ack, transport::transport_kind::udp, st.destination, {}});
  call.bye = in_dialog(self, call, *response, "BYE", 2, "z9hG4bK-" + n + "-bye");
  self->delayed_send(self, st.hold, hang_up_atom::value, std::string(response->call_id()));
}

void hang_up(self_ptr self, const std::string& call_id) {
  auto i = self->state.calls.find(call_id);
  if (i != self->state.calls.end() && i->second.bye) send_request(self, i->second.bye);
}

// §15.1.1: "If the response for BYE is a 481 (Call/Transaction Does Not Exist) or a 408 (Request
// Timeout) or no response at all is received for the BYE (that is, a timeout is returned by the
// client transaction), the UAC MUST consider the session and the dialog terminated."
void bye_ended(self_ptr self, const std::string& call_id, bool answered) {
  auto& st = self->state;
  if (st.calls.erase(call_id) == 0) return;
  ++st.counters.calls_completed;
  if (!answered) ++st.counters.byes_unanswered;
}

void on_bye_response(self_ptr self, const message_ptr& response) {
  int status = response->status();
  if (status < 200) return;
  if (status < 300 || status == 481 || status == 408) return bye_ended(self, std::string(response->call_id()), true);
  ++self->state.counters.failures;
  self->state.calls.erase(std::string(response->call_id()));
}

void on_response(self_ptr self, const message_ptr& response) {
  if (response->cseq().method == "INVITE") on_invite_response(self, response);
  else if (response->cseq().method == "BYE") on_bye_response(self, response);
}

void failed(self_ptr self, const message_ptr& request) {
  if (!request || request->method() == sip_method::ack) return;
  if (request->method() == sip_method::bye) return bye_ended(self, std::string(request->call_id()), false);
  ++self->state.counters.failures;
  if (request->is_request()) self->state.calls.erase(std::string(request->call_id()));
}

}  // namespace

caf::actor spawn_interop_tu(caf::actor_system& sys) {
  return sys.spawn(
      [](self_ptr self, int) -> caf::behavior {
        return {
          [=](interop_tu_setup& setup) { self->state.setup = std::move(setup); },
          [=](const tu_request& r) { on_request(self, r); },
          [=](const tu_response& r) { on_response(self, r.response); },
          // A 2xx after the INVITE client transaction ended (RFC 6026 §7.2).
          [=](const stray_response& r) { on_response(self, r.inbound.message); },
          [=](const transaction_timeout& e) { failed(self, e.request); },
          [=](const transaction_transport_error& e) { failed(self, e.request); },
          [=](const transaction_terminated&) {},
          [=](retransmit_atom, const std::string& call_id) { on_retransmit(self, call_id); },
          [=](hang_up_atom, const std::string& call_id) { hang_up(self, call_id); },
          [=](place_calls_atom, std::uint64_t count, std::uint32_t interval_ms, std::uint32_t hold_ms,
              transport::socket_address to) {
            auto& st = self->state;
            st.calls_to_place = count;
            st.call_interval = milliseconds{interval_ms};
            st.hold = milliseconds{hold_ms};
            st.destination = to;
            self->send(self, next_call_atom::value);
          },
          [=](next_call_atom) {
            auto& st = self->state;
            if (st.calls_to_place == 0) return;
            --st.calls_to_place;
            place_call(self);
            self->delayed_send(self, st.call_interval, next_call_atom::value);
          },
          [=](transport::stats_atom) { return self->state.counters; },
        };
      },
      0);  // an argument: CAF 0.17 + UBSan (see actors/server_transaction_invite.cpp)
}

}  // namespace sipactor::test
