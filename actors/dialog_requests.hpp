// Requests a UA sends within a dialog (RFC 3261 §12.2.1.1), the ACK for a 2xx (§13.2.2.4), and
// the rules of §14 and §15 on when a re-INVITE or a BYE may go. Pure functions on a dialog_state.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "actors/dialog_state.hpp"
#include "actors/ua_outgoing_request.hpp"
#include "actors/ua_request_checks.hpp"
#include "messages/message.hpp"

namespace sipactor {

// §12.2.1.1: the next request of the dialog. To and From carry the remote and local URIs and
// tags, Call-ID the dialog's; the local sequence number is incremented (chosen by §8.1.1.5 when
// empty) and is the CSeq; Request-URI and Route come from the remote target and route set
// (loose or strict routing); Max-Forwards is 70; target refresh requests carry the local
// Contact. The caller adds the body and other headers, then finish()es it with a Via.
outgoing_request make_dialog_request(dialog_state& dialog, std::string_view method);

// The same with a given CSeq number, for the requests "whose numbers equal the requests being
// acknowledged or cancelled" (§12.2.1.1): ACK and CANCEL. The local sequence number is unchanged.
// (A CANCEL is better built by make_cancel() from the request it cancels, §9.1.)
outgoing_request dialog_request_with_cseq(const dialog_state& dialog, std::string_view method, std::uint32_t cseq);

// §13.2.2.4: the ACK for a 2xx to `invite` (the INVITE or re-INVITE as sent), built "in the same
// way as for any request sent within a dialog ... with the exception of the CSeq and the header
// fields related to authentication": the INVITE's CSeq number with method ACK, and "the same
// credentials as the INVITE" (its Authorization and Proxy-Authorization), and its Require and
// Proxy-Require (§8.2.2.3). A new branch: the ACK for a 2xx is a transaction of its own. The body
// is the answer when the 2xx carried an offer. Call process_response() with the 2xx first, so
// that the route set is the one the 2xx gave (§13.2.2.4).
outgoing_request make_ack(const dialog_state& dialog, const message& invite, std::string_view content_type = {},
                          std::string_view body = {});

// §14.2 at the UAS of a re-INVITE:
//  - `peer_invite_pending`: an earlier INVITE from the peer on this dialog has no final response
//    yet: "MUST return a 500 (Server Internal Error) response to the second INVITE and MUST
//    include a Retry-After header field with a randomly chosen value of between 0 and 10 seconds";
//  - `own_invite_pending`: an INVITE this UA sent on the dialog is in progress: "MUST return a
//    491 (Request Pending)".
uas_check_result check_reinvite(const message& invite, bool own_invite_pending, bool peer_invite_pending);

// §14.1: after a 491 to its re-INVITE, a UAC waits T before trying again: 2.1 to 4 s when it owns
// the Call-ID (it created the dialog as UAC), else 0 to 2 s, "in units of 10 ms".
std::chrono::milliseconds reinvite_retry_delay(const dialog_state& dialog);

// §15: "The caller's UA MAY send a BYE for either confirmed or early dialogs, and the callee's UA
// MAY send a BYE on confirmed dialogs, but MUST NOT send a BYE on early dialogs. However, the
// callee's UA MUST NOT send a BYE on a confirmed dialog until it has received an ACK for its 2xx
// response or until the server transaction times out." `awaiting_ack`: the callee sent a 2xx
// and neither its ACK nor the timeout has come.
bool may_send_bye(const dialog_state& dialog, bool awaiting_ack);

}  // namespace sipactor
