// Linux calls that Glibc's Swift module hides behind _GNU_SOURCE.
#define _GNU_SOURCE 1
#include <unistd.h>
#include <fcntl.h>

static inline int benji_syncfs(int fd) { return syncfs(fd); }
