// The resolver's answer cache: (name, type) -> lookup result until it expires, at most
// `capacity` entries. When full, expired entries go first, then those closest to expiry.
// Time is passed in, so tests need no clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "transport/dns_resolver.hpp"

namespace sipactor::transport {

class dns_cache {
 public:
  using clock = std::chrono::steady_clock;

  explicit dns_cache(std::size_t capacity) : capacity_(capacity) {}

  // The result stored for (name, type) if it has not expired at `now`; `name` canonical
  // (dns_name_canonical).
  const dns_lookup_result* find(const std::string& name, dns_type type, clock::time_point now);

  // Stores (or replaces) the result until `expires`; nothing when the capacity is 0 or the
  // result has already expired.
  void insert(const std::string& name, dns_type type, dns_lookup_result result, clock::time_point expires,
              clock::time_point now);

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  using key = std::pair<std::string, dns_type>;
  struct entry {
    dns_lookup_result result;
    clock::time_point expires;
  };

  void erase(std::map<key, entry>::iterator it);

  std::size_t capacity_;
  std::map<key, entry> entries_;
  std::set<std::pair<clock::time_point, key>> by_expiry_;
};

}  // namespace sipactor::transport
