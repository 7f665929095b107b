// A target source backed by the registrar's location service (RFC 3261 §16.5: "This may consist
// of obtaining information from a location service created by a SIP Registrar"), for code that
// wants the lookup as an actor of its own.
#include "actors/proxy_env.hpp"

namespace sipactor {

caf::actor spawn_location_target_source(caf::actor_system& sys, const location_service& service) {
  auto env = std::make_shared<proxy_env>();
  env->locations = service;
  // `env` as a spawn argument, not a capture: CAF 0.17 dereferences a null argument tuple for
  // functors without arguments (UBSan: init_fun_factory.hpp).
  return sys.spawn([](caf::event_based_actor* self, std::shared_ptr<proxy_env> env) -> caf::behavior {
    return {
        [=](target_query& q) -> caf::result<target_answer> {
          auto rp = self->make_response_promise<target_answer>();
          find_targets(self, *env, std::move(q.aor), std::move(q.request),
                       [rp](target_answer a) mutable { rp.deliver(std::move(a)); });
          return rp;
        },
    };
  }, env);
}

}  // namespace sipactor
