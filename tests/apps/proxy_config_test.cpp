// The config of `sipactor proxy` (apps/proxy_config.hpp): the embedded default, the example
// file in the repository, every setting, and every error reported as FILE:LINE: reason.
#include <catch2/catch.hpp>

#include <string>

#include "apps/proxy_config.hpp"

namespace sipactor::apps {
namespace {

using namespace std::chrono_literals;
using transport::transport_kind;

std::string error_of(const std::string& text) {
  config_result r = parse_proxy_config(text, "test.conf");
  REQUIRE_FALSE(r.ok());
  return r.error->to_string();
}

TEST_CASE("Proxy config: the embedded default", "[apps][config]") {
  proxy_config c = default_proxy_config();
  REQUIRE(c.transport.listen.size() == 2);
  CHECK(c.transport.listen[0].transport == transport_kind::udp);
  CHECK(c.transport.listen[1].transport == transport_kind::tcp);
  CHECK(c.transport.listen[0].address.to_string() == "127.0.0.1:5060");
  CHECK(c.domains == std::vector<std::string>{"127.0.0.1", "localhost"});
  CHECK(c.registrar.domains == c.domains);
  CHECK(c.store_path == "sipactor.db");
  CHECK(c.users_file.empty());
  CHECK(c.level == log_level::info);
  CHECK_FALSE(c.redirect);
  CHECK_FALSE(c.stateless);
  CHECK(c.proxy_auth);
}

TEST_CASE("Proxy config: the example file in the repository is valid", "[apps][config]") {
  config_result r = load_proxy_config(SIPACTOR_SOURCE_DIR "/apps/sipactor.conf.example");
  INFO((r.ok() ? std::string() : r.error->to_string()));
  REQUIRE(r.ok());
  CHECK(r.config.transport.listen.size() == 2);
  CHECK(r.config.registrar.min_expires == 60);
  CHECK(r.config.store_path == SIPACTOR_SOURCE_DIR "/apps/sipactor.db");  // relative to the file
}

TEST_CASE("Proxy config: every setting", "[apps][config]") {
  config_result r = parse_proxy_config(
      "# comment\n"
      "\n"
      "  listen = udp 127.0.0.1:0\n"
      "listen = TCP [::1]:5070   # inline comment\n"
      "listen = tls 127.0.0.1:5061\n"
      "tls.certificate = cert.pem\n"
      "tls.private_key = /abs/key.pem\n"
      "tls.ca = ca.pem\n"
      "tls.verify_clients = on\n"
      "domain = Example.COM\n"
      "domain = 192.0.2.1\n"
      "domain = ::1\n"
      "users = users.txt\n"
      "auth.algorithms = MD5, SHA-256\n"
      "auth.proxy = off\n"
      "store = :memory:\n"
      "store.sync = full\n"
      "log.level = debug\n"
      "timer.t1 = 100ms\n"
      "timer.t2 = 2s\n"
      "timer.t4 = 1m\n"
      "route = example.org sip:192.0.2.10:5060;transport=tcp\n"
      "route = * sips:gw.example.net\n"
      "redirect = on\n"
      "stateless = off\n"
      "registrar.min_expires = 30\n"
      "registrar.max_expires = 7200\n"
      "registrar.default_expires = 600\n"
      "overload.max_registers_in_flight = 100\n"
      "overload.retry_after = 9\n"
      "shutdown.drain_timeout = 2s\n"
      "workers = 2\n"
      "udp.readers = 1\n",
      "x.conf", "/etc/sip");
  INFO((r.ok() ? std::string() : r.error->to_string()));
  REQUIRE(r.ok());
  const proxy_config& c = r.config;
  REQUIRE(c.transport.listen.size() == 3);
  CHECK(c.transport.listen[1].transport == transport_kind::tcp);
  CHECK(c.transport.listen[1].address.to_string() == "[::1]:5070");
  CHECK(c.transport.tls.certificate_file == "/etc/sip/cert.pem");
  CHECK(c.transport.tls.private_key_file == "/abs/key.pem");
  CHECK(c.transport.tls.verify_clients);
  CHECK(c.domains == std::vector<std::string>{"example.com", "192.0.2.1", "::1"});
  CHECK(c.registrar.domains == c.domains);
  CHECK(c.users_file == "/etc/sip/users.txt");
  CHECK(c.algorithms == std::vector<auth::digest_algorithm>{auth::digest_algorithm::md5, auth::digest_algorithm::sha256});
  CHECK_FALSE(c.proxy_auth);
  CHECK(c.store_path == ":memory:");
  CHECK(c.store_full_sync);
  CHECK(c.level == log_level::debug);
  CHECK(c.timers.t1 == 100ms);
  CHECK(c.timers.t2 == 2000ms);
  CHECK(c.timers.t4 == 60000ms);
  REQUIRE(c.routes.size() == 2);
  CHECK(c.routes[0].domain == "example.org");
  CHECK(c.routes[0].next_hop == "sip:192.0.2.10:5060;transport=tcp");
  CHECK(c.routes[1].domain == "*");
  CHECK(c.redirect);
  CHECK(c.registrar.min_expires == 30);
  CHECK(c.registrar.max_expires == 7200);
  CHECK(c.registrar.default_expires == 600);
  CHECK(c.max_registers_in_flight == 100);
  CHECK(c.retry_after == 9);
  CHECK(c.drain_timeout == 2000ms);
  CHECK(c.workers == 2);
  CHECK(c.transport.udp_readers == 1);
}

TEST_CASE("Proxy config: every error names the file and line", "[apps][config]") {
  CHECK(error_of("listen udp 127.0.0.1:5060\n") == "test.conf:1: expected 'key = value'");
  CHECK(error_of("\n = x\n") == "test.conf:2: missing key before '='");
  CHECK(error_of("store =\n") == "test.conf:1: missing value for 'store'");
  CHECK(error_of("# c\nlisten_on = udp 1.2.3.4:5\n") == "test.conf:2: unknown key 'listen_on'");
  CHECK(error_of("store = a\nstore = b\n") == "test.conf:2: 'store' is set twice");
  CHECK(error_of("listen = sctp 127.0.0.1:5060\n") == "test.conf:1: expected 'listen = udp|tcp|tls ADDRESS:PORT'");
  CHECK(error_of("listen = udp\n") == "test.conf:1: expected 'listen = udp|tcp|tls ADDRESS:PORT'");
  CHECK(error_of("listen = udp localhost:5060\n") == "test.conf:1: 'localhost:5060' is not an IP address with a port");
  CHECK(error_of("listen = udp 127.0.0.1\n") == "test.conf:1: '127.0.0.1' is not an IP address with a port");
  CHECK(error_of("domain = a b\n") == "test.conf:1: expected one domain name");
  CHECK(error_of("domain = bad_host!\n") == "test.conf:1: 'bad_host!' is not a host name or IP address");
  CHECK(error_of("route = example.org\n") == "test.conf:1: expected 'route = DOMAIN|* NEXT-HOP-URI'");
  CHECK(error_of("route = example.org tel:+123\n") == "test.conf:1: 'tel:+123' is not a sip or sips URI");
  CHECK(error_of("route = ex!ample sip:a.b\n") == "test.conf:1: 'ex!ample' is not a domain or *");
  CHECK(error_of("auth.algorithms = SHA-512\n") == "test.conf:1: unknown Digest algorithm 'SHA-512' (SHA-256 or MD5)");
  CHECK(error_of("auth.algorithms = MD5 md5\n") == "test.conf:1: 'md5' is listed twice");
  CHECK(error_of("redirect = maybe\n") == "test.conf:1: expected on or off, not 'maybe'");
  CHECK(error_of("\nauth.proxy = always\n") == "test.conf:2: expected on or off, not 'always'");
  CHECK(error_of("store.sync = sometimes\n") == "test.conf:1: expected normal or full, not 'sometimes'");
  CHECK(error_of("log.level = loud\n") == "test.conf:1: expected debug, info, warn or error, not 'loud'");
  CHECK(error_of("timer.t1 = 500\n") == "test.conf:1: expected a duration such as 500ms or 4s, not '500'");
  CHECK(error_of("timer.t2 = 0s\n") == "test.conf:1: expected a duration such as 500ms or 4s, not '0s'");
  CHECK(error_of("workers = -1\n") == "test.conf:1: expected a whole number from 0 to 256, not '-1'");
  CHECK(error_of("udp.readers = 65\n") == "test.conf:1: expected a whole number from 0 to 64, not '65'");
  CHECK(error_of("registrar.min_expires = 0\n") ==
        "test.conf:1: expected a whole number from 1 to 86400, not '0'");
  CHECK(error_of("overload.retry_after = 5s\n") == "test.conf:1: expected a whole number from 1 to 86400, not '5s'");
  CHECK(error_of("\nlisten = tls 127.0.0.1:5061\nlog.level = info\n") ==
        "test.conf:2: a tls listen needs tls.certificate and tls.private_key");
  CHECK(error_of("redirect = on\n\nstateless = on\n") == "test.conf:3: redirect and stateless cannot both be on");
  CHECK(error_of("registrar.min_expires = 600\nregistrar.max_expires = 60\n") ==
        "test.conf:2: registrar.min_expires is above registrar.max_expires");
}

TEST_CASE("Proxy config: a file that cannot be read is reported with its name", "[apps][config]") {
  config_result r = load_proxy_config("/nonexistent/sipactor.conf");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error->line == 0);
  CHECK_THAT(r.error->to_string(), Catch::StartsWith("/nonexistent/sipactor.conf: "));
}

TEST_CASE("Proxy config: durations", "[apps][config]") {
  CHECK(parse_duration("250ms") == 250ms);
  CHECK(parse_duration("3s") == 3000ms);
  CHECK(parse_duration("2m") == 120000ms);
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("1h"));
  CHECK_FALSE(parse_duration("1.5s"));
}

}  // namespace
}  // namespace sipactor::apps
