// Transaction matching (RFC 3261 §17.1.3, §17.2.3, §9.2) and shard selection.
#include <catch2/catch.hpp>

#include "actors/transaction_key.hpp"
#include "messages/builder.hpp"
#include "messages/parser.hpp"
#include "tests/test_files.hpp"

namespace sipactor {
namespace {

message_ptr request(const std::string& method, const std::string& branch, const std::string& cseq_method = "",
                    const std::string& sent_by = "pc33.example.com:5060", const std::string& to_tag = "") {
  std::string cm = cseq_method.empty() ? method : cseq_method;
  auto r = parse_message(method + " sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP " + sent_by +
                         (branch.empty() ? "" : ";branch=" + branch) +
                         "\r\nTo: <sip:bob@example.com>" + (to_tag.empty() ? "" : ";tag=" + to_tag) +
                         "\r\nFrom: <sip:alice@example.com>;tag=f1\r\nCall-ID: call-1\r\nCSeq: 7 " + cm +
                         "\r\nContent-Length: 0\r\n\r\n");
  REQUIRE(r.ok());
  return r.message;
}

}  // namespace

TEST_CASE("§17.2.3: branch, sent-by and method identify a server transaction", "[transaction-key]") {
  auto invite = request("INVITE", "z9hG4bK776asdhds");
  auto retransmission = request("INVITE", "z9hG4bK776ASDHDS");  // tokens compare case-insensitively
  auto ack = request("ACK", "z9hG4bK776asdhds", "", "pc33.example.com:5060", "t9");
  auto cancel = request("CANCEL", "z9hG4bK776asdhds");
  auto other_host = request("INVITE", "z9hG4bK776asdhds", "", "evil.example.com:5060");
  auto other_branch = request("INVITE", "z9hG4bK776asdhdt");
  CHECK(server_key(*invite) == server_key(*retransmission));
  CHECK(server_key(*ack) == server_key(*invite));  // ACK for a non-2xx joins the INVITE (rule 3)
  CHECK(server_key(*cancel) != server_key(*invite));  // CANCEL is a transaction of its own
  CHECK(cancelled_invite_key(*cancel) == server_key(*invite));  // §9.2
  CHECK(server_key(*other_host) != server_key(*invite));  // sent-by guards duplicated branches
  CHECK(server_key(*other_branch) != server_key(*invite));
  CHECK(server_key(*invite).hash() == server_key(*retransmission).hash());
}

TEST_CASE("§17.2.3: RFC 2543 requests without the magic cookie (RFC 4475 inv2543)", "[transaction-key]") {
  auto inv = parse_message(test::torture("inv2543"));
  REQUIRE(inv.ok());
  transaction_key k = server_key(*inv.message);
  CHECK(k.rfc2543);
  CHECK(k.method == "INVITE");
  CHECK(k == server_key(*inv.message));
  // Its ACK: same Request-URI, From tag, Call-ID, CSeq number and top Via.
  auto ack = message_builder::copy_of(inv.message);
  ack.set_body("", "");
  std::string ack_bytes = ack.serialize();
  ack_bytes.replace(0, 6, "ACK");
  ack_bytes.replace(ack_bytes.find("CSeq: 56 INVITE"), 15, "CSeq: 56 ACK");
  auto parsed_ack = parse_message(ack_bytes);
  REQUIRE(parsed_ack.ok());
  CHECK(server_key(*parsed_ack.message) == k);
  // A different CSeq number is a different transaction.
  std::string next = ack_bytes;
  next.replace(next.find("CSeq: 56 ACK"), 12, "CSeq: 57 ACK");
  CHECK(server_key(*parse_message(next).message) != k);
  // RFC 4475 badbranch: the bare cookie is a (degenerate) RFC 3261 branch.
  auto bad = parse_message(test::torture("badbranch"));
  REQUIRE(bad.ok());
  CHECK_FALSE(server_key(*bad.message).rfc2543);
}

TEST_CASE("§17.1.3: responses match client transactions by branch and CSeq method", "[transaction-key]") {
  auto invite = request("INVITE", "z9hG4bKc1");
  auto cancel = request("CANCEL", "z9hG4bKc1");
  auto ok_invite = message_builder::response_to(*invite, 200, {}, "t").build();
  auto ok_cancel = message_builder::response_to(*cancel, 200, {}, "t").build();
  REQUIRE((ok_invite.ok() && ok_cancel.ok()));
  CHECK(client_key(*ok_invite.message) == client_key_of_request(*invite));
  CHECK(client_key(*ok_cancel.message) == client_key_of_request(*cancel));
  CHECK(client_key(*ok_cancel.message) != client_key_of_request(*invite));  // same branch, other method
}

TEST_CASE("every message of a transaction lands on one shard", "[transaction-key]") {
  for (std::size_t shards : {1u, 2u, 7u, 16u}) {
    for (int i = 0; i < 50; ++i) {
      std::string branch = "z9hG4bK-" + std::to_string(i);
      auto invite = request("INVITE", branch);
      auto ack = request("ACK", branch, "", "pc33.example.com:5060", "t");
      auto cancel = request("CANCEL", branch);
      auto response = message_builder::response_to(*invite, 180, {}, "t").build();
      std::size_t s = shard_of(*invite, shards);
      CHECK(s < shards);
      CHECK(shard_of(*ack, shards) == s);
      CHECK(shard_of(*cancel, shards) == s);
      CHECK(shard_of(*response.message, shards) == s);
    }
  }
}

}  // namespace sipactor
