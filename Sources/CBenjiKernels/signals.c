// Signal handlers Swift cannot write (see benji_kernels.h).
#include "benji_kernels.h"
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted_by;

static void on_interrupt(int signal) {
    // A second signal while the first is being handled: the user insists; die as the signal would.
    if (interrupted_by != 0) _exit(128 + signal);
    interrupted_by = signal;
}

void benji_catch_interrupts(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    // No SA_RESTART: a blocked read returns EINTR, and its caller looks at the flag.
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    // A parent may have left them blocked (a mask is inherited across exec): unblocked here, at start,
    // before any other thread inherits the mask.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int benji_interrupting_signal(void) { return interrupted_by; }
