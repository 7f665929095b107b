#include "apps/event_log.hpp"

#include <unistd.h>

#include <chrono>
#include <ctime>

#include "actors/proxy_auth.hpp"
#include "actors/registrar.hpp"

namespace sipactor::apps {

namespace {

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\t' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

void append_value(std::string& out, std::string_view v) {
  if (!needs_quotes(v)) {
    out.append(v);
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  out += '"';
}

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string format_log_line(long long now, log_level level, std::string_view event, const log_fields& fields) {
  std::time_t seconds = static_cast<std::time_t>(now / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char ts[64];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(now % 1000));
  std::string line = "ts=";
  line += ts;
  line += " level=";
  line += to_string(level);
  line += " event=";
  append_value(line, event);
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    append_value(line, value);
  }
  line += '\n';
  return line;
}

void event_log::write(log_level level, std::string_view event, const log_fields& fields) const {
  if (!enabled(level)) return;
  std::string line = format_log_line(now_ms(), level, event, fields);
  std::size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n <= 0) return;  // nowhere to log to: the events are lost, the proxy goes on
    done += static_cast<std::size_t>(n);
  }
}

caf::actor spawn_log_actor(caf::actor_system& sys, event_log log) {
  return sys.spawn<caf::detached>([](caf::event_based_actor*, event_log log) -> caf::behavior {
    return {
        [=](const log_event& e) { log.write(e.level, e.event, e.fields); },
        [=](const proxy_auth_event& e) {
          log_level level = e.status == 403 || e.status == 400 ? log_level::warn : log_level::debug;
          log_fields fields{{"status", std::to_string(e.status)}, {"from", e.from}};
          if (!e.user.empty()) fields.emplace_back("user", e.user);
          if (!e.detail.empty()) fields.emplace_back("detail", e.detail);
          log.write(level, "proxy_auth", fields);
        },
        [=](const registrar_event& e) {
          log_level level = e.status >= 500 || e.status == 403 ? log_level::warn : log_level::debug;
          log_fields fields{{"status", std::to_string(e.status)}, {"aor", e.aor}};
          if (!e.detail.empty()) fields.emplace_back("detail", e.detail);
          if (e.status == 200 || e.status == 302) fields.emplace_back("bindings", std::to_string(e.bindings));
          log.write(level, e.event, fields);
        },
    };
  }, log);
}

}  // namespace sipactor::apps
