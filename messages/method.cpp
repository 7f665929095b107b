#include "messages/method.hpp"

#include <cstring>

namespace sipactor {

namespace {
struct method_entry {
  std::string_view name;
  sip_method method;
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
}  // namespace

// A name of the given length against one literal of that length: a compare of a constant size,
// which the compiler does with a load or two.
template <std::size_t N>
bool is(std::string_view name, const char (&literal)[N]) noexcept {
  return std::memcmp(name.data(), literal, N - 1) == 0;
}

sip_method method_from_name(std::string_view name) noexcept {
  // §7.1: the method name is case-sensitive. By length first: one or two compares per name.
  switch (name.size()) {
    case 3:
      if (is(name, "ACK")) return sip_method::ack;
      if (is(name, "BYE")) return sip_method::bye;
      break;
    case 4:
      if (is(name, "INFO")) return sip_method::info;
      break;
    case 5:
      if (is(name, "PRACK")) return sip_method::prack;
      if (is(name, "REFER")) return sip_method::refer;
      break;
    case 6:
      if (is(name, "INVITE")) return sip_method::invite;
      if (is(name, "CANCEL")) return sip_method::cancel;
      if (is(name, "NOTIFY")) return sip_method::notify;
      if (is(name, "UPDATE")) return sip_method::update;
      break;
    case 7:
      if (is(name, "OPTIONS")) return sip_method::options;
      if (is(name, "PUBLISH")) return sip_method::publish;
      if (is(name, "MESSAGE")) return sip_method::message;
      break;
    case 8:
      if (is(name, "REGISTER")) return sip_method::register_;
      break;
    case 9:
      if (is(name, "SUBSCRIBE")) return sip_method::subscribe;
      break;
    default:
      break;
  }
  return sip_method::unknown;
}

std::string_view method_name(sip_method m) noexcept {
  for (const auto& e : methods)
    if (e.method == m) return e.name;
  return {};
}

}  // namespace sipactor
