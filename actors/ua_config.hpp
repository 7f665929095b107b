// How a UA core is configured (RFC 3261 §8): who it is as a UAC, what it accepts as a UAS, the
// credentials it answers challenges with, and where it listens.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "actors/auth_client.hpp"
#include "actors/transaction_messages.hpp"
#include "actors/ua_request_checks.hpp"
#include "actors/ua_request_factory.hpp"
#include "transport/transport_messages.hpp"

namespace sipactor {

struct ua_config {
  uac_identity identity;  // From, Contact, Call-ID host, pre-existing route set (§8.1.1)
  uas_policy policy;      // the §8.2 checks and what the UA supports
  // Answers to 401/407 (§22.2): the first account whose realm matches, or with an empty realm.
  struct account {
    std::string realm;  // empty: any realm
    auth::digest_account credentials;
  };
  std::vector<account> accounts;
  bool answer_options = true;    // §11: the UA answers OPTIONS itself (with its capabilities)
  std::size_t max_redirects = 5;  // §8.1.3.4: 3xx recursion depth
  std::size_t shards = 0;         // UA core shards (by Call-ID); 0: one per hardware thread
  // T1 and T2 of the 2xx retransmissions of §13.3.1.4 (the transaction layer's values).
  transaction_config timers;
  // Where the transport listens: the sent-by of the Vias (§18.1.1) per transport.
  std::vector<transport::listen_point> listening;
};

}  // namespace sipactor
