#include "actors/sharded_entry.hpp"

#include <atomic>
#include <utility>

namespace sipactor {
namespace {

// Not a scheduled actor: it has no mailbox and never runs; enqueue forwards on the caller's
// thread. The shard vector is written once, before the handle is handed out, and only read after.
class sharded_entry final : public caf::monitorable_actor {
public:
  sharded_entry(caf::actor_config& cfg, std::vector<caf::actor> shards, shard_key key)
      : caf::monitorable_actor(cfg), shards_(std::move(shards)), key_(std::move(key)) {}

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit* host) override {
    const caf::type_erased_tuple& content = what->content();
    if (content.match_elements<caf::exit_msg>()) {
      end(std::move(what), host);
      return;
    }
    if (shards_.empty() || ended_.load(std::memory_order_acquire)) {
      bounce(what);
      return;
    }
    std::optional<std::size_t> k = key_(content);
    std::size_t index = (k ? *k : next_.fetch_add(1, std::memory_order_relaxed)) % shards_.size();
    shards_[index]->enqueue(std::move(what), host);
  }

  const char* name() const override { return "sharded_entry"; }

private:
  // The exit goes to every shard, as it did when the entry was an actor pool.
  void end(caf::mailbox_element_ptr what, caf::execution_unit* host) {
    if (ended_.exchange(true, std::memory_order_acq_rel)) return;
    caf::error reason = what->content().get_as<caf::exit_msg>(0).reason;
    caf::message exit = what->move_content_to_message();
    for (const auto& shard : shards_) shard->enqueue(what->sender, caf::make_message_id(), exit, host);
    cleanup(std::move(reason), host);
  }

  const std::vector<caf::actor> shards_;
  const shard_key key_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> ended_{false};
};

}  // namespace

caf::actor make_sharded_entry(caf::actor_system& sys, const std::vector<caf::actor>& shards, shard_key key) {
  caf::actor_config cfg{sys.dummy_execution_unit()};
  return caf::make_actor<sharded_entry, caf::actor>(sys.next_actor_id(), sys.node(), &sys, cfg, shards,
                                                    std::move(key));
}

}  // namespace sipactor
