// `sipactor parse FILE...`: parse each file as one SIP message and report the outcome.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sipactor::apps {

// Exit status: 0 when every file parsed, 1 when any did not, 2 on usage errors.
int run_parse_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace sipactor::apps
