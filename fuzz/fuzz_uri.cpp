// parse_uri and parse_name_addr on arbitrary text. The input is split at its first LF into two
// candidates a and b. Properties: an accepted URI is equivalent to itself and to the parse of its
// own text (RFC 3261 §19.1.4 equivalence is reflexive), and equivalence is symmetric. (It is not
// transitive: a parameter present in only one URI is ignored, so that is not checked.) The parser's
// fast path for sip/sips URIs agrees with parse_uri whenever it takes a text.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_common.hpp"
#include "tests/view_dump.hpp"

using namespace sipactor;
using namespace sipactor::fuzz;

namespace {

// The parser's bitmap fast path (fast_views.hpp) on the same text: when it takes the whole text,
// it must read exactly what parse_uri reads.
void check_fast_uri(std::string_view s, const expected<uri>& full) {
  const std::string fast = test::fast_uri_dump(s);
  if (fast.empty()) return;
  FUZZ_CHECK_MSG(full.ok(), s);
  FUZZ_CHECK_MSG(fast == test::view_dump(*full, s.data()).text(), s);
}

std::optional<uri> try_uri(std::string_view s) {
  auto u = parse_uri(s);
  check_fast_uri(s, u);
  if (!u) {
    FUZZ_CHECK(u.reason() != nullptr);
    return std::nullopt;
  }
  FUZZ_CHECK(u->text == s);
  touch_uri(*u, true);
  return *u;
}

void try_name_addr(std::string_view s) {
  if (auto na = parse_name_addr(s)) touch_name_addr(*na, true);
  if (auto c = parse_contact(s)) {
    touch_name_addr(c->address, true);
    FUZZ_CHECK(c->q_milli >= -1 && c->q_milli <= 1000);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t lf = input.find('\n');
  const std::string_view a = input.substr(0, lf);
  const std::string_view b = lf == std::string_view::npos ? std::string_view{} : input.substr(lf + 1);

  auto ua = try_uri(a);
  try_name_addr(a);
  if (lf == std::string_view::npos) return 0;
  auto ub = try_uri(b);
  try_name_addr(b);
  if (ua && ub) {
    const bool ab = uri_equivalent(*ua, *ub), ba = uri_equivalent(*ub, *ua);
    FUZZ_CHECK_MSG(ab == ba, input);
  }
  return 0;
}
