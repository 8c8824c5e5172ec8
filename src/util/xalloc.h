/* xalloc.h: allocation wrappers; out of memory is decided here, once: abort with a message. */
#ifndef SRM_UTIL_XALLOC_H
#define SRM_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
/* realloc of n elements of size bytes, checking the multiplication for overflow. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/*
 * A byte buffer with room for at least need bytes: *cap doubles from 4096 until it holds
 * need, but stays at most max (0: no bound; callers refuse more than max before asking).
 */
void xgrow(char **buf, size_t *cap, size_t need, size_t max);

#endif
