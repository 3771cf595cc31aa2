// Signal handlers Swift cannot write (see benji_kernels.h).
#define _GNU_SOURCE 1
#include "benji_kernels.h"
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted_by;

// Threads other than the main one that may wait in a read or write (kernel thread ids; 0: a free slot).
// A signal sent to the process goes to one thread only; the others are woken with `wake_signal`, whose
// handler does nothing but make their blocking call return EINTR.
#define WATCHED 8
static _Atomic pid_t watched[WATCHED];
static int wake_signal;  // SIGRTMIN + 2, set before the handlers are installed

static void on_wake(int signal) { (void)signal; }

static void on_interrupt(int signal) {
    // A second signal while the first is being handled: the user insists; die as the signal would.
    if (interrupted_by != 0) _exit(128 + signal);
    interrupted_by = signal;
    int saved = errno;
    pid_t self = (pid_t)syscall(SYS_gettid), process = getpid();
    if (self != process) syscall(SYS_tgkill, process, process, wake_signal);
    for (int i = 0; i < WATCHED; i++) {
        pid_t t = atomic_load(&watched[i]);
        // A thread that has just left may have a successor with its id: it gets a harmless EINTR.
        if (t != 0 && t != self) syscall(SYS_tgkill, process, t, wake_signal);
    }
    errno = saved;
}

int benji_watch_thread(void) {
    pid_t self = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < WATCHED; i++) {
        pid_t free_slot = 0;
        if (atomic_compare_exchange_strong(&watched[i], &free_slot, self)) return i;
    }
    return -1;
}

void benji_unwatch_thread(int slot) {
    if (slot >= 0 && slot < WATCHED) atomic_store(&watched[slot], 0);
}

void benji_catch_interrupts(void) {
    wake_signal = SIGRTMIN + 2;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a blocked read returns EINTR, and its caller looks at the flag.
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    action.sa_handler = on_wake;
    sigaction(wake_signal, &action, NULL);
    // A parent may have left them blocked (a mask is inherited across exec): unblocked here, at start,
    // before any other thread inherits the mask.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, wake_signal);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int benji_interrupting_signal(void) { return interrupted_by; }
