// The state of a call actor (actors/ua_call.hpp) and what its three files share. Internal.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/dialog_requests.hpp"
#include "actors/dialog_state.hpp"
#include "actors/ua_call.hpp"
#include "actors/ua_request.hpp"

namespace sipactor {

using ok_timer_atom = caf::atom_constant<caf::atom("okTimer")>;

struct call_state {
  ua_env_ptr env;
  dialog_role role = dialog_role::uac;
  std::optional<dialog_state> dialog;  // early or confirmed; registered with the UA core

  // --- UAC (§13.2)
  std::string call_id, from_tag, call_ref;
  caf::response_promise outcome;       // call_outcome, to the application's place_call
  message_ptr invite;                  // the INVITE as sent (latest attempt)
  transport::outbound_request invite_out;
  std::string next_hop;
  bool provisional_seen = false;       // §9.1: a CANCEL waits for a provisional response
  bool cancel_wanted = false, cancel_sent = false;
  std::vector<std::string> realms_tried;
  std::optional<redirect_target_set> targets;
  std::size_t redirects = 0;
  transport::outbound_request ack_out;  // the ACK for the 2xx, resent for each retransmission

  // --- UAS (§13.3)
  tu_request request;                   // the INVITE and its server transaction
  std::string local_tag;
  bool final_sent = false;

  // --- the 2xx this UA retransmits until the ACK (§13.3.1.4): the INVITE's or a re-INVITE's
  message_ptr ok;
  std::uint32_t ok_cseq = 0;
  std::chrono::milliseconds ok_interval{0};
  caf::actor_clock::time_point ok_deadline{};
  std::uint32_t ok_generation = 0;

  // --- within the dialog
  bool own_invite_pending = false;   // §14.1
  bool peer_invite_pending = false;  // §14.2
  caf::response_promise reinvite_outcome;
  message_ptr reinvite;              // our re-INVITE as sent
  transport::outbound_request reinvite_ack_out;
  std::optional<dialog_request> deferred_bye;  // §15: the callee waits for the ACK
  caf::response_promise deferred_bye_outcome;
  bool ending = false;               // BYE sent

  static inline const char* name = "sip-call";
};

using call_ptr = caf::stateful_actor<call_state>*;

// --- shared by the three files (actors/ua_dialog.cpp)

caf::actor self_handle(call_ptr self);
// Registers the dialog (now in st.dialog) with the UA core, or forgets it.
void register_dialog(call_ptr self);
void forget_dialog(call_ptr self);
// The call or dialog is over: dialog_ended to the application (when there was a dialog),
// registrations forgotten, quit.
void end_call(call_ptr self, const std::string& reason);
// Sends `response` (to a request received in the dialog or the INVITE) through `transaction`.
void respond(call_ptr self, const caf::actor& transaction, const message_ptr& response);
// A response to `request` built from the application's `a` (§8.2.6), with Contact and
// Record-Route for a dialog-creating or target-refresh 2xx/1xx (§12.1.1, §12.2.2).
message_ptr build_answer(call_ptr self, const message& request, const answer& a, std::string_view to_tag);
// §13.3.1.4: keeps sending `ok` (a 2xx to an INVITE with CSeq `cseq`) at T1, 2*T1, ... T2 until
// the ACK comes or 64*T1 passes.
void start_ok_retransmission(call_ptr self, message_ptr ok, std::uint32_t cseq);
// The behavior of a dialog, confirmed (or early, at the UAC).
caf::behavior in_dialog(call_ptr self);
// §13.2.2.4: a 2xx to the INVITE (first, retransmitted or from another fork).
void on_invite_2xx(call_ptr self, const message_ptr& response);

}  // namespace sipactor
