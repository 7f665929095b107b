// Building messages: new requests and responses, responses to a request (§8.2.6), and modified
// copies for forwarding (§16.6). The builder holds views into its source message (kept alive by
// its handle) and into text it owns, and serializes into one buffer.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "messages/message.hpp"
#include "messages/parser.hpp"

namespace sipactor {

class message_builder {
 public:
  static message_builder request(std::string_view method, std::string_view request_uri);
  static message_builder response(int status, std::string_view reason = {});
  // A copy of `m`, header lines in order, to be modified and sent on.
  static message_builder copy_of(message_ptr m);
  // RFC 3261 §8.2.6: the status line, then Via (all, in order), From, To (with `to_tag` added
  // when the request has none and status > 100), Call-ID, CSeq, and for 100 the Timestamp.
  static message_builder response_to(const message& request, int status, std::string_view reason = {},
                                     std::string_view to_tag = {});

  message_builder& set_request_uri(std::string_view uri);
  message_builder& set_status(int status, std::string_view reason = {});
  // New topmost Via value (§16.6 step 8, §18.1.1).
  message_builder& push_via(std::string_view value);
  // Removes the topmost via-parm, even when it shares a header line with others (§16.7 step 3).
  message_builder& pop_via();
  // New topmost Record-Route / Route value (§16.6 steps 4 and 6).
  message_builder& add_record_route(std::string_view value);
  message_builder& push_route(std::string_view value);
  // Removes the topmost route value (§16.4, §16.12).
  message_builder& pop_route();
  // §16.6 step 3: decrement, or add "Max-Forwards: 70" when absent.
  message_builder& decrement_max_forwards();
  // Replaces every line of the named header with one line (appended if absent).
  message_builder& set_header(std::string_view name, std::string_view value);
  message_builder& add_header(std::string_view name, std::string_view value);
  message_builder& remove_header(std::string_view name);
  // Sets the body and its Content-Type; an empty body removes Content-Type.
  message_builder& set_body(std::string_view content_type, std::string_view body);

  // One buffer; Content-Length always present and equal to the body's length (§18.3, §20.14).
  std::string serialize() const;
  void serialize_into(std::string& out) const;
  // parse_message(serialize()) as a stream message.
  parse_result build() const;

  std::size_t header_count() const noexcept { return fields_.size(); }

  // Fields view owned_ strings: moving keeps them in place, copying would not.
  message_builder(message_builder&&) noexcept = default;
  message_builder& operator=(message_builder&&) noexcept = default;
  message_builder(const message_builder&) = delete;
  message_builder& operator=(const message_builder&) = delete;

 private:
  struct field {
    header_id id;
    std::string_view name;
    std::string_view value;
  };
  message_builder() = default;
  std::string_view own(std::string text);
  std::vector<field>::iterator find_field(header_id id, std::string_view name);
  message_builder& push_front(header_id id, std::string_view value);
  message_builder& pop_front_value(header_id id);

  message_ptr source_;
  std::deque<std::string> owned_;  // stable storage for text the builder made
  bool is_request_ = true;
  std::string_view method_;
  std::string_view request_uri_;
  int status_ = 0;
  std::string_view reason_;
  std::vector<field> fields_;
  std::string_view body_;
};

}  // namespace sipactor
