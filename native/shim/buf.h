/* A growable byte buffer with a read offset (no static storage). */
#ifndef SHOAL_BUF_H
#define SHOAL_BUF_H
#include <stddef.h>

typedef struct {
  char *data;
  size_t off; /* first unread byte */
  size_t len; /* end of data */
  size_t cap;
} buf_t;

/* Append n bytes; returns 0, or -1 when out of memory. */
int buf_append(buf_t *b, const void *p, size_t n);
/* Drop n bytes from the front. */
void buf_consume(buf_t *b, size_t n);
/* Bytes not yet consumed. */
static inline size_t buf_size(const buf_t *b) { return b->len - b->off; }
static inline char *buf_head(const buf_t *b) { return b->data + b->off; }
/* Release the memory. */
void buf_free(buf_t *b);

#endif
