// A parsed SIP message (RFC 3261 §7): immutable, reference counted, one allocation holding the
// message bytes, the header index and the typed views of the headers every element reads.
// Views other elements need less often are parsed on first use and cached; the cache is filled
// lock-free, so one message may be read by several actors at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "messages/header_names.hpp"
#include "messages/header_views.hpp"
#include "messages/method.hpp"
#include "messages/uri.hpp"

namespace sipactor {

class message;

// Shared handle to an immutable message; copying it costs one atomic increment.
class message_ptr {
 public:
  message_ptr() noexcept = default;
  message_ptr(std::nullptr_t) noexcept {}  // NOLINT: implicit like a pointer
  message_ptr(const message_ptr& other) noexcept;
  message_ptr(message_ptr&& other) noexcept : ptr_(other.ptr_) { other.ptr_ = nullptr; }
  message_ptr& operator=(message_ptr other) noexcept {
    std::swap(ptr_, other.ptr_);
    return *this;
  }
  ~message_ptr();

  const message* get() const noexcept { return ptr_; }
  const message& operator*() const noexcept { return *ptr_; }
  const message* operator->() const noexcept { return ptr_; }
  explicit operator bool() const noexcept { return ptr_ != nullptr; }
  friend bool operator==(const message_ptr& a, std::nullptr_t) noexcept { return a.ptr_ == nullptr; }
  friend bool operator!=(const message_ptr& a, std::nullptr_t) noexcept { return a.ptr_ != nullptr; }

 private:
  friend class message;
  explicit message_ptr(message* adopted) noexcept : ptr_(adopted) {}
  message* ptr_ = nullptr;
};

// One header line: name and value (folding replaced by spaces, outer whitespace trimmed).
struct header {
  header_id id;
  std::string_view name;
  std::string_view value;
};

namespace detail {
class message_parser;

// Parsed on first use; concurrent first uses race benignly (one result is kept).
template <class T>
class lazy_view {
 public:
  lazy_view() = default;
  lazy_view(const lazy_view&) = delete;
  lazy_view& operator=(const lazy_view&) = delete;
  ~lazy_view() { delete ptr_.load(std::memory_order_acquire); }
  template <class Make>
  const T& get(Make&& make) const {
    if (T* cached = ptr_.load(std::memory_order_acquire)) return *cached;
    auto fresh = std::make_unique<T>(make());
    T* expected_null = nullptr;
    if (ptr_.compare_exchange_strong(expected_null, fresh.get(), std::memory_order_acq_rel))
      return *fresh.release();
    return *expected_null;
  }
  std::size_t heap_bytes() const noexcept { return ptr_.load(std::memory_order_acquire) ? sizeof(T) : 0; }

 private:
  mutable std::atomic<T*> ptr_{nullptr};
};

// The views parsed on first use, in a block of their own created when the first of them is asked
// for: a parse neither initialises nor destroys them.
struct lazy_views {
  lazy_view<std::vector<via>> vias;
  lazy_view<contact_list> contacts;  // when the message has not exactly one Contact value
  lazy_view<std::vector<name_addr>> routes;
  lazy_view<std::vector<name_addr>> record_routes;
  lazy_view<expected<std::vector<std::string_view>>> allow, supported, require, proxy_require, unsupported;
  lazy_view<expected<std::vector<auth_value>>> www_authenticate, proxy_authenticate, authorization,
      proxy_authorization;
  lazy_view<expected<media_type>> media;
  lazy_view<expected<sip_date>> date;
  lazy_view<expected<retry_after_value>> retry_after;
  lazy_view<expected<timestamp_value>> timestamp;
};

struct header_field {
  std::uint32_t name_offset;
  std::uint32_t value_offset;
  std::uint32_t value_length;
  std::uint16_t name_length;
  header_id id;
  bool folded;  // the value spanned several lines (RFC 3261 §7.3.1)
};

// What the parser fills in a message, all trivially copyable: a new message starts as a copy of
// one default instance (one block copy instead of a store per member).
class message_fields {
 protected:
  std::uint32_t header_count_ = 0;
  std::uint32_t size_ = 0;
  std::uint32_t start_line_length_ = 0;
  int status_ = 0;
  sip_method method_ = sip_method::unknown;
  bool has_content_length_ = false;
  std::uint8_t via_count_ = 0;
  // 0, 1, 2 (more), or contact_values_unknown (a "*" or the full parser ran)
  std::uint8_t contact_values_ = 0;
  std::uint8_t block_class_ = 0;  // message_blocks.hpp
  int max_forwards_ = -1;
  std::uint32_t block_capacity_ = 0;
  std::string_view method_name_;
  std::string_view reason_phrase_;
  std::string_view call_id_;
  std::string_view content_type_;
  std::string_view body_;
  std::optional<std::uint32_t> expires_;
  std::optional<std::uint32_t> min_expires_;
  cseq_value cseq_;
  uri request_uri_;
  via top_via_;
  name_addr from_;
  name_addr to_;
};
}  // namespace detail

class message : private detail::message_fields {
 public:
  message(const message&) = delete;
  message& operator=(const message&) = delete;

  // --- start line (§7.1, §7.2)
  bool is_request() const noexcept { return status_ == 0; }
  bool is_response() const noexcept { return status_ != 0; }
  // Request: its method. Response: the method of its CSeq.
  sip_method method() const noexcept { return method_; }
  std::string_view method_name() const noexcept { return method_name_; }  // as written
  const uri& request_uri() const noexcept { return request_uri_; }
  int status() const noexcept { return status_; }
  std::string_view reason_phrase() const noexcept { return reason_phrase_; }

  // --- header index
  std::size_t header_count() const noexcept { return header_count_; }
  header header_at(std::size_t i) const noexcept;
  std::vector<header> headers() const;
  // First value of the named header (long or compact form, any case), if present.
  std::optional<std::string_view> header_value(std::string_view name) const noexcept;
  std::optional<std::string_view> header_value(header_id id) const noexcept;
  std::size_t header_count(header_id id) const noexcept;
  template <class F>
  void for_each_header(header_id id, F&& f) const {
    for (std::size_t i = 0; i < header_count_; ++i)
      if (fields()[i].id == id) f(header_at(i));
  }

  // --- typed views parsed with the message
  const via& top_via() const noexcept { return top_via_; }
  std::size_t via_count() const noexcept { return via_count_; }
  const name_addr& from() const noexcept { return from_; }
  const name_addr& to() const noexcept { return to_; }
  std::string_view from_tag() const noexcept { return from_.tag_value; }
  std::string_view to_tag() const noexcept { return to_.tag_value; }
  std::string_view call_id() const noexcept { return call_id_; }
  const cseq_value& cseq() const noexcept { return cseq_; }
  int max_forwards() const noexcept { return max_forwards_; }  // -1: absent
  std::optional<std::uint32_t> expires() const noexcept { return expires_; }
  std::optional<std::uint32_t> min_expires() const noexcept { return min_expires_; }
  std::string_view content_type() const noexcept { return content_type_; }  // raw; "" if absent
  bool has_content_length() const noexcept { return has_content_length_; }
  std::string_view body() const noexcept { return body_; }

  // --- typed views parsed on first use and cached (validated when the message was parsed)
  const std::vector<via>& vias() const;
  const contact_list& contacts() const;
  const std::vector<name_addr>& routes() const;
  const std::vector<name_addr>& record_routes() const;
  // --- typed views parsed on first use and cached; not validated at parse time, so that a
  // header an element does not use cannot make it reject a message (RFC 4475 §3.1.2.12).
  const expected<std::vector<std::string_view>>& allow() const;
  const expected<std::vector<std::string_view>>& supported() const;
  const expected<std::vector<std::string_view>>& require() const;
  const expected<std::vector<std::string_view>>& proxy_require() const;
  const expected<std::vector<std::string_view>>& unsupported() const;
  const expected<std::vector<auth_value>>& www_authenticate() const;
  const expected<std::vector<auth_value>>& proxy_authenticate() const;
  const expected<std::vector<auth_value>>& authorization() const;
  const expected<std::vector<auth_value>>& proxy_authorization() const;
  const expected<media_type>& media() const;  // Content-Type
  const expected<sip_date>& date() const;
  const expected<retry_after_value>& retry_after() const;
  const expected<timestamp_value>& timestamp() const;

  // --- raw form
  // The message octets, start line to body end, as received except that folded header lines
  // read as spaces (§7.3.1) and a server transport's received/rport are in the top Via.
  std::string_view bytes() const noexcept { return {data(), size_}; }
  std::size_t start_line_length() const noexcept { return start_line_length_; }
  // Heap bytes this message holds now (its block plus views cached so far).
  std::size_t heap_bytes() const noexcept;

  // Equal start line, the same header lines in the same order, equal bodies.
  friend bool operator==(const message& a, const message& b);
  friend bool operator!=(const message& a, const message& b) { return !(a == b); }

 private:
  friend class message_ptr;
  friend class detail::message_parser;

  message(std::uint32_t header_count, std::uint32_t size) noexcept;
  ~message();
  // The block for a message of `size` octets; the caller fills data() and fields().
  static message_ptr allocate(std::uint32_t header_count, std::size_t size);
  void add_ref() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() const noexcept;

  const detail::header_field* fields() const noexcept {
    return reinterpret_cast<const detail::header_field*>(this + 1);
  }
  detail::header_field* fields() noexcept { return reinterpret_cast<detail::header_field*>(this + 1); }
  const char* data() const noexcept { return reinterpret_cast<const char*>(fields() + header_count_); }
  char* data() noexcept { return reinterpret_cast<char*>(fields() + header_count_); }
  std::string_view field_value(std::size_t i) const noexcept {
    return {data() + fields()[i].value_offset, fields()[i].value_length};
  }
  template <class T, class Parse>
  expected<std::vector<T>> collect(header_id id, Parse&& parse) const;

  // The lazily parsed views, created on first use.
  const detail::lazy_views& lazy() const;

  mutable std::atomic<std::uint32_t> refs_{1};
  mutable std::atomic<detail::lazy_views*> lazy_{nullptr};
  static constexpr std::uint8_t contact_values_unknown = 255;
  // The Contact value validated at parse time, returned by contacts() when it is the only one.
  contact_list single_contact_;
};

}  // namespace sipactor
