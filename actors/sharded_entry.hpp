// The entry of a sharded layer (transaction layer, UA core, proxy core): one handle in front of N
// shard actors. Its enqueue runs on the sender's thread: it computes the message's key there and
// enqueues the message straight into that shard's mailbox, so no router actor sits in between and
// no single actor sees every message.
//
// The shards are fixed when the entry is made, so a message takes no lock on its way through.
// (This used to be a CAF actor pool, whose enqueue takes a shared spinlock and matches every
// message against its management messages first: one more cache line that both workers wrote
// for every message through the entry; bench/RESULTS.md, "Session 8".)
//
// An exit message sent to the entry is passed on to every shard, and the entry ends: what is
// sent to it afterwards is dropped (a request is answered with an error). Unlike the pool, the
// entry does not watch its shards: a message for a shard that has ended goes to that shard, whose
// dead mailbox bounces it, and the other shards keep their keys.
#pragma once

#include <caf/all.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace sipactor {

// The shard of a message: any number (taken modulo the shard count), or nullopt for a message
// that any shard may take (these go round robin).
using shard_key = std::function<std::optional<std::size_t>(const caf::type_erased_tuple&)>;

// An entry without shards answers every request with an error.
caf::actor make_sharded_entry(caf::actor_system& sys, const std::vector<caf::actor>& shards, shard_key key);

// A key from text (a Call-ID, an AOR).
inline std::size_t text_key(std::string_view text) noexcept { return std::hash<std::string_view>{}(text); }

}  // namespace sipactor
