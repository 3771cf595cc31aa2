// Hot loops that want SIMD: the record stream's JSON strings and base64, and SHA-256 of two blocks at once;
// and signal handlers, which Swift cannot write.
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

/// 1 if the CPU has what `benji_sha256_pair` needs (the SHA extensions, SSSE3 and SSE4.1), else 0.
int benji_sha256_pair_available(void);

/// The SHA-256 digests of a[0..na) and b[0..nb), computed together on one core: the two messages'
/// rounds interleave, so the SHA unit works on one while the other's last round completes. Only where
/// `benji_sha256_pair_available()`.
void benji_sha256_pair(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t da[32], uint8_t db[32]);

/// From now on, SIGINT, SIGTERM and SIGHUP only note the signal (`benji_interrupting_signal`), for the
/// work in progress to stop cleanly; a second one ends the process at once (status 128 + signal).
void benji_catch_interrupts(void);

/// The first of those signals received since `benji_catch_interrupts`, or 0.
int benji_interrupting_signal(void);

/// Makes the calling thread (not the main one) return EINTR from a blocking read or write when one of
/// those signals arrives, as the main thread does: the slot to give to `benji_unwatch_thread` before the
/// thread ends, or -1 if all slots are taken.
int benji_watch_thread(void);
void benji_unwatch_thread(int slot);

#endif
