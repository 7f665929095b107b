// What every actor of a UA core shares (immutable after start) and the messages between the UA
// core's shards and its call and request actors. Internal to actors/ua_*.
#pragma once

#include <caf/all.hpp>

#include <memory>
#include <string>

#include "actors/dialog_state.hpp"
#include "actors/ua_api.hpp"
#include "actors/ua_config.hpp"
#include "actors/ua_outgoing_request.hpp"
#include "transport/target.hpp"

namespace sipactor {

struct ua_env {
  ua_config config;
  caf::actor transport;     // the ACK for a 2xx goes straight to it (§13.2.2.4: no transaction)
  caf::actor transactions;  // transaction_layer::entry
  caf::actor app;           // gets incoming_call, incoming_request, call_cancelled, dialog_ended
  caf::actor ua;            // the UA core's entry (dialog registrations go there)
};
using ua_env_ptr = std::shared_ptr<const ua_env>;

// A request ready to go: the message with its Via and where the transport sends it.
struct ready_request {
  transport::outbound_request out;
  std::string error;  // why it could not be made ready (then out.message is empty)
};

// §8.1.2, §8.1.1.7: resolves the next hop (transport/target.hpp), pushes the Via with this UA's
// sent-by for that transport and builds the message.
ready_request make_ready(const ua_env& env, outgoing_request& request);

// The credentials for a 401/407 `response` to `sent` (§22.2, §22.3), added to a copy of the
// request for retry (§8.1.3.5); empty when there is no account for the realm, or `already_tried`
// names the realm (the same credentials failed once).
struct auth_retry {
  outgoing_request request;
  std::string realm;
  bool ok = false;
};
// `override_account`: when its username is set, the only account used.
auth_retry retry_with_credentials(const ua_env& env, const message_ptr& sent, const message& response,
                                  const std::string& next_hop, const std::vector<std::string>& already_tried,
                                  const credentials& override_account = {});

// --- between the UA core's shards and its call actors

// A dialog's ID now names `call` (§12): in-dialog requests, ACKs for 2xx and strays go there.
struct dialog_registered {
  dialog_id id;
  caf::actor call;
};
struct dialog_forgotten {
  dialog_id id;
  caf::actor call;  // only forgotten when it still names this call
};
// A UAC call by Call-ID and From tag (before its dialogs exist: forks, §13.2.2.4); its call_ref.
struct call_registered {
  std::string call_id;
  std::string local_tag;
  std::string call_ref;
  caf::actor call;
};
struct call_forgotten {
  std::string call_id;
  std::string local_tag;
  std::string call_ref;
  caf::actor call;
};
// From a shard to the UAS call whose INVITE server transaction a CANCEL matched (§9.2).
struct cancel_received {
  message_ptr cancel;
};
// The UAS call's INVITE server transaction got a final response: CANCELs no longer reach it.
struct invite_answered {
  caf::actor server_transaction;
  std::string call_id;
};

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::dialog_registered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::dialog_forgotten)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::call_registered)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::call_forgotten)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::cancel_received)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::invite_answered)
