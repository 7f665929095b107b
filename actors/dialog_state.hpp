// The dialog of RFC 3261 §12 as a value: its ID, sequence numbers, URIs, remote target, route set
// and secure flag; how it is created on each side (§12.1), confirmed or ended by the responses to
// the INVITE (§12.1, §12.3, §13.2.2.4), and how the requests and responses it sees update it
// (§12.2.1.2, §12.2.2). The dialog actor owns one; requests it sends are in dialog_requests.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/ua_outgoing_request.hpp"
#include "actors/ua_request_checks.hpp"
#include "messages/expected.hpp"
#include "messages/message.hpp"

namespace sipactor {

// §12: "A dialog is identified at each UA with a dialog ID, which consists of a Call-ID value, a
// local tag and a remote tag." The Call-ID compares byte for byte (§8.1.1.4, §20.8); tags are
// tokens and compare case-insensitively (§19.3, §7.3.1 "Tokens are always case-insensitive").
// A null tag (an RFC 2543 peer, §12.1.1, §12.1.2) is the empty string.
struct dialog_id {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;

  friend bool operator==(const dialog_id& a, const dialog_id& b) noexcept;
  friend bool operator!=(const dialog_id& a, const dialog_id& b) noexcept { return !(a == b); }
  std::size_t hash() const noexcept;  // consistent with ==: tags hashed lower-cased
};

struct dialog_id_hash {
  std::size_t operator()(const dialog_id& id) const noexcept { return id.hash(); }
};

// §12: the dialog ID of a message at a UAS (local tag from To, remote tag from From) and at a
// UAC (local tag from From, remote tag from To), for requests and responses alike.
dialog_id uas_dialog_id(const message& m);
dialog_id uac_dialog_id(const message& m);

// This UA's part in the transaction that created the dialog.
enum class dialog_role : std::uint8_t { uac, uas };

// §12: "A dialog can also be in the "early" state, which occurs when it is created with a
// provisional response, and then transition to the "confirmed" state when a 2xx final response
// arrives. For other responses, or if no response arrives at all on that dialog, the early
// dialog terminates."
enum class dialog_phase : std::uint8_t { early, confirmed, terminated };

struct dialog_state {
  dialog_id id;
  dialog_role role = dialog_role::uac;
  dialog_phase phase = dialog_phase::early;
  // §12: sequence numbers; empty until a request is sent (local) or received (remote).
  std::optional<std::uint32_t> local_seq;
  std::optional<std::uint32_t> remote_seq;
  std::string local_uri;   // §12: the URI of From (UAC) / To (UAS) of the creating request
  std::string remote_uri;  // §12: the URI of To (UAC) / From (UAS)
  // Display names as written, kept so that later requests show the same From and To.
  std::string local_display_name;
  std::string remote_display_name;
  std::string remote_target;          // §12: the URI of the peer's Contact
  std::vector<route_entry> route_set;  // §12: in the order requests traverse it
  bool secure = false;                 // §12.1.1, §12.1.2: TLS and a SIPS Request-URI
  // The Contact this UA gave when the dialog was created (the INVITE's, or the response's);
  // §12.2.1.1: target refresh requests carry it, "unless there is a need to change it".
  std::string local_contact;
  std::uint32_t invite_cseq = 0;  // the CSeq number of the request that created the dialog

  bool early() const noexcept { return phase == dialog_phase::early; }
  bool confirmed() const noexcept { return phase == dialog_phase::confirmed; }
  bool terminated() const noexcept { return phase == dialog_phase::terminated; }
};

// §12.1.1: the dialog a UAS creates when it sends `response` (101-199 or 2xx, with a To tag) to
// `request` (an INVITE, with a Contact). `over_tls`: the request arrived over TLS. Fails when
// the response cannot create a dialog or the request has no usable Contact.
expected<dialog_state> make_uas_dialog(const message& request, const message& response, bool over_tls);

// §12.1.2: the dialog a UAC creates when `response` (101-199 or 2xx, with a To tag) arrives for
// `request`, the INVITE it sent. `over_tls`: the request was sent over TLS. The remote target is
// the response's Contact; a provisional response without Contact (common in the field) leaves
// the Request-URI as remote target until a response brings one; a 2xx without one fails.
expected<dialog_state> make_uac_dialog(const message& request, const message& response, bool over_tls);

// §12.2: "requests that are target refresh requests do" modify the remote target: re-INVITE
// (§12.2) and UPDATE (RFC 3311). An ACK is not one.
bool is_target_refresh(sip_method method) noexcept;

// §12.2.1.2, §13.2.2.4, §12.3: a response to a request this UA sent in the dialog.
//  - to the INVITE that created it (UAC only): 2xx confirms an early dialog and recomputes the route set
//    from the 2xx's Record-Route ("for backwards compatibility", §13.2.2.4); a non-2xx final
//    response ends an early dialog (§12.3);
//  - 2xx to a target refresh request (the creating INVITE too): the remote target becomes the
//    response's Contact, if present (§12.2.1.2).
void process_response(dialog_state& dialog, const message& response);

// §12.2.1.2: "If the response for a request within a dialog is a 481 (Call/Transaction Does Not
// Exist) or a 408 (Request Timeout), the UAC SHOULD terminate the dialog" (a transaction timeout
// counts as 408, §8.1.3.1). For INVITE dialogs that means sending a BYE (§15).
bool response_ends_dialog(int status) noexcept;

// §12.1.1, §12.3 at the UAS: the final response it sent to the INVITE that created the dialog.
// 2xx confirms the dialog; a non-2xx final response ends it.
void process_sent_response(dialog_state& dialog, const message& response);

// §12.2.2: whether `request`, received in the dialog, is in order. "If the remote sequence number
// was not empty, but the sequence number of the request is lower than the remote sequence number,
// the request is out of order and MUST be rejected with a 500 (Server Internal Error) response."
// ACK and CANCEL carry the number of the request they acknowledge or cancel, so they are never
// out of order. Changes nothing: see apply_request().
uas_check_result check_request_order(const dialog_state& dialog, const message& request);

// §12.2.2, for a request the UAS accepts ("If the request is rejected, none of the state changes
// are performed"): the remote sequence number becomes the request's (not for ACK and CANCEL), and
// a target refresh request's Contact becomes the remote target.
void apply_request(dialog_state& dialog, const message& request);

}  // namespace sipactor
