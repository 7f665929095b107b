#include "apps/stress_responder.hpp"

#include "actors/ua_api.hpp"
#include "apps/stress_runner.hpp"

namespace sipactor::apps {

namespace {

const char answer_sdp[] =
    "v=0\r\no=sipactor 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 6002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

}  // namespace

caf::actor spawn_stress_responder(caf::actor_system& sys) {
  return sys.spawn(
      [](caf::stateful_actor<responder_counts>* self, int) -> caf::behavior {
        return {
          [=](const incoming_call&) {
            ++self->state.calls;
            return answer{200, {}, {}, "application/sdp", answer_sdp};
          },
          [=](const incoming_request&) {
            ++self->state.requests;
            return answer{200, {}, {}, {}, {}};
          },
          [=](const dialog_ended&) { ++self->state.ended; },
          [=](const call_cancelled&) { ++self->state.cancelled; },
          [=](snapshot_atom) { return self->state; },
        };
      },
      0);
}

}  // namespace sipactor::apps
