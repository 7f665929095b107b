#include "messages/char_masks.hpp"

#include <atomic>

#include "messages/text.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIPACTOR_HAVE_AVX512_KERNEL 1
#include <immintrin.h>
#endif

namespace sipactor::detail {

namespace {

constexpr std::uint16_t bit(unsigned c) { return static_cast<std::uint16_t>(1u << c); }

// The scan classes in terms of the grammar's classes (text.hpp), so that both stay one grammar.
constexpr std::uint16_t entry(int c) {
  const std::uint16_t t = text::table.bits[c];
  const bool percent = c == '%';
  std::uint16_t e = 0;
  if (t & text::token) e |= bit(sc_token);
  if ((t & text::user) && !percent) e |= bit(sc_user);
  if ((t & text::password) && !percent) e |= bit(sc_password);
  if ((t & text::param) && !percent) e |= bit(sc_param);
  if (t & text::host) e |= bit(sc_host);
  if (t & text::digit) e |= bit(sc_digit);
  if (t & text::word) e |= bit(sc_word);
  if (t & text::lws) e |= bit(sc_lws);
  if (c == '\n') e |= bit(sc_lf);
  if (t & (text::token | text::param)) e |= bit(sc_gparam);
  if (t & (text::token | text::lws)) e |= bit(sc_display);
  if (c == '"' || c == '\\') e |= bit(sc_quote);
  if (c == ';' || c == ',' || c == '?' || (t & text::lws)) e |= bit(sc_addr_end);
  return e;
}

struct tables {
  std::uint16_t both[128]{};
  alignas(64) std::uint8_t low[128]{};   // class bits 0-7
  alignas(64) std::uint8_t high[128]{};  // class bits 8-15
  constexpr tables() {
    for (int c = 0; c < 128; ++c) {
      both[c] = entry(c);
      low[c] = static_cast<std::uint8_t>(both[c] & 0xff);
      high[c] = static_cast<std::uint8_t>(both[c] >> 8);
    }
  }
};
constexpr tables kTables{};

// Bit k of each of the 8 octets of x, gathered into 8 bits: the octets' bits sit 8 apart, and
// the multiplier moves the bit of octet i to bit 56 + i without carries between terms.
inline std::uint64_t gather(std::uint64_t x, unsigned k) noexcept {
  return (((x >> k) & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56;
}

void classify_portable(const char* p, std::size_t n, std::uint64_t* out) noexcept {
  for (unsigned k = 0; k < scan_classes; ++k) out[k] = 0;
  for (std::size_t g = 0; g < n && g < 64; g += 8) {
    std::uint64_t lo = 0, hi = 0;
    for (std::size_t j = 0; j < 8; ++j) {
      const std::size_t i = g + j;
      const unsigned char c = i < n ? static_cast<unsigned char>(p[i]) : 0;
      const std::uint16_t e = c < 128 ? kTables.both[c] : 0;
      lo |= static_cast<std::uint64_t>(e & 0xff) << (8 * j);
      hi |= static_cast<std::uint64_t>(e >> 8) << (8 * j);
    }
    for (unsigned k = 0; k < 8; ++k) {
      out[k] |= gather(lo, k) << g;
      out[8 + k] |= gather(hi, k) << g;
    }
  }
}

#if SIPACTOR_HAVE_AVX512_KERNEL
// vpermi2b looks 64 octets up in a 128-entry table at once; octets >= 0x80 and those past n are
// zeroed by the mask. The masked load does not touch memory past n.
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) void classify_avx512(const char* p, std::size_t n,
                                                                               std::uint64_t* out) noexcept {
  const __mmask64 live = n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
  const __m512i v = _mm512_maskz_loadu_epi8(live, p);
  const __mmask64 ascii = live & ~_mm512_movepi8_mask(v);
  const __m512i lo = _mm512_maskz_permutex2var_epi8(ascii, _mm512_load_si512(kTables.low), v,
                                                    _mm512_load_si512(kTables.low + 64));
  const __m512i hi = _mm512_maskz_permutex2var_epi8(ascii, _mm512_load_si512(kTables.high), v,
                                                    _mm512_load_si512(kTables.high + 64));
  for (unsigned k = 0; k < 8; ++k) {
    out[k] = _mm512_test_epi8_mask(lo, _mm512_set1_epi8(static_cast<char>(1u << k)));
    out[8 + k] = k + 8 < sc_count_ ? _mm512_test_epi8_mask(hi, _mm512_set1_epi8(static_cast<char>(1u << k))) : 0;
  }
}

bool cpu_has_avx512_kernel() noexcept {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vbmi");
}
#else
bool cpu_has_avx512_kernel() noexcept { return false; }
#endif

classifier best_classifier() noexcept {
  return cpu_has_avx512_kernel() ? classifier::avx512 : classifier::portable;
}

std::atomic<classifier> active{best_classifier()};

}  // namespace

const std::uint16_t scan_table[128] = {
#define SIPACTOR_ROW(r) kTables.both[r], kTables.both[r + 1], kTables.both[r + 2], kTables.both[r + 3], \
                        kTables.both[r + 4], kTables.both[r + 5], kTables.both[r + 6], kTables.both[r + 7]
    SIPACTOR_ROW(0),  SIPACTOR_ROW(8),  SIPACTOR_ROW(16), SIPACTOR_ROW(24), SIPACTOR_ROW(32), SIPACTOR_ROW(40),
    SIPACTOR_ROW(48), SIPACTOR_ROW(56), SIPACTOR_ROW(64), SIPACTOR_ROW(72), SIPACTOR_ROW(80), SIPACTOR_ROW(88),
    SIPACTOR_ROW(96), SIPACTOR_ROW(104), SIPACTOR_ROW(112), SIPACTOR_ROW(120)
#undef SIPACTOR_ROW
};

classifier active_classifier() noexcept { return active.load(std::memory_order_relaxed); }

bool classifier_available(classifier c) noexcept {
  return c == classifier::portable || cpu_has_avx512_kernel();
}

void select_classifier(classifier c) noexcept {
  active.store(classifier_available(c) ? c : classifier::portable, std::memory_order_relaxed);
}

void classify_block(classifier c, const char* p, std::size_t n, std::uint64_t* out) noexcept {
#if SIPACTOR_HAVE_AVX512_KERNEL
  if (c == classifier::avx512) {
    classify_avx512(p, n, out);
    return;
  }
#endif
  (void)c;
  classify_portable(p, n, out);
}

void char_masks::classify_through(std::size_t pos) {
  if (size_ == 0) return;
  if (pos >= size_) pos = size_ - 1;
  const std::size_t last = pos >> 6;
  if (last < blocks_) return;
  if (words_.size() < (last + 1) * scan_classes) words_.resize((last + 1) * scan_classes);
  const classifier c = active_classifier();
  for (std::size_t b = blocks_; b <= last; ++b) {
    const std::size_t from = b * 64;
    const std::size_t n = size_ - from < 64 ? size_ - from : 64;
    classify_block(c, base_ + from, n, &words_[b * scan_classes]);
  }
  blocks_ = last + 1;
}

}  // namespace sipactor::detail
