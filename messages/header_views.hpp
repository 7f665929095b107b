// Typed views of header field values (RFC 3261 §20, §25). Each view refers into text owned by
// the message; the parse functions take one header value (or one comma-separated element).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "messages/expected.hpp"
#include "messages/params.hpp"
#include "messages/text.hpp"
#include "messages/uri.hpp"

namespace sipactor {

// Via (§20.42): sent-protocol, sent-by and the parameters the stack acts on.
struct via {
  std::string_view text;       // the whole via-parm
  std::string_view transport;  // "UDP", "TCP", "TLS", "SCTP", or an unknown token, as written
  std::string_view host;       // sent-by host, IPv6 with brackets
  std::uint16_t port = 0;      // 0: not given
  std::string_view params;     // ";branch=...;rport" as written
  std::string_view branch;     // empty: no branch parameter (RFC 2543 peer)
  std::string_view received;
  std::string_view maddr;
  bool rport = false;            // rport parameter present (RFC 3581)
  std::uint16_t rport_value = 0;  // 0: present without a value
  std::optional<std::string_view> param(std::string_view name) const { return find_param(params, name); }
  // RFC 3261 §8.1.1.7: a branch that starts with the magic cookie.
  bool has_rfc3261_branch() const noexcept { return branch.substr(0, 7) == "z9hG4bK"; }
};
expected<via> parse_via(std::string_view element);



// name-addr / addr-spec with header parameters: From, To, Contact, Route, Record-Route (§20).
struct name_addr {
  std::string_view text;          // the whole value
  std::string_view display_name;  // as written (quotes kept); empty if none
  uri address;
  std::string_view params;     // header parameters after the address, starting with ';'
  std::string_view tag_value;  // the tag parameter (§19.3), empty if none
  bool bracketed = false;      // the URI was written in <>
  std::string_view tag() const noexcept { return tag_value; }
  std::optional<std::string_view> param(std::string_view name) const { return find_param(params, name); }
  std::string display_name_unquoted() const;
};
expected<name_addr> parse_name_addr(std::string_view element);

// Parses the element of a comma-separated value that starts at s[pos]. On success pos is at the
// end of s or at the ',' before the next element; on failure the reason is returned. `out` must
// be default-constructed: it is filled, not reset (resetting large views costs more than parsing).
const char* parse_via_at(std::string_view s, std::size_t& pos, via& out) noexcept;
const char* parse_name_addr_at(std::string_view s, std::size_t& pos, name_addr& out) noexcept;

// Calls f(element) for each element of a comma-separated value, parsed by parse_at (one of the
// functions above). Returns nullptr, or the reason the value is malformed.
template <class T, class F>
const char* for_each_value(std::string_view s, const char* (*parse_at)(std::string_view, std::size_t&, T&) noexcept,
                           F&& f) {
  std::size_t pos = 0;
  for (;;) {
    T element;
    if (const char* reason = parse_at(s, pos, element)) return reason;
    f(element);
    if (pos >= s.size()) return nullptr;
    ++pos;  // the comma
  }
}

// Contact (§20.10): "*" or a list of addresses with expires and q.
struct contact {
  name_addr address;
  std::optional<std::uint32_t> expires;  // malformed values read as 3600 (§10.2.1.1)
  int q_milli = -1;                      // q in thousandths; -1 when absent
};
// The contacts of one message, in order. Nearly every message carries one Contact, kept in place;
// a second one moves them all to the heap. Used like a std::vector<contact>.
class contact_vector {
 public:
  contact_vector() noexcept {}  // the in-place contact is constructed when added
  contact_vector(const contact_vector& other) : spill_(other.spill_), size_(other.size_) { copy_first(other); }
  contact_vector(contact_vector&& other) noexcept : spill_(std::move(other.spill_)), size_(other.size_) {
    copy_first(other);
    other.size_ = 0;
  }
  contact_vector& operator=(const contact_vector& other) {
    if (this != &other) {
      spill_ = other.spill_;
      size_ = other.size_;
      copy_first(other);
    }
    return *this;
  }
  contact_vector& operator=(contact_vector&& other) noexcept {
    if (this != &other) {
      spill_ = std::move(other.spill_);
      size_ = other.size_;
      copy_first(other);
      other.size_ = 0;
    }
    return *this;
  }
  ~contact_vector() = default;  // contact is trivially destructible

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  contact* data() noexcept { return size_ > 1 ? spill_.data() : first(); }
  const contact* data() const noexcept { return size_ > 1 ? spill_.data() : first(); }
  contact* begin() noexcept { return data(); }
  contact* end() noexcept { return data() + size_; }
  const contact* begin() const noexcept { return data(); }
  const contact* end() const noexcept { return data() + size_; }
  contact& operator[](std::size_t i) noexcept { return data()[i]; }
  const contact& operator[](std::size_t i) const noexcept { return data()[i]; }
  contact& front() noexcept { return data()[0]; }
  const contact& front() const noexcept { return data()[0]; }
  contact& back() noexcept { return data()[size_ - 1]; }
  const contact& back() const noexcept { return data()[size_ - 1]; }

  // A default-constructed contact at the end.
  contact& emplace_back() {
    if (size_ == 0) {
      size_ = 1;
      return *new (first_) contact();
    }
    if (size_ == 1) {
      spill_.reserve(4);
      spill_.push_back(*first());
    }
    contact& added = spill_.emplace_back();
    ++size_;
    return added;
  }
  void push_back(const contact& c) {
    const contact copy = c;  // c may be one of ours, and emplace_back may move them
    emplace_back() = copy;
  }
  void clear() noexcept {
    spill_.clear();
    size_ = 0;
  }

 private:
  contact* first() noexcept { return std::launder(reinterpret_cast<contact*>(first_)); }
  const contact* first() const noexcept { return std::launder(reinterpret_cast<const contact*>(first_)); }
  void copy_first(const contact_vector& other) noexcept {
    if (size_ == 1) new (first_) contact(*other.first());
  }

  std::vector<contact> spill_;  // all of them when there are two or more
  std::size_t size_ = 0;
  alignas(contact) unsigned char first_[sizeof(contact)];  // the only one, when there is one
};
static_assert(std::is_trivially_copyable_v<contact> && std::is_trivially_destructible_v<contact>);

struct contact_list {
  bool star = false;
  contact_vector contacts;
};
expected<contact> parse_contact(std::string_view element);
// Reads the expires and q parameters of a contact address into `out` (not its address).
const char* read_contact_params(const name_addr& address, contact& out);
// The same check without building a contact: nullptr when expires and q are acceptable.
const char* check_contact_params(const name_addr& address);
// Calls f(contact) for each contact of one header value; sets star for "*". Returns the reason
// the value is malformed, or nullptr.
template <class F>
const char* for_each_contact(std::string_view value, bool& star, F&& f) {
  std::string_view v = text::trim(value);
  if (v == "*") {
    star = true;
    return nullptr;
  }
  const char* reason = nullptr;
  const char* syntax = for_each_value<name_addr>(v, parse_name_addr_at, [&](const name_addr& na) {
    if (reason != nullptr) return;
    contact c;
    if ((reason = read_contact_params(na, c)) == nullptr) {
      c.address = na;
      f(c);
    }
  });
  return syntax != nullptr ? syntax : reason;
}
// Appends the contacts of one header value to `out`.
inline const char* parse_contact_value(std::string_view value, contact_list& out) {
  return for_each_contact(value, out.star, [&](const contact& c) { out.contacts.push_back(c); });
}

// CSeq (§20.16)
struct cseq_value {
  std::uint32_t number = 0;
  std::string_view method;
};
expected<cseq_value> parse_cseq(std::string_view value);

// delta-seconds; values beyond 2^32-1 read as 2^32-1 (§10.2.1.1 allows it).
expected<std::uint32_t> parse_delta_seconds(std::string_view value);

// Comma-separated tokens: Allow, Supported, Require, Proxy-Require, Unsupported.
const char* parse_token_list(std::string_view value, std::vector<std::string_view>& out);

// Content-Type (§20.15)
struct media_type {
  std::string_view type;
  std::string_view subtype;
  std::string_view params;
  bool is(std::string_view t, std::string_view s) const;
};
expected<media_type> parse_media_type(std::string_view value);

// Date (§20.17): rfc1123-date, GMT only.
struct sip_date {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::int64_t unix_time() const noexcept;
};
expected<sip_date> parse_date(std::string_view value);

// Retry-After (§20.33)
struct retry_after_value {
  std::uint32_t seconds = 0;
  std::string_view comment;
  std::string_view params;
  std::optional<std::uint32_t> duration;
};
expected<retry_after_value> parse_retry_after(std::string_view value);

// Timestamp (§20.38)
struct timestamp_value {
  std::string_view value;
  std::string_view delay;
};
expected<timestamp_value> parse_timestamp(std::string_view value);

// Authorization / Proxy-Authorization (credentials) and WWW-/Proxy-Authenticate (challenges),
// §20.7, §20.27, §20.28, §20.44 and RFC 2617 §3.2.
struct auth_param {
  std::string_view name;
  std::string_view value;  // as written: quotes kept
};
struct auth_value {
  std::string_view scheme;  // "Digest", or any other token (RFC 4475 §3.3.7)
  std::vector<auth_param> params;
  std::optional<std::string_view> param(std::string_view name) const;
  // The value with quotes and quoted-pairs removed, or "" when absent.
  std::string param_unquoted(std::string_view name) const;
};
// Appends each challenge or credentials of one header value.
const char* parse_auth_value(std::string_view value, std::vector<auth_value>& out);

}  // namespace sipactor
