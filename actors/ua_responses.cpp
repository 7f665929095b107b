#include "actors/ua_responses.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "messages/identifiers.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out += text::to_lower(c);
}

}  // namespace

std::string response_to_tag(const message& request) {
  static const std::string key = random_token(32);
  std::string data(request.call_id());
  data += '\n';
  append_lower(data, request.from_tag());  // tokens: case-insensitive (§7.3.1)
  data += '\n';
  data += std::to_string(request.cseq().number);
  data += '\n';
  // The CANCEL of a request carries its top Via (§9.1), so it maps to the same tag.
  const via& top = request.top_via();
  if (!top.branch.empty()) append_lower(data, top.branch);
  else data += top.text;

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &length);
  static constexpr char hex[] = "0123456789abcdef";
  std::string tag;
  for (unsigned int i = 0; i < 10 && i < length; ++i) {
    tag += hex[digest[i] >> 4];
    tag += hex[digest[i] & 15];
  }
  return tag;
}

std::string comma_list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ", ";
    out += item;
  }
  return out;
}

message_ptr stateless_response(const message& request, int status, std::string_view reason,
                               const std::vector<header_line>& headers) {
  // §8.2.7: "A stateless UAS MUST NOT send provisional (1xx) responses ... MUST ignore ACK
  // requests ... MUST ignore CANCEL requests."
  if (!request.is_request() || status < 200 || request.method() == sip_method::ack ||
      request.method() == sip_method::cancel)
    return {};
  // "To header tags MUST be generated for responses in a stateless manner - in a manner that
  // will generate the same tag for the same request consistently."
  auto response = message_builder::response_to(request, status, reason, response_to_tag(request));
  for (const header_line& h : headers) response.add_header(h.name, h.value);
  parse_result built = response.build();
  return built.ok() ? built.message : message_ptr{};
}

message_ptr overload_response(const message& request, std::uint32_t retry_after_seconds) {
  // §21.5.4: "If no Retry-After is given, the client MUST act as if it had received a 500".
  std::string seconds = std::to_string(retry_after_seconds);
  return stateless_response(request, 503, {}, {{"Retry-After", seconds}});
}

message_builder options_response(const ua_capabilities& caps, const message& request, int status) {
  auto response = message_builder::response_to(request, status, {}, response_to_tag(request));
  // §11.2: "Allow, Accept, Accept-Encoding, Accept-Language, and Supported header fields SHOULD
  // be present in a 200 (OK) response to an OPTIONS request."
  response.add_header("Allow", comma_list(caps.allowed_methods));
  response.add_header("Accept", comma_list(caps.accept));
  response.add_header("Accept-Encoding", comma_list(caps.accept_encoding));
  response.add_header("Accept-Language", comma_list(caps.accept_language));
  response.add_header("Supported", comma_list(caps.supported));
  return response;
}

}  // namespace sipactor
