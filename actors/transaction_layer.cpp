#include "actors/transaction_layer.hpp"

#include <thread>

#include "actors/sharded_entry.hpp"
#include "actors/transaction_router.hpp"
#include "transport/socket_waiting_scheduler.hpp"

namespace sipactor {

transaction_layer_counters& transaction_layer_counters::operator+=(const transaction_layer_counters& o) noexcept {
  live += o.live;
  server_created += o.server_created;
  client_created += o.client_created;
  absorbed += o.absorbed;
  acks_to_tu += o.acks_to_tu;
  cancels_unmatched += o.cancels_unmatched;
  stray_responses += o.stray_responses;
  rejected += o.rejected;
  retransmitted += o.retransmitted;
  reused += o.reused;
  idle += o.idle;
  return *this;
}

namespace {

// The shard for a message: by shard_of(), so that a transaction's requests, its responses, its
// ACK and the CANCEL for it meet on one shard (shard_of() reduces modulo `shards` itself).
std::optional<std::size_t> shard_key_of(const caf::type_erased_tuple& content, std::size_t shards) {
  if (content.match_elements<transport::inbound_message>()) {
    const auto& in = content.get_as<transport::inbound_message>(0);
    return in.message ? shard_of(*in.message, shards) : 0;
  }
  if (content.match_elements<client_request>()) {
    const auto& r = content.get_as<client_request>(0);
    return r.request.message ? shard_of(*r.request.message, shards) : 0;
  }
  return 0;
}

}  // namespace

transaction_layer spawn_transaction_layer(caf::actor_system& sys, const transaction_layer_config& config,
                                          caf::actor transport, caf::actor tu) {
  std::size_t n = config.shards;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  transaction_layer layer;
  for (std::size_t i = 0; i < n; ++i) layer.shards.push_back(spawn_router_shard(sys, config, transport, tu));
  if (config.shards_on_home_workers)
    for (std::size_t i = 0; i < n; ++i) transport::set_home_worker(sys, layer.shards[i], i);
  layer.entry = make_sharded_entry(sys, layer.shards,
                                   [n](const caf::type_erased_tuple& content) { return shard_key_of(content, n); });
  return layer;
}

void set_transport(const transaction_layer& layer, const caf::actor& transport) {
  for (const auto& shard : layer.shards) caf::anon_send(shard, transport_atom::value, transport);
}

transaction_layer_counters layer_counters(caf::scoped_actor& self, const transaction_layer& layer) {
  transaction_layer_counters sum;
  for (const auto& shard : layer.shards) {
    self->request(shard, caf::infinite, transport::stats_atom::value)
        .receive([&](const transaction_layer_counters& c) { sum += c; }, [](caf::error&) {});
  }
  return sum;
}

void stop_transaction_layer(const transaction_layer& layer) {
  caf::anon_send_exit(layer.entry, caf::exit_reason::user_shutdown);
  for (const auto& shard : layer.shards) caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
}

}  // namespace sipactor
