// Hot loops of the record stream that want SIMD: finding the end of a JSON string.
#ifndef BENJI_KERNELS_H
#define BENJI_KERNELS_H
#include <stddef.h>
#include <stdint.h>

/// The index of the first byte in p[0..n) that ends or complicates a JSON string: '"', '\\', or a
/// control character (< 0x20); n if there is none.
size_t benji_json_string_scan(const uint8_t *p, size_t n);



/// True if every byte of p[0..n) is ASCII (< 0x80).
int benji_is_ascii(const uint8_t *p, size_t n);
#endif
