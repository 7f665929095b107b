// The `sipactor` command.
#include <iostream>
#include <string>
#include <vector>

#include "apps/parse_command.hpp"
#include "apps/proxy_command.hpp"
#include "apps/stress_command.hpp"
#include "apps/user_command.hpp"

namespace {
void usage(std::ostream& out) {
  out << "usage: sipactor COMMAND [ARGS]\n"
         "commands:\n"
         "  proxy           run the registrar/proxy (sipactor proxy --help)\n"
         "  parse FILE...   parse SIP messages and report each verdict\n"
         "  user add|list   manage the Digest users file (sipactor user --help)\n"
         "  stress ...      SIP load generator and responder (sipactor stress --help)\n";
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "proxy") return sipactor::apps::run_proxy_command(args, std::cout, std::cerr);
  if (command == "parse") return sipactor::apps::run_parse_command(args, std::cout, std::cerr);
  if (command == "user") return sipactor::apps::run_user_command(args, std::cin, std::cout, std::cerr);
  if (command == "stress") return sipactor::apps::run_stress_command(args, std::cout, std::cerr);
  if (command == "--help" || command == "-h" || command == "help") {
    usage(std::cout);
    return 0;
  }
  std::cerr << "sipactor: unknown command '" << command << "'\n";
  usage(std::cerr);
  return 2;
}
