#include "actors/dialog_requests.hpp"

#include <random>

#include "messages/identifiers.hpp"
#include "messages/text.hpp"

namespace sipactor {

namespace {

std::string address(std::string_view display_name, std::string_view uri, std::string_view tag) {
  std::string out;
  if (!display_name.empty()) {
    out += display_name;
    out += ' ';
  }
  out += '<';
  out += uri;
  out += '>';
  // §12.2.1.1: "If the value of the remote or local tags is null, the tag parameter MUST be
  // omitted from the To or From header fields, respectively."
  if (!tag.empty()) {
    out += ";tag=";
    out += tag;
  }
  return out;
}

int random_between(int low, int high) {
  static thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<int>{low, high}(generator);
}

}  // namespace

outgoing_request dialog_request_with_cseq(const dialog_state& dialog, std::string_view method, std::uint32_t cseq) {
  outgoing_request out;
  out.request = message_builder::request(method, dialog.remote_target);
  out.request.add_header("Max-Forwards", initial_max_forwards);  // §8.1.1.6
  // §12.2.1.1: "The UAC uses the remote target and route set to build the Request-URI and Route
  // header field of the request."
  out.next_hop = apply_route_set(out.request, dialog.remote_target, dialog.route_set);
  // "The URI in the To field of the request MUST be set to the remote URI from the dialog state.
  // The tag in the To header field of the request MUST be set to the remote tag of the dialog ID.
  // The From URI of the request MUST be set to the local URI from the dialog state. The tag in
  // the From header field of the request MUST be set to the local tag of the dialog ID."
  out.request.add_header("To", address(dialog.remote_display_name, dialog.remote_uri, dialog.id.remote_tag));
  out.request.add_header("From", address(dialog.local_display_name, dialog.local_uri, dialog.id.local_tag));
  // "The Call-ID of the request MUST be set to the Call-ID of the dialog."
  out.request.add_header("Call-ID", dialog.id.call_id);
  // "The method field in the CSeq header field value MUST match the method of the request."
  out.request.add_header("CSeq", std::to_string(cseq) + " " + std::string(method));
  // "A UAC SHOULD include a Contact header field in any target refresh requests within a dialog,
  // and unless there is a need to change it, the URI SHOULD be the same as used in previous
  // requests within the dialog."
  if (is_target_refresh(method_from_name(method)) && !dialog.local_contact.empty())
    out.request.add_header("Contact", dialog.local_contact);
  out.branch = new_branch();
  out.sips_request_uri = text::istarts_with(dialog.remote_target, "sips:");
  return out;
}

outgoing_request make_dialog_request(dialog_state& dialog, std::string_view method) {
  // §12.2.1.1: "if the local sequence number is not empty, the value of the local sequence number
  // MUST be incremented by one, and this value MUST be placed into the CSeq header field. If the
  // local sequence number is empty, an initial value MUST be chosen using the guidelines of
  // Section 8.1.1.5."
  dialog.local_seq = dialog.local_seq ? *dialog.local_seq + 1 : initial_cseq();
  return dialog_request_with_cseq(dialog, method, *dialog.local_seq);
}

outgoing_request make_ack(const dialog_state& dialog, const message& invite, std::string_view content_type,
                          std::string_view body) {
  // §13.2.2.4: "The sequence number of the CSeq header field MUST be the same as the INVITE being
  // acknowledged, but the CSeq method MUST be ACK."
  outgoing_request ack = dialog_request_with_cseq(dialog, "ACK", invite.cseq().number);
  // "The ACK MUST contain the same credentials as the INVITE."
  invite.for_each_header(header_id::authorization, [&](const header& h) { ack.request.add_header(h.name, h.value); });
  invite.for_each_header(header_id::proxy_authorization,
                         [&](const header& h) { ack.request.add_header(h.name, h.value); });
  // §8.2.2.3: "An ACK request for a 2xx response MUST contain only those Require and
  // Proxy-Require values that were present in the initial request."
  invite.for_each_header(header_id::require, [&](const header& h) { ack.request.add_header(h.name, h.value); });
  invite.for_each_header(header_id::proxy_require, [&](const header& h) { ack.request.add_header(h.name, h.value); });
  // "If the 2xx contains an offer (based on the rules above), the ACK MUST carry an answer in its
  // body."
  if (!body.empty()) ack.request.set_body(content_type, body);
  return ack;
}

uas_check_result check_reinvite(const message& invite, bool own_invite_pending, bool peer_invite_pending) {
  if (invite.method() != sip_method::invite) return {};
  if (peer_invite_pending) {
    std::string retry_after = std::to_string(random_between(0, 10));
    return reject_request(invite, 500, "an earlier INVITE on this dialog has no final response yet (§14.2)",
                          {{"Retry-After", retry_after}});
  }
  if (own_invite_pending) return reject_request(invite, 491, "this UA's own INVITE on the dialog is in progress (§14.2)");
  return {};
}

std::chrono::milliseconds reinvite_retry_delay(const dialog_state& dialog) {
  // "If the UAC is the owner of the Call-ID of the dialog ID (meaning it generated the value), T
  // has a randomly chosen value between 2.1 and 4 seconds in units of 10 ms. If the UAC is not
  // the owner of the Call-ID of the dialog ID, T has a randomly chosen value of between 0 and 2
  // seconds in units of 10 ms."
  bool owner = dialog.role == dialog_role::uac;
  int tens = owner ? random_between(210, 400) : random_between(0, 200);
  return std::chrono::milliseconds(tens * 10);
}

bool may_send_bye(const dialog_state& dialog, bool awaiting_ack) {
  if (dialog.terminated()) return false;
  if (dialog.role == dialog_role::uac) return true;
  return dialog.confirmed() && !awaiting_ack;
}

}  // namespace sipactor
