// Transaction identity: which transaction a message belongs to (RFC 3261 §17.1.3, §17.2.3, §9.2)
// and which router shard owns it. Keys are plain values so that a shard's map needs no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "messages/message.hpp"

namespace sipactor {

struct transaction_key {
  // RFC 3261 §17.2.3: branch (with the magic cookie), sent-by and method; responses and client
  // transactions (§17.1.3) use the branch and the CSeq method. Requests from RFC 2543 peers
  // (no cookie) are identified by Request-URI, From tag, Call-ID, CSeq number and top Via.
  bool rfc2543 = false;
  std::string branch;   // lower-cased (tokens compare case-insensitively, §7.3.1)
  std::string sent_by;  // lower-cased host[:port]; empty for client keys
  std::string method;   // INVITE for an ACK (§17.2.3 rule 3)
  // RFC 2543 fallback
  std::string request_uri;
  std::string from_tag;
  std::string call_id;
  std::uint32_t cseq = 0;
  std::string top_via;

  friend bool operator==(const transaction_key& a, const transaction_key& b);
  friend bool operator!=(const transaction_key& a, const transaction_key& b) { return !(a == b); }
  std::size_t hash() const noexcept;
};

struct transaction_key_hash {
  std::size_t operator()(const transaction_key& k) const noexcept { return k.hash(); }
};

// The server transaction a request belongs to (§17.2.3). An ACK maps to its INVITE's key; a
// CANCEL has its own transaction.
transaction_key server_key(const message& request);
// The INVITE server transaction a CANCEL cancels (§9.2): the CANCEL's key with method INVITE.
transaction_key cancelled_invite_key(const message& cancel);
// The client transaction a response belongs to (§17.1.3): top Via branch and CSeq method.
transaction_key client_key(const message& response);
// The key a client transaction registers for the request it sends (same rule as client_key).
transaction_key client_key_of_request(const message& request);

// The router shard for a message: every message of one transaction (INVITE, its retransmissions,
// ACK for a non-2xx, CANCEL, and the responses) lands on the same shard.
std::size_t shard_of(const message& m, std::size_t shards) noexcept;

}  // namespace sipactor
