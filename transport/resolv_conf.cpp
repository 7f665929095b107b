#include "transport/resolv_conf.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "messages/text.hpp"

namespace sipactor::transport {

namespace {

std::string_view next_word(std::string_view& line) {
  std::size_t start = line.find_first_not_of(" \t\r");
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  std::size_t end = line.find_first_of(" \t\r", start);
  std::string_view word = line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  line = end == std::string_view::npos ? std::string_view{} : line.substr(end);
  return word;
}

std::optional<int> small_number(std::string_view digits) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  int v = 0;
  for (char c : digits) {
    if (!text::is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace

resolv_conf parse_resolv_conf(std::string_view text) {
  resolv_conf conf;
  while (!text.empty()) {
    std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (std::size_t comment = line.find_first_of("#;"); comment != std::string_view::npos) line = line.substr(0, comment);
    std::string_view keyword = next_word(line);
    if (keyword == "nameserver") {
      std::string_view ip = next_word(line);
      if (auto address = socket_address::from(ip, dns_port)) conf.nameservers.push_back(*address);
    } else if (keyword == "options") {
      for (std::string_view option = next_word(line); !option.empty(); option = next_word(line)) {
        if (text::istarts_with(option, "timeout:")) {
          if (auto n = small_number(option.substr(8)); n && *n > 0) conf.timeout = std::chrono::seconds(*n);
        } else if (text::istarts_with(option, "attempts:")) {
          if (auto n = small_number(option.substr(9)); n && *n > 0) conf.attempts = *n;
        }
      }
    }
  }
  return conf;
}

std::optional<resolv_conf> read_resolv_conf(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_resolv_conf(text.str());
}

}  // namespace sipactor::transport
