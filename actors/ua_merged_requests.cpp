#include "actors/ua_merged_requests.hpp"

#include "messages/text.hpp"

namespace sipactor {

namespace {

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out += text::to_lower(c);
}

// §8.2.2.2: "If the From tag, Call-ID, and CSeq exactly match those associated with an ongoing
// transaction". Tags are tokens (case-insensitive, §7.3.1); Call-ID and the CSeq method are
// case-sensitive (§20.8, §20.16).
std::string merge_key(const message& request) {
  std::string key;
  append_lower(key, request.from_tag());
  key += '\n';
  key += request.call_id();
  key += '\n';
  key += std::to_string(request.cseq().number);
  key += ' ';
  key += request.cseq().method;
  return key;
}

// §17.2.3: with the magic cookie, a request belongs to a transaction by its top Via branch and
// sent-by (the method is already part of the key); an RFC 2543 request by its top Via as a whole
// (the other fields of that rule are in the key or the To tag, which is absent here).
std::string transaction_of(const message& request) {
  const via& top = request.top_via();
  std::string t;
  if (top.has_rfc3261_branch()) {
    append_lower(t, top.branch);
    t += '|';
    append_lower(t, top.host);
    t += ':';
    t += std::to_string(top.port);
  } else {
    t = std::string(top.text);
  }
  return t;
}

}  // namespace

merged_request_table::merged_request_table(std::size_t capacity, std::chrono::milliseconds lifetime)
    : capacity_(capacity == 0 ? 1 : capacity), lifetime_(lifetime) {}

void merged_request_table::expire(clock::time_point now) {
  while (!order_.empty() && order_.front().first <= now) {
    auto it = entries_.find(order_.front().second);
    // A key that expired and came back has a later expiry: only its newest record removes it.
    if (it != entries_.end() && it->second.expires == order_.front().first) entries_.erase(it);
    order_.pop_front();
  }
}

bool merged_request_table::merged(const message& request, clock::time_point now) {
  // "If the request has no tag in the To header field, the UAS core MUST check the request
  // against ongoing transactions."
  if (!request.to_tag().empty() || request.method() == sip_method::ack || request.method() == sip_method::cancel)
    return false;
  expire(now);
  std::string key = merge_key(request);
  std::string transaction = transaction_of(request);
  auto it = entries_.find(key);
  if (it != entries_.end()) return it->second.transaction != transaction;

  while (entries_.size() >= capacity_ && !order_.empty()) {
    auto oldest = entries_.find(order_.front().second);
    if (oldest != entries_.end() && oldest->second.expires == order_.front().first) entries_.erase(oldest);
    order_.pop_front();
  }
  clock::time_point expires = now + lifetime_;
  entries_.emplace(key, entry{std::move(transaction), expires});
  order_.emplace_back(expires, std::move(key));
  return false;
}

}  // namespace sipactor
