// Linux calls that Glibc's Swift module hides behind _GNU_SOURCE.
#define _GNU_SOURCE 1
#include <unistd.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/vfs.h>
#include <sys/mman.h>
#include <sys/syscall.h>

/// The file system type (statfs f_type) of an open file, or -1.
static inline long long benji_file_system_type(int fd) {
    struct statfs fs;
    return fstatfs(fd, &fs) == 0 ? (long long)fs.f_type : -1;
}
static inline int benji_syncfs(int fd) { return syncfs(fd); }
/// rename(2) that fails with EEXIST instead of replacing `to` (renameat2 RENAME_NOREPLACE).
static inline int benji_rename_noreplace(const char *from, const char *to) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, 1 /* RENAME_NOREPLACE */);
}
static inline int benji_fallocate(int fd, int mode, long long offset, long long length) {
    return fallocate(fd, mode, (off_t)offset, (off_t)length);
}
/// Starts writeback of a file's dirty pages without waiting for it (a hint: errors surface in fdatasync).
static inline int benji_start_writeback(int fd) { return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE); }
static inline void benji_keep_large_allocations(int mmap_threshold, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}

/// 1 if every page of `length` bytes of a file at `offset` (page-aligned) is in the page cache, 0 if
/// not, -1 if that cannot be told (`mincore` on a mapping of the range: nothing is read or faulted in;
/// it answers only for a file the process owns or may write, and says "cached" for any other).
/// (No <stdlib.h> here: with _GNU_SOURCE it would define fd_set differently from other modules.)
static inline int benji_fully_cached_mincore(int fd, long long offset, size_t length) {
    if (length == 0) return 1;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    void *p = mmap(NULL, length, PROT_READ, MAP_SHARED, fd, (off_t)offset);
    if (p == MAP_FAILED) return -1;
    unsigned char vec[1024];
    int result = 1;
    for (size_t done = 0; done < length && result == 1; done += sizeof vec * page) {
        size_t n = length - done < sizeof vec * page ? length - done : sizeof vec * page;
        if (mincore((char *)p + done, n, vec) != 0) { result = -1; break; }
        for (size_t i = 0; i < (n + page - 1) / page; i++) if (!(vec[i] & 1)) { result = 0; break; }
    }
    munmap(p, length);
    return result;
}
struct benji_cachestat_range { unsigned long long off, len; };
struct benji_cachestat { unsigned long long nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted; };
/// The same with `cachestat` (Linux 6.5; one call, for any file the process can read); -1 where the
/// kernel has no such call or refuses it.
static inline int benji_fully_cached_cachestat(int fd, long long offset, size_t length) {
    if (length == 0) return 1;
    struct benji_cachestat_range range = { (unsigned long long)offset, (unsigned long long)length };
    struct benji_cachestat stat;
    if (syscall(451 /* cachestat */, fd, &range, &stat, 0) != 0) return -1;
    unsigned long long page = (unsigned long long)sysconf(_SC_PAGESIZE);
    unsigned long long first = (unsigned long long)offset / page;
    unsigned long long end = ((unsigned long long)offset + length + page - 1) / page;
    return stat.nr_cache >= end - first ? 1 : 0;
}
/// `cachestat` where the kernel has it, else `mincore`.
static inline int benji_fully_cached(int fd, long long offset, size_t length) {
    int cached = benji_fully_cached_cachestat(fd, offset, length);
    return cached >= 0 ? cached : benji_fully_cached_mincore(fd, offset, length);
}
/// Moves up to `length` bytes from `in` to `out` inside the kernel (one of them a pipe), at their
/// current positions: the count, 0 at the end of the input, or -1 with errno (EINVAL: neither is a pipe,
/// or a file that cannot take it).
static inline long benji_splice(int in, int out, size_t length) {
    return (long)splice(in, NULL, out, NULL, length, SPLICE_F_MOVE);
}
/// Turns O_DIRECT on or off for an open file; 0, or -1 with errno (EINVAL: the file system has no
/// direct I/O).
static inline int benji_set_direct(int fd, int on) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return -1;
    return fcntl(fd, F_SETFL, on ? (flags | O_DIRECT) : (flags & ~O_DIRECT));
}
