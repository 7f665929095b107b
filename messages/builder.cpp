#include "messages/builder.hpp"

#include <algorithm>
#include <charconv>

#include "messages/status.hpp"
#include "messages/text.hpp"

namespace sipactor {

std::string_view message_builder::own(std::string text) {
  owned_.push_back(std::move(text));
  return owned_.back();
}

message_builder message_builder::request(std::string_view method, std::string_view request_uri) {
  message_builder b;
  b.method_ = b.own(std::string(method));
  b.request_uri_ = b.own(std::string(request_uri));
  return b;
}

message_builder message_builder::response(int status, std::string_view reason) {
  message_builder b;
  b.set_status(status, reason);
  return b;
}

message_builder message_builder::copy_of(message_ptr m) {
  message_builder b;
  const message& src = *m;
  b.is_request_ = src.is_request();
  b.method_ = src.method_name();
  b.request_uri_ = src.request_uri().text;
  b.status_ = src.status();
  b.reason_ = src.reason_phrase();
  b.fields_.reserve(src.header_count() + 4);
  for (std::size_t i = 0; i < src.header_count(); ++i) {
    header h = src.header_at(i);
    b.fields_.push_back(field{h.id, h.name, h.value});
  }
  b.body_ = src.body();
  b.source_ = std::move(m);
  return b;
}

message_builder message_builder::response_to(const message& request, int status, std::string_view reason,
                                             std::string_view to_tag) {
  message_builder b = response(status, reason);
  b.fields_.reserve(request.via_count() + 6);
  auto copy = [&](header_id id) {
    request.for_each_header(id, [&](const header& h) {
      b.fields_.push_back(field{id, canonical_name(id), b.own(std::string(h.value))});
    });
  };
  copy(header_id::via);
  copy(header_id::from);
  // §8.2.6.2: a UAS adds a To tag when the request had none, except to a 100 (Trying).
  if (auto to = request.header_value(header_id::to)) {
    std::string value(*to);
    if (request.to_tag().empty() && !to_tag.empty() && status > 100) {
      value += ";tag=";
      value += to_tag;
    }
    b.fields_.push_back(field{header_id::to, canonical_name(header_id::to), b.own(std::move(value))});
  }
  copy(header_id::call_id);
  copy(header_id::cseq);
  if (status == 100) copy(header_id::timestamp);  // §8.2.6.1
  return b;
}

message_builder& message_builder::set_request_uri(std::string_view uri) {
  request_uri_ = own(std::string(uri));
  return *this;
}

message_builder& message_builder::set_status(int status, std::string_view reason) {
  is_request_ = false;
  status_ = status;
  reason_ = own(std::string(reason.empty() ? default_reason_phrase(status) : reason));
  return *this;
}

std::vector<message_builder::field>::iterator message_builder::find_field(header_id id, std::string_view name) {
  return std::find_if(fields_.begin(), fields_.end(), [&](const field& f) {
    return f.id == id && (id != header_id::other || text::iequals(f.name, name));
  });
}

message_builder& message_builder::push_front(header_id id, std::string_view value) {
  field f{id, canonical_name(id), own(std::string(value))};
  auto it = find_field(id, {});
  if (it == fields_.end()) {
    // No such header yet: place it after the Via block so the top of the message stays Via (a
    // first Via goes first: §7.3.1 recommends the headers proxies read near the top).
    it = fields_.begin();
    while (it != fields_.end() && it->id == header_id::via) ++it;
  }
  fields_.insert(it, f);
  return *this;
}

message_builder& message_builder::pop_front_value(header_id id) {
  auto it = find_field(id, {});
  if (it == fields_.end()) return *this;
  std::size_t comma = text::find_top_level(it->value, ',');
  if (comma == std::string_view::npos) {
    fields_.erase(it);
  } else {
    it->value = text::trim(it->value.substr(comma + 1));
  }
  return *this;
}

message_builder& message_builder::push_via(std::string_view value) { return push_front(header_id::via, value); }
message_builder& message_builder::pop_via() { return pop_front_value(header_id::via); }
message_builder& message_builder::add_record_route(std::string_view value) {
  return push_front(header_id::record_route, value);
}
message_builder& message_builder::push_route(std::string_view value) { return push_front(header_id::route, value); }
message_builder& message_builder::pop_route() { return pop_front_value(header_id::route); }

message_builder& message_builder::decrement_max_forwards() {
  auto it = find_field(header_id::max_forwards, {});
  if (it == fields_.end()) return add_header("Max-Forwards", "70");
  auto value = text::parse_decimal(it->value, 255);
  std::uint64_t next = value && *value > 0 ? *value - 1 : 0;
  it->value = own(std::to_string(next));
  return *this;
}

message_builder& message_builder::set_header(std::string_view name, std::string_view value) {
  header_id id = lookup_header(name);
  auto it = find_field(id, name);
  if (it == fields_.end()) return add_header(name, value);
  it->value = own(std::string(value));
  fields_.erase(std::remove_if(std::next(it), fields_.end(),
                               [&](const field& f) { return f.id == id && (id != header_id::other || text::iequals(f.name, name)); }),
                fields_.end());
  return *this;
}

message_builder& message_builder::add_header(std::string_view name, std::string_view value) {
  header_id id = lookup_header(name);
  std::string_view stored_name = id == header_id::other ? own(std::string(name)) : canonical_name(id);
  fields_.push_back(field{id, stored_name, own(std::string(value))});
  return *this;
}

message_builder& message_builder::remove_header(std::string_view name) {
  header_id id = lookup_header(name);
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const field& f) { return f.id == id && (id != header_id::other || text::iequals(f.name, name)); }),
                fields_.end());
  return *this;
}

message_builder& message_builder::set_body(std::string_view content_type, std::string_view body) {
  body_ = own(std::string(body));
  if (body.empty()) remove_header("Content-Type");
  else set_header("Content-Type", content_type);
  return *this;
}

void message_builder::serialize_into(std::string& out) const {
  char length_text[24];
  auto length_end = std::to_chars(std::begin(length_text), std::end(length_text), body_.size()).ptr;
  std::string_view length(length_text, static_cast<std::size_t>(length_end - length_text));

  std::size_t size = 64 + body_.size() + method_.size() + request_uri_.size() + reason_.size();
  for (const field& f : fields_) size += f.name.size() + f.value.size() + 4;
  out.reserve(out.size() + size);

  if (is_request_) {
    out.append(method_).append(" ").append(request_uri_).append(" SIP/2.0\r\n");
  } else {
    char code[8];
    auto code_end = std::to_chars(std::begin(code), std::end(code), status_).ptr;
    out.append("SIP/2.0 ").append(code, static_cast<std::size_t>(code_end - code)).append(" ").append(reason_).append("\r\n");
  }
  bool wrote_length = false;
  for (const field& f : fields_) {
    if (f.id == header_id::content_length) {
      if (wrote_length) continue;
      wrote_length = true;
      // Keep the line as it was when it is right, so a copy round-trips byte for byte.
      auto old = text::parse_decimal(f.value, body_.size());
      out.append(f.name).append(": ").append(old && *old == body_.size() ? f.value : length).append("\r\n");
      continue;
    }
    out.append(f.name).append(": ").append(f.value).append("\r\n");
  }
  if (!wrote_length) out.append("Content-Length: ").append(length).append("\r\n");
  out.append("\r\n").append(body_);
}

std::string message_builder::serialize() const {
  std::string out;
  serialize_into(out);
  return out;
}

parse_result message_builder::build() const {
  // Limits protect against what peers send; our own output may legitimately pass them (a
  // forwarded message at the limit gains a Via and a Content-Length).
  parse_limits own;
  own.max_message_bytes = 16 * 1024 * 1024;
  own.max_header_lines = 65535;
  return parse_message(serialize(), framing::stream, own);
}

}  // namespace sipactor
