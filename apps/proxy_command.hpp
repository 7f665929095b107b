// `sipactor proxy`: the registrar (+ redirect server) and, once issue 7 lands, the stateful
// proxy, on the transports of a config (apps/proxy_config.hpp).
//   sipactor proxy [--config FILE] [--check]
// It prints one line per bound address on `out` ("listening udp 127.0.0.1:5060"), then logs to
// stderr (apps/event_log.hpp). SIGTERM or SIGINT: new requests get 503, answers still owed are
// sent (at most shutdown.drain_timeout), the store commits what it holds, exit 0.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sipactor::apps {

// Exit status: 0 stopped by a signal (or --check passed); 1 could not start (a port in use, a
// store that cannot be opened); 2 usage or configuration errors ("FILE:LINE: reason" on `err`).
int run_proxy_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sipactor::apps
