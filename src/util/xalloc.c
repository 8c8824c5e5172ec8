/* xalloc.c: allocation wrappers that never return NULL. */
#include "util/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "srm: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size != 0 && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	q = realloc(p, (n * size) != 0 ? n * size : 1);
	if (q == NULL)
		oom(n * size);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);

	memcpy(p, s, n);
	return p;
}

void xgrow(char **buf, size_t *cap, size_t need, size_t max)
{
	size_t ncap = *cap ? *cap : 4096;

	if (need <= *cap)
		return;
	while (ncap < need)
		ncap *= 2;
	if (max != 0 && ncap > max)
		ncap = max < need ? need : max;
	*buf = xreallocarray(*buf, ncap, 1);
	*cap = ncap;
}
