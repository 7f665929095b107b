// The configuration of `sipactor proxy`: an embedded default, and a line-based file that
// changes it (apps/sipactor.conf.example documents every key).
//
// The file: one setting a line, `key = value`; '#' starts a comment (at the start of a line or
// after blanks); blank lines are ignored; keys are lower case. Keys marked "repeatable" below
// collect their values, and their first occurrence in a file replaces the default list (so a
// file with one `listen` line listens only there); every other key may appear once.
//
//   listen = udp|tcp|tls ADDRESS:PORT    repeatable; IPv6 as [::1]:5060; port 0: any free port
//   tls.certificate = FILE               PEM; required by a tls listen
//   tls.private_key = FILE
//   tls.ca = FILE
//   tls.verify_clients = on|off
//   domain = NAME                        repeatable; the domains served (§10.3, §16.4)
//   users = FILE                         Digest users file (`sipactor user add`); with users in
//                                        it, REGISTER is authenticated (§22)
//   auth.algorithms = SHA-256 MD5        challenges offered, preferred first (RFC 8760 §2.3)
//   auth.proxy = on|off                  with users: out-of-dialog requests From our domains
//                                        need Proxy-Authorization (407, §22.3); default on
//   store = FILE | :memory:              SQLite location store (issue 6)
//   store.sync = normal | full           full: fsync per commit (survives power loss)
//   log.level = debug | info | warn | error
//   timer.t1 / timer.t2 / timer.t4 = DURATION     RFC 3261 §17.1.1.1 (e.g. 500ms, 4s)
//   route = DOMAIN|* NEXT-HOP-URI        repeatable; static routes for the proxy core (§16.5)
//   redirect = on|off                    §8.3 redirect server instead of proxying
//   stateless = on|off                   §16.11 stateless proxying
//   registrar.min_expires / .max_expires / .default_expires = SECONDS   §10.3 step 7
//   overload.max_registers_in_flight = N     beyond it REGISTER gets 503
//   overload.retry_after = SECONDS           the 503's Retry-After
//   shutdown.drain_timeout = DURATION        how long SIGTERM waits for transactions
//   workers = N                              scheduler threads (0: one per core)
//   udp.read_on_workers = on|off             the scheduler's workers read UDP (default on)
//   udp.readers = N                          with udp.read_on_workers = off: receiving threads
//                                            per UDP address (0: one per core)
//   dns = on|off                             RFC 3263 lookups of next hops that name a host
//                                            (default on; off: such next hops get a 408)
//   dns.nameservers = ADDRESS:PORT ...       nameservers to ask, in order (default: dns.resolv_conf's)
//   dns.resolv_conf = FILE                   default /etc/resolv.conf
//
// Relative file names in a file are relative to the file's directory; in the default config,
// to the working directory.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/auth_digest.hpp"
#include "actors/registrar_rules.hpp"
#include "actors/transaction_messages.hpp"
#include "transport/transport_config.hpp"

namespace sipactor::apps {

enum class log_level : std::uint8_t { debug, info, warn, error };
std::string_view to_string(log_level level) noexcept;

// "Send everything for DOMAIN (or for every domain: "*") to NEXT_HOP" (issue 7); the proxy core
// consumes them.
struct static_route {
  std::string domain;    // lower case, or "*"
  std::string next_hop;  // a sip or sips URI
};

struct proxy_config {
  transport::transport_config transport;
  std::vector<std::string> domains;
  std::string users_file;  // empty: none
  std::vector<auth::digest_algorithm> algorithms = auth::default_algorithms();
  // With users: the proxy authenticates its users' requests (actors/proxy_auth.hpp).
  bool proxy_auth = true;
  std::string store_path;
  bool store_full_sync = false;
  log_level level = log_level::info;
  transaction_config timers;
  std::vector<static_route> routes;
  bool redirect = false;
  bool stateless = false;
  registrar_config registrar;  // domains are copied from `domains`
  std::size_t max_registers_in_flight = 8192;
  std::uint32_t retry_after = 5;
  std::chrono::milliseconds drain_timeout{5000};
  std::size_t workers = 0;
  bool dns = true;
  std::vector<transport::socket_address> nameservers;  // empty: those of resolv_conf
  std::string resolv_conf = "/etc/resolv.conf";
};

// UDP and TCP on 127.0.0.1:5060, domains "127.0.0.1" and "localhost", store "sipactor.db" in
// the working directory, no users (REGISTER without authentication), log level info.
proxy_config default_proxy_config();

struct config_error {
  std::string file;
  std::size_t line = 0;  // 0: the file as a whole (it could not be read)
  std::string reason;
  std::string to_string() const;  // "FILE:LINE: reason"
};

struct config_result {
  proxy_config config;
  std::optional<config_error> error;  // the first error; then `config` is not to be used
  bool ok() const noexcept { return !error.has_value(); }
};

// Applies the settings of `text` to the default config. `file_name` labels errors; `base_dir`
// is where relative file names start ("" : as written).
config_result parse_proxy_config(std::string_view text, std::string_view file_name, std::string_view base_dir = {});
// Reads and parses the file.
config_result load_proxy_config(const std::string& path);

// "500ms", "4s", "2m": a duration; nullopt when it is not one.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

}  // namespace sipactor::apps
