#include "messages/method.hpp"

#include <cstdint>

#include "messages/header_table.hpp"

namespace sipactor {

namespace {

// A name of 1 to 8 octets as one number: octet i in bits 8i to 8i + 7.
constexpr std::uint64_t key_of(std::string_view name) noexcept {
  std::uint64_t k = 0;
  for (std::size_t i = 0; i < name.size() && i < 8; ++i) k |= std::uint64_t{static_cast<unsigned char>(name[i])} << (8 * i);
  return k;
}

// The same at run time, from two overlapping loads (n from 2 to 8): an octet both loads hold
// lands on the same bits twice.
inline std::uint64_t load_key(const char* p, std::size_t n) noexcept {
  if (n >= 4)
    return detail::load_word<std::uint32_t>(p) | std::uint64_t{detail::load_word<std::uint32_t>(p + n - 4)} << (8 * (n - 4));
  return detail::load_word<std::uint16_t>(p) | std::uint64_t{detail::load_word<std::uint16_t>(p + n - 2)} << (8 * (n - 2));
}

struct method_entry {
  std::string_view name;
  sip_method method;
  std::uint64_t key;  // key_of(name): the first 8 octets
  constexpr method_entry(std::string_view n, sip_method m) : name(n), method(m), key(key_of(n)) {}
};
constexpr method_entry methods[] = {
    {"INVITE", sip_method::invite},       {"ACK", sip_method::ack},
    {"BYE", sip_method::bye},             {"CANCEL", sip_method::cancel},
    {"OPTIONS", sip_method::options},     {"REGISTER", sip_method::register_},
    {"PRACK", sip_method::prack},         {"SUBSCRIBE", sip_method::subscribe},
    {"NOTIFY", sip_method::notify},       {"PUBLISH", sip_method::publish},
    {"INFO", sip_method::info},           {"REFER", sip_method::refer},
    {"MESSAGE", sip_method::message},     {"UPDATE", sip_method::update},
};
constexpr std::size_t longest_name = 9;  // SUBSCRIBE: the only name past 8 octets
constexpr bool lengths_fit() {
  for (const auto& m : methods)
    if (m.name.size() < 3 || m.name.size() > longest_name) return false;
  return true;
}
static_assert(lengths_fit(), "a method name outside 3..longest_name octets: method_from_name() would miss it");
}  // namespace

sip_method method_from_name(std::string_view name) noexcept {
  // §7.1: the method name is case-sensitive. Length and the first 8 octets as one number pick
  // the entry; a name past 8 octets compares its rest too.
  const std::size_t n = name.size();
  if (n < 3 || n > longest_name) return sip_method::unknown;
  const std::uint64_t k = load_key(name.data(), n < 8 ? n : 8);
  for (const auto& m : methods)
    if (m.name.size() == n && m.key == k && (n <= 8 || name.substr(8) == m.name.substr(8))) return m.method;
  return sip_method::unknown;
}

std::string_view method_name(sip_method m) noexcept {
  for (const auto& e : methods)
    if (e.method == m) return e.name;
  return {};
}

}  // namespace sipactor
