// Answering a Digest challenge in tests: the credentials value for one of a response's
// challenges (WWW-Authenticate or Proxy-Authenticate), computed as a UA would (actors/auth_client).
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/auth_client.hpp"
#include "messages/expected.hpp"
#include "messages/text.hpp"

namespace sipactor::test {

// The value answering the first of `offered` (or the first with the `prefer`red algorithm), for a
// request of `method` to `request_uri` with nonce count `nc` and a fixed cnonce.
inline std::string answer_challenge(const expected<std::vector<auth_value>>& offered,
                                    const auth::digest_account& account, std::string_view method,
                                    std::string_view request_uri, std::uint32_t nc = 1, std::string_view prefer = {}) {
  REQUIRE(offered);
  const auth_value* chosen = nullptr;
  for (const auto& c : *offered)
    if (prefer.empty() || text::iequals(c.param_unquoted("algorithm"), prefer)) {
      chosen = &c;
      break;
    }
  REQUIRE(chosen != nullptr);
  auto value = auth::credentials_value(*chosen, account, {method, request_uri, nc, "0a4f113b"});
  REQUIRE(value);
  return *value;
}

}  // namespace sipactor::test
