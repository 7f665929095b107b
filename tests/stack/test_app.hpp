// An application for stack tests (actors/ua_api.hpp): answers calls and requests as its script
// says and logs every event, for the test thread to read.
#pragma once

#include <caf/all.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "actors/ua_api.hpp"

namespace sipactor::test {

struct app_script {
  std::vector<answer> provisional;     // sent to the call before the final answer
  answer final_answer{200, {}, {}, "application/sdp", "v=0\r\n"};
  bool hold = false;                   // never answer calls finally (a CANCEL is coming)
  answer request_answer{200, {}, {}, {}, {}};  // the answer to every incoming_request
  // When set, decides the final answer to each INVITE instead of final_answer.
  std::function<answer(const message&)> decide;
};

struct app_log {
  std::mutex mutex;
  std::vector<message_ptr> calls;          // incoming_call INVITEs
  std::vector<caf::actor> call_handles;
  std::vector<message_ptr> requests;       // incoming_request
  std::vector<message_ptr> cancels;        // call_cancelled
  std::vector<std::string> ended;          // dialog_ended reasons
  std::vector<caf::actor> ended_dialogs;

  template <class F>
  auto read(F f) {
    std::lock_guard<std::mutex> guard(mutex);
    return f(*this);
  }
};

caf::actor spawn_test_app(caf::actor_system& sys, std::shared_ptr<app_log> log, app_script script);

// The configuration of actor systems that hold stacks in tests: real time and sockets
// (tests/support/real_time_config.hpp) and sipactor's message types (the embedding API's one
// call). One per test binary.
caf::actor_system_config& stack_test_config();

// Polls `done` every 10 ms until it holds or `limit` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10));

}  // namespace sipactor::test
