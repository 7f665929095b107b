#include "messages/method.hpp"

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

sip_method method_from_name(std::string_view name) noexcept {
  for (const auto& m : methods)
    if (m.name == name) return m.method;  // §7.1: the method name is case-sensitive
  return sip_method::unknown;
}

std::string_view method_name(sip_method m) noexcept {
  for (const auto& e : methods)
    if (e.method == m) return e.name;
  return {};
}

}  // namespace sipactor
