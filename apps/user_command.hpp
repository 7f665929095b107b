// `sipactor user`: the users file of Digest authentication (actors/auth_users.hpp).
//   sipactor user add --file FILE --realm REALM USER (--password PW | --password-stdin)
//   sipactor user list --file FILE [--realm REALM]
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace sipactor::apps {

// Exit status: 0 done; 1 the file could not be read or written, or (list) has bad lines;
// 2 usage errors (unknown option, missing argument, unusable user, realm or password).
// `in` is read only for --password-stdin: its first line is the password.
int run_user_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace sipactor::apps
