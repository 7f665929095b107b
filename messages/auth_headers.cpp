// Credentials and challenges (RFC 3261 §22.4, §25.1; RFC 2617 §3.2):
//   challenge   = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
//   credentials = ("Digest" LWS digest-response) / other-response
//   auth-param  = auth-param-name EQUAL ( token / quoted-string )
// A header value may carry several challenges: a comma-separated element that starts with a
// token followed by whitespace (rather than '=') opens the next one.
#include "messages/header_views.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {
constexpr auto npos = std::string_view::npos;

const char* read_auth_param(std::string_view element, auth_param& out) {
  std::size_t eq = element.find('=');
  if (eq == npos) return "authentication parameter without '='";
  out.name = text::trim(element.substr(0, eq));
  out.value = text::trim(element.substr(eq + 1));
  if (!text::is_token(out.name)) return "authentication parameter name is not a token";
  if (out.value.empty()) return "authentication parameter without value";
  if (out.value.front() == '"') {
    if (text::skip_quoted(out.value, 0) != out.value.size()) return "malformed quoted authentication parameter";
  } else {
    for (char c : out.value)
      if (text::is_lws(c) || c == '"') return "malformed authentication parameter value";
  }
  return nullptr;
}
}  // namespace

const char* parse_auth_value(std::string_view value, std::vector<auth_value>& out) {
  const char* reason = nullptr;
  bool any = false;
  text::for_each_element(value, [&](std::string_view element) {
    if (element.empty()) return true;  // tolerate ",," between parameters
    std::size_t i = 0;
    while (i < element.size() && text::is_token_char(element[i])) ++i;
    bool starts_scheme = i > 0 && i < element.size() && text::is_lws(element[i]) &&
                         element.find('=') > i;  // "Digest realm=..." vs "realm = ..."
    if (starts_scheme || (!any && i == element.size())) {
      auth_value v;
      v.scheme = element.substr(0, i);
      out.push_back(v);
      any = true;
      element = text::trim(element.substr(i));
      if (element.empty()) return true;
    }
    if (!any) {
      reason = "authentication scheme missing";
      return false;
    }
    auth_param p;
    if ((reason = read_auth_param(element, p)) != nullptr) return false;
    out.back().params.push_back(p);
    return true;
  });
  if (reason == nullptr && !any) reason = "empty authentication header";
  return reason;
}

std::optional<std::string_view> auth_value::param(std::string_view name) const {
  for (const auto& p : params)
    if (text::iequals(p.name, name)) return p.value;
  return std::nullopt;
}

std::string auth_value::param_unquoted(std::string_view name) const {
  auto v = param(name);
  return v ? text::unquote(*v) : std::string{};
}

}  // namespace sipactor
