#include "timefmt.h"
#include <stdio.h>
#include <string.h>
#include <signal.h>

size_t format_rfc3339nano(const struct timespec *ts, char *out) {
  struct tm tm;
  time_t s = ts->tv_sec;
  gmtime_r(&s, &tm);
  size_t n = strftime(out, RFC3339NANO_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
  long ns = ts->tv_nsec;
  if (ns > 0) {
    char frac[24];
    snprintf(frac, sizeof frac, "%09ld", ns % 1000000000L);
    int l = 9;
    while (l > 0 && frac[l - 1] == '0') l--;
    out[n++] = '.';
    memcpy(out + n, frac, (size_t)l);
    n += (size_t)l;
  }
  out[n++] = 'Z';
  out[n] = '\0';
  return n;
}

size_t now_rfc3339nano(char *out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return format_rfc3339nano(&ts, out);
}

const char *signal_name(int sig) {
  static const char *const names[] = {
    NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
    "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
    "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
    "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
  };
  if (sig > 0 && sig < (int)(sizeof names / sizeof names[0])) return names[sig];
  return NULL;
}
