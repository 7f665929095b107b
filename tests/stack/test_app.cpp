#include "tests/stack/test_app.hpp"

#include <thread>

#include "actors/stack.hpp"
#include "tests/support/real_time_config.hpp"

namespace sipactor::test {

caf::actor spawn_test_app(caf::actor_system& sys, std::shared_ptr<app_log> log, app_script script) {
  return sys.spawn(
      [](caf::event_based_actor* self, std::shared_ptr<app_log> log, app_script script) -> caf::behavior {
        return {
          [=](const incoming_call& c) -> caf::result<answer> {
            {
              std::lock_guard<std::mutex> guard(log->mutex);
              log->calls.push_back(c.invite);
              log->call_handles.push_back(c.call);
            }
            for (const auto& p : script.provisional) self->send(c.call, p);
            if (script.hold) return self->make_response_promise<answer>();  // never delivered
            if (script.decide) return script.decide(*c.invite);
            return script.final_answer;
          },
          [=](const incoming_request& r) {
            std::lock_guard<std::mutex> guard(log->mutex);
            log->requests.push_back(r.request);
            return script.request_answer;
          },
          [=](const call_cancelled& c) {
            std::lock_guard<std::mutex> guard(log->mutex);
            log->cancels.push_back(c.cancel);
          },
          [=](const dialog_ended& e) {
            std::lock_guard<std::mutex> guard(log->mutex);
            log->ended.push_back(e.reason);
            log->ended_dialogs.push_back(e.dialog);
          },
        };
      },
      std::move(log), std::move(script));
}

caf::actor_system_config& stack_test_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    configure_real_time(c);
    add_message_types(c);
    return c;
  }();
  return cfg;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

}  // namespace sipactor::test
