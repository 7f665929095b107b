// Allocation counting for the benchmark binary: replaces the global operator new/delete and
// interposes malloc/calloc/realloc/free (glibc supports replacing these four; everything else in
// glibc's allocator, e.g. memalign, frees through free()). Both forward to glibc's allocator, so
// blocks may be freed by either family. Counting costs one predictable branch when off.
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "bench_common.hpp"

#ifndef SIPACTOR_BENCH_NO_ALLOC_COUNT

extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* ptr, std::size_t size) noexcept;
void __libc_free(void* ptr) noexcept;
}

namespace {

struct counters {
  std::atomic<bool> enabled{false};
  std::atomic<std::uint64_t> new_calls{0};
  std::atomic<std::uint64_t> malloc_calls{0};
  std::atomic<std::uint64_t> bytes_requested{0};
  std::atomic<std::int64_t> live_bytes{0};
};
counters g_counters;  // constant-initialized: usable before any constructor runs

inline bool counting() noexcept { return g_counters.enabled.load(std::memory_order_relaxed); }

inline void note_alloc(void* p, std::size_t requested, bool from_new) noexcept {
  if (p == nullptr || !counting()) return;
  (from_new ? g_counters.new_calls : g_counters.malloc_calls).fetch_add(1, std::memory_order_relaxed);
  g_counters.bytes_requested.fetch_add(requested, std::memory_order_relaxed);
  g_counters.live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
}

inline void note_free(void* p) noexcept {
  if (p == nullptr || !counting()) return;
  g_counters.live_bytes.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
}

void* counted_new(std::size_t size) {
  if (size == 0) size = 1;
  void* p = __libc_malloc(size);
  if (p == nullptr) throw std::bad_alloc();
  note_alloc(p, size, true);
  return p;
}

void* counted_new_nothrow(std::size_t size) noexcept {
  if (size == 0) size = 1;
  void* p = __libc_malloc(size);
  note_alloc(p, size, true);
  return p;
}

void counted_delete(void* p) noexcept {
  note_free(p);
  __libc_free(p);
}

}  // namespace

// --- C allocator (catches the peers, which allocate with malloc)
extern "C" {
void* malloc(std::size_t size) noexcept {
  void* p = __libc_malloc(size);
  note_alloc(p, size, false);
  return p;
}
void* calloc(std::size_t count, std::size_t size) noexcept {
  void* p = __libc_calloc(count, size);
  note_alloc(p, count * size, false);
  return p;
}
void* realloc(void* ptr, std::size_t size) noexcept {
  note_free(ptr);
  void* p = __libc_realloc(ptr, size);
  if (p == nullptr && ptr != nullptr && size != 0) {
    // Failed: the old block is still allocated.
    if (counting())
      g_counters.live_bytes.fetch_add(static_cast<std::int64_t>(malloc_usable_size(ptr)), std::memory_order_relaxed);
    return p;
  }
  note_alloc(p, size, false);
  return p;
}
void free(void* ptr) noexcept { counted_delete(ptr); }
}

// --- C++ allocator
void* operator new(std::size_t size) { return counted_new(size); }
void* operator new[](std::size_t size) { return counted_new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_new_nothrow(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_new_nothrow(size); }
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_delete(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_delete(p); }

namespace sipactor::bench {

bool alloc_counting_available() noexcept { return true; }

void alloc_counting_start() noexcept {
  g_counters.enabled.store(false, std::memory_order_relaxed);
  g_counters.new_calls.store(0, std::memory_order_relaxed);
  g_counters.malloc_calls.store(0, std::memory_order_relaxed);
  g_counters.bytes_requested.store(0, std::memory_order_relaxed);
  g_counters.live_bytes.store(0, std::memory_order_relaxed);
  g_counters.enabled.store(true, std::memory_order_seq_cst);
}

alloc_stats alloc_counting_peek() noexcept {
  alloc_stats s;
  s.new_calls = g_counters.new_calls.load(std::memory_order_relaxed);
  s.malloc_calls = g_counters.malloc_calls.load(std::memory_order_relaxed);
  s.bytes_requested = g_counters.bytes_requested.load(std::memory_order_relaxed);
  s.live_bytes = g_counters.live_bytes.load(std::memory_order_relaxed);
  return s;
}

alloc_stats alloc_counting_stop() noexcept {
  g_counters.enabled.store(false, std::memory_order_seq_cst);
  return alloc_counting_peek();
}

}  // namespace sipactor::bench

#else  // sanitizer builds: the sanitizer owns the allocator

namespace sipactor::bench {
bool alloc_counting_available() noexcept { return false; }
void alloc_counting_start() noexcept {}
alloc_stats alloc_counting_peek() noexcept { return {}; }
alloc_stats alloc_counting_stop() noexcept { return {}; }
}  // namespace sipactor::bench

#endif
