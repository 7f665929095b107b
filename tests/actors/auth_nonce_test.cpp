// Stateless nonces (issue time + salt + HMAC) and the nonce-count replay table (RFC 2617
// §3.2.1, §3.2.2).
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "actors/auth_nonce.hpp"

namespace sipactor::auth {
namespace {

const auth_clock::time_point t0{std::chrono::seconds(1'700'000'000)};

}  // namespace

TEST_CASE("Nonce: valid, then stale after its lifetime, other realm, secret or edits are forged", "[auth][nonce]") {
  nonce_issuer issuer("test secret", std::chrono::seconds(300));
  std::string nonce = issuer.issue("biloxi.com", t0);
  CHECK(nonce.size() == nonce_issuer::nonce_length);

  auto at = [&](std::chrono::seconds later) { return issuer.check(nonce, "biloxi.com", t0 + later); };
  CHECK(at(std::chrono::seconds(0)).status == nonce_status::valid);
  CHECK(at(std::chrono::seconds(0)).issued == 1'700'000'000);
  CHECK(at(std::chrono::seconds(300)).status == nonce_status::valid);
  CHECK(at(std::chrono::seconds(301)).status == nonce_status::stale);
  CHECK(at(std::chrono::seconds(301)).issued == 1'700'000'000);
  CHECK(at(std::chrono::seconds(-30)).status == nonce_status::valid);  // a little clock skew
  CHECK(at(std::chrono::seconds(-31)).status == nonce_status::stale);  // from the future

  CHECK(issuer.check(nonce, "atlanta.com", t0).status == nonce_status::forged);
  nonce_issuer other("another secret", std::chrono::seconds(300));
  CHECK(other.check(nonce, "biloxi.com", t0).status == nonce_status::forged);
  nonce_issuer same("test secret", std::chrono::seconds(300));  // a second node sharing the secret
  CHECK(same.check(nonce, "biloxi.com", t0).status == nonce_status::valid);

  // Edit any part: time, salt or MAC.
  for (std::size_t i : {std::size_t{0}, std::size_t{15}, std::size_t{20}, std::size_t{40}, nonce.size() - 1}) {
    std::string edited = nonce;
    edited[i] = edited[i] == '0' ? '1' : '0';
    INFO(i);
    CHECK(issuer.check(edited, "biloxi.com", t0).status == nonce_status::forged);
  }
  // Moving the time forward to revive a stale nonce does not work either.
  auto later = t0 + std::chrono::seconds(1000);
  std::string revived = issuer.issue("biloxi.com", later).substr(0, 16) + nonce.substr(16);
  CHECK(issuer.check(revived, "biloxi.com", later).status == nonce_status::forged);
  CHECK(issuer.check(nonce, "biloxi.com", later).status == nonce_status::stale);
  CHECK(issuer.check(nonce.substr(1), "biloxi.com", t0).status == nonce_status::forged);
  CHECK(issuer.check("", "biloxi.com", t0).status == nonce_status::forged);
  CHECK(issuer.check(std::string(64, 'Z'), "biloxi.com", t0).status == nonce_status::forged);
}

TEST_CASE("Nonce: every challenge gets a distinct nonce, even within one second", "[auth][nonce]") {
  nonce_issuer issuer;  // a random secret
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(issuer.issue("biloxi.com", t0));
  CHECK(seen.size() == 1000);
  for (const auto& n : seen) CHECK(issuer.check(n, "biloxi.com", t0).status == nonce_status::valid);
  nonce_issuer restarted;  // a new process: the old nonces are not its own
  CHECK(restarted.check(*seen.begin(), "biloxi.com", t0).status == nonce_status::forged);
}

TEST_CASE("Nonce counts: nc must grow, replays and 0 are refused", "[auth][nonce]") {
  using verdict = nonce_count_table::verdict;
  nonce_count_table table(std::chrono::seconds(300));
  std::int64_t issued = 1'700'000'000;
  CHECK(table.accept("a", issued, 1, t0) == verdict::accepted);
  CHECK(table.accept("a", issued, 1, t0) == verdict::replayed);
  CHECK(table.accept("a", issued, 2, t0) == verdict::accepted);
  CHECK(table.accept("a", issued, 5, t0) == verdict::accepted);  // gaps are fine (lost requests)
  CHECK(table.accept("a", issued, 3, t0) == verdict::replayed);
  CHECK(table.accept("b", issued, 1, t0) == verdict::accepted);  // each nonce counts alone
  CHECK(table.accept("c", issued, 0, t0) == verdict::replayed);
  CHECK(table.size() == 2);
}

TEST_CASE("Nonce counts: entries go when their nonce expires", "[auth][nonce]") {
  using verdict = nonce_count_table::verdict;
  nonce_count_table table(std::chrono::seconds(300));
  std::int64_t issued = 1'700'000'000;
  for (int i = 0; i < 100; ++i)
    CHECK(table.accept("n" + std::to_string(i), issued + i, 1, t0 + std::chrono::seconds(i)) == verdict::accepted);
  CHECK(table.size() == 100);
  // At t0 + 350 s the nonces issued before t0 + 50 s are dead.
  CHECK(table.accept("late", issued + 350, 1, t0 + std::chrono::seconds(350)) == verdict::accepted);
  CHECK(table.size() == 51);
  // An expired nonce is not recorded (the issuer already calls it stale).
  CHECK(table.accept("old", issued, 1, t0 + std::chrono::seconds(350)) == verdict::forgotten);
  CHECK(table.size() == 51);
}

TEST_CASE("Nonce counts: a full table drops the oldest and refuses what it forgot", "[auth][nonce]") {
  using verdict = nonce_count_table::verdict;
  nonce_count_table table(std::chrono::seconds(300), 3);
  std::int64_t issued = 1'700'000'000;
  CHECK(table.accept("n1", issued + 1, 1, t0) == verdict::accepted);
  CHECK(table.accept("n2", issued + 2, 1, t0) == verdict::accepted);
  CHECK(table.accept("n3", issued + 3, 1, t0) == verdict::accepted);
  CHECK(table.accept("n4", issued + 4, 1, t0) == verdict::accepted);  // n1 goes
  CHECK(table.size() == 3);
  // n1's count is gone: replaying nc=1 must not pass, nor may any other unseen nonce as old.
  CHECK(table.accept("n1", issued + 1, 1, t0) == verdict::forgotten);
  CHECK(table.accept("n0", issued + 0, 1, t0) == verdict::forgotten);
  CHECK(table.accept("n2", issued + 2, 2, t0) == verdict::accepted);
  CHECK(table.accept("n2", issued + 2, 2, t0) == verdict::replayed);
  // A new nonce older than everything held is refused rather than evicting a younger one.
  nonce_count_table small(std::chrono::seconds(300), 1);
  CHECK(small.accept("young", issued + 10, 1, t0) == verdict::accepted);
  CHECK(small.accept("older", issued + 5, 1, t0) == verdict::forgotten);
  CHECK(small.accept("young", issued + 10, 2, t0) == verdict::accepted);
}

}  // namespace sipactor::auth
