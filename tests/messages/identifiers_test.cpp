// Fresh Call-IDs, tags and branches (RFC 3261 §8.1.1.4, §8.1.1.7, §19.3).
#include <catch2/catch.hpp>

#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "messages/identifiers.hpp"
#include "messages/parser.hpp"

namespace sipactor::test {
namespace {

bool all_lower_alnum(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

}  // namespace

TEST_CASE("Identifiers: tags, Call-IDs and branches have the RFC's form", "[messages][identifiers]") {
  std::string tag = new_tag();
  CHECK(tag.size() == 16);
  CHECK(all_lower_alnum(tag));
  std::string branch = new_branch();
  REQUIRE(branch.size() == 29);
  CHECK(branch.rfind("z9hG4bK", 0) == 0);  // §8.1.1.7: the magic cookie
  CHECK(all_lower_alnum(branch.substr(7)));
  std::string call_id = new_call_id("pc33.atlanta.example.com");
  CHECK(call_id.size() == 22 + 1 + 24);
  CHECK(call_id.substr(22) == "@pc33.atlanta.example.com");
  CHECK(new_call_id("").find('@') == std::string::npos);

  // They go into a request that the parser accepts and reads back.
  auto r = parse_message("OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=" + branch + "\r\n"
                         "Max-Forwards: 70\r\nTo: <sip:bob@biloxi.example.com>\r\n"
                         "From: <sip:alice@atlanta.example.com>;tag=" + tag + "\r\n"
                         "Call-ID: " + call_id + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(r.ok());
  CHECK(r.message->top_via().branch == branch);
  CHECK(r.message->top_via().has_rfc3261_branch());
  CHECK(r.message->from_tag() == tag);
  CHECK(r.message->call_id() == call_id);
}

TEST_CASE("Identifiers: no repeats, in one thread or several", "[messages][identifiers]") {
  std::set<std::string> seen;
  int repeats = 0;
  for (int i = 0; i < 100000; ++i) repeats += seen.insert(new_branch()).second ? 0 : 1;
  CHECK(repeats == 0);
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread)
    threads.emplace_back([&out] {
      for (int i = 0; i < 10000; ++i) out.push_back(new_tag());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> tags;
  for (const auto& out : per_thread) tags.insert(out.begin(), out.end());
  CHECK(tags.size() == 40000);  // no tag twice, across threads either
}

TEST_CASE("Identifiers: every character of the alphabet turns up, none more than its share", "[messages][identifiers]") {
  std::array<int, 128> counts{};
  std::string s = random_token(360000);
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  for (char c : std::string("0123456789abcdefghijklmnopqrstuvwxyz")) {
    // 10,000 expected each; the chance of leaving ±800 (8 standard deviations) is nil.
    INFO(c);
    CHECK(counts[static_cast<unsigned char>(c)] > 9200);
    CHECK(counts[static_cast<unsigned char>(c)] < 10800);
  }
}

}  // namespace sipactor::test
