// The UAS checks of RFC 3261 §8.2, each with its status code and required header, the merged
// request table (§8.2.2.2), the stateless UAS (§8.2.7) and the answer to OPTIONS (§11.2).
#include <catch2/catch.hpp>

#include "actors/ua_merged_requests.hpp"
#include "actors/ua_request_checks.hpp"
#include "actors/ua_responses.hpp"
#include "tests/actors/ua_test_messages.hpp"

namespace sipactor {
namespace {

using ua_test::parsed;
using ua_test::sip;
using namespace std::chrono_literals;

struct request_parts {
  std::string method = "INVITE";
  std::string request_uri = "sip:bob@biloxi.example.com";
  std::string branch = "z9hG4bKnashds8";
  std::string to_tag;
  std::string cseq = "314159";
  std::vector<std::string> extra;
  std::string body;
};

message_ptr request(const request_parts& p) {
  std::string text = p.method + " " + p.request_uri + " SIP/2.0\r\n" +
                     "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=" + p.branch + "\r\n" +
                     "Max-Forwards: 70\r\n"
                     "To: Bob <sip:bob@biloxi.example.com>" + (p.to_tag.empty() ? "" : ";tag=" + p.to_tag) + "\r\n" +
                     "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                     "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                     "CSeq: " + p.cseq + " " + p.method + "\r\n" +
                     "Contact: <sip:alice@pc33.atlanta.example.com>\r\n";
  for (const std::string& line : p.extra) text += line + "\r\n";
  text += "Content-Length: " + std::to_string(p.body.size()) + "\r\n\r\n" + p.body;
  return parsed(text);
}

message_ptr request_with(std::initializer_list<std::string> extra, std::string body = {}) {
  request_parts p;
  p.extra = extra;
  p.body = std::move(body);
  return request(p);
}

// The response is the one described, and survives a round trip.
void check_rejection(const uas_check_result& r, int status) {
  INFO(r.reason);
  CHECK(r.status == status);
  REQUIRE(r.response);
  CHECK(r.response->status() == status);
  CHECK_FALSE(r.response->to_tag().empty());  // §8.2.6.2
  ua_test::round_trip(r.response);
}

const auto now = merged_request_table::clock::time_point{} + 1000s;

}  // namespace

TEST_CASE("§8.2.1: 405 with Allow for a known method not allowed, 501 for an unknown one", "[ua][checks]") {
  uas_policy policy;
  request_parts p;
  CHECK(check_method(policy, *request(p)).passed());

  p.method = "REGISTER";
  uas_check_result r = check_method(policy, *request(p));
  check_rejection(r, 405);
  CHECK(r.response->reason_phrase() == "Method Not Allowed");
  CHECK(ua_test::header_or_empty(*r.response, "Allow") == "INVITE, ACK, CANCEL, BYE, OPTIONS");
  CHECK(r.response->cseq().method == "REGISTER");

  p.method = "FOO";
  uas_check_result unknown = check_method(policy, *request(p));
  check_rejection(unknown, 501);
  CHECK(ua_test::header_or_empty(*unknown.response, "Allow") == "INVITE, ACK, CANCEL, BYE, OPTIONS");

  // Configured methods, and ACK always passes (no response is ever sent to an ACK).
  policy.capabilities.allowed_methods = {"INVITE", "FOO"};
  CHECK(check_method(policy, *request(p)).passed());
  p.method = "ACK";
  CHECK(check_method(policy, *request(p)).passed());
}

TEST_CASE("§8.2.2.1: 416 for an unsupported Request-URI scheme, 404 from the hook", "[ua][checks]") {
  uas_policy policy;
  request_parts p;
  p.request_uri = "im:bob@biloxi.example.com";
  uas_check_result r = check_request_uri(policy, *request(p));
  check_rejection(r, 416);
  CHECK(r.response->reason_phrase() == "Unsupported URI Scheme");

  p.request_uri = "tel:+1-201-555-0123";
  CHECK(check_request_uri(policy, *request(p)).passed());
  policy.uri_schemes = {"sip", "sips"};
  check_rejection(check_request_uri(policy, *request(p)), 416);
  p.request_uri = "SIP:bob@biloxi.example.com";
  CHECK(check_request_uri(policy, *request(p)).passed());

  policy.accepts_request_uri = [](const uri& u) { return u.user == "bob"; };
  p.request_uri = "sip:carol@biloxi.example.com";
  check_rejection(check_request_uri(policy, *request(p)), 404);
  p.request_uri = "sip:bob@client.biloxi.example.com";
  CHECK(check_request_uri(policy, *request(p)).passed());
}

TEST_CASE("§8.2.2.2: a request arriving again along another path is merged: 482", "[ua][checks][merged]") {
  merged_request_table table(16, 32s);
  request_parts p;
  auto first = request(p);
  CHECK(check_merged(table, *first, now).passed());
  // A retransmission belongs to the same transaction.
  CHECK(check_merged(table, *request(p), now + 1s).passed());

  // The same From tag, Call-ID and CSeq with another branch: forked and merged.
  p.branch = "z9hG4bKotherpath";
  uas_check_result r = check_merged(table, *request(p), now + 2s);
  check_rejection(r, 482);
  CHECK(r.response->reason_phrase() == "Loop Detected");

  // Only requests without a To tag are checked.
  p.to_tag = "a6c85cf";
  CHECK(check_merged(table, *request(p), now + 2s).passed());
  p.to_tag.clear();
  // Another CSeq is another request; so is a CANCEL of the first (matched by §9.2 instead).
  p.cseq = "314160";
  CHECK(check_merged(table, *request(p), now + 2s).passed());
  request_parts cancel;
  cancel.method = "CANCEL";
  cancel.branch = "z9hG4bKthirdpath";
  CHECK(check_merged(table, *request(cancel), now + 2s).passed());

  // After the lifetime the first request is forgotten.
  p.cseq = "314159";
  CHECK(check_merged(table, *request(p), now + 40s).passed());
}

TEST_CASE("§8.2.2.2: the merged request table is bounded, the oldest entries go first", "[ua][checks][merged]") {
  merged_request_table table(3, 32s);
  for (int i = 0; i < 5; ++i) {
    request_parts p;
    p.cseq = std::to_string(100 + i);
    CHECK_FALSE(table.merged(*request(p), now));
  }
  CHECK(table.size() == 3);
  request_parts oldest;
  oldest.cseq = "100";
  oldest.branch = "z9hG4bKlater";
  CHECK_FALSE(table.merged(*request(oldest), now));  // forgotten: not merged
  request_parts newest;
  newest.cseq = "104";
  newest.branch = "z9hG4bKlater";
  CHECK(table.merged(*request(newest), now));
}

TEST_CASE("§8.2.2.3: 420 with Unsupported listing the option tags not understood", "[ua][checks]") {
  uas_policy policy;
  policy.capabilities.supported = {"timer"};
  CHECK(check_require(policy, *request_with({"Require: timer"})).passed());

  uas_check_result r = check_require(policy, *request_with({"Require: 100rel, Timer", "Require: foo, 100rel"}));
  check_rejection(r, 420);
  CHECK(r.response->reason_phrase() == "Bad Extension");
  CHECK(ua_test::header_or_empty(*r.response, "Unsupported") == "100rel, foo");

  // "These header fields MUST be ignored" in CANCEL (and in ACK).
  request_parts cancel;
  cancel.method = "CANCEL";
  cancel.extra = {"Require: 100rel"};
  CHECK(check_require(policy, *request(cancel)).passed());
}

TEST_CASE("§8.2.3: 415 with Accept, Accept-Encoding or Accept-Language", "[ua][checks]") {
  uas_policy policy;
  CHECK(check_content(policy, *request_with({"Content-Type: application/sdp"}, "v=0\r\n")).passed());
  CHECK(check_content(policy, *request_with({"Content-Type: Application/SDP"}, "v=0\r\n")).passed());
  CHECK(check_content(policy, *request_with({})).passed());  // no body

  uas_check_result type = check_content(policy, *request_with({"Content-Type: text/plain"}, "hello"));
  check_rejection(type, 415);
  CHECK(type.response->reason_phrase() == "Unsupported Media Type");
  CHECK(ua_test::header_or_empty(*type.response, "Accept") == "application/sdp");
  CHECK(type.response->header_count(header_id::accept_encoding) == 0);

  uas_check_result encoding =
      check_content(policy, *request_with({"Content-Type: application/sdp", "Content-Encoding: gzip"}, "x"));
  check_rejection(encoding, 415);
  CHECK(ua_test::header_or_empty(*encoding.response, "Accept-Encoding") == "identity");
  CHECK(encoding.response->header_count(header_id::accept) == 0);

  uas_check_result language =
      check_content(policy, *request_with({"Content-Type: application/sdp", "Content-Language: fr"}, "x"));
  check_rejection(language, 415);
  CHECK(ua_test::header_or_empty(*language.response, "Accept-Language") == "en");
  CHECK(check_content(policy, *request_with({"Content-Type: application/sdp", "Content-Language: en-US"}, "x")).passed());

  // An optional body part may be ignored (§20.11).
  CHECK(check_content(policy, *request_with({"Content-Type: text/plain", "Content-Disposition: render;handling=optional"},
                                             "hello"))
            .passed());
  CHECK_FALSE(check_content(policy, *request_with({"Content-Type: text/plain", "Content-Disposition: render"}, "hello"))
                  .passed());

  policy.capabilities.accept = {"application/sdp", "text/*"};
  CHECK(check_content(policy, *request_with({"Content-Type: text/plain"}, "hello")).passed());
  policy.capabilities.accept = {"*/*"};
  CHECK(check_content(policy, *request_with({"Content-Type: image/png"}, "hello")).passed());
}

TEST_CASE("§21.5.7 / §21.4.11: 513 for a message, 413 for a body too large", "[ua][checks]") {
  uas_policy policy;
  policy.max_message_bytes = 2000;
  policy.max_body_bytes = 100;
  CHECK(check_size(policy, *request_with({"Content-Type: application/sdp"}, std::string(100, 'x'))).passed());
  check_rejection(check_size(policy, *request_with({"Content-Type: application/sdp"}, std::string(101, 'x'))), 413);
  policy.max_body_bytes = 10000;
  check_rejection(check_size(policy, *request_with({"Content-Type: application/sdp"}, std::string(2000, 'x'))), 513);
}

TEST_CASE("§8.2: check_request runs the steps in the RFC's order", "[ua][checks]") {
  uas_policy policy;
  merged_request_table table;
  request_parts p;
  p.method = "REGISTER";
  p.request_uri = "im:bob@biloxi.example.com";
  p.extra = {"Require: 100rel"};
  CHECK(check_request(policy, &table, *request(p), now).status == 405);
  p.method = "INVITE";
  CHECK(check_request(policy, &table, *request(p), now).status == 416);
  p.request_uri = "sip:bob@biloxi.example.com";
  CHECK(check_request(policy, &table, *request(p), now).status == 420);
  p.branch = "z9hG4bKforked";
  CHECK(check_request(policy, &table, *request(p), now).status == 482);
  p.extra = {"Content-Type: text/plain"};
  p.body = "hi";
  p.cseq = "1";
  CHECK(check_request(policy, &table, *request(p), now).status == 415);
  p.extra = {"Content-Type: application/sdp"};
  p.cseq = "2";
  CHECK(check_request(policy, &table, *request(p), now).passed());
  CHECK(check_request(policy, nullptr, *request(p), now).passed());
}

TEST_CASE("§8.2.7: the stateless UAS answers a flood with 503 and Retry-After", "[ua][stateless]") {
  request_parts p;
  auto invite = request(p);
  message_ptr busy = overload_response(*invite, 5);
  REQUIRE(busy);
  CHECK(busy->status() == 503);
  REQUIRE(busy->retry_after().ok());
  CHECK(busy->retry_after()->seconds == 5);
  ua_test::round_trip(busy);

  // The same tag for a retransmission, and for the CANCEL of the request (§9.2).
  CHECK(overload_response(*request(p), 5)->to_tag() == busy->to_tag());
  request_parts cancel = p;
  cancel.method = "CANCEL";
  CHECK(response_to_tag(*request(cancel)) == busy->to_tag());
  // Another request, another tag.
  request_parts other = p;
  other.branch = "z9hG4bKanother";
  CHECK(response_to_tag(*request(other)) != busy->to_tag());
  CHECK(busy->to_tag().size() == 20);

  // It ignores ACK and CANCEL and sends no provisional response.
  CHECK_FALSE(stateless_response(*request(cancel), 503));
  request_parts ack = p;
  ack.method = "ACK";
  CHECK_FALSE(stateless_response(*request(ack), 503));
  CHECK_FALSE(stateless_response(*invite, 180));
  message_ptr challenge = stateless_response(*invite, 401, {}, {{"WWW-Authenticate", "Digest realm=\"biloxi.example.com\", nonce=\"abc\""}});
  REQUIRE(challenge);
  CHECK(challenge->www_authenticate().ok());
}

TEST_CASE("§11.2: the answer to OPTIONS lists Allow, Accept, Accept-Encoding, Accept-Language, Supported", "[ua][options]") {
  auto options = parsed(sip({
      "OPTIONS sip:carol@chicago.com SIP/2.0",
      "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877",
      "Max-Forwards: 70",
      "To: <sip:carol@chicago.com>",
      "From: Alice <sip:alice@atlanta.com>;tag=1928301774",
      "Call-ID: a84b4c76e66710",
      "CSeq: 63104 OPTIONS",
      "Contact: <sip:alice@pc33.atlanta.com>",
      "Accept: application/sdp",
  }));
  ua_capabilities caps;
  caps.accept_encoding = {"gzip"};
  caps.supported = {"foo"};
  auto response = ua_test::built(options_response(caps, *options).add_header("Contact", "<sip:carol@chicago.com>"));
  CHECK(response->status() == 200);
  CHECK_FALSE(response->to_tag().empty());
  CHECK(ua_test::header_or_empty(*response, "Allow") == "INVITE, ACK, CANCEL, BYE, OPTIONS");
  CHECK(ua_test::header_or_empty(*response, "Accept") == "application/sdp");
  CHECK(ua_test::header_or_empty(*response, "Accept-Encoding") == "gzip");
  CHECK(ua_test::header_or_empty(*response, "Accept-Language") == "en");
  CHECK(ua_test::header_or_empty(*response, "Supported") == "foo");
  REQUIRE(response->allow().ok());
  CHECK(response->allow()->size() == 5);

  // A busy UA answers OPTIONS as it would answer INVITE; no extension: an empty Supported.
  auto busy = ua_test::built(options_response(ua_capabilities{}, *options, 486));
  CHECK(busy->status() == 486);
  CHECK(busy->header_count(header_id::supported) == 1);
}

}  // namespace sipactor
