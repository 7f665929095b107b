// A recursive nameserver played on loopback for resolver and locator tests: a thread answers
// queries from a table of records built with the DNS encoder, and counts what it was asked.
// A name with no records of the asked type gets an empty NOERROR answer when it has records of
// another type, NXDOMAIN otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "transport/dns_message.hpp"
#include "transport/udp_socket.hpp"

namespace sipactor::test {

class fake_dns_server {
 public:
  explicit fake_dns_server(const std::string& ip = "127.0.0.1");  // a free port
  ~fake_dns_server();
  fake_dns_server(const fake_dns_server&) = delete;
  fake_dns_server& operator=(const fake_dns_server&) = delete;

  const transport::socket_address& address() const { return socket_.local(); }

  // Records are stored under their owner names and the types they have.
  void add(const transport::dns_address_record& r);
  void add(const transport::dns_srv_record& r);
  void add(const transport::dns_naptr_record& r);
  void add(const transport::dns_cname_record& r);
  // Answers (name, type) with this RCODE (SERVFAIL, ...) and no records.
  void fail(const std::string& name, transport::dns_type type, std::uint8_t rcode);
  // Answers (name, type) with the TC bit and no records.
  void truncate(const std::string& name, transport::dns_type type);
  void set_silent(bool silent) { silent_ = silent; }                    // answer nothing
  void set_delay(std::chrono::milliseconds d) { delay_ms_ = d.count(); }  // before each answer
  void set_wrong_id(bool wrong) { wrong_id_ = wrong; }                  // answers that match no query

  std::size_t queries(const std::string& name, transport::dns_type type) const;
  std::size_t total_queries() const;

 private:
  using key = std::pair<std::string, transport::dns_type>;
  void run();
  std::string answer(const transport::dns_message& query);

  transport::udp_socket socket_;
  mutable std::mutex lock_;
  std::map<key, transport::dns_records> records_;
  std::map<key, std::uint8_t> failures_;  // an rcode, or 255 for TC
  std::map<key, std::size_t> counts_;
  std::atomic<bool> silent_{false};
  std::atomic<long> delay_ms_{0};
  std::atomic<bool> wrong_id_{false};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

transport::dns_address_record a_record(const std::string& owner, const std::string& ip, std::uint32_t ttl = 300);
transport::dns_srv_record srv_record(const std::string& owner, std::uint16_t priority, std::uint16_t weight,
                                     std::uint16_t port, const std::string& target, std::uint32_t ttl = 300);
transport::dns_naptr_record naptr_record(const std::string& owner, std::uint16_t order, std::uint16_t preference,
                                         const std::string& service, const std::string& replacement,
                                         const std::string& flags = "s", std::uint32_t ttl = 300);

}  // namespace sipactor::test
