#include "benji_kernels.h"

static size_t scan_scalar(const uint8_t *p, size_t i, size_t n, uint8_t *high) {
    uint8_t acc = 0;
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) break;
        acc |= c;
    }
    *high |= acc & 0x80;
    return i;
}

#if defined(__x86_64__)
#include <immintrin.h>

static int have_avx2(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx2") ? 1 : 0;
    return cached;
}

// A byte is special if it is '"', '\\' or below 0x20 (as unsigned: min(b, 0x1f) == b). The bytes passed
// over are OR-ed together, so that their top bit says whether any was not ASCII.
__attribute__((target("avx2")))
static size_t scan_avx2(const uint8_t *p, size_t n, uint8_t *high) {
    size_t i = 0;
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i slash = _mm256_set1_epi8('\\');
    const __m256i limit = _mm256_set1_epi8(0x1f);
    __m256i acc = _mm256_setzero_si256();
#define SPECIAL256(v) _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, slash)), \
                                      _mm256_cmpeq_epi8(_mm256_min_epu8(v, limit), v))
    for (; i + 64 <= n; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i b = _mm256_loadu_si256((const __m256i *)(p + i + 32));
        if (_mm256_movemask_epi8(_mm256_or_si256(SPECIAL256(a), SPECIAL256(b))) != 0) break;
        acc = _mm256_or_si256(acc, _mm256_or_si256(a, b));
    }
    for (; i + 32 <= n; i += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(p + i));
        unsigned mask = (unsigned)_mm256_movemask_epi8(SPECIAL256(a));
        if (mask != 0) {
            size_t stop = i + (size_t)__builtin_ctz(mask);
            if (_mm256_movemask_epi8(acc) != 0) *high = 0x80;
            return scan_scalar(p, i, stop, high);
        }
        acc = _mm256_or_si256(acc, a);
    }
#undef SPECIAL256
    if (_mm256_movemask_epi8(acc) != 0) *high = 0x80;
    return scan_scalar(p, i, n, high);
}

static size_t scan_sse2(const uint8_t *p, size_t n, uint8_t *high) {
    size_t i = 0;
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i slash = _mm_set1_epi8('\\');
    const __m128i limit = _mm_set1_epi8(0x1f);
    __m128i acc = _mm_setzero_si128();
#define SPECIAL(v) _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)), \
                                _mm_cmpeq_epi8(_mm_min_epu8(v, limit), v))
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
        if (_mm_movemask_epi8(SPECIAL(a)) != 0) break;
        acc = _mm_or_si128(acc, a);
    }
#undef SPECIAL
    if (_mm_movemask_epi8(acc) != 0) *high = 0x80;
    return scan_scalar(p, i, n, high);
}

size_t benji_json_string_scan(const uint8_t *p, size_t n, uint8_t *high) {
    return have_avx2() ? scan_avx2(p, n, high) : scan_sse2(p, n, high);
}

#else

size_t benji_json_string_scan(const uint8_t *p, size_t n, uint8_t *high) {
    return scan_scalar(p, 0, n, high);
}

#endif

#if defined(__x86_64__)

// Encoding: each 32-bit lane gets three input bytes b0 b1 b2 arranged as [b1 b0 b2 b1], so that the
// 16-bit words are b0:b1 and b1:b2. The four 6-bit fields are then a = w0[15:10], b = w0[9:4],
// c = w1[11:6], d = w1[5:0]; a multiply-high moves a and c to the low byte of their word, a multiply-low
// moves b and d to the high byte, giving the bytes a b c d in order.
__attribute__((target("avx2")))
static size_t encode_avx2(const uint8_t *src, size_t n, uint8_t *dst) {
    const __m256i arrange = _mm256_setr_epi8(
        1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,
        1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
    size_t i = 0, o = 0;
    while (i + 28 <= n) {
        __m128i lo = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i hi = _mm_loadu_si128((const __m128i *)(src + i + 12));
        __m256i in = _mm256_shuffle_epi8(_mm256_set_m128i(hi, lo), arrange);
        __m256i ac = _mm256_mulhi_epu16(_mm256_and_si256(in, _mm256_set1_epi32(0x0fc0fc00)),
                                        _mm256_set1_epi32(0x04000040));
        __m256i bd = _mm256_mullo_epi16(_mm256_and_si256(in, _mm256_set1_epi32(0x003f03f0)),
                                        _mm256_set1_epi32(0x01000010));
        __m256i v = _mm256_or_si256(ac, bd);
        // 0..25 -> 'A'.., 26..51 -> 'a'.., 52..61 -> '0'.., 62 -> '+', 63 -> '/'.
        __m256i offset = _mm256_set1_epi8(65);
        offset = _mm256_add_epi8(offset, _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(25)), _mm256_set1_epi8(6)));
        offset = _mm256_add_epi8(offset, _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(51)), _mm256_set1_epi8(-75)));
        offset = _mm256_add_epi8(offset, _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(61)), _mm256_set1_epi8(-15)));
        offset = _mm256_add_epi8(offset, _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(62)), _mm256_set1_epi8(3)));
        _mm256_storeu_si256((__m256i *)(dst + o), _mm256_add_epi8(v, offset));
        i += 24;
        o += 32;
    }
    return i;
}

__attribute__((target("avx2")))
static inline __m256i in_range(__m256i c, char lo, char hi) {
    return _mm256_and_si256(_mm256_cmpgt_epi8(c, _mm256_set1_epi8((char)(lo - 1))),
                            _mm256_cmpgt_epi8(_mm256_set1_epi8((char)(hi + 1)), c));
}

// Decoding: characters map to 6-bit values by range ('A'-'Z' -65, 'a'-'z' -71, '0'-'9' +4, '+' +19,
// '/' +16); a byte in no range (any other character, '=', or >= 0x80, negative as signed) ends the loop.
// Pairs of values merge into 12 bits (maddubs: a*64 + b), pairs of those into 24 (madd: x*4096 + y),
// and a shuffle takes the three bytes of each lane, high first.
__attribute__((target("avx2")))
static size_t decode_avx2(const uint8_t *src, size_t n, uint8_t *dst) {
    const __m256i take = _mm256_setr_epi8(
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    const __m256i gather = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 3, 7);
    size_t i = 0, o = 0;
    while (i + 32 <= n) {
        __m256i c = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i upper = in_range(c, 'A', 'Z');
        __m256i lower = in_range(c, 'a', 'z');
        __m256i digit = in_range(c, '0', '9');
        __m256i plus = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('+'));
        __m256i slash = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('/'));
        __m256i valid = _mm256_or_si256(_mm256_or_si256(upper, lower), _mm256_or_si256(digit, _mm256_or_si256(plus, slash)));
        if ((unsigned)_mm256_movemask_epi8(valid) != 0xffffffffu) break;
        __m256i delta = _mm256_and_si256(upper, _mm256_set1_epi8(-65));
        delta = _mm256_or_si256(delta, _mm256_and_si256(lower, _mm256_set1_epi8(-71)));
        delta = _mm256_or_si256(delta, _mm256_and_si256(digit, _mm256_set1_epi8(4)));
        delta = _mm256_or_si256(delta, _mm256_and_si256(plus, _mm256_set1_epi8(19)));
        delta = _mm256_or_si256(delta, _mm256_and_si256(slash, _mm256_set1_epi8(16)));
        __m256i v = _mm256_add_epi8(c, delta);
        __m256i twelve = _mm256_maddubs_epi16(v, _mm256_set1_epi32(0x01400140));
        __m256i whole = _mm256_madd_epi16(twelve, _mm256_set1_epi32(0x00011000));
        __m256i packed = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(whole, take), gather);
        _mm_storeu_si128((__m128i *)(dst + o), _mm256_castsi256_si128(packed));
        _mm_storel_epi64((__m128i *)(dst + o + 16), _mm256_extracti128_si256(packed, 1));
        i += 32;
        o += 24;
    }
    return i;
}

size_t benji_base64_encode_bulk(const uint8_t *src, size_t n, uint8_t *dst) {
    return have_avx2() ? encode_avx2(src, n, dst) : 0;
}

size_t benji_base64_decode_bulk(const uint8_t *src, size_t n, uint8_t *dst) {
    return have_avx2() ? decode_avx2(src, n, dst) : 0;
}

#else

size_t benji_base64_encode_bulk(const uint8_t *src, size_t n, uint8_t *dst) { (void)src; (void)n; (void)dst; return 0; }
size_t benji_base64_decode_bulk(const uint8_t *src, size_t n, uint8_t *dst) { (void)src; (void)n; (void)dst; return 0; }

#endif
