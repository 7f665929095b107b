// `sipactor stress` options: what to send, how fast, for how long, from where, and what to
// write. Parsed from the command line into a value, or a usage error that names the option.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transport/transport_kind.hpp"

namespace sipactor::apps {

enum class stress_scenario { call, options, register_users };
enum class progress_mode { automatic, plain, off };

struct stress_options {
  stress_scenario scenario = stress_scenario::call;
  bool answer = false;     // responder mode: answer calls like SIPp's uas
  std::string target;      // Request-URI of calls and OPTIONS; the registrar for REGISTER
  // Rate in calls (or requests) per second: constant, or a ramp from ramp_from to rate over
  // ramp_seconds, then constant.
  double rate = 10;
  std::optional<double> ramp_from;
  double ramp_seconds = 0;
  std::uint64_t total = 0;        // stop starting after this many (0: no limit)
  double duration = 0;            // stop starting after this many seconds (0: no limit)
  std::size_t max_concurrent = 1000;
  std::chrono::milliseconds hold{0};        // call: from the answer to the BYE
  std::chrono::milliseconds timeout{32000};  // a call or request without an outcome by then fails
  // The local listeners' transport; a tcp or tls run adds ;transport= to a sip: target that
  // names none (RFC 3263 §4.1), and a sips: target needs tls.
  transport::transport_kind transport = transport::transport_kind::udp;
  // TLS (RFC 3261 §26.2.1): the local listener's certificate and key (required for tls, as a
  // SIPp TLS run needs its cacert.pem) and the CAs the target's certificate is checked against
  // (empty: the system's store).
  std::string tls_certificate;
  std::string tls_private_key;
  std::string tls_ca;
  std::string local_ip = "127.0.0.1";
  std::uint16_t local_port = 0;  // first local port; 0: free ports
  std::size_t ports = 1;         // local ports (one stack each), so one target sees many sources
  // register: users user1..userN at `domain` (default: the target's host), Digest when challenged
  std::size_t users = 1;
  std::string user_prefix = "user";
  std::string password;
  std::uint32_t expires = 3600;
  std::string csv;   // per-second figures
  std::string plot;  // an SVG of rate, failures and latency over time
  progress_mode progress = progress_mode::automatic;
  int threads = 0;   // scheduler threads; 0: one per core
};

struct stress_parse_result {
  stress_options options;
  std::string error;  // empty: ok
  bool help = false;
};

stress_parse_result parse_stress_options(const std::vector<std::string>& args);

// Makes a sip: `target` name `kind` (";transport=tcp", before any URI headers) unless it names a
// transport already; an error when the target's transport, or sips:, contradicts `kind`.
std::string apply_transport(std::string& target, transport::transport_kind kind);
const char* stress_usage();

}  // namespace sipactor::apps
