#include "actors/dialog_state.hpp"

#include <algorithm>

#include "messages/compare.hpp"
#include "messages/text.hpp"

namespace sipactor {

bool operator==(const dialog_id& a, const dialog_id& b) noexcept {
  return call_ids_equal(a.call_id, b.call_id) && tags_equal(a.local_tag, b.local_tag) &&
         tags_equal(a.remote_tag, b.remote_tag);
}

std::size_t dialog_id::hash() const noexcept {
  // FNV-1a over the Call-ID as is and the tags lower-cased, with separators.
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&](char c) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  };
  for (char c : call_id) mix(c);
  mix('\0');
  for (char c : local_tag) mix(text::to_lower(c));
  mix('\0');
  for (char c : remote_tag) mix(text::to_lower(c));
  return static_cast<std::size_t>(h);
}

dialog_id uas_dialog_id(const message& m) {
  // §12: "the Call-ID value of the dialog ID is set to the Call-ID of the message, the remote tag
  // is set to the tag in the From field of the message, and the local tag is set to the tag in
  // the To field of the message."
  return dialog_id{std::string(m.call_id()), std::string(m.to_tag()), std::string(m.from_tag())};
}

dialog_id uac_dialog_id(const message& m) {
  // §12: "the remote tag is set to the tag in the To field of the message, and the local tag is
  // set to the tag in the From field of the message".
  return dialog_id{std::string(m.call_id()), std::string(m.from_tag()), std::string(m.to_tag())};
}

namespace {

// §12.1: "only 2xx and 101-199 responses with a To tag, where the request was INVITE, will
// establish a dialog."
const char* cannot_establish(const message& request, const message& response) {
  if (!request.is_request() || !response.is_response()) return "a dialog needs a request and its response";
  if (request.method() != sip_method::invite) return "only an INVITE establishes a dialog here (§12.1)";
  if (response.status() < 101 || response.status() > 299) return "only 101-299 responses establish a dialog (§12.1)";
  if (response.to_tag().empty()) return "a response without To tag establishes no dialog (§12.1)";
  if (response.call_id() != request.call_id() || response.cseq().number != request.cseq().number)
    return "the response does not answer the request";
  return nullptr;
}

// The URI of the first Contact if it is a SIP or SIPS URI (§12.1.1, §12.1.2: "The URI provided in
// the Contact header field MUST be a SIP or SIPS URI").
std::optional<std::string> contact_uri(const message& m) {
  if (m.header_count(header_id::contact) == 0) return std::nullopt;
  const contact_list& contacts = m.contacts();
  if (contacts.star || contacts.contacts.empty() || !contacts.contacts.front().address.address.is_sip())
    return std::nullopt;
  return std::string(contacts.contacts.front().address.address.text);
}

std::string contact_value(const message& m) {
  if (m.header_count(header_id::contact) == 0 || m.contacts().contacts.empty()) return {};
  return std::string(m.contacts().contacts.front().address.text);
}

std::vector<route_entry> route_set_of(const std::vector<name_addr>& record_routes) {
  std::vector<route_entry> routes;
  routes.reserve(record_routes.size());
  for (const name_addr& rr : record_routes) routes.push_back(route_entry_of(rr));
  return routes;
}

}  // namespace

expected<dialog_state> make_uas_dialog(const message& request, const message& response, bool over_tls) {
  if (const char* reason = cannot_establish(request, response)) return failure{reason};
  auto remote_target = contact_uri(request);
  if (!remote_target) return failure{"the request has no SIP or SIPS Contact (§8.1.1.8)"};
  std::string local_contact = contact_value(response);
  if (local_contact.empty()) return failure{"the response has no Contact (§12.1.1: the UAS MUST add one)"};

  dialog_state d;
  d.role = dialog_role::uas;
  d.phase = response.status() >= 200 ? dialog_phase::confirmed : dialog_phase::early;
  // §12.1.1: "If the request arrived over TLS, and the Request-URI contained a SIPS URI, the
  // "secure" flag is set to TRUE."
  d.secure = over_tls && request.request_uri().scheme == uri_scheme::sips;
  // "The route set MUST be set to the list of URIs in the Record-Route header field from the
  // request, taken in order and preserving all URI parameters."
  d.route_set = route_set_of(request.record_routes());
  // "The remote target MUST be set to the URI from the Contact header field of the request."
  d.remote_target = std::move(*remote_target);
  // "The remote sequence number MUST be set to the value of the sequence number in the CSeq header
  // field of the request. The local sequence number MUST be empty."
  d.remote_seq = request.cseq().number;
  d.invite_cseq = request.cseq().number;
  // "The local tag component of the dialog ID MUST be set to the tag in the To field in the
  // response to the request ..., and the remote tag component of the dialog ID MUST be set to the
  // tag from the From field in the request."
  d.id = dialog_id{std::string(request.call_id()), std::string(response.to_tag()), std::string(request.from_tag())};
  // "The remote URI MUST be set to the URI in the From field, and the local URI MUST be set to
  // the URI in the To field."
  d.remote_uri = std::string(request.from().address.text);
  d.remote_display_name = std::string(request.from().display_name);
  d.local_uri = std::string(request.to().address.text);
  d.local_display_name = std::string(request.to().display_name);
  d.local_contact = std::move(local_contact);
  return d;
}

expected<dialog_state> make_uac_dialog(const message& request, const message& response, bool over_tls) {
  if (const char* reason = cannot_establish(request, response)) return failure{reason};
  auto remote_target = contact_uri(response);
  if (!remote_target && response.status() >= 200) return failure{"the 2xx has no SIP or SIPS Contact (§12.1.1)"};

  dialog_state d;
  d.role = dialog_role::uac;
  d.phase = response.status() >= 200 ? dialog_phase::confirmed : dialog_phase::early;
  // §12.1.2: "If the request was sent over TLS, and the Request-URI contained a SIPS URI, the
  // "secure" flag is set to TRUE."
  d.secure = over_tls && request.request_uri().scheme == uri_scheme::sips;
  // "The route set MUST be set to the list of URIs in the Record-Route header field from the
  // response, taken in reverse order and preserving all URI parameters."
  d.route_set = route_set_of(response.record_routes());
  std::reverse(d.route_set.begin(), d.route_set.end());
  // "The remote target MUST be set to the URI from the Contact header field of the response."
  d.remote_target = remote_target ? std::move(*remote_target) : std::string(request.request_uri().text);
  // "The local sequence number MUST be set to the value of the sequence number in the CSeq header
  // field of the request. The remote sequence number MUST be empty".
  d.local_seq = request.cseq().number;
  d.invite_cseq = request.cseq().number;
  // "The local tag component of the dialog ID MUST be set to the tag in the From field in the
  // request, and the remote tag component of the dialog ID MUST be set to the tag in the To field
  // of the response."
  d.id = dialog_id{std::string(request.call_id()), std::string(request.from_tag()), std::string(response.to_tag())};
  // "The remote URI MUST be set to the URI in the To field, and the local URI MUST be set to the
  // URI in the From field."
  d.remote_uri = std::string(request.to().address.text);
  d.remote_display_name = std::string(request.to().display_name);
  d.local_uri = std::string(request.from().address.text);
  d.local_display_name = std::string(request.from().display_name);
  d.local_contact = contact_value(request);
  return d;
}

bool is_target_refresh(sip_method method) noexcept {
  return method == sip_method::invite || method == sip_method::update;
}

void process_response(dialog_state& dialog, const message& response) {
  if (dialog.terminated() || !response.is_response()) return;
  int status = response.status();
  // Responses to the creating INVITE reach the UAC only; later requests go both ways.
  bool creating_invite = dialog.role == dialog_role::uac && response.method() == sip_method::invite &&
                         response.cseq().number == dialog.invite_cseq;
  if (creating_invite) {
    // §12.3: "if a request outside of a dialog generates a non-2xx final response, any early
    // dialogs created through provisional responses to that request are terminated."
    if (status >= 300) {
      if (dialog.early()) dialog.phase = dialog_phase::terminated;
      return;
    }
    // §13.2.2.4: "If the dialog identifier in the 2xx response matches the dialog identifier of
    // an existing dialog, the dialog MUST be transitioned to the "confirmed" state, and the route
    // set for the dialog MUST be recomputed based on the 2xx response".
    if (status >= 200) {
      dialog.phase = dialog_phase::confirmed;
      dialog.route_set = route_set_of(response.record_routes());
      std::reverse(dialog.route_set.begin(), dialog.route_set.end());
    }
    // An early dialog whose first response had no Contact learns its remote target from a later
    // one (make_uac_dialog); every response to the INVITE may bring it.
    if (status > 100 && status < 300)
      if (auto target = contact_uri(response)) dialog.remote_target = std::move(*target);
    return;
  }
  // §12.2.1.2: "When a UAC receives a 2xx response to a target refresh request, it MUST replace
  // the dialog's remote target URI with the URI from the Contact header field in that response,
  // if present."
  if (status >= 200 && status < 300 && is_target_refresh(response.method()))
    if (auto target = contact_uri(response)) dialog.remote_target = std::move(*target);
}

bool response_ends_dialog(int status) noexcept { return status == 481 || status == 408; }

void process_sent_response(dialog_state& dialog, const message& response) {
  if (dialog.terminated() || !response.is_response() || dialog.role != dialog_role::uas) return;
  if (response.method() != sip_method::invite || response.cseq().number != dialog.invite_cseq) return;
  if (response.status() >= 300) {
    if (dialog.early()) dialog.phase = dialog_phase::terminated;  // §12.3
  } else if (response.status() >= 200) {
    dialog.phase = dialog_phase::confirmed;  // §12.1: a 2xx confirms
  }
}

uas_check_result check_request_order(const dialog_state& dialog, const message& request) {
  sip_method m = request.method();
  // §12.2.1.1: CSeq numbers increase "excepting ACK and CANCEL of course, whose numbers equal the
  // requests being acknowledged or cancelled".
  if (m == sip_method::ack || m == sip_method::cancel) return {};
  std::uint32_t number = request.cseq().number;
  if (dialog.remote_seq && number < *dialog.remote_seq)
    return reject_request(request, 500,
                          "CSeq " + std::to_string(number) + " is lower than the remote sequence number " +
                              std::to_string(*dialog.remote_seq) + " (§12.2.2)");
  return {};
}

void apply_request(dialog_state& dialog, const message& request) {
  sip_method m = request.method();
  if (m != sip_method::ack && m != sip_method::cancel) {
    // §12.2.2: "If the remote sequence number is empty, it MUST be set to the value of the
    // sequence number in the CSeq header field value in the request. ... The UAS MUST then set
    // the remote sequence number to the value of the sequence number in the CSeq header field".
    std::uint32_t number = request.cseq().number;
    if (!dialog.remote_seq || number > *dialog.remote_seq) dialog.remote_seq = number;
  }
  // "When a UAS receives a target refresh request, it MUST replace the dialog's remote target URI
  // with the URI from the Contact header field in that request, if present."
  if (is_target_refresh(m))
    if (auto target = contact_uri(request)) dialog.remote_target = std::move(*target);
}

}  // namespace sipactor
