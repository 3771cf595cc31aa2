// Linux calls that Glibc's Swift module hides behind _GNU_SOURCE.
#define _GNU_SOURCE 1
#include <unistd.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/vfs.h>

/// The file system type (statfs f_type) of an open file, or -1.
static inline long long benji_file_system_type(int fd) {
    struct statfs fs;
    return fstatfs(fd, &fs) == 0 ? (long long)fs.f_type : -1;
}
static inline int benji_syncfs(int fd) { return syncfs(fd); }
static inline int benji_fallocate(int fd, int mode, long long offset, long long length) {
    return fallocate(fd, mode, (off_t)offset, (off_t)length);
}
/// Starts writeback of a file's dirty pages without waiting for it (a hint: errors surface in fdatasync).
static inline int benji_start_writeback(int fd) { return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE); }
static inline void benji_keep_large_allocations(int mmap_threshold, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
