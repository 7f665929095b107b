// The memory of parsed messages: each message is one block ([message | header index | octets],
// message.cpp), 1.5-3 KB for a typical request. That is past glibc's per-thread cache (1,032
// bytes), so every parse would pay the allocator's slow path twice. Instead each thread keeps a
// few freed blocks of each size class and hands them to the next parse on that thread.
//
// A message may be released on another thread than the one that parsed it (actors share it by
// reference count): the block then joins the releasing thread's cache, or goes back to the
// global allocator when that cache is full. Nothing is shared between threads and nothing is
// global but the size classes; a thread's cache is freed when the thread ends. Internal to
// messages/.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipactor::detail {

// A block of at least `bytes`; `size_class` receives what release_message_block() needs, and
// `capacity` the usable size of the block.
void* take_message_block(std::size_t bytes, std::uint8_t& size_class, std::size_t& capacity);
// Gives a block back (to this thread's cache, or to the global allocator).
void release_message_block(void* block, std::uint8_t size_class) noexcept;

}  // namespace sipactor::detail
