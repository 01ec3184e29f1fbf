/* RFC3339Nano UTC timestamps formatted like Go's time.RFC3339Nano (trailing zeros of the fraction trimmed). */
#ifndef SHOAL_TIMEFMT_H
#define SHOAL_TIMEFMT_H
#include <stddef.h>
#include <time.h>

#define RFC3339NANO_MAX 40
/* Format ts into out (at least RFC3339NANO_MAX bytes); returns the length. */
size_t format_rfc3339nano(const struct timespec *ts, char *out);
/* Now, formatted. */
size_t now_rfc3339nano(char *out);
/* "SIGKILL" for 9; NULL for unknown numbers. */
const char *signal_name(int sig);

#endif
