#include "apps/stress_options.hpp"

#include "messages/uri.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace sipactor::apps {

const char* stress_usage() {
  return "usage: sipactor stress --target URI [options]       place calls (or requests) at a rate\n"
         "       sipactor stress --answer [--local IP:PORT]    answer calls, like SIPp's uas\n"
         "  --scenario call|options|register   what each attempt is (default: call)\n"
         "  --rate R                 attempts per second (default 10)\n"
         "  --ramp FROM:SECONDS      start at FROM per second, reach --rate after SECONDS\n"
         "  --total N                stop after N attempts\n"
         "  --duration S             stop starting attempts after S seconds\n"
         "  --max-concurrent N       attempts in progress at most (default 1000)\n"
         "  --hold MS                call: from the answer to the BYE (default 0)\n"
         "  --timeout MS             an attempt without outcome by then fails (default 32000)\n"
         "  --transport udp|tcp|tls  (default udp; adds ;transport= to a sip: target without one)\n"
         "  --tls-cert FILE --tls-key FILE   the local TLS listener's certificate (PEM)\n"
         "  --tls-ca FILE            CAs the target's certificate is verified against (default: system)\n"
         "  --local IP[:PORT]        local address (default 127.0.0.1, free ports)\n"
         "  --ports N                local ports, one stack each (default 1)\n"
         "  --users N --user-prefix P --password PW --expires S   register: user1..userN\n"
         "  --csv FILE               per-second figures\n"
         "  --plot FILE.svg          rate, failures and latency over time\n"
         "  --progress auto|plain|off  live progress (auto: one updating line on a terminal)\n"
         "  --threads N              scheduler threads (default: one per core)\n";
}

namespace {

bool to_double(const std::string& text, double& out) {
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && end && *end == '\0' && !text.empty() && out >= 0;
}

bool to_unsigned(const std::string& text, std::uint64_t& out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoull(text.c_str(), &end, 10);
  return errno == 0;
}

}  // namespace

std::string apply_transport(std::string& target, transport::transport_kind kind) {
  auto parsed = parse_uri(target);
  if (!parsed || !parsed.value().is_sip()) return "--target is not a valid sip: or sips: URI: " + target;
  const uri& u = parsed.value();
  if (u.scheme == uri_scheme::sips && kind != transport::transport_kind::tls)
    return "a sips: target needs --transport tls (RFC 3261 §26.2.2)";
  if (auto given = u.param("transport")) {
    auto named = transport::transport_from(*given);
    if (!named || *named != kind)
      return "--target says transport=" + std::string(*given) + " but --transport is " +
             std::string(transport::to_string(kind));
    return {};
  }
  if (kind == transport::transport_kind::udp || u.scheme == uri_scheme::sips) return {};
  std::string param = ";transport=" + std::string(transport::to_string(kind));
  for (char& c : param) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::size_t at = u.headers.empty() ? target.size() : static_cast<std::size_t>(u.headers.data() - u.text.data()) - 1;
  target.insert(at, param);
  return {};
}

stress_parse_result parse_stress_options(const std::vector<std::string>& args) {
  stress_parse_result r;
  stress_options& o = r.options;
  auto fail = [&](std::string why) {
    r.error = std::move(why);
    return r;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      r.help = true;
      return r;
    }
    if (a == "--answer") {
      o.answer = true;
      continue;
    }
    if (i + 1 >= args.size()) return fail(a + " needs a value");
    const std::string& v = args[++i];
    std::uint64_t n = 0;
    double d = 0;
    if (a == "--scenario") {
      if (v == "call") o.scenario = stress_scenario::call;
      else if (v == "options") o.scenario = stress_scenario::options;
      else if (v == "register") o.scenario = stress_scenario::register_users;
      else return fail("--scenario must be call, options or register, not '" + v + "'");
    } else if (a == "--target") {
      if (v.rfind("sip:", 0) != 0 && v.rfind("sips:", 0) != 0) return fail("--target must be a sip: or sips: URI");
      o.target = v;
    } else if (a == "--rate") {
      if (!to_double(v, d) || d <= 0) return fail("--rate must be a positive number");
      o.rate = d;
    } else if (a == "--ramp") {
      auto colon = v.find(':');
      double from = 0, seconds = 0;
      if (colon == std::string::npos || !to_double(v.substr(0, colon), from) || !to_double(v.substr(colon + 1), seconds))
        return fail("--ramp must be FROM:SECONDS");
      o.ramp_from = from;
      o.ramp_seconds = seconds;
    } else if (a == "--total") {
      if (!to_unsigned(v, n)) return fail("--total must be a number");
      o.total = n;
    } else if (a == "--duration") {
      if (!to_double(v, d)) return fail("--duration must be a number of seconds");
      o.duration = d;
    } else if (a == "--max-concurrent") {
      if (!to_unsigned(v, n) || n == 0) return fail("--max-concurrent must be a positive number");
      o.max_concurrent = n;
    } else if (a == "--hold") {
      if (!to_unsigned(v, n)) return fail("--hold must be milliseconds");
      o.hold = std::chrono::milliseconds(n);
    } else if (a == "--timeout") {
      if (!to_unsigned(v, n) || n == 0) return fail("--timeout must be milliseconds");
      o.timeout = std::chrono::milliseconds(n);
    } else if (a == "--transport") {
      auto kind = transport::transport_from(v);
      if (!kind) return fail("--transport must be udp, tcp or tls");
      o.transport = *kind;
    } else if (a == "--tls-cert") {
      o.tls_certificate = v;
    } else if (a == "--tls-key") {
      o.tls_private_key = v;
    } else if (a == "--tls-ca") {
      o.tls_ca = v;
    } else if (a == "--local") {
      auto colon = v.rfind(':');
      if (colon != std::string::npos && v.find(':') == colon) {
        if (!to_unsigned(v.substr(colon + 1), n) || n > 65535) return fail("--local has a bad port");
        o.local_ip = v.substr(0, colon);
        o.local_port = static_cast<std::uint16_t>(n);
      } else {
        o.local_ip = v;
      }
    } else if (a == "--ports") {
      if (!to_unsigned(v, n) || n == 0 || n > 256) return fail("--ports must be 1..256");
      o.ports = n;
    } else if (a == "--users") {
      if (!to_unsigned(v, n) || n == 0) return fail("--users must be a positive number");
      o.users = n;
    } else if (a == "--user-prefix") {
      o.user_prefix = v;
    } else if (a == "--password") {
      o.password = v;
    } else if (a == "--expires") {
      if (!to_unsigned(v, n) || n > 0xffffffffu) return fail("--expires must be seconds");
      o.expires = static_cast<std::uint32_t>(n);
    } else if (a == "--csv") {
      o.csv = v;
    } else if (a == "--plot") {
      o.plot = v;
    } else if (a == "--progress") {
      if (v == "auto") o.progress = progress_mode::automatic;
      else if (v == "plain") o.progress = progress_mode::plain;
      else if (v == "off") o.progress = progress_mode::off;
      else return fail("--progress must be auto, plain or off");
    } else if (a == "--threads") {
      if (!to_unsigned(v, n) || n > 256) return fail("--threads must be a number");
      o.threads = static_cast<int>(n);
    } else {
      return fail("unknown option " + a);
    }
  }
  if (!o.answer && o.target.empty()) return fail("--target is required (or --answer for responder mode)");
  if (!o.answer && o.total == 0 && o.duration == 0) return fail("give --total or --duration, or both");
  if (o.transport == transport::transport_kind::tls && (o.tls_certificate.empty() || o.tls_private_key.empty()))
    return fail("--transport tls needs --tls-cert and --tls-key (the local TLS listener's certificate)");
  if (!o.target.empty()) {
    std::string why = apply_transport(o.target, o.transport);
    if (!why.empty()) return fail(why);
  }
  return r;
}

}  // namespace sipactor::apps
