#include "actors/ua_env.hpp"

#include <algorithm>

namespace sipactor {

namespace {

// This UA's address for `kind` in the family of `to` (§18.1.1: the Via names the address the
// response must come back to).
const transport::listen_point* listen_point_for(const ua_config& config, transport::transport_kind kind,
                                                const transport::socket_address& to) {
  const transport::listen_point* any = nullptr;
  for (const auto& lp : config.listening) {
    if (lp.transport != kind) continue;
    if (lp.address.family() == to.family()) return &lp;
    if (!any) any = &lp;
  }
  return any;
}

}  // namespace

ready_request make_ready(const ua_env& env, outgoing_request& request) {
  ready_request ready;
  auto target = transport::resolve_target(request.next_hop);
  if (!target) {
    ready.error = target.reason();
    return ready;
  }
  // §8.1.2: a SIPS Request-URI goes over TLS whatever the next hop says.
  if (request.sips_request_uri) target->transport = transport::transport_kind::tls;
  const transport::listen_point* local = listen_point_for(env.config, target->transport, target->address);
  if (!local) {
    ready.error = "no " + std::string(transport::to_string(target->transport)) + " listener to send from";
    return ready;
  }
  auto built = request.finish(transport::to_string(target->transport), local->address.host_text() + ":" +
                                                                           std::to_string(local->address.port()));
  if (!built.ok()) {
    ready.error = "the request does not build: " + built.error->reason;
    return ready;
  }
  ready.out = {built.message, target->transport, target->address, target->server_name};
  return ready;
}

auth_retry retry_with_credentials(const ua_env& env, const message_ptr& sent, const message& response,
                                  const std::string& next_hop, const std::vector<std::string>& already_tried,
                                  const credentials& override_account) {
  auth_retry retry;
  // §22.2 (401, WWW-Authenticate -> Authorization), §22.3 (407, Proxy-Authenticate ->
  // Proxy-Authorization).
  bool proxy = response.status() == 407;
  const auto& challenges = proxy ? response.proxy_authenticate() : response.www_authenticate();
  if (!challenges || !sent) return retry;
  std::vector<ua_config::account> given;
  if (!override_account.username.empty()) {
    ua_config::account a;
    a.credentials.username = override_account.username;
    a.credentials.password = override_account.password;
    given.push_back(std::move(a));
  }
  for (const auto& account : given.empty() ? env.config.accounts : given) {
    const auth_value* challenge = auth::choose_challenge(*challenges, account.credentials, account.realm);
    if (!challenge) continue;
    std::string realm = challenge->param_unquoted("realm");
    if (std::find(already_tried.begin(), already_tried.end(), realm) != already_tried.end()) continue;
    std::string cnonce = auth::new_cnonce();
    auto value = auth::credentials_value(*challenge, account.credentials,
                                         {sent->method_name(), sent->request_uri().text, 1, cnonce});
    if (!value) continue;
    retry.request = request_for_retry(sent, next_hop);
    retry.request.request.add_header(proxy ? "Proxy-Authorization" : "Authorization", *value);
    retry.realm = std::move(realm);
    retry.ok = true;
    return retry;
  }
  return retry;
}

}  // namespace sipactor
