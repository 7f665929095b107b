#include "messages/compare.hpp"

#include "messages/text.hpp"

namespace sipactor {

bool tags_equal(std::string_view a, std::string_view b) noexcept { return text::iequals(a, b); }

bool branches_equal(std::string_view a, std::string_view b) noexcept { return text::iequals(a, b); }

bool cseqs_equal(const cseq_value& a, const cseq_value& b) noexcept {
  return a.number == b.number && a.method == b.method;
}

bool sent_by_equal(const via& a, const via& b) noexcept {
  return text::iequals(a.host, b.host) && a.port == b.port;
}

bool addresses_equal(const name_addr& a, const name_addr& b) {
  if (!uri_equivalent(a.address, b.address)) return false;
  bool equal = true;
  for_each_param(a.params, [&](const param& pa) {
    auto vb = find_param(b.params, pa.name);
    // Quoted values are case-sensitive; tokens are not (§7.3.1).
    if (vb && !(pa.value.substr(0, 1) == "\"" ? pa.value == *vb : text::iequals(pa.value, *vb))) equal = false;
    return equal;
  });
  return equal;
}

}  // namespace sipactor
