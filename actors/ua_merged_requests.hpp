// RFC 3261 §8.2.2.2 merged requests: the same request reaching a UAS twice along different paths
// (a forking proxy upstream). The UAS core keeps, for a while, the transaction of each request
// without a To tag under its From tag, Call-ID and CSeq; a later request with the same three but
// another transaction (§17.2.3) is merged and gets 482 (Loop Detected).
//
// The table is bounded (oldest entries go first when it is full) and its entries expire: a
// merged copy arrives within the life of the first transaction, which §17.2 bounds by 64*T1
// (Timers H and J). Time is given by the caller, so tests need no clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "messages/message.hpp"

namespace sipactor {

class merged_request_table {
 public:
  using clock = std::chrono::steady_clock;

  explicit merged_request_table(std::size_t capacity = 8192,
                                std::chrono::milliseconds lifetime = std::chrono::seconds(32));

  // §8.2.2.2: true when `request` has no To tag and its From tag, Call-ID and CSeq match a
  // request seen before whose transaction it does not belong to. Otherwise the request is
  // remembered (a retransmission changes nothing) and the answer is false. ACK and CANCEL are
  // never merged: they are matched to the transaction they belong to (§17.2.3, §9.2).
  bool merged(const message& request, clock::time_point now);

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct entry {
    std::string transaction;  // what §17.2.3 matches a request on, see transaction_of()
    clock::time_point expires;
  };
  void expire(clock::time_point now);

  std::size_t capacity_;
  std::chrono::milliseconds lifetime_;
  std::unordered_map<std::string, entry> entries_;
  // Keys in insertion order, which is also expiry order (one lifetime for all).
  std::deque<std::pair<clock::time_point, std::string>> order_;
};

}  // namespace sipactor
