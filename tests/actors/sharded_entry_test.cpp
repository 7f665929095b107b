// The entry of a sharded layer (actors/sharded_entry.hpp): messages reach the shard their key
// names, keyless ones go round robin, requests are answered through it, an exit sent to it ends
// every shard, and after that (or without shards) a request gets an error instead of no answer.
// Real time, two workers: the entry forwards on the sender's thread.
#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/sharded_entry.hpp"
#include "tests/support/real_time_config.hpp"

namespace sipactor {
namespace {

using namespace std::chrono_literals;

// A shard answers (index, key) for a keyed request, (index, -1) for a keyless one.
caf::behavior numbered_shard(caf::event_based_actor*, int index) {
  return {
      [=](int key) { return caf::make_message(index, key); },
      [=](const std::string&) { return caf::make_message(index, -1); },
  };
}

// Keyed: an int is its own key. A string has no key (any shard may take it).
std::optional<std::size_t> int_key(const caf::type_erased_tuple& content) {
  if (content.match_elements<int>()) return static_cast<std::size_t>(content.get_as<int>(0));
  return std::nullopt;
}

std::vector<caf::actor> spawn_shards(caf::actor_system& sys, int n) {
  std::vector<caf::actor> shards;
  for (int i = 0; i < n; ++i) shards.push_back(sys.spawn(numbered_shard, i));
  return shards;
}

std::pair<int, int> ask(caf::scoped_actor& self, const caf::actor& entry, const caf::message& what) {
  std::pair<int, int> answer{-2, -2};
  self->request(entry, 2s, what).receive([&](int shard, int key) { answer = {shard, key}; },
                                         [&](caf::error&) { answer = {-3, -3}; });
  return answer;
}

}  // namespace

TEST_CASE("Sharded entry: a keyed message reaches shard key mod n, keyless ones go round robin", "[actors][entry]") {
  caf::actor_system sys{test::real_time_config()};
  caf::scoped_actor self{sys};
  auto shards = spawn_shards(sys, 3);
  caf::actor entry = make_sharded_entry(sys, shards, int_key);
  for (int key = 0; key < 30; ++key) {
    auto [shard, echoed] = ask(self, entry, caf::make_message(key));
    CHECK(shard == key % 3);
    CHECK(echoed == key);
  }
  std::vector<int> taken(3, 0);
  for (int i = 0; i < 30; ++i) {
    auto [shard, echoed] = ask(self, entry, caf::make_message(std::string("any")));
    REQUIRE(shard >= 0);
    CHECK(echoed == -1);
    ++taken[static_cast<std::size_t>(shard)];
  }
  CHECK(taken == std::vector<int>{10, 10, 10});
  self->send_exit(entry, caf::exit_reason::user_shutdown);
}

TEST_CASE("Sharded entry: an exit ends every shard, and a later request is answered with an error",
          "[actors][entry]") {
  caf::actor_system sys{test::real_time_config()};
  caf::scoped_actor self{sys};
  auto shards = spawn_shards(sys, 2);
  for (const auto& s : shards) self->monitor(s);
  caf::actor entry = make_sharded_entry(sys, shards, int_key);
  self->monitor(entry);
  REQUIRE(ask(self, entry, caf::make_message(1)).first == 1);
  self->send_exit(entry, caf::exit_reason::user_shutdown);
  int down = 0;
  bool entry_down = false;
  for (int i = 0; i < 3; ++i) {
    self->receive(
        [&](caf::down_msg& d) {
          CHECK(d.reason == caf::exit_reason::user_shutdown);
          if (d.source == entry.address()) entry_down = true;
          else ++down;
        },
        caf::after(2s) >> [] {});
  }
  CHECK(down == 2);
  CHECK(entry_down);
  CHECK(ask(self, entry, caf::make_message(1)) == std::make_pair(-3, -3));
}

TEST_CASE("Sharded entry: without shards a request is answered with an error", "[actors][entry]") {
  caf::actor_system sys{test::real_time_config()};
  caf::scoped_actor self{sys};
  caf::actor entry = make_sharded_entry(sys, {}, int_key);
  CHECK(ask(self, entry, caf::make_message(7)) == std::make_pair(-3, -3));
}

TEST_CASE("Sharded entry: messages from two threads all arrive, in order per sender", "[actors][entry]") {
  caf::actor_system sys{test::real_time_config()};
  // Each shard checks that the numbers of each sender arrive in increasing order.
  struct order_state {
    std::map<caf::actor_id, int> last;
    int received = 0;
    bool in_order = true;
  };
  auto checker = [](caf::stateful_actor<order_state>* self, int) -> caf::behavior {
    return {
        [=](int n, caf::actor_id sender) {
          auto& st = self->state;
          auto i = st.last.find(sender);
          if (i != st.last.end() && n <= i->second) st.in_order = false;
          st.last[sender] = n;
          ++st.received;
        },
        [=](caf::get_atom) { return caf::make_message(self->state.received, self->state.in_order); },
    };
  };
  std::vector<caf::actor> shards{sys.spawn(checker, 0), sys.spawn(checker, 0)};
  caf::actor entry = make_sharded_entry(sys, shards, [](const caf::type_erased_tuple& content) {
    return content.match_elements<int, caf::actor_id>() ? std::optional<std::size_t>{content.get_as<caf::actor_id>(1)}
                                                        : std::nullopt;
  });
  constexpr int per_sender = 2000;
  auto sender = [entry](caf::event_based_actor* self, int) {
    for (int n = 1; n <= per_sender; ++n) self->send(entry, n, self->id());
  };
  for (int i = 0; i < 8; ++i) sys.spawn(sender, 0);
  caf::scoped_actor self{sys};
  int received = 0;
  bool in_order = true;
  for (int attempt = 0; attempt < 200 && received < 8 * per_sender; ++attempt) {
    received = 0;
    for (const auto& s : shards)
      self->request(s, 2s, caf::get_atom::value).receive([&](int r, bool ordered) { received += r; in_order = in_order && ordered; },
                                                         [](caf::error&) {});
    if (received < 8 * per_sender) std::this_thread::sleep_for(10ms);
  }
  CHECK(received == 8 * per_sender);
  CHECK(in_order);
  self->send_exit(entry, caf::exit_reason::user_shutdown);
}

}  // namespace sipactor
