#include "apps/proxy_config.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <set>

#include "actors/auth_users.hpp"
#include "messages/text.hpp"
#include "messages/uri.hpp"

namespace sipactor::apps {

namespace {

using transport::listen_config;
using transport::socket_address;
using transport::transport_kind;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The value split at its first run of blanks: "udp 127.0.0.1:5060" -> ("udp", "127.0.0.1:5060").
std::pair<std::string_view, std::string_view> split_word(std::string_view s) {
  std::size_t blank = s.find_first_of(" \t");
  if (blank == std::string_view::npos) return {s, {}};
  return {s.substr(0, blank), trim(s.substr(blank))};
}

template <class T>
std::optional<T> parse_number(std::string_view s) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = text::to_lower(c);
  return out;
}

// One line's setting; "" when it applied, else why not.
using setter = std::function<std::string(std::string_view value)>;

struct parser {
  proxy_config& config;
  std::string base_dir;
  bool listen_replaced = false;
  bool domains_replaced = false;
  std::size_t tls_listen_line = 0;  // the first tls listen, for the certificate check
  std::size_t redirect_line = 0, stateless_line = 0;

  std::string path(std::string_view value) const {
    if (value.empty() || value.front() == '/' || base_dir.empty() || value == ":memory:") return std::string(value);
    return base_dir + "/" + std::string(value);
  }

  static std::string on_off(std::string_view value, bool& out) {
    if (value == "on" || value == "yes" || value == "true") out = true;
    else if (value == "off" || value == "no" || value == "false") out = false;
    else return "expected on or off, not '" + std::string(value) + "'";
    return {};
  }
  template <class T>
  static std::string number(std::string_view value, T& out, T min, T max) {
    auto n = parse_number<T>(value);
    if (!n || *n < min || *n > max)
      return "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", not '" +
             std::string(value) + "'";
    out = *n;
    return {};
  }
  static std::string duration(std::string_view value, std::chrono::milliseconds& out) {
    auto d = parse_duration(value);
    if (!d || d->count() <= 0) return "expected a duration such as 500ms or 4s, not '" + std::string(value) + "'";
    out = *d;
    return {};
  }

  std::string listen(std::string_view value, std::size_t line) {
    auto [kind_text, address_text] = split_word(value);
    auto kind = transport::transport_from(lower(kind_text));
    if (!kind || address_text.empty()) return "expected 'listen = udp|tcp|tls ADDRESS:PORT'";
    auto address = socket_address::parse(address_text);
    if (!address) return "'" + std::string(address_text) + "' is not an IP address with a port";
    if (!listen_replaced) config.transport.listen.clear();
    listen_replaced = true;
    if (*kind == transport_kind::tls && tls_listen_line == 0) tls_listen_line = line;
    config.transport.listen.push_back({*kind, *address});
    return {};
  }

  std::string domain(std::string_view value) {
    if (value.empty() || value.find_first_of(" \t") != std::string_view::npos) return "expected one domain name";
    std::string host = lower(value);
    // A host of a SIP URI (§25.1 hostname / IPv4address / IPv6reference without brackets).
    auto parsed = parse_uri("sip:" + (host.find(':') != std::string::npos ? "[" + host + "]" : host));
    if (!parsed) return "'" + std::string(value) + "' is not a host name or IP address";
    if (!domains_replaced) config.domains.clear();
    domains_replaced = true;
    config.domains.push_back(host);
    return {};
  }

  std::string route(std::string_view value) {
    auto [domain_text, hop] = split_word(value);
    if (hop.empty()) return "expected 'route = DOMAIN|* NEXT-HOP-URI'";
    std::string domain = lower(domain_text);
    if (domain != "*" && !parse_uri("sip:" + domain)) return "'" + std::string(domain_text) + "' is not a domain or *";
    auto next = parse_uri(hop);
    if (!next || !next->is_sip() || next->host.empty())
      return "'" + std::string(hop) + "' is not a sip or sips URI";
    config.routes.push_back({domain, std::string(hop)});
    return {};
  }

  std::string algorithms(std::string_view value) {
    std::vector<auth::digest_algorithm> list;
    while (!value.empty()) {
      auto [word, rest] = split_word(value);
      if (!word.empty() && word.back() == ',') word.remove_suffix(1);
      auto a = auth::parse_algorithm(word);
      if (!a) return "unknown Digest algorithm '" + std::string(word) + "' (SHA-256 or MD5)";
      if (std::find(list.begin(), list.end(), *a) != list.end()) return "'" + std::string(word) + "' is listed twice";
      list.push_back(*a);
      value = rest;
    }
    config.algorithms = std::move(list);
    return {};
  }

  std::string nameservers(std::string_view value) {
    std::vector<socket_address> list;
    while (!value.empty()) {
      auto [word, rest] = split_word(value);
      if (!word.empty() && word.back() == ',') word.remove_suffix(1);
      auto address = socket_address::parse(word);
      if (!address) return "'" + std::string(word) + "' is not an IP address with a port (e.g. 192.0.2.53:53)";
      list.push_back(*address);
      value = rest;
    }
    if (list.empty()) return "expected 'dns.nameservers = ADDRESS:PORT ...'";
    config.nameservers = std::move(list);
    return {};
  }

  // The setter of every key; repeatable keys are handled before this table.
  std::map<std::string, setter, std::less<>> setters() {
    auto& c = config;
    return {
        {"tls.certificate", [&](auto v) { c.transport.tls.certificate_file = path(v); return std::string(); }},
        {"tls.private_key", [&](auto v) { c.transport.tls.private_key_file = path(v); return std::string(); }},
        {"tls.ca", [&](auto v) { c.transport.tls.ca_file = path(v); return std::string(); }},
        {"tls.verify_clients", [&](auto v) { return on_off(v, c.transport.tls.verify_clients); }},
        {"users", [&](auto v) { c.users_file = path(v); return std::string(); }},
        {"auth.algorithms", [&](auto v) { return algorithms(v); }},
        {"auth.proxy", [&](auto v) { return on_off(v, c.proxy_auth); }},
        {"store", [&](auto v) { c.store_path = path(v); return std::string(); }},
        {"store.sync",
         [&](auto v) {
           if (v != "normal" && v != "full") return "expected normal or full, not '" + std::string(v) + "'";
           c.store_full_sync = v == "full";
           return std::string();
         }},
        {"log.level",
         [&](auto v) {
           for (auto l : {log_level::debug, log_level::info, log_level::warn, log_level::error})
             if (v == to_string(l)) {
               c.level = l;
               return std::string();
             }
           return "expected debug, info, warn or error, not '" + std::string(v) + "'";
         }},
        {"timer.t1", [&](auto v) { return duration(v, c.timers.t1); }},
        {"timer.t2", [&](auto v) { return duration(v, c.timers.t2); }},
        {"timer.t4", [&](auto v) { return duration(v, c.timers.t4); }},
        {"redirect", [&](auto v) { return on_off(v, c.redirect); }},
        {"stateless", [&](auto v) { return on_off(v, c.stateless); }},
        {"registrar.min_expires", [&](auto v) { return number<std::uint32_t>(v, c.registrar.min_expires, 1, 86400); }},
        {"registrar.max_expires",
         [&](auto v) { return number<std::uint32_t>(v, c.registrar.max_expires, 1, 31536000); }},
        {"registrar.default_expires",
         [&](auto v) { return number<std::uint32_t>(v, c.registrar.default_expires, 1, 31536000); }},
        {"overload.max_registers_in_flight",
         [&](auto v) { return number<std::size_t>(v, c.max_registers_in_flight, 1, 10000000); }},
        {"overload.retry_after", [&](auto v) { return number<std::uint32_t>(v, c.retry_after, 1, 86400); }},
        {"shutdown.drain_timeout", [&](auto v) { return duration(v, c.drain_timeout); }},
        {"workers", [&](auto v) { return number<std::size_t>(v, c.workers, 0, 256); }},
        {"udp.readers", [&](auto v) { return number<std::size_t>(v, c.transport.udp_readers, 0, 64); }},
        {"udp.read_on_workers", [&](auto v) { return on_off(v, c.transport.udp_read_on_workers); }},
        {"dns", [&](auto v) { return on_off(v, c.dns); }},
        {"dns.nameservers", [&](auto v) { return nameservers(v); }},
        {"dns.resolv_conf", [&](auto v) { c.resolv_conf = path(v); return std::string(); }},
    };
  }
};

}  // namespace

std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
  }
  return "info";
}

std::string config_error::to_string() const {
  return file + ":" + (line == 0 ? std::string() : std::to_string(line) + ":") + " " + reason;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  auto n = parse_number<std::int64_t>(text.substr(0, digits));
  if (!n || *n > 1000000000) return std::nullopt;
  std::string_view unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(*n);
  if (unit == "s") return std::chrono::seconds(*n);
  if (unit == "m") return std::chrono::minutes(*n);
  return std::nullopt;
}

proxy_config default_proxy_config() {
  proxy_config c;
  auto loopback = *socket_address::from("127.0.0.1", 5060);
  c.transport.listen = {{transport_kind::udp, loopback}, {transport_kind::tcp, loopback}};
  c.domains = {"127.0.0.1", "localhost"};
  c.store_path = "sipactor.db";
  c.registrar.domains = c.domains;
  return c;
}

config_result parse_proxy_config(std::string_view text, std::string_view file_name, std::string_view base_dir) {
  config_result out;
  out.config = default_proxy_config();
  parser p{out.config, std::string(base_dir)};
  auto setters = p.setters();
  std::set<std::string, std::less<>> seen;
  auto fail = [&](std::size_t line, std::string reason) {
    out.error = config_error{std::string(file_name), line, std::move(reason)};
    return out;
  };
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    std::size_t end = text.find('\n');
    std::string_view line = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) return fail(line_no, "expected 'key = value'");
    std::string_view key = trim(line.substr(0, eq));
    std::string_view value = trim(line.substr(eq + 1));
    if (std::size_t hash = value.find(" #"); hash != std::string_view::npos) value = trim(value.substr(0, hash));
    if (key.empty()) return fail(line_no, "missing key before '='");
    if (value.empty()) return fail(line_no, "missing value for '" + std::string(key) + "'");
    std::string error;
    if (key == "listen") {
      error = p.listen(value, line_no);
    } else if (key == "domain") {
      error = p.domain(value);
    } else if (key == "route") {
      error = p.route(value);
    } else {
      auto it = setters.find(key);
      if (it == setters.end()) return fail(line_no, "unknown key '" + std::string(key) + "'");
      if (!seen.insert(std::string(key)).second) return fail(line_no, "'" + std::string(key) + "' is set twice");
      error = it->second(value);
      if (key == "redirect") p.redirect_line = line_no;
      if (key == "stateless") p.stateless_line = line_no;
    }
    if (!error.empty()) return fail(line_no, std::move(error));
  }
  proxy_config& c = out.config;
  // Whole-file checks, reported at the line that made them fail.
  if (p.tls_listen_line != 0 && (c.transport.tls.certificate_file.empty() || c.transport.tls.private_key_file.empty()))
    return fail(p.tls_listen_line, "a tls listen needs tls.certificate and tls.private_key");
  if (c.redirect && c.stateless)
    return fail(std::max(p.redirect_line, p.stateless_line), "redirect and stateless cannot both be on");
  if (c.registrar.min_expires > c.registrar.max_expires)
    return fail(line_no, "registrar.min_expires is above registrar.max_expires");
  c.registrar.domains = c.domains;
  return out;
}

config_result load_proxy_config(const std::string& path) {
  std::string text, error;
  if (auth::read_text_file(path, text, error) != auth::read_status::ok) {
    config_result out;
    out.error = config_error{path, 0, error.empty() ? "cannot read the file" : error};
    return out;
  }
  std::string base;
  if (auto slash = path.rfind('/'); slash != std::string::npos) base = path.substr(0, slash == 0 ? 1 : slash);
  return parse_proxy_config(text, path, base);
}

}  // namespace sipactor::apps
