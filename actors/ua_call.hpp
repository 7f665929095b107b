// A call: one INVITE session and the dialog it creates (RFC 3261 §12-15), as one actor from the
// INVITE to the end of the dialog. The UAC side (actors/ua_call_client.cpp) sends the INVITE,
// follows 3xx and 401/407, sends CANCEL when asked and the ACK for the 2xx (§13.2); the UAS side
// (actors/ua_call_server.cpp) asks the application, answers, and retransmits its 2xx until the
// ACK (§13.3.1.4). Both then run the dialog (actors/ua_dialog.cpp): requests within it both ways,
// re-INVITE with glare (§14), BYE (§15). The actor quits when the call or dialog ends.
#pragma once

#include <caf/all.hpp>

#include <string>

#include "actors/ua_env.hpp"

namespace sipactor {

// A UAC call; the UA core delegates the application's place_call to it. `call_id` and `from_tag`
// are chosen by the UA core.
caf::actor spawn_uac_call(caf::actor_system& sys, ua_env_ptr env, std::string call_id, std::string from_tag);

// A UAS call for the INVITE in `request` (its server transaction in request.server_transaction);
// `local_tag` is the To tag of every response (§12.1.1), already registered by the UA core
// under the dialog ID it makes.
caf::actor spawn_uas_call(caf::actor_system& sys, ua_env_ptr env, tu_request request, std::string local_tag);

}  // namespace sipactor
