// Structured logs of `sipactor proxy`: one line per event on stderr,
//   ts=2024-05-01T12:00:00.123Z level=info event=listening transport=udp address=127.0.0.1:5060
// values with blanks, quotes or '=' in double quotes. Each line is one write(2), so lines from
// several threads never interleave. Actors do not write themselves: they send their events to
// the log actor (spawn_log_actor), a detached actor, so that no worker waits for stderr.
#pragma once

#include <caf/all.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "apps/proxy_config.hpp"

namespace sipactor::apps {

using log_fields = std::vector<std::pair<std::string, std::string>>;

class event_log {
 public:
  explicit event_log(log_level level, int fd = 2) : level_(level), fd_(fd) {}
  bool enabled(log_level level) const noexcept { return level >= level_; }
  void write(log_level level, std::string_view event, const log_fields& fields = {}) const;
  log_level level() const noexcept { return level_; }

 private:
  log_level level_;
  int fd_;
};

// The formatted line (with its newline), `now` in milliseconds since the Unix epoch.
std::string format_log_line(long long now_ms, log_level level, std::string_view event, const log_fields& fields);

// A log event from an actor.
struct log_event {
  log_level level = log_level::info;
  std::string event;
  log_fields fields;
};

// Takes log_event, registrar_event (actors/registrar.hpp) and proxy_auth_event
// (actors/proxy_auth.hpp) and writes them.
caf::actor spawn_log_actor(caf::actor_system& sys, event_log log);

}  // namespace sipactor::apps

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::apps::log_event)
