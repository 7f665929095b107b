// Helpers shared by the fuzz targets: invariant checks that abort with a readable reason, and
// functions that read every field of the typed views so that the sanitizers see each access.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "messages/compare.hpp"
#include "messages/header_views.hpp"
#include "messages/message.hpp"
#include "messages/params.hpp"
#include "messages/text.hpp"
#include "messages/uri.hpp"

namespace sipactor::fuzz {

// Prints what failed (and, when given, the text involved) and traps, so libFuzzer saves the
// input as a crash.
[[noreturn]] inline void invariant_failed(const char* file, int line, const char* condition,
                                          std::string_view detail) {
  std::fprintf(stderr, "\n*** fuzz invariant violated at %s:%d: %s\n", file, line, condition);
  if (!detail.empty()) {
    std::fprintf(stderr, "*** detail (%zu bytes): \"", detail.size());
    for (char c : detail.substr(0, 2000)) {
      unsigned char u = static_cast<unsigned char>(c);
      if (u == '\r') std::fputs("\\r", stderr);
      else if (u == '\n') std::fputs("\\n", stderr);
      else if (u == '"' || u == '\\') std::fprintf(stderr, "\\%c", c);
      else if (u < 0x20 || u >= 0x7f) std::fprintf(stderr, "\\x%02x", u);
      else std::fputc(c, stderr);
    }
    std::fputs("\"\n", stderr);
  }
  __builtin_trap();
}

#define FUZZ_CHECK(cond) \
  do { if (!(cond)) ::sipactor::fuzz::invariant_failed(__FILE__, __LINE__, #cond, {}); } while (0)
#define FUZZ_CHECK_MSG(cond, detail) \
  do { if (!(cond)) ::sipactor::fuzz::invariant_failed(__FILE__, __LINE__, #cond, (detail)); } while (0)

// Reported parser bugs whose checks can be switched off while fuzzing for other bugs:
// SIPACTOR_FUZZ_KNOWN=name[,name...] (see README.md). Unset: every check is on. Guard a check
// with `if (!known_issue("name"))` while its bug is open; remove the guard once it is fixed.
inline bool known_issue(std::string_view name) {
  static const std::string list = [] {
    const char* v = std::getenv("SIPACTOR_FUZZ_KNOWN");
    return "," + std::string(v ? v : "") + ",";
  }();
  return list.find("," + std::string(name) + ",") != std::string::npos;
}

// Values read from views land here so that the reads are not optimised away.
inline volatile std::size_t sink = 0;
inline void use(std::string_view s) {
  if (!s.empty()) sink = sink + s.size() + static_cast<unsigned char>(s.front()) + static_cast<unsigned char>(s.back());
}
inline void use(std::size_t n) { sink = sink + n; }

inline void touch_params(std::string_view raw) {
  for_each_param(raw, [](const param& p) {
    use(p.name);
    use(p.value);
    use(p.has_value ? 1u : 0u);
    return true;
  });
  use(find_param(raw, "tag").value_or(""));
  use(find_param(raw, "expires").value_or(""));
  use(has_param(raw, "lr") ? 1u : 0u);
}

// Reads every field of a URI; `check` asks for the properties a URI the parser accepted must
// have: equivalent to itself, and parsing its text again gives an equivalent URI.
inline void touch_uri(const uri& u, bool check) {
  use(u.text);
  use(u.user);
  use(u.password);
  use(u.host);
  use(u.params);
  use(u.headers);
  use(u.port);
  use(static_cast<std::size_t>(u.scheme) + static_cast<std::size_t>(u.host_type));
  use(u.scheme_text());
  use(u.opaque());
  use(u.user_unescaped());
  use(u.host_canonical());
  use(u.param("transport").value_or(""));
  use(u.param("maddr").value_or(""));
  use(u.param("user").value_or(""));
  use(u.has_param("lr") ? 1u : 0u);
  touch_params(u.params);
  if (u.is_sip()) use(static_cast<std::size_t>(classify_host(u.host)));
  if (!check) return;
  FUZZ_CHECK_MSG(uri_equivalent(u, u), u.text);
  auto again = parse_uri(u.text);
  FUZZ_CHECK_MSG(again.ok(), u.text);
  FUZZ_CHECK_MSG(uri_equivalent(u, *again) && uri_equivalent(*again, u), u.text);
}

inline void touch_name_addr(const name_addr& na, bool check) {
  use(na.text);
  use(na.display_name);
  use(na.params);
  use(na.bracketed ? 1u : 0u);
  use(na.tag());
  use(na.param("expires").value_or(""));
  use(na.display_name_unquoted());
  touch_params(na.params);
  touch_uri(na.address, check);
  if (!check) return;
  // tag() and param("tag") name the same parameter (§19.3).
  FUZZ_CHECK_MSG(na.tag() == na.param("tag").value_or(""), na.text);
  FUZZ_CHECK_MSG(addresses_equal(na, na), na.text);
}

inline void touch_via(const via& v) {
  use(v.text);
  use(v.transport);
  use(v.host);
  use(v.port);
  use(v.params);
  use(v.branch);
  use(v.received);
  use(v.maddr);
  use(v.rport_value + (v.rport ? 1u : 0u));
  use(v.param("ttl").value_or(""));
  use(v.has_rfc3261_branch() ? 1u : 0u);
  touch_params(v.params);
  FUZZ_CHECK(sent_by_equal(v, v) && branches_equal(v.branch, v.branch));
}

template <class T, class F>
void touch_expected(const expected<T>& e, F&& f) {
  if (e) f(*e);
  else FUZZ_CHECK(e.reason() != nullptr && std::strlen(e.reason()) > 0);
}

inline void touch_auth(const expected<std::vector<auth_value>>& list) {
  touch_expected(list, [](const std::vector<auth_value>& values) {
    for (const auth_value& a : values) {
      use(a.scheme);
      for (const auth_param& p : a.params) {
        use(p.name);
        use(p.value);
      }
      use(a.param("realm").value_or(""));
      use(a.param_unquoted("nonce"));
      use(a.param_unquoted("response"));
    }
  });
}

inline void touch_token_list(const expected<std::vector<std::string_view>>& list) {
  touch_expected(list, [](const std::vector<std::string_view>& tokens) {
    for (std::string_view t : tokens) {
      FUZZ_CHECK(text::is_token(t));
      use(t);
    }
  });
}

// Number of comma-separated elements over every line of header `id`.
inline std::size_t element_count(const message& m, header_id id) {
  std::size_t n = 0;
  m.for_each_header(id, [&](const header& h) {
    text::for_each_element(h.value, [&](std::string_view) {
      ++n;
      return true;
    });
  });
  return n;
}

}  // namespace sipactor::fuzz
