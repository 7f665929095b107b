#include "tests/support/fake_dns_server.hpp"

#include <stdexcept>
#include <vector>

namespace sipactor::test {

using transport::dns_message;
using transport::dns_records;
using transport::dns_type;

namespace {
constexpr std::uint8_t truncated_marker = 255;
}

fake_dns_server::fake_dns_server(const std::string& ip) {
  transport::udp_socket_options options;
  options.reuse_port = false;
  options.receive_buffer = 0;
  options.receive_timeout = std::chrono::milliseconds(20);
  std::string error;
  socket_ = transport::udp_socket::bind(*transport::socket_address::from(ip, 0), options, error);
  if (!socket_.valid()) throw std::runtime_error("fake DNS server: " + error);
  thread_ = std::thread([this] { run(); });
}

fake_dns_server::~fake_dns_server() {
  stop_ = true;
  thread_.join();
}

void fake_dns_server::add(const transport::dns_address_record& r) {
  std::lock_guard<std::mutex> guard(lock_);
  records_[{transport::dns_name_canonical(r.owner), r.ipv6 ? dns_type::aaaa : dns_type::a}].addresses.push_back(r);
}
void fake_dns_server::add(const transport::dns_srv_record& r) {
  std::lock_guard<std::mutex> guard(lock_);
  records_[{transport::dns_name_canonical(r.owner), dns_type::srv}].srv.push_back(r);
}
void fake_dns_server::add(const transport::dns_naptr_record& r) {
  std::lock_guard<std::mutex> guard(lock_);
  records_[{transport::dns_name_canonical(r.owner), dns_type::naptr}].naptr.push_back(r);
}
void fake_dns_server::add(const transport::dns_cname_record& r) {
  std::lock_guard<std::mutex> guard(lock_);
  records_[{transport::dns_name_canonical(r.owner), dns_type::cname}].cnames.push_back(r);
}
void fake_dns_server::fail(const std::string& name, dns_type type, std::uint8_t rcode) {
  std::lock_guard<std::mutex> guard(lock_);
  failures_[{transport::dns_name_canonical(name), type}] = rcode;
}
void fake_dns_server::truncate(const std::string& name, dns_type type) {
  std::lock_guard<std::mutex> guard(lock_);
  failures_[{transport::dns_name_canonical(name), type}] = truncated_marker;
}

std::size_t fake_dns_server::queries(const std::string& name, dns_type type) const {
  std::lock_guard<std::mutex> guard(lock_);
  auto it = counts_.find({transport::dns_name_canonical(name), type});
  return it == counts_.end() ? 0 : it->second;
}

std::size_t fake_dns_server::total_queries() const {
  std::lock_guard<std::mutex> guard(lock_);
  std::size_t n = 0;
  for (const auto& [k, count] : counts_) n += count;
  return n;
}

// What a recursive server would say: the records, or a CNAME and the records of its target.
std::string fake_dns_server::answer(const dns_message& query) {
  dns_message response;
  response.id = static_cast<std::uint16_t>(query.id + (wrong_id_ ? 1 : 0));
  response.is_response = true;
  response.recursion_desired = query.recursion_desired;
  response.recursion_available = true;
  response.questions = query.questions;
  const auto& q = query.questions.front();
  std::string name = transport::dns_name_canonical(q.name);
  std::lock_guard<std::mutex> guard(lock_);
  ++counts_[{name, q.type}];
  if (auto f = failures_.find({name, q.type}); f != failures_.end()) {
    if (f->second == truncated_marker) response.truncated = true;
    else response.rcode = f->second;
    return *transport::encode_dns_message(response);
  }
  for (int hops = 0; hops < 4; ++hops) {
    if (auto it = records_.find({name, q.type}); it != records_.end()) {
      const dns_records& r = it->second;
      auto& out = response.answers;
      out.addresses.insert(out.addresses.end(), r.addresses.begin(), r.addresses.end());
      out.srv.insert(out.srv.end(), r.srv.begin(), r.srv.end());
      out.naptr.insert(out.naptr.end(), r.naptr.begin(), r.naptr.end());
      return *transport::encode_dns_message(response);
    }
    auto alias = records_.find({name, dns_type::cname});
    if (alias == records_.end() || alias->second.cnames.empty()) break;
    response.answers.cnames.push_back(alias->second.cnames.front());
    name = transport::dns_name_canonical(alias->second.cnames.front().canonical_name);
  }
  bool exists = false;
  for (const auto& [k, r] : records_) exists = exists || k.first == name;
  if (!exists) response.rcode = transport::dns_rcode::name_error;
  return *transport::encode_dns_message(response);
}

void fake_dns_server::run() {
  transport::udp_receiver receiver(8, 2048);
  std::vector<transport::datagram> batch;
  while (!stop_) {
    if (!receiver.receive(socket_, batch)) return;
    for (const auto& d : batch) {
      auto query = transport::decode_dns_message(d.bytes);
      if (!query || query->is_response || query->questions.size() != 1) continue;
      std::string reply = answer(*query);
      if (silent_) continue;
      if (long ms = delay_ms_; ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      socket_.send_to(reply, d.source);
    }
  }
}

transport::dns_address_record a_record(const std::string& owner, const std::string& ip, std::uint32_t ttl) {
  return {owner, ttl, ip.find(':') != std::string::npos, ip};
}

transport::dns_srv_record srv_record(const std::string& owner, std::uint16_t priority, std::uint16_t weight,
                                     std::uint16_t port, const std::string& target, std::uint32_t ttl) {
  return {owner, ttl, priority, weight, port, target};
}

transport::dns_naptr_record naptr_record(const std::string& owner, std::uint16_t order, std::uint16_t preference,
                                         const std::string& service, const std::string& replacement,
                                         const std::string& flags, std::uint32_t ttl) {
  return {owner, ttl, order, preference, flags, service, "", replacement};
}

}  // namespace sipactor::test
