#include "actors/stack.hpp"

#include <algorithm>
#include <memory>
#include <thread>
#include <typeindex>

#include "actors/transaction_reuse.hpp"
#include "actors/ua_request.hpp"
#include "transport/socket_waiting_scheduler.hpp"
#include "transport/transport_layer.hpp"

namespace sipactor {

namespace {

// "sip:sipactor@192.0.2.1:5060", with ";transport=tcp" when the first listener is not UDP.
std::string local_uri(const ua_config& ua) {
  if (ua.listening.empty()) return {};
  const auto& first = ua.listening.front();
  std::string uri = "sip:sipactor@" + first.address.host_text() + ":" + std::to_string(first.address.port());
  if (first.transport == transport::transport_kind::tcp) uri += ";transport=tcp";
  if (first.transport == transport::transport_kind::tls) uri = "sips" + uri.substr(3);
  return uri;
}

// Names one of our local message types. caf::actor_system_config::add_message_type would also
// register std::vector<T> and stream<T>, which need a serializer (inspect) that types holding
// a parsed message or actor handles do not have: they never leave the process.
template <class T>
void add_local_type(caf::actor_system_config& cfg, std::string name) {
  cfg.type_names_by_rtti.emplace(std::type_index(typeid(T)), name);
  cfg.value_factories_by_name.emplace(std::move(name), &caf::make_type_erased_value<T>);
  cfg.value_factories_by_rtti.emplace(std::type_index(typeid(T)), &caf::make_type_erased_value<T>);
}

void fill_identity(ua_config& ua) {
  std::string uri = local_uri(ua);
  if (ua.identity.from.empty()) ua.identity.from = "<" + uri + ">";
  if (ua.identity.contact.empty()) ua.identity.contact = "<" + uri + ">";
  if (ua.identity.call_id_host.empty() && !ua.listening.empty()) ua.identity.call_id_host = ua.listening.front().address.ip();
}

}  // namespace

void add_message_types(caf::actor_system_config& cfg) {
  // The application's contract.
  add_local_type<send_request>(cfg, "sipactor::send_request");
  add_local_type<place_call>(cfg, "sipactor::place_call");
  add_local_type<cancel_call>(cfg, "sipactor::cancel_call");
  add_local_type<dialog_request>(cfg, "sipactor::dialog_request");
  add_local_type<request_outcome>(cfg, "sipactor::request_outcome");
  add_local_type<call_outcome>(cfg, "sipactor::call_outcome");
  add_local_type<answer>(cfg, "sipactor::answer");
  add_local_type<incoming_call>(cfg, "sipactor::incoming_call");
  add_local_type<incoming_request>(cfg, "sipactor::incoming_request");
  add_local_type<call_cancelled>(cfg, "sipactor::call_cancelled");
  add_local_type<dialog_ended>(cfg, "sipactor::dialog_ended");
  // Between the stack's own actors.
  add_local_type<transport::inbound_message>(cfg, "sipactor::inbound_message");
  add_local_type<transport::outbound_request>(cfg, "sipactor::outbound_request");
  add_local_type<transport::outbound_response>(cfg, "sipactor::outbound_response");
  add_local_type<transport::send_failed>(cfg, "sipactor::send_failed");
  add_local_type<tu_request>(cfg, "sipactor::tu_request");
  add_local_type<tu_response>(cfg, "sipactor::tu_response");
  add_local_type<transaction_timeout>(cfg, "sipactor::transaction_timeout");
  add_local_type<transaction_transport_error>(cfg, "sipactor::transaction_transport_error");
  add_local_type<transaction_terminated>(cfg, "sipactor::transaction_terminated");
  add_local_type<client_request>(cfg, "sipactor::client_request");
  add_local_type<stray_response>(cfg, "sipactor::stray_response");
  add_local_type<start_server_transaction>(cfg, "sipactor::start_server_transaction");
  add_local_type<start_client_transaction>(cfg, "sipactor::start_client_transaction");
  add_local_type<request_finished>(cfg, "sipactor::request_finished");
  add_local_type<dialog_registered>(cfg, "sipactor::dialog_registered");
  add_local_type<dialog_forgotten>(cfg, "sipactor::dialog_forgotten");
  add_local_type<call_registered>(cfg, "sipactor::call_registered");
  add_local_type<call_forgotten>(cfg, "sipactor::call_forgotten");
  add_local_type<cancel_received>(cfg, "sipactor::cancel_received");
  add_local_type<invite_answered>(cfg, "sipactor::invite_answered");
}

void configure_scheduler(caf::actor_system_config& cfg, std::size_t threads, bool workers_read_udp) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  cfg.set("scheduler.max-threads", threads);
  cfg.set("scheduler.max-throughput", 100);
  cfg.set("work-stealing.aggressive-poll-attempts", std::size_t{100});
  cfg.set("work-stealing.moderate-poll-attempts", std::size_t{0});
  if (workers_read_udp) transport::install_socket_waiting_scheduler(cfg);
}

stack spawn_stack(caf::actor_system& sys, const stack_config& config, caf::actor app) {
  stack s;
  auto env = std::make_shared<ua_env>();
  env->config = config.ua;
  env->app = std::move(app);
  env->config.timers = config.transactions.timers;
  s.core = spawn_ua_core(sys, env);
  s.transactions = spawn_transaction_layer(sys, config.transactions, caf::actor{}, s.core.entry);
  env->transactions = s.transactions.entry;
  transport::transport_layer started = transport::start_transport(sys, config.transport, s.transactions.entry);
  if (!started.actor) {
    s.error = started.error.empty() ? "the transport did not start" : started.error;
    stop_stack(s);
    return s;
  }
  s.transport = started.actor;
  s.listening = started.listening;
  // Complete before the transaction layer lets anything through (set_transport below).
  env->transport = s.transport;
  env->config.listening = s.listening;
  fill_identity(env->config);
  set_transport(s.transactions, s.transport);
  // The entry is dynamically typed; ua_handle names what it answers (actors/ua_core.cpp).
  s.ua = caf::actor_cast<ua_handle>(s.core.entry);
  return s;
}

void stop_stack(const stack& s) {
  if (s.transport) caf::anon_send_exit(s.transport, caf::exit_reason::user_shutdown);
  if (s.transactions.entry) stop_transaction_layer(s.transactions);
  if (s.core.entry) caf::anon_send_exit(s.core.entry, caf::exit_reason::user_shutdown);
  for (const auto& shard : s.core.shards) caf::anon_send_exit(shard, caf::exit_reason::user_shutdown);
}

}  // namespace sipactor
