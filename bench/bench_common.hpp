// Shared pieces of the parser benchmark: the inputs, the allocation counter and the interface to
// the peer parsers (libosip2, sofia-sip), which live in their own translation unit because their
// headers do not build warning-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sipactor::bench {

// One message the benchmarks parse: the exact bytes of a file.
struct input {
  std::string name;   // "invite", "names", "wsinv"
  std::string path;
  std::string bytes;
};

// --- allocation counting (alloc_counter.cpp)
// Global operator new/delete are replaced (and malloc/calloc/realloc/free interposed, so the C
// peers are counted as well) in this binary. Counting is off unless a scope is active; it is
// meant for single-threaded measurement outside the timed loops.
struct alloc_stats {
  std::uint64_t new_calls = 0;       // operator new / new[]
  std::uint64_t malloc_calls = 0;    // malloc / calloc / realloc (C code: the peers)
  std::uint64_t bytes_requested = 0; // sum of requested sizes (realloc: the new size)
  std::int64_t live_bytes = 0;       // usable bytes allocated minus usable bytes freed
  std::uint64_t calls() const noexcept { return new_calls + malloc_calls; }
};
// True when the counter was built in (it is left out of sanitizer builds).
bool alloc_counting_available() noexcept;
void alloc_counting_start() noexcept;  // zeroes the counters and starts counting
alloc_stats alloc_counting_stop() noexcept;
alloc_stats alloc_counting_peek() noexcept;

// --- peer parsers (peer_bench.cpp)
// Fields a proxy reads, taken from a parsed message, to check that every parser saw the same.
struct peer_fields {
  bool ok = false;  // parsed without error
  std::string branch, via_host, from_tag, to_tag, call_id, cseq_method, ruri_host, contact_host;
  std::uint32_t cseq = 0;
  long max_forwards = -1;
  std::string note;  // anything the parser flagged but did not fail on
};
struct peer {
  const char* name;  // "osip2", "sofia"
  // Parses `bytes` fully and returns the library's message object (nullptr on failure).
  void* (*parse)(std::string_view bytes);
  // Reads the fields (what the timed loop touches, plus the text, for the cross-check).
  peer_fields (*fields)(void* msg);
  void (*destroy)(void* msg);
  const char* version;
  // One iteration of the timed loop: parse, read the fields, free; returns a sum of what it read.
  std::size_t (*parse_touch_free)(std::string_view bytes);
};
// The peers this binary was built with, after their one-time initialization.
const std::vector<peer>& peers();
// Registers the timed peer benchmarks "<peer>/parse_fields/<input>".
void register_peer_benchmarks(const std::vector<input>& inputs);

// --- paired runs (pairs.cpp)
// `--pairs=N`: N rounds; in each, a slice of sipactor's parse + views and a slice of each peer's
// parse + fields + free on the same input, back to back (the order alternates), so that both
// sides of a ratio ran within a few milliseconds of each other on this noisy shared machine.
// Prints per peer and input the median and quartiles of the N ratios and the ratio of the minima.
using parse_touch_fn = std::size_t (*)(std::string_view bytes);
void run_pairs(const std::vector<input>& inputs, parse_touch_fn sipactor, int rounds);

}  // namespace sipactor::bench
