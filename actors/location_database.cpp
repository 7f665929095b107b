#include "actors/location_database.hpp"

#include <sqlite3.h>

#include <string_view>

namespace sipactor {

namespace {

// Version 1. One row per binding, keyed as the registrar finds bindings: by AOR, then contact.
constexpr const char* create_schema_v1 =
    "CREATE TABLE bindings ("
    " aor TEXT NOT NULL,"
    " contact_uri TEXT NOT NULL,"
    " contact_value TEXT NOT NULL,"
    " q_milli INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"  // seconds since the Unix epoch
    " call_id TEXT NOT NULL,"
    " cseq INTEGER NOT NULL,"
    " PRIMARY KEY (aor, contact_uri)) WITHOUT ROWID;"
    "PRAGMA user_version = 1;";

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* text = sqlite3_column_text(s, i);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(s, i)));
}

// Bound as a copy: the strings of a change do not outlive the step.
void bind_text(sqlite3_stmt* s, int i, const std::string& value) {
  sqlite3_bind_text(s, i, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

}  // namespace

std::unique_ptr<location_database> location_database::open(const location_database_options& options,
                                                            std::string& error) {
  sqlite3* db = nullptr;
  // NOMUTEX: one connection used by one actor at a time needs no SQLite locks.
  int rc = sqlite3_open_v2(options.path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    error = "cannot open the location database " + options.path + ": " +
            (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<location_database> self(new location_database(db));
  // Another process holding a lock (a second instance, the sqlite3 shell) is waited for a while
  // rather than failing the batch at once.
  sqlite3_busy_timeout(db, 5000);
  // WAL: a commit appends to the log instead of rewriting pages through a rollback journal;
  // readers and the writer do not block each other. ":memory:" answers "memory" and stays so.
  if ((error = self->exec("PRAGMA journal_mode = WAL")).empty())
    error = self->exec(options.full_sync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  if (error.empty() && options.max_pages != 0)
    error = self->exec(("PRAGMA max_page_count = " + std::to_string(options.max_pages)).c_str());
  if (error.empty()) error = self->create_or_check_schema();
  if (error.empty()) error = self->prepare("INSERT OR REPLACE INTO bindings"
                                           " (aor, contact_uri, contact_value, q_milli, expires_at, call_id, cseq)"
                                           " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                           self->upsert_);
  if (error.empty()) error = self->prepare("DELETE FROM bindings WHERE aor = ?1 AND contact_uri = ?2", self->remove_);
  if (error.empty()) error = self->prepare("DELETE FROM bindings WHERE aor = ?1", self->remove_aor_);
  if (error.empty())
    error = self->prepare("SELECT aor, contact_uri, contact_value, q_milli, expires_at, call_id, cseq FROM bindings",
                          self->select_all_);
  if (error.empty()) error = self->prepare("DELETE FROM bindings WHERE expires_at <= ?1", self->delete_expired_);
  if (!error.empty()) {
    error = "location database " + options.path + ": " + error;
    return nullptr;
  }
  return self;
}

location_database::~location_database() {
  for (sqlite3_stmt* s : {upsert_, remove_, remove_aor_, select_all_, delete_expired_}) sqlite3_finalize(s);
  // The last connection to close checkpoints the WAL into the database file and removes it.
  sqlite3_close(db_);
}

std::string location_database::error_text(const char* what) const {
  return std::string(what) + ": " + sqlite3_errmsg(db_);
}

std::string location_database::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
  std::string error = std::string(sql) + ": " + (message != nullptr ? message : "error");
  sqlite3_free(message);
  return error;
}

std::string location_database::prepare(const char* sql, sqlite3_stmt*& out) {
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &out, nullptr) == SQLITE_OK) return {};
  return error_text("prepare");
}

std::string location_database::create_or_check_schema() {
  sqlite3_stmt* s = nullptr;
  if (std::string e = prepare("PRAGMA user_version", s); !e.empty()) return e;
  int version = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  if (version == schema_version) return {};
  if (version < 0) return error_text("PRAGMA user_version");
  if (version > schema_version)
    return "schema version " + std::to_string(version) + " is newer than this program's (" +
           std::to_string(schema_version) + ")";
  // A new file: the table and its version in one transaction, so a crash leaves neither.
  if (std::string e = exec("BEGIN IMMEDIATE"); !e.empty()) return e;
  std::string e = exec(create_schema_v1);
  if (e.empty()) e = exec("COMMIT");
  if (!e.empty()) exec("ROLLBACK");
  return e;
}

std::string location_database::run(sqlite3_stmt* statement) {
  int rc = sqlite3_step(statement);
  std::string error = rc == SQLITE_DONE ? std::string{} : error_text("write");
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  return error;
}

std::string location_database::apply_one(const location_change& change) {
  const location_binding& b = change.binding;
  switch (change.kind) {
    case location_change_kind::upsert:
      bind_text(upsert_, 1, b.aor);
      bind_text(upsert_, 2, b.contact_uri);
      bind_text(upsert_, 3, b.contact_value);
      sqlite3_bind_int(upsert_, 4, b.q_milli);
      sqlite3_bind_int64(upsert_, 5, b.expires_at);
      bind_text(upsert_, 6, b.call_id);
      sqlite3_bind_int64(upsert_, 7, b.cseq);
      return run(upsert_);
    case location_change_kind::remove:
      bind_text(remove_, 1, b.aor);
      bind_text(remove_, 2, b.contact_uri);
      return run(remove_);
    case location_change_kind::remove_aor:
      bind_text(remove_aor_, 1, b.aor);
      return run(remove_aor_);
  }
  return "unknown change";
}

std::string location_database::apply(const std::vector<const std::vector<location_change>*>& lists) {
  // IMMEDIATE: take the write lock now, so that a busy database fails here and not half-way.
  if (std::string e = exec("BEGIN IMMEDIATE"); !e.empty()) return e;
  std::string error;
  for (const auto* list : lists) {
    for (const location_change& change : *list)
      if (!(error = apply_one(change)).empty()) break;
    if (!error.empty()) break;
  }
  // The COMMIT is the point of durability: only after it returns is any write acknowledged.
  if (error.empty()) error = exec("COMMIT");
  if (!error.empty() && !sqlite3_get_autocommit(db_)) exec("ROLLBACK");
  return error;
}

std::string location_database::load(wall_seconds now, std::size_t shard, std::size_t shards,
                                    std::vector<location_binding>& out, std::size_t& dropped_expired) {
  dropped_expired = 0;
  sqlite3_bind_int64(delete_expired_, 1, now);
  if (std::string e = run(delete_expired_); !e.empty()) return e;
  dropped_expired = static_cast<std::size_t>(sqlite3_changes(db_));
  int rc;
  while ((rc = sqlite3_step(select_all_)) == SQLITE_ROW) {
    location_binding b;
    b.aor = column_text(select_all_, 0);
    if (location_shard_of(b.aor, shards) != shard) continue;
    b.contact_uri = column_text(select_all_, 1);
    b.contact_value = column_text(select_all_, 2);
    b.q_milli = sqlite3_column_int(select_all_, 3);
    b.expires_at = sqlite3_column_int64(select_all_, 4);
    b.call_id = column_text(select_all_, 5);
    b.cseq = static_cast<std::uint32_t>(sqlite3_column_int64(select_all_, 6));
    out.push_back(std::move(b));
  }
  std::string error = rc == SQLITE_DONE ? std::string{} : error_text("read");
  sqlite3_reset(select_all_);
  return error;
}

}  // namespace sipactor
