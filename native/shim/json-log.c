#include "json-log.h"
#include "timefmt.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern void shim_logf(const char *fmt, ...);

int jlog_open(jlog_t *l, const char *path, long long max_size, int max_files) {
  memset(l, 0, sizeof *l);
  l->path = path;
  l->max_size = max_size;
  l->max_files = max_files < 1 ? 1 : max_files;
  l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (l->fd < 0) return -1;
  struct stat st;
  if (fstat(l->fd, &st) == 0) l->size = st.st_size;
  return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid (Go's rules). */
static size_t utf8_valid_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  unsigned char lo = 0x80, hi = 0xBF;
  size_t len;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else return 0;
  if (n < len) return 0;
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xBF) return 0;
  return len;
}

int json_escape_bytes(buf_t *out, const unsigned char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i = 0, run = 0; /* run: start of bytes copied verbatim */
  int rc = 0;
  while (i < n) {
    unsigned char c = s[i];
    const char *esc = NULL;
    char u[7];
    size_t adv = 1, elen = 0;
    if (c < 0x80) {
      if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') { i++; continue; }
      switch (c) {
        case '"': esc = "\\\""; elen = 2; break;
        case '\\': esc = "\\\\"; elen = 2; break;
        case '\n': esc = "\\n"; elen = 2; break;
        case '\r': esc = "\\r"; elen = 2; break;
        case '\t': esc = "\\t"; elen = 2; break;
        default:
          u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0'; u[4] = hex[c >> 4]; u[5] = hex[c & 15];
          esc = u; elen = 6;
      }
    } else {
      size_t v = utf8_valid_len(s + i, n - i);
      if (v == 0) { esc = "\\ufffd"; elen = 6; }
      else if (v == 3 && c == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9)) {
        esc = s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"; elen = 6; adv = 3;
      } else { i += v; continue; }
    }
    rc |= buf_append(out, s + run, i - run);
    rc |= buf_append(out, esc, elen);
    i += adv;
    run = i;
  }
  rc |= buf_append(out, s + run, i - run);
  return rc;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void rotate(jlog_t *l) {
  char from[4096], to[4096];
  if (l->fd >= 0) close(l->fd);
  l->fd = -1;
  if (l->max_files > 1) {
    for (int i = l->max_files - 1; i >= 2; i--) {
      snprintf(from, sizeof from, "%s.%d", l->path, i - 1);
      snprintf(to, sizeof to, "%s.%d", l->path, i);
      if (rename(from, to) < 0 && errno != ENOENT) shim_logf("log rotation: rename %s: %s", from, strerror(errno));
    }
    snprintf(to, sizeof to, "%s.1", l->path);
    if (rename(l->path, to) < 0 && errno != ENOENT) shim_logf("log rotation: rename %s: %s", l->path, strerror(errno));
  }
  l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (l->fd < 0) shim_logf("log rotation: open %s: %s", l->path, strerror(errno));
  l->size = 0;
}

static void emit(jlog_t *l, int stream, const char *data, size_t n) {
  buf_t e = {0};
  char ts[RFC3339NANO_MAX];
  size_t tl = now_rfc3339nano(ts);
#define LIT(x) buf_append(&e, x, sizeof(x) - 1)
  int rc = LIT("{\"log\":\"");
  rc |= json_escape_bytes(&e, (const unsigned char *)data, n);
  rc |= stream == 2 ? LIT("\",\"stream\":\"stderr\",\"time\":\"") : LIT("\",\"stream\":\"stdout\",\"time\":\"");
  rc |= buf_append(&e, ts, tl);
  rc |= LIT("\"}\n");
#undef LIT
  if (rc != 0) {
    shim_logf("log: out of memory, entry dropped");
    buf_free(&e);
    return;
  }
  if (l->max_size > 0 && l->size > 0 && l->size + (long long)buf_size(&e) > l->max_size) rotate(l);
  if (l->fd >= 0) {
    if (write_all(l->fd, buf_head(&e), buf_size(&e)) < 0) {
      if (!l->failed) shim_logf("log: write %s: %s", l->path, strerror(errno));
      l->failed = 1;
    } else {
      l->size += (long long)buf_size(&e);
    }
  }
  buf_free(&e);
}

void jlog_write(jlog_t *l, int stream, const char *data, size_t n) {
  buf_t *p = &l->partial[stream == 2 ? 1 : 0];
  while (n > 0) {
    size_t room = JLOG_LINE_MAX - buf_size(p);
    size_t scan = n < room ? n : room;
    const char *nl = memchr(data, '\n', scan);
    size_t take = nl ? (size_t)(nl - data) + 1 : scan;
    if (buf_size(p) == 0 && (nl || take == JLOG_LINE_MAX)) {
      emit(l, stream, data, take); /* whole line in this chunk: no copy */
    } else {
      if (buf_append(p, data, take) < 0) { shim_logf("log: out of memory"); return; }
      if (nl || buf_size(p) >= JLOG_LINE_MAX) {
        emit(l, stream, buf_head(p), buf_size(p));
        buf_consume(p, buf_size(p));
      }
    }
    data += take;
    n -= take;
  }
}

void jlog_flush(jlog_t *l) {
  for (int i = 0; i < 2; i++) {
    buf_t *p = &l->partial[i];
    if (buf_size(p) > 0) emit(l, i + 1, buf_head(p), buf_size(p));
    buf_free(p);
  }
}

void jlog_close(jlog_t *l) {
  jlog_flush(l);
  if (l->fd >= 0) close(l->fd);
  l->fd = -1;
}
