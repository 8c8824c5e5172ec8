/* strutil.h: small bounded string helpers (no strcpy/sprintf in this project). */
#ifndef SRM_UTIL_STRUTIL_H
#define SRM_UTIL_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy with truncation, always NUL-terminated; returns strlen(src) (truncated if >= cap). */
size_t strlcpy_s(char *dst, const char *src, size_t cap);

/* Case-insensitive glob match: '*' any run, '?' one char, no escapes. */
bool glob_match_ci(const char *pattern, const char *s);

/* Case-insensitive equality. */
bool str_eq_ci(const char *a, const char *b);

/* Is s valid UTF-8 of at most len bytes? */
bool utf8_valid(const char *s, size_t len);

/* Millionths as the shortest decimal: 500000 -> "0.5", 4500000 -> "4.5", -300000 -> "-0.3". */
const char *millionths_text(int64_t v, char *buf, size_t cap);

/*
 * Copy s into out (cap > 0, always NUL-terminated) as valid UTF-8: a byte that does not
 * start a valid sequence becomes '?', and a character is never cut at cap. With xml, &, <
 * and > are written as &amp; &lt; &gt; (text for a markup-aware reader). Returns the
 * length written.
 */
size_t utf8_scrub(const char *s, bool xml, char *out, size_t cap);

/* The directory part of a path ("a/b" -> "a", "/b" -> "/", "b" -> ".") into out. */
void path_dirname(const char *path, char *out, size_t cap);

#endif
