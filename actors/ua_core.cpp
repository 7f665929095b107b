#include "actors/ua_core.hpp"

#include <atomic>
#include <functional>
#include <thread>
#include <unordered_map>

#include "actors/sharded_entry.hpp"
#include "actors/transaction_layer.hpp"
#include "actors/ua_call.hpp"
#include "actors/ua_merged_requests.hpp"
#include "actors/ua_request.hpp"
#include "actors/ua_responses.hpp"
#include "messages/builder.hpp"
#include "messages/identifiers.hpp"

namespace sipactor {

namespace {

struct shard_state {
  std::shared_ptr<const ua_env> env;
  std::unordered_map<dialog_id, caf::actor, dialog_id_hash> dialogs;  // §12: by dialog ID
  std::unordered_map<std::string, caf::actor> uac_calls;            // Call-ID '\n' From tag
  std::unordered_map<std::string, caf::actor> call_refs;            // the application's names
  std::unordered_map<caf::actor_id, caf::actor> ringing;            // INVITE server transaction -> call
  merged_request_table merged;                                      // §8.2.2.2
  static inline const char* name = "sip-ua-core-shard";
};

using self_ptr = caf::stateful_actor<shard_state>*;

std::string call_key(std::string_view call_id, std::string_view local_tag) {
  std::string key(call_id);
  key += '\n';
  key += local_tag;
  return key;
}

void respond(const caf::actor& transaction, const message_ptr& response, self_ptr self) {
  if (transaction && response) self->send(transaction, response);
}

// A final response built from the request alone (§8.2.6), the To tag the same for every
// retransmission (ua_responses.hpp).
message_ptr reply(const message& request, int status, std::string_view reason = {}) {
  return message_builder::response_to(request, status, reason, response_to_tag(request)).build().message;
}

message_ptr reply_with(const shard_state& st, const message& request, const answer& a) {
  int status = a.status >= 200 && a.status <= 699 ? a.status : 500;
  auto b = message_builder::response_to(request, status, a.reason, response_to_tag(request));
  if (status == 405) b.add_header("Allow", comma_list(st.env->config.policy.capabilities.allowed_methods));
  for (const auto& h : a.headers) b.add_header(h.name, h.value);
  if (!a.body.empty()) b.set_body(a.content_type, a.body);
  auto built = b.build();
  return built.ok() ? built.message : reply(request, 500, "Server Internal Error (invalid answer)");
}

// §9.2: a CANCEL that matched an INVITE server transaction gets 200, and the call is told (it
// answers the INVITE 487 if it has not answered yet); one that matched none gets 481.
void on_cancel(self_ptr self, const tu_request& e) {
  auto& st = self->state;
  const message& cancel = *e.inbound.message;
  if (!e.cancelled_invite) return respond(e.server_transaction, reply(cancel, 481), self);
  respond(e.server_transaction, reply(cancel, 200), self);
  auto i = st.ringing.find(e.cancelled_invite.id());
  if (i != st.ringing.end()) self->send(i->second, cancel_received{e.inbound.message});
}

// A request the application answers (out of any dialog).
void ask_application(self_ptr self, const tu_request& e) {
  auto& st = self->state;
  message_ptr request = e.inbound.message;
  caf::actor txn = e.server_transaction;
  self->request(st.env->app, caf::infinite, incoming_request{request, caf::actor{}})
      .then([=](answer& a) { respond(txn, reply_with(self->state, *request, a), self); },
            [=](caf::error&) { respond(txn, reply(*request, 500, "Server Internal Error (no answer)"), self); });
}

void on_new_request(self_ptr self, tu_request& e) {
  auto& st = self->state;
  const message& request = *e.inbound.message;
  // §8.2: the checks, in order (authentication, were it configured, comes first: issue 6).
  uas_check_result checked = check_request(st.env->config.policy, &st.merged, request,
                                           merged_request_table::clock::now());
  if (!checked.passed()) return respond(e.server_transaction, checked.response, self);
  switch (request.method()) {
    case sip_method::invite: {
      // §9.2: "The To tag of the response to the CANCEL and the To tag in the response to the
      // original request SHOULD be the same": the CANCEL's 200 (reply() in on_cancel) takes
      // response_to_tag() of the CANCEL, which shares Call-ID, From tag, CSeq number and branch
      // with its INVITE; the INVITE's tag is made the same way (80 random-looking bits, §19.3).
      std::string tag = response_to_tag(request);
      dialog_id id{std::string(request.call_id()), tag, std::string(request.from_tag())};
      caf::actor ist = e.server_transaction;
      caf::actor call = spawn_uas_call(self->system(), st.env, std::move(e), tag);
      st.dialogs.emplace(std::move(id), call);
      if (ist) st.ringing.emplace(ist.id(), std::move(call));
      return;
    }
    case sip_method::options:
      // §11.2: the answer a UA gives itself, with its capabilities.
      if (st.env->config.answer_options) {
        auto b = options_response(st.env->config.policy.capabilities, request, 200);
        if (!st.env->config.identity.contact.empty()) b.add_header("Contact", st.env->config.identity.contact);
        return respond(e.server_transaction, b.build().message, self);
      }
      return ask_application(self, e);
    case sip_method::bye:
      // §15.1.2: "If the BYE does not match an existing dialog, the UAS core SHOULD generate a
      // 481 (Call/Transaction Does Not Exist) response".
      return respond(e.server_transaction, reply(request, 481), self);
    default:
      return ask_application(self, e);
  }
}

void on_request(self_ptr self, tu_request& e) {
  auto& st = self->state;
  if (!e.inbound.message) return;
  const message& request = *e.inbound.message;
  if (request.method() == sip_method::cancel) return on_cancel(self, e);
  if (request.to_tag().empty() && request.method() != sip_method::ack) return on_new_request(self, e);
  // §12.2.2: a request with a To tag goes to its dialog; "If the UAS receives a request with a
  // To tag that does not match any existing dialog [...] it SHOULD reject it with 481". An ACK
  // for no dialog is dropped (nothing answers an ACK).
  auto i = st.dialogs.find(uas_dialog_id(request));
  if (i != st.dialogs.end()) {
    self->send(i->second, std::move(e));
    return;
  }
  if (request.method() != sip_method::ack) respond(e.server_transaction, reply(request, 481), self);
}

// A 2xx retransmission after the INVITE client transaction ended (RFC 6026 §7.2), or from a
// fork: to its dialog, else to the call by Call-ID and From tag (§13.2.2.4).
void on_stray(self_ptr self, stray_response& s) {
  auto& st = self->state;
  if (!s.inbound.message || s.inbound.message->status() / 100 != 2) return;
  const message& response = *s.inbound.message;
  if (auto i = st.dialogs.find(uac_dialog_id(response)); i != st.dialogs.end()) {
    self->send(i->second, std::move(s));
    return;
  }
  if (auto i = st.uac_calls.find(call_key(response.call_id(), response.from_tag())); i != st.uac_calls.end())
    self->send(i->second, std::move(s));
}

caf::result<request_outcome> on_send_request(self_ptr self, send_request& r) {
  auto& st = self->state;
  if (r.method == "INVITE" || r.method == "ACK" || r.method == "CANCEL")
    return request_outcome{500, "INVITE goes with place_call; ACK and CANCEL are sent by the UA", {}};
  request_spec spec;
  spec.method = r.method;
  spec.request_uri = r.target;
  spec.to = r.to;
  spec.content_type = r.content_type;
  spec.body = r.body;
  auto made = make_request(st.env->config.identity, spec);
  if (!made) return request_outcome{500, made.reason(), {}};
  for (const auto& h : r.headers) made->request.add_header(h.name, h.value);
  caf::actor sender = spawn_ua_request(self->system(), st.env, std::move(*made), false, caf::actor{}, std::move(r.auth));
  self->delegate(sender, send_atom::value);
  return caf::delegated<request_outcome>{};
}

caf::result<call_outcome> on_place_call(self_ptr self, place_call& c) {
  auto& st = self->state;
  if (!c.call_ref.empty() && st.call_refs.count(c.call_ref) != 0)
    return call_outcome{500, "a call named " + c.call_ref + " is in progress", {}, {}};
  caf::actor call = spawn_uac_call(self->system(), st.env, new_call_id(st.env->config.identity.call_id_host), new_tag());
  if (!c.call_ref.empty()) st.call_refs.emplace(c.call_ref, call);
  self->delegate(call, std::move(c));
  return caf::delegated<call_outcome>{};
}

template <class Map, class Key>
void erase_if_names(Map& map, const Key& key, const caf::actor& who) {
  auto i = map.find(key);
  if (i != map.end() && i->second == who) map.erase(i);
}

caf::behavior shard(self_ptr self) {
  return {
    [=](tu_request& e) { on_request(self, e); },
    [=](stray_response& s) { on_stray(self, s); },
    [=](send_request& r) { return on_send_request(self, r); },
    [=](place_call& c) { return on_place_call(self, c); },
    [=](const cancel_call& c) {
      auto& calls = self->state.call_refs;
      if (auto i = calls.find(c.call_ref); i != calls.end()) self->send(i->second, c);
    },
    [=](dialog_registered& r) { self->state.dialogs[std::move(r.id)] = std::move(r.call); },
    [=](const dialog_forgotten& f) { erase_if_names(self->state.dialogs, f.id, f.call); },
    [=](const call_registered& r) { self->state.uac_calls[call_key(r.call_id, r.local_tag)] = r.call; },
    [=](const call_forgotten& f) {
      erase_if_names(self->state.uac_calls, call_key(f.call_id, f.local_tag), f.call);
      if (!f.call_ref.empty()) erase_if_names(self->state.call_refs, f.call_ref, f.call);
    },
    [=](const invite_answered& a) {
      if (a.server_transaction) self->state.ringing.erase(a.server_transaction.id());
    },
    // Server transaction events need nothing from the core: a call's 2xx retransmission and
    // the application's answers have their own timeouts.
    [](const transaction_timeout&) {},
    [](const transaction_transport_error&) {},
    [](const transaction_terminated&) {},
  };
}

// --- the entry: which shard a message belongs to

std::optional<std::string_view> call_id_of(const caf::type_erased_tuple& content) {
  auto of = [](const message_ptr& m) -> std::optional<std::string_view> {
    if (m) return m->call_id();
    return std::nullopt;
  };
  if (content.match_elements<tu_request>()) return of(content.get_as<tu_request>(0).inbound.message);
  if (content.match_elements<stray_response>()) return of(content.get_as<stray_response>(0).inbound.message);
  if (content.match_elements<dialog_registered>()) return content.get_as<dialog_registered>(0).id.call_id;
  if (content.match_elements<dialog_forgotten>()) return content.get_as<dialog_forgotten>(0).id.call_id;
  if (content.match_elements<call_registered>()) return content.get_as<call_registered>(0).call_id;
  if (content.match_elements<call_forgotten>()) return content.get_as<call_forgotten>(0).call_id;
  if (content.match_elements<invite_answered>()) return content.get_as<invite_answered>(0).call_id;
  if (content.match_elements<transaction_timeout>()) return of(content.get_as<transaction_timeout>(0).request);
  if (content.match_elements<transaction_transport_error>()) return of(content.get_as<transaction_transport_error>(0).request);
  return std::nullopt;
}

// The shard of a message: by Call-ID; place_call and cancel_call by call_ref (so that a cancel
// finds its call); the rest (send_request, place_call without a name) round robin.
std::optional<std::size_t> shard_key_of(const caf::type_erased_tuple& content) {
  if (auto call_id = call_id_of(content)) return text_key(*call_id);
  if (content.match_elements<place_call>() && !content.get_as<place_call>(0).call_ref.empty())
    return text_key(content.get_as<place_call>(0).call_ref);
  if (content.match_elements<cancel_call>()) return text_key(content.get_as<cancel_call>(0).call_ref);
  return std::nullopt;
}

}  // namespace

ua_core spawn_ua_core(caf::actor_system& sys, const std::shared_ptr<ua_env>& env) {
  std::size_t n = env->config.shards;
  if (n == 0) n = std::max(1u, std::thread::hardware_concurrency());
  ua_core core;
  std::shared_ptr<const ua_env> shared = env;
  for (std::size_t i = 0; i < n; ++i) {
    core.shards.push_back(sys.spawn(
        [](self_ptr self, std::shared_ptr<const ua_env> env) -> caf::behavior {
          self->state.env = std::move(env);
          // stop_stack: the calls and dialogs of this shard end with it (their transactions go
          // with the transaction layer); a call's pending 64*T1 timer would otherwise keep it.
          self->set_exit_handler([self](caf::exit_msg& msg) {
            auto& st = self->state;
            for (auto& entry : st.dialogs) self->send_exit(entry.second, msg.reason);
            for (auto& entry : st.uac_calls) self->send_exit(entry.second, msg.reason);
            for (auto& entry : st.call_refs) self->send_exit(entry.second, msg.reason);
            for (auto& entry : st.ringing) self->send_exit(entry.second, msg.reason);
            self->quit(msg.reason);
          });
          return shard(self);
        },
        shared));
  }
  core.entry = make_sharded_entry(sys, core.shards, shard_key_of);
  env->ua = core.entry;
  return core;
}

}  // namespace sipactor
