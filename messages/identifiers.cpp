#include "messages/identifiers.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <random>

namespace sipactor {

namespace {

// Random bytes from the kernel, 256 at a time per thread. getrandom() only fails on a signal
// before any byte or on kernels older than 3.17; the fallback then is std::random_device, which
// libstdc++ also backs with the kernel's generator.
class random_bytes {
 public:
  std::uint8_t next() {
    if (used_ == buffer_.size()) refill();
    return buffer_[used_++];
  }

 private:
  void refill() {
    std::size_t filled = 0;
    while (filled < buffer_.size()) {
      ssize_t n = ::getrandom(buffer_.data() + filled, buffer_.size() - filled, 0);
      if (n > 0) {
        filled += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        std::random_device device;
        for (; filled < buffer_.size(); ++filled) buffer_[filled] = static_cast<std::uint8_t>(device());
      }
    }
    used_ = 0;
  }
  std::array<std::uint8_t, 256> buffer_{};
  std::size_t used_ = 256;
};

constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr unsigned alphabet_size = 36;

}  // namespace

std::string random_token(std::size_t length) {
  static thread_local random_bytes source;
  std::string out(length, '0');
  for (char& c : out) {
    // Rejection sampling: bytes >= 252 (7 * 36) would favour the first characters.
    std::uint8_t b;
    do {
      b = source.next();
    } while (b >= 252);
    c = alphabet[b % alphabet_size];
  }
  return out;
}

std::string new_tag() { return random_token(16); }

std::string new_call_id(std::string_view host) {
  std::string id = random_token(22);
  if (!host.empty()) {
    id += '@';
    id += host;
  }
  return id;
}

std::string new_branch() { return "z9hG4bK" + random_token(22); }

}  // namespace sipactor
