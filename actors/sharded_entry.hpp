// The entry of a sharded layer (transaction layer, UA core, proxy core): one handle in front of N
// shard actors. It is a CAF actor pool whose dispatch runs on the sender's thread: it computes the
// message's key there and enqueues the message straight into that shard's mailbox, so no router
// actor sits in between and no single actor sees every message.
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

caf::actor make_sharded_entry(caf::actor_system& sys, const std::vector<caf::actor>& shards, shard_key key);

// A key from text (a Call-ID, an AOR).
inline std::size_t text_key(std::string_view text) noexcept { return std::hash<std::string_view>{}(text); }

}  // namespace sipactor
