// The SQLite file behind the location store (actors/location_store.hpp): schema, pragmas, one
// transaction per batch of changes, and the load at start. Blocking calls: only the store actor,
// which runs on a thread of its own, uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/location_binding.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace sipactor {

struct location_database_options {
  std::string path;  // a file, or ":memory:" for a database that lives as long as the connection
  // PRAGMA synchronous. NORMAL (false) in WAL mode: a COMMIT has written its WAL frames to the OS
  // when it returns (no fsync), so a committed transaction survives the process being killed
  // (SIGKILL, a crash): the kernel still holds the pages and writes them out. It may be lost to a
  // power failure or an OS crash, with the database still consistent ("WAL mode is always
  // consistent with synchronous=NORMAL, but WAL mode does lose durability"; sqlite.org
  // pragma.html#pragma_synchronous). FULL (true) fsyncs the WAL at every COMMIT, which also
  // survives power loss, for one fsync per batch.
  bool full_sync = false;
  // PRAGMA max_page_count: a cap on the file's size in pages; 0 leaves SQLite's default. Writes
  // past it fail as on a full disk (SQLITE_FULL).
  std::uint32_t max_pages = 0;
};

class location_database {
 public:
  // The schema version this program writes (PRAGMA user_version). 0 is a new file; a file with a
  // higher version was written by a newer program and is not touched.
  static constexpr int schema_version = 1;

  // Opens or creates the database; nullptr and the reason in `error` when it cannot.
  static std::unique_ptr<location_database> open(const location_database_options& options, std::string& error);

  ~location_database();
  location_database(const location_database&) = delete;
  location_database& operator=(const location_database&) = delete;

  // Applies every change of every list in order, in one transaction. "" when it committed, else
  // the reason (and nothing of it is stored).
  std::string apply(const std::vector<const std::vector<location_change>*>& lists);

  // Deletes the bindings expired at `now`, then reads those whose AOR belongs to shard `shard`
  // of `shards` (location_shard_of). "" or the reason.
  std::string load(wall_seconds now, std::size_t shard, std::size_t shards, std::vector<location_binding>& out,
                   std::size_t& dropped_expired);

 private:
  explicit location_database(sqlite3* db) : db_(db) {}
  std::string exec(const char* sql);
  std::string prepare(const char* sql, sqlite3_stmt*& out);
  std::string error_text(const char* what) const;
  std::string create_or_check_schema();
  std::string run(sqlite3_stmt* statement);
  std::string apply_one(const location_change& change);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
  sqlite3_stmt* remove_aor_ = nullptr;
  sqlite3_stmt* select_all_ = nullptr;
  sqlite3_stmt* delete_expired_ = nullptr;
};

}  // namespace sipactor
