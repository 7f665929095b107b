#include "messages/char_masks.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <utility>

#include "messages/text.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SIPACTOR_HAVE_X86_KERNELS 1
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
  if (c == '.') e |= bit(sc_dot);
  if (c == '-') e |= bit(sc_dash);
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

// The stored words of the inverted classes (char_masks.hpp), by word index: all ones where the
// class is stored inverted.
template <unsigned... k>
constexpr std::array<std::uint64_t, scan_classes> make_flips(std::integer_sequence<unsigned, k...>) {
  return {stored_flip(k)...};
}
alignas(64) constexpr std::array<std::uint64_t, scan_classes> kFlips =
    make_flips(std::make_integer_sequence<unsigned, scan_classes>{});
inline void invert_stored(std::uint64_t* out) noexcept {
  for (unsigned k = 0; k < scan_classes; ++k) out[k] ^= kFlips[k];
}

// The portable kernels: the class octets of the block by table lookup, then one 64-bit word per
// class.
inline void class_octets(const char* p, std::size_t n, std::uint8_t* lo, std::uint8_t* hi) noexcept {
  const std::size_t live = n < 64 ? n : 64;
  for (std::size_t i = 0; i < live; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    const std::uint16_t e = c < 128 ? kTables.both[c] : 0;
    lo[i] = static_cast<std::uint8_t>(e);
    hi[i] = static_cast<std::uint8_t>(e >> 8);
  }
  for (std::size_t i = live; i < 64; ++i) lo[i] = hi[i] = 0;
}

// Bit k of each of the 8 octets of x, gathered into 8 bits: the octets' bits sit 8 apart, and
// the multiplier moves the bit of octet i to bit 56 + i without carries between terms.
template <int k>
inline std::uint64_t swar_word(const std::uint8_t* cls) noexcept {
  std::uint64_t w = 0;
  for (int g = 0; g < 8; ++g) {
    std::uint64_t x;
    std::memcpy(&x, cls + 8 * g, 8);
    w |= ((((x >> k) & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56) << (8 * g);
  }
  return w;
}
template <int... k>
inline void swar_words(const std::uint8_t* cls, std::uint64_t* out, std::integer_sequence<int, k...>) noexcept {
  ((out[k] = swar_word<k>(cls)), ...);
}
void classify_scalar(const char* p, std::size_t n, std::uint64_t* out) noexcept {
  alignas(16) std::uint8_t lo[64], hi[64];
  class_octets(p, n, lo, hi);
  swar_words(lo, out, std::make_integer_sequence<int, 8>{});
  swar_words(hi, out + 8, std::make_integer_sequence<int, 8>{});
  invert_stored(out);
}

#if SIPACTOR_HAVE_X86_KERNELS
// SSSE3 and AVX2: pshufb looks 16 entries up at once, so the 128-entry tables are taken as 8 rows
// of 16 (one per high nibble): each row is looked up with the low nibbles and kept where the high
// nibble is the row's. Row 1 (0x10-0x1f) holds no class and is skipped; octets >= 0x80 match no
// row. Then pmovmskb gathers bit 7 of each octet; shifting left by 7 - k first brings class bit k
// there.
constexpr bool row_is_empty(int r) {
  for (int c = 16 * r; c < 16 * r + 16; ++c)
    if (kTables.both[c] != 0) return false;
  return true;
}
static_assert(row_is_empty(1), "a control character 0x10-0x1f has a class: look row 1 up too");
constexpr int kRows[] = {0, 2, 3, 4, 5, 6, 7};

#define SIPACTOR_SSSE3_TARGET __attribute__((target("ssse3")))
template <int... k>
SIPACTOR_SSSE3_TARGET inline void ssse3_gather(__m128i cls, std::uint64_t* out, int at,
                                               std::integer_sequence<int, k...>) noexcept {
  ((out[k] |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_slli_epi16(cls, 7 - k)))) << at), ...);
}
SIPACTOR_SSSE3_TARGET void classify_ssse3(const char* p, std::size_t n, std::uint64_t* out) noexcept {
  alignas(16) char tail[64] = {};
  if (n < 64) std::memcpy(tail, p, n);  // no read past n; NUL has no class
  const char* src = n < 64 ? tail : p;
  const __m128i nibble = _mm_set1_epi8(0x0f);
  for (unsigned k = 0; k < scan_classes; ++k) out[k] = 0;
#pragma GCC unroll 4
  for (int q = 0; q < 4; ++q) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 16 * q));
    const __m128i low_nibble = _mm_and_si128(v, nibble);
    const __m128i high_nibble = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
    __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
#pragma GCC unroll 8
    for (int r : kRows) {
      const __m128i in_row = _mm_cmpeq_epi8(high_nibble, _mm_set1_epi8(static_cast<char>(r)));
      const __m128i row_lo = _mm_load_si128(reinterpret_cast<const __m128i*>(kTables.low + 16 * r));
      const __m128i row_hi = _mm_load_si128(reinterpret_cast<const __m128i*>(kTables.high + 16 * r));
      lo = _mm_or_si128(lo, _mm_and_si128(in_row, _mm_shuffle_epi8(row_lo, low_nibble)));
      hi = _mm_or_si128(hi, _mm_and_si128(in_row, _mm_shuffle_epi8(row_hi, low_nibble)));
    }
    ssse3_gather(lo, out, 16 * q, std::make_integer_sequence<int, 8>{});
    ssse3_gather(hi, out + 8, 16 * q, std::make_integer_sequence<int, 8>{});
  }
  invert_stored(out);
}

#define SIPACTOR_AVX2_TARGET __attribute__((target("avx2")))
template <int... k>
SIPACTOR_AVX2_TARGET inline void avx2_gather(__m256i cls, std::uint32_t* out, std::integer_sequence<int, k...>) noexcept {
  ((out[k] = static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_slli_epi16(cls, 7 - k)))), ...);
}
SIPACTOR_AVX2_TARGET void classify_avx2(const char* p, std::size_t n, std::uint64_t* out) noexcept {
  alignas(32) char tail[64] = {};
  if (n < 64) std::memcpy(tail, p, n);  // no read past n; NUL has no class
  const char* src = n < 64 ? tail : p;
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  std::uint32_t lo_words[2][8], hi_words[2][8];
  for (int h = 0; h < 2; ++h) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32 * h));
    const __m256i low_nibble = _mm256_and_si256(v, nibble);
    const __m256i high_nibble = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int r : kRows) {
      const __m256i in_row = _mm256_cmpeq_epi8(high_nibble, _mm256_set1_epi8(static_cast<char>(r)));
      const __m256i row_lo = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(kTables.low + 16 * r)));
      const __m256i row_hi = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(kTables.high + 16 * r)));
      lo = _mm256_or_si256(lo, _mm256_and_si256(in_row, _mm256_shuffle_epi8(row_lo, low_nibble)));
      hi = _mm256_or_si256(hi, _mm256_and_si256(in_row, _mm256_shuffle_epi8(row_hi, low_nibble)));
    }
    avx2_gather(lo, lo_words[h], std::make_integer_sequence<int, 8>{});
    avx2_gather(hi, hi_words[h], std::make_integer_sequence<int, 8>{});
  }
  for (int k = 0; k < 8; ++k) {
    out[k] = (lo_words[0][k] | static_cast<std::uint64_t>(lo_words[1][k]) << 32) ^ kFlips[k];
    out[8 + k] = (hi_words[0][k] | static_cast<std::uint64_t>(hi_words[1][k]) << 32) ^ kFlips[8 + k];
  }
}
#endif

#if SIPACTOR_HAVE_X86_KERNELS
#define SIPACTOR_AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi,gfni")))
// Per block, about a dozen instructions:
//  1. load the 64 octets (masked: nothing past n is read), each qword's octets in reverse order;
//  2. vpermi2b looks every octet up in the 128-entry tables of class bits 0-7 and 8-15 (octets
//     >= 0x80 are zeroed by the mask);
//  3. gf2p8affineqb with the looked-up qword as the bit matrix transposes each 8x8 block:
//     output octet b of a qword holds class b of the qword's 8 positions (the reversal in step 1
//     puts position p in bit p);
//  4. vpermb gathers octet b of the 8 qwords into qword b: the words of classes 0-7, stored at once.
// vpermb; the all-ones zeroing mask only avoids GCC 12's -Wuninitialized on the unmasked form.
SIPACTOR_AVX512_TARGET inline __m512i permute(__m512i index, __m512i a) noexcept {
  return _mm512_maskz_permutexvar_epi8(~__mmask64{0}, index, a);
}

SIPACTOR_AVX512_TARGET void classify_avx512(const char* p, std::size_t n, std::uint64_t* out) noexcept {
  alignas(64) static constexpr std::uint8_t reverse_qwords[64] = {
      7,  6,  5,  4,  3,  2,  1,  0,  15, 14, 13, 12, 11, 10, 9,  8,  23, 22, 21, 20, 19, 18,
      17, 16, 31, 30, 29, 28, 27, 26, 25, 24, 39, 38, 37, 36, 35, 34, 33, 32, 47, 46, 45, 44,
      43, 42, 41, 40, 55, 54, 53, 52, 51, 50, 49, 48, 63, 62, 61, 60, 59, 58, 57, 56};
  alignas(64) static constexpr std::uint8_t transpose_bytes[64] = {
      0, 8,  16, 24, 32, 40, 48, 56, 1, 9,  17, 25, 33, 41, 49, 57, 2, 10, 18, 26, 34, 42,
      50, 58, 3, 11, 19, 27, 35, 43, 51, 59, 4, 12, 20, 28, 36, 44, 52, 60, 5, 13, 21, 29,
      37, 45, 53, 61, 6, 14, 22, 30, 38, 46, 54, 62, 7, 15, 23, 31, 39, 47, 55, 63};
  const __mmask64 live = n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
  const __m512i v = permute(_mm512_load_si512(reverse_qwords), _mm512_maskz_loadu_epi8(live, p));
  const __mmask64 keep = ~_mm512_movepi8_mask(v);  // the octets past n read as NUL: no class
  const __m512i lo = _mm512_maskz_permutex2var_epi8(keep, _mm512_load_si512(kTables.low), v,
                                                    _mm512_load_si512(kTables.low + 64));
  const __m512i hi = _mm512_maskz_permutex2var_epi8(keep, _mm512_load_si512(kTables.high), v,
                                                    _mm512_load_si512(kTables.high + 64));
  const __m512i unit = _mm512_set1_epi64(0x8040201008040201ll);  // octet b = 1 << b
  const __m512i t = _mm512_load_si512(transpose_bytes);
  _mm512_storeu_si512(out, _mm512_xor_si512(permute(t, _mm512_gf2p8affine_epi64_epi8(unit, lo, 0)),
                                            _mm512_load_si512(kFlips.data())));
  _mm512_storeu_si512(out + 8, _mm512_xor_si512(permute(t, _mm512_gf2p8affine_epi64_epi8(unit, hi, 0)),
                                                _mm512_load_si512(kFlips.data() + 8)));
}

bool cpu_supports(classifier c) noexcept {
  __builtin_cpu_init();
  switch (c) {
    case classifier::scalar: return true;
    case classifier::ssse3: return __builtin_cpu_supports("ssse3");
    case classifier::avx2: return __builtin_cpu_supports("avx2");
    case classifier::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("gfni");
  }
  return false;
}
#else
bool cpu_supports(classifier c) noexcept { return c == classifier::scalar; }
#endif

classifier best_classifier() noexcept {
  for (classifier c : {classifier::avx512, classifier::avx2, classifier::ssse3})
    if (cpu_supports(c)) return c;
  return classifier::scalar;
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

bool classifier_available(classifier c) noexcept { return cpu_supports(c); }

void select_classifier(classifier c) noexcept {
  active.store(classifier_available(c) ? c : classifier::scalar, std::memory_order_relaxed);
}

char_masks::kernel char_masks::kernel_for(classifier c) noexcept {
  switch (c) {
#if SIPACTOR_HAVE_X86_KERNELS
    case classifier::avx512: return classify_avx512;
    case classifier::avx2: return classify_avx2;
    case classifier::ssse3: return classify_ssse3;
#endif
    default: return classify_scalar;
  }
}

void classify_block(classifier c, const char* p, std::size_t n, std::uint64_t* out) noexcept {
  char_masks::kernel_for(c)(p, n, out);
  invert_stored(out);  // back to the classes' own bits
}

void char_masks::classify_more(std::size_t pos) {
  if (size_ == 0) return;
  if (pos >= size_) pos = size_ - 1;
  const std::size_t last = pos >> 6;
  if (last < blocks_) return;
  std::uint64_t* const words = words_.data();  // sized for every block by reset()
  for (std::size_t b = blocks_; b <= last; ++b) {
    const std::size_t from = b * 64;
    const std::size_t n = size_ - from < 64 ? size_ - from : 64;
    kernel_(base_ + from, n, words + b * scan_classes);
  }
  blocks_ = last + 1;
}

}  // namespace sipactor::detail
