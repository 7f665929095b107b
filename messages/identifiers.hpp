// Fresh identifiers for requests a UA, proxy or load generator originates: Call-ID (RFC 3261
// §8.1.1.4), From/To tags (§19.3) and Via branches (§8.1.1.7). All are cryptographically random
// (RFC 3261 recommends RFC 4086 randomness for Call-IDs; tags need at least 32 random bits) and
// use only characters of `token` (§25.1), so they are valid wherever they go.
#pragma once

#include <string>
#include <string_view>

namespace sipactor {

// `length` random characters from [0-9a-z] (about 5.2 bits each), from the kernel's CSPRNG
// (getrandom), buffered per thread.
std::string random_token(std::size_t length);

// §19.3: a tag with about 83 random bits.
std::string new_tag();

// §8.1.1.4: a globally unique Call-ID, "<random>@<host>" (host may be empty: then no '@').
std::string new_call_id(std::string_view host);

// §8.1.1.7: "z9hG4bK" followed by about 114 random bits, unique across space and time.
std::string new_branch();

}  // namespace sipactor
