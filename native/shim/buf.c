#include "buf.h"
#include <stdlib.h>
#include <string.h>

int buf_append(buf_t *b, const void *p, size_t n) {
  if (n == 0) return 0;
  if (b->off > 0 && b->len + n > b->cap) {
    memmove(b->data, b->data + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
  }
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

void buf_consume(buf_t *b, size_t n) {
  b->off += n;
  if (b->off >= b->len) {
    b->off = b->len = 0;
    /* give big buffers back once empty: keeps idle shims small */
    if (b->cap > 65536) {
      free(b->data);
      b->data = NULL;
      b->cap = 0;
    }
  }
}

void buf_free(buf_t *b) {
  free(b->data);
  b->data = NULL;
  b->off = b->len = b->cap = 0;
}
