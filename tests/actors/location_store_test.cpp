// The location store on real SQLite files in a temporary directory: batching (many writes, one
// COMMIT), durability across a close and across SIGKILL, expired bindings dropped at load, the
// schema version, and errors as values (a path that cannot be opened, a full database).
#include <sqlite3.h>
#include <algorithm>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/location_database.hpp"
#include "tests/actors/location_test_fixture.hpp"

namespace sipactor::test {
namespace {

const std::string alice = "sip:alice@atlanta.example.com";
const std::string bob = "sip:bob@biloxi.example.com";

struct store_fixture : coordinator_fixture {
  temp_dir dir;
  std::string path = dir.file("location.db");

  location_write_result write(const location_store_actor& store, std::vector<location_change> changes) {
    return ask<location_write_result>(store, location_write{std::move(changes)});
  }
  location_load_result load(const location_store_actor& store, wall_seconds now, std::size_t shard = 0,
                            std::size_t shards = 1) {
    return ask<location_load_result>(store, location_load{shard, shards, now});
  }
  location_store_stats stats(const location_store_actor& store) {
    return ask<location_store_stats>(store, location_stats_atom::value);
  }
};

// What another connection to the file reads (as a process started after a crash would).
std::vector<location_binding> read_file(const std::string& path, wall_seconds now = test_epoch) {
  std::string error;
  auto db = location_database::open({path, false, 0}, error);
  INFO(error);
  REQUIRE(db);
  std::vector<location_binding> seen;
  std::size_t dropped = 0;
  CHECK(db->load(now, 0, 1, seen, dropped).empty());
  return seen;
}

std::vector<std::string> contacts_of(const std::vector<location_binding>& bindings) {
  std::vector<std::string> out;
  for (const auto& b : bindings) out.push_back(b.contact_uri);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE_METHOD(store_fixture, "Location store: writes that wait together are committed together",
                 "[registrar][store]") {
  auto store = spawn_location_store(sys, file_store(path));
  caf::scoped_actor self{sys};
  std::vector<decltype(self->request(store, caf::infinite, location_write{}))> answers;
  for (int i = 0; i < 50; ++i) {
    location_binding b = binding(alice, "sip:alice@192.0.2." + std::to_string(i), test_epoch + 3600);
    answers.push_back(self->request(store, caf::infinite, location_write{{upsert_binding(b)}}));
  }
  sched.run();  // the 50 writes were all in the mailbox before the first flush
  int ok = 0;
  for (auto& a : answers) std::move(a).receive([&](location_write_result& r) { ok += r.ok(); }, [](caf::error&) {});
  CHECK(ok == 50);
  location_store_stats s = stats(store);
  CHECK(s.writes == 50);
  CHECK(s.commits == 1);
  CHECK(s.failed_commits == 0);

  // One more write on its own: its own transaction, answered after it.
  CHECK(write(store, {upsert_binding(binding(bob, "sip:bob@192.0.2.200", test_epoch + 3600))}).ok());
  CHECK(stats(store).commits == 2);
  CHECK(load(store, test_epoch).bindings.size() == 51);
  stop(store);
}

TEST_CASE_METHOD(store_fixture, "Location store: upsert, remove and remove-all in order, one REGISTER atomically",
                 "[registrar][store]") {
  auto store = spawn_location_store(sys, file_store(path));
  CHECK(write(store, {upsert_binding(binding(alice, "sip:a1@192.0.2.1", test_epoch + 60)),
                      upsert_binding(binding(alice, "sip:a2@192.0.2.2", test_epoch + 60)),
                      upsert_binding(binding(bob, "sip:b1@192.0.2.3", test_epoch + 60))})
            .ok());
  location_binding refreshed = binding(alice, "sip:a1@192.0.2.1", test_epoch + 600, 2, "c1", 500);
  CHECK(write(store, {upsert_binding(refreshed), remove_binding(alice, "sip:a2@192.0.2.2")}).ok());
  auto loaded = load(store, test_epoch);
  REQUIRE(loaded.ok());
  CHECK(contacts_of(loaded.bindings) == std::vector<std::string>{"sip:a1@192.0.2.1", "sip:b1@192.0.2.3"});
  for (const auto& b : loaded.bindings)
    if (b.aor == alice) CHECK(b == refreshed);
  CHECK(write(store, {remove_all_bindings(alice)}).ok());
  CHECK(contacts_of(load(store, test_epoch).bindings) == std::vector<std::string>{"sip:b1@192.0.2.3"});
  stop(store);
}

TEST_CASE_METHOD(store_fixture, "Location store: what was acknowledged is there after a close and reopen",
                 "[registrar][store]") {
  location_binding b = binding(alice, "sip:alice@192.0.2.1", test_epoch + 3600, 7, "boot-1", 250);
  b.contact_value = "\"Alice\" <sip:alice@192.0.2.1>;q=0.25;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
  {
    auto store = spawn_location_store(sys, file_store(path));
    REQUIRE(write(store, {upsert_binding(b)}).ok());
    // Before the close: another connection already sees it in the files (WAL), not just this
    // process's memory.
    CHECK(read_file(path) == std::vector<location_binding>{b});
    stop(store);
  }
  auto reopened = spawn_location_store(sys, file_store(path));
  auto loaded = load(reopened, test_epoch);
  REQUIRE(loaded.ok());
  CHECK(loaded.bindings == std::vector<location_binding>{b});
  stop(reopened);
}

TEST_CASE_METHOD(store_fixture, "Location store: expired bindings are dropped at load, and from the file",
                 "[registrar][store]") {
  auto store = spawn_location_store(sys, file_store(path));
  REQUIRE(write(store, {upsert_binding(binding(alice, "sip:old@192.0.2.1", test_epoch - 1)),
                        upsert_binding(binding(alice, "sip:due@192.0.2.2", test_epoch)),
                        upsert_binding(binding(alice, "sip:live@192.0.2.3", test_epoch + 1))})
              .ok());
  stop(store);
  auto reopened = spawn_location_store(sys, file_store(path));
  auto loaded = load(reopened, test_epoch);
  REQUIRE(loaded.ok());
  CHECK(contacts_of(loaded.bindings) == std::vector<std::string>{"sip:live@192.0.2.3"});
  CHECK(loaded.dropped_expired == 2);
  CHECK(load(reopened, test_epoch).dropped_expired == 0);  // deleted, not only skipped
  stop(reopened);
}

TEST_CASE_METHOD(store_fixture, "Location store: a load reads one shard's AORs", "[registrar][store]") {
  auto store = spawn_location_store(sys, memory_store());
  std::vector<location_change> changes;
  for (int i = 0; i < 40; ++i)
    changes.push_back(upsert_binding(binding("sip:user" + std::to_string(i) + "@example.com", "sip:ua@192.0.2.1", test_epoch + 60)));
  REQUIRE(write(store, changes).ok());
  std::size_t total = 0;
  for (std::size_t shard = 0; shard < 3; ++shard) {
    auto loaded = load(store, test_epoch, shard, 3);
    REQUIRE(loaded.ok());
    for (const auto& b : loaded.bindings) CHECK(location_shard_of(b.aor, 3) == shard);
    total += loaded.bindings.size();
  }
  CHECK(total == 40);
  stop(store);
}

TEST_CASE_METHOD(store_fixture, "Location store: a database that cannot be opened is an error in every answer",
                 "[registrar][store]") {
  auto store = spawn_location_store(sys, file_store(dir.file("missing/sub/location.db")));
  auto loaded = load(store, test_epoch);
  CHECK_FALSE(loaded.ok());
  CHECK_THAT(loaded.error, Catch::Contains("cannot open"));
  auto written = write(store, {upsert_binding(binding(alice, "sip:a@192.0.2.1", test_epoch + 60))});
  CHECK_FALSE(written.ok());
  CHECK(stats(store).open_error == loaded.error);
  stop(store);
}

TEST_CASE_METHOD(store_fixture, "Location store: a full database fails the write, and only that write",
                 "[registrar][store]") {
  location_store_config config = file_store(path);
  config.max_pages = 8;  // 4 KiB pages: room for the schema and a few small bindings
  auto store = spawn_location_store(sys, config);
  location_binding small = binding(alice, "sip:alice@192.0.2.1", test_epoch + 60);
  location_binding large = binding(bob, "sip:bob@192.0.2.2", test_epoch + 60);
  large.contact_value = std::string(64 * 1024, 'x');
  caf::scoped_actor self{sys};
  auto a = self->request(store, caf::infinite, location_write{{upsert_binding(large)}});
  auto b = self->request(store, caf::infinite, location_write{{upsert_binding(small)}});
  sched.run();
  std::string error_a = "none", error_b = "none";
  std::move(a).receive([&](location_write_result& r) { error_a = r.error; }, [](caf::error&) {});
  std::move(b).receive([&](location_write_result& r) { error_b = r.error; }, [](caf::error&) {});
  CHECK_THAT(error_a, Catch::Contains("full"));
  CHECK(error_b.empty());  // tried again alone after the batch failed
  location_store_stats s = stats(store);
  CHECK(s.failed_commits == 2);  // the batch, then the large write alone
  CHECK(s.commits == 1);
  CHECK(load(store, test_epoch).bindings == std::vector<location_binding>{small});
  stop(store);
}

TEST_CASE_METHOD(store_fixture, "Location store: a file of a newer schema version is not touched", "[registrar][store]") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "PRAGMA user_version = 9", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  auto store = spawn_location_store(sys, file_store(path));
  auto loaded = load(store, test_epoch);
  CHECK_THAT(loaded.error, Catch::Contains("schema version 9"));
  stop(store);
}

TEST_CASE("Location database: a committed batch survives SIGKILL of the writing process", "[registrar][store]") {
  temp_dir dir;
  std::string path = dir.file("killed.db");
  location_binding b = binding(bob, "sip:bob@192.0.2.4", test_epoch + 3600, 3, "boot-9");
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The writer: commit, say so, and wait to be killed without closing anything.
    std::string error;
    auto db = location_database::open({path, false, 0}, error);
    std::vector<location_change> changes{upsert_binding(b)};
    char status = db && db->apply({&changes}).empty() ? 'y' : 'n';
    if (write(ready[1], &status, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char status = 0;
  bool told = read(ready[0], &status, 1) == 1;
  close(ready[0]);
  kill(child, SIGKILL);
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  REQUIRE(told);
  REQUIRE(status == 'y');
  CHECK(WIFSIGNALED(wstatus));
  CHECK(read_file(path) == std::vector<location_binding>{b});
}

TEST_CASE("Location store: detached on a real scheduler, concurrent writes share commits", "[registrar][store]") {
  temp_dir dir;
  caf::actor_system_config cfg;
  caf::actor_system sys{threaded_config(cfg)};
  location_store_config config{dir.file("threads.db"), false, 0, true};
  auto store = spawn_location_store(sys, config);
  caf::scoped_actor self{sys};
  constexpr int writes = 200;
  for (int i = 0; i < writes; ++i) {
    location_binding b = binding("sip:u" + std::to_string(i) + "@example.com", "sip:ua@192.0.2.1", test_epoch + 3600);
    self->request(store, caf::infinite, location_write{{upsert_binding(b)}})
        .receive([](location_write_result& r) { CHECK(r.ok()); }, [](caf::error&) { FAIL("store gone"); });
  }
  location_store_stats s;
  self->request(store, caf::infinite, location_stats_atom::value)
      .receive([&](location_store_stats& r) { s = r; }, [](caf::error&) {});
  CHECK(s.writes == writes);
  CHECK(s.commits == writes);  // one at a time: each waited for the previous answer

  // Many in flight at once from several senders: fewer commits than writes.
  std::vector<caf::actor> senders;
  for (int t = 0; t < 4; ++t)
    senders.push_back(sys.spawn([](caf::event_based_actor* me, location_store_actor to, int from) {
      for (int i = 0; i < 100; ++i) {
        location_binding b = binding("sip:p" + std::to_string(from + i) + "@example.com", "sip:ua@192.0.2.1", test_epoch + 3600);
        me->request(to, caf::infinite, location_write{{upsert_binding(b)}}).then([](location_write_result&) {});
      }
    }, store, t * 100));
  for (auto& a : senders) self->wait_for(a);
  self->request(store, caf::infinite, location_stats_atom::value)
      .receive([&](location_store_stats& r) { s = r; }, [](caf::error&) {});
  CHECK(s.writes == writes + 400);
  CHECK(s.commits < writes + 400);
  CHECK(s.failed_commits == 0);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  self->wait_for(store);
}

}  // namespace sipactor::test
