// Hot loops of the record stream that want SIMD: finding the end of a JSON string.
#ifndef BENJI_KERNELS_H
#define BENJI_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// The index of the first byte in p[0..n) that ends or complicates a JSON string: '"', '\\', or a
/// control character (< 0x20); n if there is none. Sets *high to 0x80 if any byte before it is not
/// ASCII (>= 0x80), and leaves it alone otherwise: one pass both finds the end and says whether the
/// string needs UTF-8 validation.
size_t benji_json_string_scan(const uint8_t *p, size_t n, uint8_t *high);

/// Base64-encodes the longest prefix of src[0..n) that the SIMD loop handles (a multiple of 24 bytes,
/// leaving at least 4 bytes unread) into dst, and returns its length in input bytes; the caller encodes
/// the rest. Returns 0 where the CPU has no AVX2.
size_t benji_base64_encode_bulk(const uint8_t *src, size_t n, uint8_t *dst);

/// Base64-decodes whole 32-character groups of src[0..n) into dst (24 bytes each) until the first group
/// holding a character outside the alphabet (including '='), and returns the number of characters
/// decoded; the caller decodes (and checks) the rest. Returns 0 where the CPU has no AVX2.
size_t benji_base64_decode_bulk(const uint8_t *src, size_t n, uint8_t *dst);

#endif
