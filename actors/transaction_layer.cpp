#include "actors/transaction_layer.hpp"

#include <thread>

#include "actors/transaction_router.hpp"

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

// The shard for a message in `content`: by shard_of() for SIP messages, so that a transaction's
// requests, its responses, its ACK and the CANCEL for it meet on one shard; shard 0 otherwise.
std::size_t shard_for(const caf::type_erased_tuple& content, std::size_t shards) {
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

// The entry is a CAF actor pool whose dispatch runs in the sender's context (a transport reader
// thread, a connection actor, a TU): the message is hashed there and enqueued straight into its
// shard's mailbox, with no router actor in between.
caf::actor_pool::policy dispatch_by_transaction_key() {
  return [](caf::actor_system&, caf::actor_pool::uplock& guard, const caf::actor_pool::actor_vec& shards,
            caf::mailbox_element_ptr& element, caf::execution_unit* host) {
    if (shards.empty()) return;
    caf::actor shard = shards[shard_for(element->content(), shards.size())];
    guard.unlock();
    shard->enqueue(std::move(element), host);
  };
}

}  // namespace

transaction_layer spawn_transaction_layer(caf::actor_system& sys, const transaction_layer_config& config,
                                          caf::actor transport, caf::actor tu) {
  std::size_t n = config.shards;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  transaction_layer layer;
  for (std::size_t i = 0; i < n; ++i) layer.shards.push_back(spawn_router_shard(sys, config, transport, tu));
  // The pool's workers are the shards, in order: the pool asks the factory for them one by one,
  // so worker i is the shard shard_of() numbers i.
  std::size_t next = 0;
  caf::actor_pool::factory existing_shards = [&] { return layer.shards[next++]; };
  layer.entry = caf::actor_pool::make(sys.dummy_execution_unit(), n, existing_shards, dispatch_by_transaction_key());
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
