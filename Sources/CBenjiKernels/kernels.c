#include "benji_kernels.h"

#if defined(__x86_64__)
#include <emmintrin.h>

size_t benji_json_string_scan(const uint8_t *p, size_t n) {
    size_t i = 0;
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i slash = _mm_set1_epi8('\\');
    // Bytes < 0x20 as unsigned: min(b, 0x1f) == b.
    const __m128i limit = _mm_set1_epi8(0x1f);
    for (; i + 64 <= n; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(p + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(p + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(p + i + 48));
#define SPECIAL(v) _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)), \
                                _mm_cmpeq_epi8(_mm_min_epu8(v, limit), v))
        __m128i any = _mm_or_si128(_mm_or_si128(SPECIAL(a), SPECIAL(b)), _mm_or_si128(SPECIAL(c), SPECIAL(d)));
        if (_mm_movemask_epi8(any) != 0) break;
    }
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
        int mask = _mm_movemask_epi8(SPECIAL(a));
        if (mask != 0) return i + (size_t)__builtin_ctz((unsigned)mask);
    }
#undef SPECIAL
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
    }
    return n;
}

#else

size_t benji_json_string_scan(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c == '"' || c == '\\' || c < 0x20) return i;
    }
    return n;
}

#endif

int benji_is_ascii(const uint8_t *p, size_t n) {
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        __builtin_memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++) acc |= p[i];
    return (acc & 0x8080808080808080ULL) == 0;
}
