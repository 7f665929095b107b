// The DNS wire decoder (transport/dns_message.hpp) on arbitrary octets: nameserver answers are
// input from the network like SIP messages. Properties (fuzz_dns_message): no read outside the
// buffer, no crash, no pointer loop; a decoded message encodes again and that decodes.
#include <cstddef>
#include <cstdint>

#include "transport/dns_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return sipactor::transport::fuzz_dns_message(data, size);
}
