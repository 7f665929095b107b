// The parts of resolv.conf(5) a stub resolver needs: the nameserver lines (port 53) and the
// "options timeout:n attempts:n" line. search/domain/ndots are not read: SIP hosts are fully
// qualified (RFC 3263 §4 resolves the URI's host as written).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transport/socket_address.hpp"

namespace sipactor::transport {

struct resolv_conf {
  std::vector<socket_address> nameservers;  // in file order; scoped IPv6 ("fe80::1%eth0") skipped
  std::optional<std::chrono::seconds> timeout;
  std::optional<int> attempts;
};

constexpr std::uint16_t dns_port = 53;

resolv_conf parse_resolv_conf(std::string_view text);

// The file at `path`; nullopt when it cannot be read (`error` says why).
std::optional<resolv_conf> read_resolv_conf(const std::string& path, std::string& error);

}  // namespace sipactor::transport
