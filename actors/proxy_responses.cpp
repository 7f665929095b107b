#include "actors/proxy_responses.hpp"

#include "actors/ua_responses.hpp"
#include "messages/builder.hpp"

namespace sipactor {

namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

bool resubmission_hint(int status) {
  return status == 401 || status == 407 || status == 415 || status == 420 || status == 484;
}

// Lower ranks first within the class chosen.
int rank(int status) {
  if (status / 100 == 4) return resubmission_hint(status) ? 0 : 1;
  if (status == 503) return 1;
  return 0;
}

bool is_challenge(int status) { return status == 401 || status == 407; }

}  // namespace

response_disposition dispose(const message& response, bool final_sent) {
  int status = response.status();
  if (final_sent) {
    return status / 100 == 2 && response.method() == sip_method::invite ? response_disposition::forward_now
                                                                         : response_disposition::drop;
  }
  if (status == 100) return response_disposition::drop;  // "MUST NOT forward any 100 (Trying)"
  if (status < 200 || status / 100 == 2) return response_disposition::forward_now;
  return response_disposition::keep;
}

std::size_t choose_best_response(const std::vector<context_response>& responses) {
  std::size_t best = none;
  auto better = [](int a, int b) {
    // Is status a better than status b?
    bool a6 = a / 100 == 6, b6 = b / 100 == 6;
    if (a6 != b6) return a6;
    if (a / 100 != b / 100) return a / 100 < b / 100;
    return rank(a) < rank(b);
  };
  for (std::size_t i = 0; i < responses.size(); ++i) {
    if (!responses[i].response) continue;
    if (best == none || better(responses[i].response->status(), responses[best].response->status())) best = i;
  }
  return best;
}

message_ptr without_top_via(const message_ptr& response) {
  auto b = message_builder::copy_of(response);
  b.pop_via();
  auto built = b.build();
  return built.ok() ? built.message : message_ptr{};
}

message_ptr proxy_response(const message& request, int status, std::string_view reason) {
  std::string tag = request.to_tag().empty() ? response_to_tag(request) : std::string{};
  auto built = message_builder::response_to(request, status, reason, tag).build();
  return built.ok() ? built.message : message_ptr{};
}

message_ptr best_response(const std::vector<context_response>& responses, const message& request) {
  std::size_t best = choose_best_response(responses);
  // "If there are no final responses in the context, the proxy MUST send a 408".
  if (best == none) return proxy_response(request, 408);
  const context_response& chosen = responses[best];
  int status = chosen.response->status();
  if (status != 503 && !is_challenge(status) && !chosen.our_via_on_top) return chosen.response;
  auto b = message_builder::copy_of(chosen.response);
  if (chosen.our_via_on_top) b.pop_via();
  if (status == 503) {
    // §16.7 step 6: a 503 becomes a 500; its Retry-After spoke of the element downstream.
    b.set_status(500, "Server Internal Error");
    b.remove_header("Retry-After");
  }
  if (is_challenge(status)) {
    for (std::size_t i = 0; i < responses.size(); ++i) {
      if (i == best || !responses[i].response || !is_challenge(responses[i].response->status())) continue;
      const message& other = *responses[i].response;
      other.for_each_header(header_id::www_authenticate, [&](const header& h) { b.add_header("WWW-Authenticate", h.value); });
      other.for_each_header(header_id::proxy_authenticate,
                            [&](const header& h) { b.add_header("Proxy-Authenticate", h.value); });
    }
  }
  auto built = b.build();
  return built.ok() ? built.message : proxy_response(request, 500);
}

}  // namespace sipactor
