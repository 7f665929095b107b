#include "transport/dns_cache.hpp"

namespace sipactor::transport {

const dns_lookup_result* dns_cache::find(const std::string& name, dns_type type, clock::time_point now) {
  auto it = entries_.find(key{name, type});
  if (it == entries_.end()) return nullptr;
  if (it->second.expires <= now) {
    erase(it);
    return nullptr;
  }
  return &it->second.result;
}

void dns_cache::insert(const std::string& name, dns_type type, dns_lookup_result result, clock::time_point expires,
                       clock::time_point now) {
  if (capacity_ == 0 || expires <= now) return;
  key k{name, type};
  if (auto it = entries_.find(k); it != entries_.end()) erase(it);
  // The soonest to expire go first: those already expired, else those with the least time left.
  while (entries_.size() >= capacity_ && !by_expiry_.empty()) erase(entries_.find(by_expiry_.begin()->second));
  by_expiry_.emplace(expires, k);
  entries_.emplace(std::move(k), entry{std::move(result), expires});
}

void dns_cache::erase(std::map<key, entry>::iterator it) {
  by_expiry_.erase({it->second.expires, it->first});
  entries_.erase(it);
}

}  // namespace sipactor::transport
