// The contract between a sipactor stack and the application that uses it (RFC 3261 §8-15): the
// commands an application sends and what each returns, and the events it receives. This is the
// whole public surface of the UA; actors/stack.hpp spawns a stack that speaks it.
//
// The application is a CAF actor. It
//   - places calls and sends requests with request(), and gets the final outcome in .then():
//       self->request(stack.ua, caf::infinite, place_call{"sip:bob@example.com", sdp})
//           .then([](const call_outcome& o) { if (o.dialog) ... });
//   - answers what it receives by returning an `answer` from its handler (or later through a
//     response promise); provisional answers to an INVITE go to the call handle as plain sends.
//   - ends a dialog with request(dialog, caf::infinite, dialog_request{"BYE"}).
#pragma once

#include <caf/all.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "messages/message.hpp"

namespace sipactor {

struct header_field {
  std::string name;
  std::string value;
};

// A username and password for Digest challenges (RFC 3261 §22.2-22.3).
struct credentials {
  std::string username;
  std::string password;
};

// --- commands from the application

// Out of any dialog, a request other than INVITE, ACK, CANCEL (OPTIONS §11, MESSAGE, REGISTER
// §10.2, ...). Answered with request_outcome.
struct send_request {
  std::string method;
  std::string target;  // Request-URI (§8.1.1.1); also the To URI unless `to` is given
  std::vector<header_field> headers;
  std::string content_type;
  std::string body;
  std::string to;  // To URI when it differs from the target (e.g. REGISTER, §10.2)
  // Answers 401/407 with these instead of the stack's configured accounts (e.g. one REGISTER per
  // user, §10.2); empty username: the configured accounts.
  credentials auth;
};

// An INVITE out of any dialog (§13.2.1). Answered with call_outcome once the call is answered
// (2xx), fails, or is cancelled. `call_ref`, chosen by the application, names the call for
// cancel_call until then.
struct place_call {
  std::string target;
  std::string content_type;  // e.g. application/sdp
  std::string body;
  std::vector<header_field> headers;
  std::string call_ref;
};

// §9.1: cancels the pending call named `call_ref`; its call_outcome then reports 487 (or the
// answer that crossed the CANCEL).
struct cancel_call {
  std::string call_ref;
};

// To a dialog handle (call_outcome::dialog, incoming_call::call): a request within the dialog
// (§12.2.1): BYE (§15) ends it, INVITE is a re-INVITE (§14), or INFO, UPDATE, MESSAGE, ...
// Answered with request_outcome.
struct dialog_request {
  std::string method;
  std::vector<header_field> headers;
  std::string content_type;
  std::string body;
};

// The final outcome of send_request or dialog_request: the final response, or, when none came,
// a status the UA made up: 408 for a timeout, 503 for a transport error (§8.1.3.1), 500 for a
// request the UA could not build (the reason says why).
struct request_outcome {
  int status = 0;
  std::string reason;
  message_ptr response;  // empty when the status was made up
};

// The final outcome of place_call. On 2xx, `dialog` is the dialog's handle (§12.1.2): it takes
// dialog_request and reports dialog_ended; the ACK has been sent (§13.2.2.4).
struct call_outcome {
  int status = 0;
  std::string reason;
  message_ptr response;
  caf::actor dialog;
};

// --- the application's answers

// A response to an incoming request (§8.2.6): status, optional reason phrase, extra headers and
// a body. The UA adds what the RFC requires (Via, From, To with a tag, Call-ID, CSeq, Contact
// for a dialog-creating 2xx, §12.1.1).
struct answer {
  int status = 200;
  std::string reason;
  std::vector<header_field> headers;
  std::string content_type;
  std::string body;
};

// --- events to the application

// A new INVITE (§13.3.1). Sent with request(): the application returns the final `answer` (at
// once, or later through a response promise), and may send provisional ones (180, 183) to
// `call` first. After a 2xx, `call` is the dialog's handle. If the caller cancels first, the UA
// answers 487 itself and sends call_cancelled (§9.2); the application's answer is then dropped.
struct incoming_call {
  message_ptr invite;
  caf::actor call;
};

// Any other new request for the application: out of a dialog (dialog empty) or within one (a
// re-INVITE, INFO, MESSAGE; BYE is answered by the UA, which reports dialog_ended). Sent with
// request(): the application returns the `answer`.
struct incoming_request {
  message_ptr request;
  caf::actor dialog;
};

// The caller cancelled an incoming call before it was answered (§9.2).
struct call_cancelled {
  caf::actor call;
  message_ptr cancel;
};

// A dialog ended (§15: BYE sent or received, a 2xx never acknowledged (§13.3.1.4), a 481 or
// 408 to a request in the dialog (§12.2.1.2)). The dialog's actor is gone after this.
struct dialog_ended {
  caf::actor dialog;
  std::string reason;
};

}  // namespace sipactor

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::send_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::place_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::cancel_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::dialog_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::request_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::call_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::incoming_call)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::incoming_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::call_cancelled)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sipactor::dialog_ended)
