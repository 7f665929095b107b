// `sipactor stress`: a multi-core SIP load generator on the stack's own actors, and a responder
// (--answer) for the other side. See stress_usage() in apps/stress_options.hpp.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sipactor::apps {

// Exit status: 0 when every attempt succeeded, 1 when any failed (or the run was interrupted or
// could not start), 2 on usage errors.
int run_stress_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sipactor::apps
