// Test bench for the location store and the location service: a temporary directory for SQLite
// files, and CAF's test_coordinator (virtual clock, one thread) with a request-and-answer helper.
#pragma once

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "actors/location_store.hpp"
#include "tests/actors/register_test_messages.hpp"
#include "tests/actors/transaction_test_fixture.hpp"  // testing_config()

namespace sipactor::test {

// A directory under the system's temporary directory, removed with everything in it.
struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sipactor-location-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string file(const char* name) const { return (path / name).string(); }
};

// A real scheduler with two workers, for the detached store on its own thread.
inline caf::actor_system_config& threaded_config(caf::actor_system_config& cfg) {
  cfg.set("logger.verbosity", caf::atom("quiet"));
  cfg.set("scheduler.max-threads", 2);
  return cfg;
}

struct coordinator_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());

  // Sends `m` as a request, lets every actor run, and returns the answer.
  template <class Result, class Handle, class Message>
  Result ask(const Handle& to, Message m) {
    caf::scoped_actor self{sys};
    auto answer = self->request(to, caf::infinite, std::move(m));
    sched.run();
    std::optional<Result> out;
    std::move(answer).receive([&](Result& r) { out = std::move(r); },
                              [&](caf::error& e) { FAIL("request failed: " << sys.render(e)); });
    REQUIRE(out.has_value());
    return std::move(*out);
  }

  template <class Handle>
  void stop(const Handle& who) {
    caf::anon_send_exit(who, caf::exit_reason::user_shutdown);
    sched.run();
  }
};

// A store that keeps nothing past its life and runs on the coordinator's thread.
inline location_store_config memory_store() { return {":memory:", false, 0, false}; }
inline location_store_config file_store(const std::string& path) { return {path, false, 0, false}; }

inline location_binding binding(std::string aor, std::string contact, wall_seconds expires_at, std::uint32_t cseq = 1,
                                std::string call_id = "c1", int q_milli = -1) {
  location_binding b;
  b.aor = std::move(aor);
  b.contact_uri = contact;
  b.contact_value = "<" + contact + ">";
  b.q_milli = q_milli;
  b.expires_at = expires_at;
  b.call_id = std::move(call_id);
  b.cseq = cseq;
  return b;
}

}  // namespace sipactor::test
