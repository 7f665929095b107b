#include "actors/sharded_entry.hpp"

#include <atomic>
#include <memory>

namespace sipactor {

caf::actor make_sharded_entry(caf::actor_system& sys, const std::vector<caf::actor>& shards, shard_key key) {
  auto next = std::make_shared<std::atomic<std::size_t>>(0);
  caf::actor_pool::policy dispatch = [key = std::move(key), next](
                                         caf::actor_system&, caf::actor_pool::uplock& guard,
                                         const caf::actor_pool::actor_vec& workers, caf::mailbox_element_ptr& element,
                                         caf::execution_unit* host) {
    // A CAF 0.17 pool drops everything once it has no workers (they died): nothing to do then.
    if (workers.empty()) return;
    auto k = key(element->content());
    std::size_t index = (k ? *k : next->fetch_add(1, std::memory_order_relaxed)) % workers.size();
    caf::actor target = workers[index];
    guard.unlock();
    target->enqueue(std::move(element), host);
  };
  // The pool's workers are the shards, in order: it asks the factory for them one by one, so
  // worker i is shard i.
  std::size_t i = 0;
  caf::actor_pool::factory existing = [&] { return shards[i++]; };
  return caf::actor_pool::make(sys.dummy_execution_unit(), shards.size(), existing, std::move(dispatch));
}

}  // namespace sipactor
