#include "messages/header_names.hpp"

#include "messages/header_table.hpp"

namespace sipactor {

header_id lookup_header(std::string_view name) noexcept { return detail::find_header(name.data(), name.size()); }

std::string_view canonical_name(header_id id) noexcept {
  for (const auto& e : detail::long_names)
    if (e.id == id) return e.name;
  return {};
}

}  // namespace sipactor
