// One non-INVITE request a UA sends (RFC 3261 §8.1): through a client transaction, again with
// credentials after 401/407 (§8.1.3.5, §22.2-22.3) and to the next target after a 3xx outside of
// dialogs (§8.1.3.4), until a final outcome. An actor per request; it quits with its outcome.
#pragma once

#include <caf/all.hpp>

#include <cstdint>

#include "actors/ua_env.hpp"

namespace sipactor {

// Delegated to the request actor by whoever got the application's request(): the outcome
// (request_outcome) is the answer to that request.
using send_atom = caf::atom_constant<caf::atom("send")>;

// To `observer` (a dialog) when the request ended: its outcome and the highest CSeq number used
// (a retry takes a new one, §8.1.3.5, which the dialog's local sequence must follow, §12.2.1.1).
struct request_finished {
  request_outcome outcome;
  std::uint32_t last_cseq = 0;
  std::string method;
};

// `in_dialog`: no redirection (a 3xx within a dialog is a final answer). `observer` may be empty.
// `auth`: credentials for challenges instead of the configured accounts (send_request::auth).
caf::actor spawn_ua_request(caf::actor_system& sys, ua_env_ptr env, outgoing_request request, bool in_dialog,
                            caf::actor observer, credentials auth = {});

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::request_finished)
