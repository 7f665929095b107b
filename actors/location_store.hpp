// The location store: the one actor that writes the registrar's bindings to SQLite
// (actors/location_database.hpp), so that "a 200 OK to REGISTER means the binding is stored"
// (DESIGN.md) and registrations survive a restart. SQLite blocks, so the store runs on a thread
// of its own (caf::detached) and no worker waits for the disk.
//
// Batching: a write is answered only after the COMMIT of the transaction that holds it. Writes
// that arrive while a transaction commits wait in the mailbox and go into the next transaction
// together, so under load there is one COMMIT (one WAL append, one fsync with full_sync) for many
// REGISTERs, and at low load a write waits for no timer.
//
// Errors are values: a database that cannot be opened or a write that fails (disk full) makes
// the answer carry the reason; the registrar then answers 500 and not 200 (§10.3 step 7).
#pragma once

#include <caf/all.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/location_binding.hpp"

namespace sipactor {

struct location_store_config {
  std::string path;  // the SQLite file; ":memory:" keeps the bindings only while the store runs
  bool full_sync = false;  // see location_database_options::full_sync (default: survive SIGKILL)
  std::uint32_t max_pages = 0;  // see location_database_options::max_pages
  // Run on a thread of its own. A store under CAF's test_coordinator must not be detached (a
  // detached actor would run outside the virtual clock's single thread).
  bool detached = true;
};

// Changes that are stored together or not at all (one REGISTER's, §10.3: "processed atomically").
struct location_write {
  std::vector<location_change> changes;
};
struct location_write_result {
  std::string error;  // empty: committed
  bool ok() const noexcept { return error.empty(); }
};

// At start: drop the bindings expired at `now` (from the database too) and read those of one
// shard of the location service (location_shard_of(aor, shards) == shard).
struct location_load {
  std::size_t shard = 0;
  std::size_t shards = 1;
  wall_seconds now = 0;
};
struct location_load_result {
  std::string error;  // empty: loaded
  std::vector<location_binding> bindings;
  std::size_t dropped_expired = 0;
  bool ok() const noexcept { return error.empty(); }
};

struct location_store_stats {
  std::uint64_t writes = 0;          // location_write requests received
  std::uint64_t changes = 0;         // changes in them
  std::uint64_t commits = 0;         // transactions committed
  std::uint64_t failed_commits = 0;  // transactions rolled back
  std::string open_error;            // why the database could not be opened; empty when it is open
};

using location_stats_atom = caf::atom_constant<caf::atom("locstats")>;
// The store's own message to itself: commit what is batched.
using location_flush_atom = caf::atom_constant<caf::atom("locflush")>;

using location_store_actor =
    caf::typed_actor<caf::replies_to<location_write>::with<location_write_result>,
                     caf::replies_to<location_load>::with<location_load_result>,
                     caf::replies_to<location_stats_atom>::with<location_store_stats>,
                     caf::reacts_to<location_flush_atom>>;

// Opens the database in the store's own thread; an open error is answered to every request.
location_store_actor spawn_location_store(caf::actor_system& sys, const location_store_config& config);

}  // namespace sipactor

// Local messages only: no inspect().
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_write)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_write_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_load)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_load_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::location_store_stats)
