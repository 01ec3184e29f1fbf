/*
 * Docker json-file log writer: one JSON object per line
 * {"log":"...","stream":"stdout","time":"RFC3339Nano"}, lines split at
 * 16 KiB like Docker, JSON escaping of arbitrary bytes (invalid UTF-8 becomes
 * U+FFFD), rotation FILE -> FILE.1 ... FILE.(max_files-1) by size.
 */
#ifndef SHOAL_JSON_LOG_H
#define SHOAL_JSON_LOG_H
#include <stddef.h>
#include "buf.h"

#define JLOG_LINE_MAX (16 * 1024)

typedef struct {
  int fd;
  const char *path;
  long long max_size; /* 0 = unlimited */
  int max_files;      /* >= 1 */
  long long size;     /* current size of FILE */
  buf_t partial[2];   /* unfinished line per stream: [0] stdout, [1] stderr */
  int failed;         /* a write error was already reported */
} jlog_t;

/* Open (append to) path. Returns 0 or -1 with errno. */
int jlog_open(jlog_t *l, const char *path, long long max_size, int max_files);
/* Add output of stream 1 (stdout) or 2 (stderr); complete lines are written now. */
void jlog_write(jlog_t *l, int stream, const char *data, size_t n);
/* Write the unfinished lines (at exit). */
void jlog_flush(jlog_t *l);
void jlog_close(jlog_t *l);

/* JSON string body of n arbitrary bytes appended to out (no quotes). Exposed for tests. */
int json_escape_bytes(buf_t *out, const unsigned char *s, size_t n);

#endif
