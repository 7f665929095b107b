#include "messages/message.hpp"

#include <new>
#include <type_traits>

#include "messages/message_blocks.hpp"
#include "messages/text.hpp"

namespace sipactor {

// --- message_ptr

message_ptr::message_ptr(const message_ptr& other) noexcept : ptr_(other.ptr_) {
  if (ptr_ != nullptr) ptr_->add_ref();
}

message_ptr::~message_ptr() {
  if (ptr_ != nullptr) ptr_->release();
}

// --- allocation: [message | header_field x n | bytes]

namespace {
// What every new message starts from: one block copy, not a store per member.
const detail::message_fields fresh_fields{};
}  // namespace

message::message(std::uint32_t header_count, std::uint32_t size) noexcept : detail::message_fields(fresh_fields) {
  header_count_ = header_count;
  size_ = size;
}

message::~message() { delete lazy_.load(std::memory_order_acquire); }

message_ptr message::allocate(std::uint32_t header_count, std::size_t size) {
  static_assert(sizeof(message) % alignof(detail::header_field) == 0);
  static_assert(std::is_trivially_copyable_v<detail::message_fields>);
  std::size_t total = sizeof(message) + header_count * sizeof(detail::header_field) + size;
  std::uint8_t size_class = 0;
  std::size_t capacity = 0;
  void* block = detail::take_message_block(total, size_class, capacity);
  auto* m = new (block) message(header_count, static_cast<std::uint32_t>(size));
  m->block_class_ = size_class;
  m->block_capacity_ = static_cast<std::uint32_t>(capacity);
  return message_ptr{m};
}

void message::release() const noexcept {
  // A count of 1 is our own reference, the only one left: no other thread holds one, so none can
  // take or drop one now, and the locked read-modify-write (about 20 cycles, 2% of a parse) is
  // skipped. The acquire load orders the last other holder's release before the destruction, as
  // the fetch_sub would. Any other count can still fall under us: that takes the fetch_sub.
  if (refs_.load(std::memory_order_acquire) == 1 || refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    auto* self = const_cast<message*>(this);
    const std::uint8_t size_class = block_class_;
    self->~message();
    detail::release_message_block(self, size_class);
  }
}

const detail::lazy_views& message::lazy() const {
  if (detail::lazy_views* views = lazy_.load(std::memory_order_acquire)) return *views;
  auto fresh = std::make_unique<detail::lazy_views>();
  detail::lazy_views* expected_null = nullptr;
  if (lazy_.compare_exchange_strong(expected_null, fresh.get(), std::memory_order_acq_rel)) return *fresh.release();
  return *expected_null;
}

std::size_t message::heap_bytes() const noexcept {
  std::size_t n = block_capacity_;
  if (const detail::lazy_views* views = lazy_.load(std::memory_order_acquire)) {
    n += sizeof(detail::lazy_views);
    n += views->vias.heap_bytes() + views->contacts.heap_bytes() + views->routes.heap_bytes() +
         views->record_routes.heap_bytes();
  }
  return n;
}

// --- header index

header message::header_at(std::size_t i) const noexcept {
  const auto& f = fields()[i];
  return header{f.id, {data() + f.name_offset, f.name_length}, field_value(i)};
}

std::vector<header> message::headers() const {
  std::vector<header> out;
  out.reserve(header_count_);
  for (std::size_t i = 0; i < header_count_; ++i) out.push_back(header_at(i));
  return out;
}

std::optional<std::string_view> message::header_value(header_id id) const noexcept {
  for (std::size_t i = 0; i < header_count_; ++i)
    if (fields()[i].id == id) return field_value(i);
  return std::nullopt;
}

std::optional<std::string_view> message::header_value(std::string_view name) const noexcept {
  if (!text::is_token(name)) return std::nullopt;  // no header line has such a name
  header_id id = lookup_header(name);
  if (id != header_id::other) return header_value(id);
  for (std::size_t i = 0; i < header_count_; ++i) {
    const auto& f = fields()[i];
    if (f.id == header_id::other && text::iequals({data() + f.name_offset, f.name_length}, name))
      return field_value(i);
  }
  return std::nullopt;
}

std::size_t message::header_count(header_id id) const noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < header_count_; ++i) n += fields()[i].id == id ? 1 : 0;
  return n;
}

// --- views parsed on first use

const std::vector<via>& message::vias() const {
  return lazy().vias.get([this] {
    std::vector<via> out;
    out.reserve(via_count_);
    for_each_header(header_id::via, [&](const header& h) {
      for_each_value<via>(h.value, parse_via_at, [&](const via& v) { out.push_back(v); });
    });
    return out;
  });
}

const contact_list& message::contacts() const {
  if (contact_values_ == 1) return single_contact_;  // parsed and checked with the message
  return lazy().contacts.get([this] {
    contact_list out;
    for_each_header(header_id::contact, [&](const header& h) { parse_contact_value(h.value, out); });
    return out;
  });
}

namespace {
std::vector<name_addr> address_list(const message& m, header_id id) {
  std::vector<name_addr> out;
  m.for_each_header(id, [&](const header& h) {
    for_each_value<name_addr>(h.value, parse_name_addr_at, [&](const name_addr& na) { out.push_back(na); });
  });
  return out;
}
}  // namespace

const std::vector<name_addr>& message::routes() const {
  return lazy().routes.get([this] { return address_list(*this, header_id::route); });
}

const std::vector<name_addr>& message::record_routes() const {
  return lazy().record_routes.get([this] { return address_list(*this, header_id::record_route); });
}

template <class T, class Parse>
expected<std::vector<T>> message::collect(header_id id, Parse&& parse) const {
  std::vector<T> out;
  const char* reason = nullptr;
  for_each_header(id, [&](const header& h) {
    if (reason == nullptr) reason = parse(h.value, out);
  });
  if (reason != nullptr) return failure{reason};
  return out;
}

#define SIPACTOR_TOKEN_LIST_VIEW(name, id)                                               \
  const expected<std::vector<std::string_view>>& message::name() const {                \
    return lazy().name.get([this] { return collect<std::string_view>(id, parse_token_list); }); \
  }
SIPACTOR_TOKEN_LIST_VIEW(allow, header_id::allow)
SIPACTOR_TOKEN_LIST_VIEW(supported, header_id::supported)
SIPACTOR_TOKEN_LIST_VIEW(require, header_id::require)
SIPACTOR_TOKEN_LIST_VIEW(proxy_require, header_id::proxy_require)
SIPACTOR_TOKEN_LIST_VIEW(unsupported, header_id::unsupported)
#undef SIPACTOR_TOKEN_LIST_VIEW

#define SIPACTOR_AUTH_VIEW(name, id)                                                    \
  const expected<std::vector<auth_value>>& message::name() const {                     \
    return lazy().name.get([this] { return collect<auth_value>(id, parse_auth_value); });  \
  }
SIPACTOR_AUTH_VIEW(www_authenticate, header_id::www_authenticate)
SIPACTOR_AUTH_VIEW(proxy_authenticate, header_id::proxy_authenticate)
SIPACTOR_AUTH_VIEW(authorization, header_id::authorization)
SIPACTOR_AUTH_VIEW(proxy_authorization, header_id::proxy_authorization)
#undef SIPACTOR_AUTH_VIEW

#define SIPACTOR_SINGLE_VIEW(name, type, id, parse)                                  \
  const expected<type>& message::name() const {                                      \
    return lazy().name.get([this]() -> expected<type> {                                  \
      auto value = header_value(id);                                                 \
      if (!value) return failure{"header absent"};                                   \
      return parse(*value);                                                          \
    });                                                                              \
  }
SIPACTOR_SINGLE_VIEW(media, media_type, header_id::content_type, parse_media_type)
SIPACTOR_SINGLE_VIEW(date, sip_date, header_id::date, parse_date)
SIPACTOR_SINGLE_VIEW(retry_after, retry_after_value, header_id::retry_after, parse_retry_after)
SIPACTOR_SINGLE_VIEW(timestamp, timestamp_value, header_id::timestamp, parse_timestamp)
#undef SIPACTOR_SINGLE_VIEW

// --- equality

bool operator==(const message& a, const message& b) {
  if (a.status_ != b.status_ || a.header_count_ != b.header_count_ || a.body_ != b.body_) return false;
  if (a.is_request()) {
    if (a.method_name_ != b.method_name_ || a.request_uri_.text != b.request_uri_.text) return false;
  } else if (a.reason_phrase_ != b.reason_phrase_) {
    return false;
  }
  for (std::size_t i = 0; i < a.header_count_; ++i) {
    header ha = a.header_at(i), hb = b.header_at(i);
    if (ha.id != hb.id || ha.value != hb.value) return false;
    if (ha.id == header_id::other && !text::iequals(ha.name, hb.name)) return false;
  }
  return true;
}

}  // namespace sipactor
