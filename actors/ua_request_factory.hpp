// The UAC side of RFC 3261 §8.1 outside of dialogs: new requests (§8.1.1), CANCEL (§9.1), and the
// method-independent response processing of §8.1.3 (Vias, 3xx target sets, which 4xx ask for a
// retry). Pure functions and values: no actor, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/ua_outgoing_request.hpp"
#include "messages/expected.hpp"
#include "messages/message.hpp"
#include "messages/parser.hpp"

namespace sipactor {

// Who the UA is, for every request it originates.
struct uac_identity {
  std::string from;          // §8.1.1.3: name-addr without tag, e.g. "Alice <sip:alice@atlanta.example.com>"
  std::string contact;       // §8.1.1.8: e.g. "<sip:alice@client.atlanta.example.com;transport=tcp>"
  std::string call_id_host;  // §8.1.1.4: the "@host" of new Call-IDs; empty for none
  // §8.1.1.1: the pre-existing route set, in order (an outbound proxy is "a pre-existing route set
  // with a single URI"). Entries as parse_route_entry() reads them.
  std::vector<std::string> preloaded_route;
  std::string user_agent;               // §20.41; empty: no User-Agent
  std::vector<std::string> supported;   // §8.1.1.9: option tags for Supported; empty: none
};

// One request to originate. Empty fields take the §8.1.1 defaults.
struct request_spec {
  std::string method;
  std::string request_uri;  // §8.1.1.1: the target (with a pre-existing route set, the remote target)
  std::string to;           // §8.1.1.2: name-addr without tag; empty: "<request_uri>"
  // For a request that repeats another (§8.1.3.4 redirection, §8.1.3.5 retry, §10.2 REGISTER):
  std::string call_id;      // empty: new_call_id() (§8.1.1.4)
  std::string from_tag;     // empty: new_tag() (§8.1.1.3)
  std::optional<std::uint32_t> cseq;  // empty: initial_cseq() (§8.1.1.5)
  // §8.1.1.8: Contact is added to requests that can establish a dialog (INVITE; SUBSCRIBE and
  // REFER by RFC 6665 and RFC 3515). true / false overrides (REGISTER: the binding, or none).
  std::optional<bool> with_contact;
  std::string content_type;  // §8.1.1.10, §20.15
  std::string body;
};

// Whether a request of this method can establish a dialog, so needs a Contact (§8.1.1.8).
bool establishes_dialog(std::string_view method);

// §8.1.1: To, From with a new tag, Call-ID, CSeq, Max-Forwards 70, Contact, Request-URI and Route
// (from the pre-existing route set by §12.2.1.1), User-Agent, Supported and the body. The Via
// comes with outgoing_request::finish(). Fails for a Request-URI, route or Contact that is not
// usable, and for a SIPS Request-URI or top Route with a non-SIPS Contact (§8.1.1.8).
expected<outgoing_request> make_request(const uac_identity& identity, const request_spec& spec);

// §8.1.3.5: the same request again as a new transaction ("the same value of the Call-ID, To, and
// From of the previous request, but the CSeq should contain a new sequence number that is one
// higher"), without its Via and with a new branch; the caller adds what the retry needs
// (credentials after 401/407, a smaller body after 413, ...). `next_hop` is the one of the
// request sent (with a strict router first, the message alone does not tell it).
outgoing_request request_for_retry(const message_ptr& sent, std::string next_hop);

// §9.1: the CANCEL of `request` (an INVITE): its Request-URI, Call-ID, To, From, top Via only,
// Route, CSeq number with method CANCEL; no Require or Proxy-Require. "The destination address,
// port, and transport for the CANCEL MUST be identical to those used to send the original
// request"; and it must not be sent before a provisional response arrived (the caller's rule).
parse_result make_cancel(const message& request);

// §8.1.3.3: "If more than one Via header field value is present in a response, the UAC SHOULD
// discard the message."
bool response_has_one_via(const message& response);

// §8.1.3.5, §22.2, §22.3: which challenge a response carries, for the Digest client.
enum class auth_challenge : std::uint8_t { none, www_authenticate, proxy_authenticate };
auth_challenge challenge_of(const message& response);  // 401: WWW-Authenticate, 407: Proxy-Authenticate

// §8.1.3.5: 401, 407, 413, 415, 416 and 420 ask for the same request again, changed; "requests
// that are reattempted should not be considered failures" (§8.1.3.4).
bool response_invites_retry(int status);

// One URI of a 3xx target set.
struct redirect_target {
  std::string uri;          // as in the Contact
  std::string request_uri;  // §8.1.3.4: "the entire URI ... except for the method-param and header"
  std::string method;       // §19.1.5: the method parameter ("its value MUST be used as the method"); "" if none
  // §19.1.5: the URI's headers, unescaped, for the caller to honour one by one ("SHOULD NOT honor"
  // From, Call-ID, CSeq, Via, Record-Route, Route, Accept*, Allow, Contact, Organization,
  // Supported and User-Agent).
  std::vector<std::pair<std::string, std::string>> headers;
  int q_milli = 1000;       // q in thousandths; absent q ranks as 1.0
  bool leaves_sips = false;  // §8.1.3.4: a SIPS request redirected to a non-SIPS URI; "SHOULD inform the user"
};

// §8.1.3.4: the target set of one request and the redirections it met. It starts with the
// original Request-URI, takes each URI at most once ("MUST NOT add any given URI to the target
// set more than once", §19.1.4 equivalence), and gives the URIs to try by decreasing q, equal q
// in the order they came ("serial processing in decreasing q-value order").
class redirect_target_set {
 public:
  explicit redirect_target_set(std::string_view original_request_uri);

  // The sip, sips and tel Contacts of a 3xx not in the set yet; returns how many were added.
  std::size_t add_from(const message& response);
  // The next URI to try, or nullopt when the set is exhausted ("the request has failed").
  std::optional<redirect_target> next();
  std::size_t pending() const noexcept { return pending_.size(); }

 private:
  bool known(const uri& u) const;

  bool original_sips_;
  std::vector<std::string> seen_;  // every URI ever in the set, the original first
  std::vector<redirect_target> pending_;
};

}  // namespace sipactor
