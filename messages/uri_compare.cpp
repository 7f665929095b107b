// URI equivalence: RFC 3261 §19.1.4 for sip/sips, RFC 3966 §4 for tel.
#include "messages/params.hpp"
#include "messages/text.hpp"
#include "messages/uri.hpp"

namespace sipactor {

namespace {

// Compares two escaped strings after %-decoding, optionally ignoring case.
bool unescaped_equal(std::string_view a, std::string_view b, bool ignore_case) {
  std::string ua = text::unescape(a), ub = text::unescape(b);
  return ignore_case ? text::iequals(ua, ub) : ua == ub;
}

// "A user, ttl, or method uri-parameter appearing in only one URI never matches ... A URI that
// includes an maddr parameter will not match a URI that contains no maddr parameter." The same
// holds for transport (default-valued components, §19.1.4).
bool must_appear_in_both(std::string_view name) {
  return detail::param_name_equals(name, "user") || detail::param_name_equals(name, "ttl") ||
         detail::param_name_equals(name, "method") || detail::param_name_equals(name, "maddr") ||
         detail::param_name_equals(name, "transport");
}

// Every parameter of `a` that also appears in `b` matches; required ones appear in both.
bool params_agree(std::string_view a, std::string_view b, bool all_required) {
  bool ok = true;
  for_each_param(a, [&](const param& pa) {
    std::optional<std::string_view> vb;
    for_each_param(b, [&](const param& pb) {
      if (unescaped_equal(pa.name, pb.name, true)) {
        vb = pb.value;
        return false;
      }
      return true;
    });
    if (!vb) {
      if (all_required || must_appear_in_both(pa.name)) ok = false;
    } else if (!unescaped_equal(pa.value, *vb, true)) {
      ok = false;
    }
    return ok;
  });
  return ok;
}

// URI headers: "Any present header component MUST be present in both URIs and match".
bool headers_agree(std::string_view a, std::string_view b) {
  auto contains = [](std::string_view list, std::string_view field) {
    std::size_t eq = field.find('=');
    std::string_view name = field.substr(0, eq), value = eq == std::string_view::npos ? "" : field.substr(eq + 1);
    std::size_t pos = 0;
    while (pos <= list.size()) {
      std::size_t amp = list.find('&', pos);
      std::string_view other = list.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
      std::size_t oeq = other.find('=');
      std::string_view oname = other.substr(0, oeq), ovalue = oeq == std::string_view::npos ? "" : other.substr(oeq + 1);
      if (unescaped_equal(name, oname, true) && unescaped_equal(value, ovalue, false)) return true;
      if (amp == std::string_view::npos) break;
      pos = amp + 1;
    }
    return false;
  };
  auto all_in = [&](std::string_view x, std::string_view y) {
    if (x.empty()) return true;
    std::size_t pos = 0;
    while (pos <= x.size()) {
      std::size_t amp = x.find('&', pos);
      if (!contains(y, x.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos)))
        return false;
      if (amp == std::string_view::npos) break;
      pos = amp + 1;
    }
    return true;
  };
  return all_in(a, b) && all_in(b, a);
}

std::string tel_digits(std::string_view number) {
  std::string out;
  for (char c : number)
    if (c != '-' && c != '.' && c != '(' && c != ')') out.push_back(text::to_lower(c));
  return out;
}

}  // namespace

bool uri_equivalent(const uri& a, const uri& b) {
  if (a.scheme != b.scheme) return false;
  switch (a.scheme) {
    case uri_scheme::sip:
    case uri_scheme::sips:
      // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive."
      if (a.has_userinfo != b.has_userinfo || a.has_password != b.has_password) return false;
      if (!unescaped_equal(a.user, b.user, false) || !unescaped_equal(a.password, b.password, false))
        return false;
      if (!text::iequals(a.host, b.host) || a.port != b.port) return false;
      return params_agree(a.params, b.params, false) && params_agree(b.params, a.params, false) &&
             headers_agree(a.headers, b.headers);
    case uri_scheme::tel:
      // RFC 3966 §4: numbers equal without visual separators; all parameters in both.
      return tel_digits(a.user) == tel_digits(b.user) && params_agree(a.params, b.params, true) &&
             params_agree(b.params, a.params, true);
    case uri_scheme::other:
      return text::iequals(a.scheme_text(), b.scheme_text()) && a.opaque() == b.opaque();
  }
  return false;
}

}  // namespace sipactor
