#include "messages/message_blocks.hpp"

#include <iterator>
#include <new>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIPACTOR_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SIPACTOR_ASAN 1
#endif
#ifdef SIPACTOR_ASAN
#include <sanitizer/asan_interface.h>
#define SIPACTOR_POISON(p, n) __asan_poison_memory_region((p), (n))
#define SIPACTOR_UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define SIPACTOR_POISON(p, n) ((void)(p), (void)(n))
#define SIPACTOR_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace sipactor::detail {

namespace {

// Block sizes: a message of up to 8 KiB (with its index) fits a class; larger ones (rare: the
// datagram limit is about 64 KiB) go to the global allocator each time.
constexpr std::size_t class_bytes[] = {2048, 3072, 4096, 6144, 8192};
constexpr std::size_t class_count = std::size(class_bytes);
constexpr std::uint8_t no_class = 0xff;
// At most this many idle blocks per class and thread: 8 x 23 KiB when every class is full.
constexpr std::size_t blocks_per_class = 8;

struct block_cache {
  void* blocks[class_count][blocks_per_class];
  std::uint8_t count[class_count];
  bool armed;   // the thread-exit release is registered
  bool closed;  // the thread is ending: blocks go straight back to the allocator
};
// Zero-initialised (constant initialisation): reading it needs no guard, and it outlives every
// thread_local destructor of its thread, so a message released from one of them is still served.
thread_local block_cache cache{};

struct cache_release {
  cache_release() = default;
  cache_release(const cache_release&) = delete;
  cache_release& operator=(const cache_release&) = delete;
  ~cache_release() {
    for (std::size_t c = 0; c < class_count; ++c) {
      for (std::size_t i = 0; i < cache.count[c]; ++i) {
        SIPACTOR_UNPOISON(cache.blocks[c][i], class_bytes[c]);
        ::operator delete(cache.blocks[c][i]);
      }
      cache.count[c] = 0;
    }
    cache.closed = true;
  }
};

// Registers the release of this thread's blocks at thread exit (once per thread).
void arm_release() {
  static thread_local cache_release release;
  (void)release;
  cache.armed = true;
}

std::uint8_t class_of(std::size_t bytes) noexcept {
  for (std::size_t c = 0; c < class_count; ++c)
    if (bytes <= class_bytes[c]) return static_cast<std::uint8_t>(c);
  return no_class;
}

}  // namespace

void* take_message_block(std::size_t bytes, std::uint8_t& size_class, std::size_t& capacity) {
  const std::uint8_t c = class_of(bytes);
  size_class = c;
  if (c == no_class) {
    capacity = bytes;
    return ::operator new(bytes);
  }
  capacity = class_bytes[c];
  if (cache.count[c] != 0) {
    void* block = cache.blocks[c][--cache.count[c]];
    SIPACTOR_UNPOISON(block, class_bytes[c]);
    return block;
  }
  return ::operator new(class_bytes[c]);
}

void release_message_block(void* block, std::uint8_t size_class) noexcept {
  if (size_class == no_class || cache.closed || cache.count[size_class] == blocks_per_class) {
    ::operator delete(block);
    return;
  }
  if (!cache.armed) {
    try {
      arm_release();
    } catch (...) {  // cannot register the thread-exit release: do not cache
      ::operator delete(block);
      return;
    }
  }
  SIPACTOR_POISON(block, class_bytes[size_class]);
  cache.blocks[size_class][cache.count[size_class]++] = block;
}

}  // namespace sipactor::detail
