/* strutil.c: bounded string helpers: copy, case-insensitive glob and equality, UTF-8 check. */
#include "util/strutil.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Copy with truncation, always NUL-terminated; returns strlen(src). */
size_t strlcpy_s(char *dst, const char *src, size_t cap)
{
	size_t n;

	if (src == NULL)
		src = "";
	n = strlen(src);
	if (dst == NULL || cap == 0)
		return n;
	if (n < cap) {
		memcpy(dst, src, n + 1);
	} else {
		memcpy(dst, src, cap - 1);
		dst[cap - 1] = '\0';
	}
	return n;
}

static int lower(char c)
{
	return tolower((unsigned char)c);
}

/*
 * Case-insensitive glob: '*' any run (including empty), '?' exactly one char.
 * Iterative with one backtrack point (the last '*'), so it is linear-ish and never recurses.
 */
bool glob_match_ci(const char *pattern, const char *s)
{
	const char *star = NULL, *resume = NULL;

	if (pattern == NULL || s == NULL)
		return false;
	while (*s != '\0') {
		if (*pattern == '*') {
			while (*pattern == '*')
				pattern++;
			if (*pattern == '\0')
				return true;
			star = pattern;
			resume = s;
			continue;
		}
		if (*pattern != '\0' && (*pattern == '?' || lower(*pattern) == lower(*s))) {
			pattern++;
			s++;
			continue;
		}
		if (star == NULL)
			return false;
		pattern = star;
		s = ++resume;
	}
	while (*pattern == '*')
		pattern++;
	return *pattern == '\0';
}

/* Case-insensitive equality (ASCII). */
bool str_eq_ci(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	while (*a != '\0' && *b != '\0') {
		if (lower(*a) != lower(*b))
			return false;
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * Is s valid UTF-8? Looks at the first len bytes, stopping early at a NUL byte (a C string
 * shorter than len is checked up to its terminator). Rejects overlong forms, UTF-16
 * surrogates (U+D800..U+DFFF), code points above U+10FFFF and sequences cut short by len or NUL.
 */
bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (s == NULL)
		return len == 0;
	while (i < len && p[i] != '\0') {
		unsigned char c = p[i];
		size_t need;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			need = 1;
			cp = c & 0x1F;
			min = 0x80;
		} else if (c >= 0xE0 && c <= 0xEF) {
			need = 2;
			cp = c & 0x0F;
			min = 0x800;
		} else if (c >= 0xF0 && c <= 0xF4) {
			need = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false; /* continuation byte, C0/C1 overlong lead, F5..FF */
		}
		if (len - i - 1 < need)
			return false;
		for (size_t k = 1; k <= need; k++) {
			unsigned char cc = p[i + k];
			if ((cc & 0xC0) != 0x80)
				return false; /* also catches a NUL inside the sequence */
			cp = (cp << 6) | (cc & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += need + 1;
	}
	return true;
}

/* The length of the valid UTF-8 character at p (at most n bytes), 0 when there is none. */
static size_t utf8_char_len(const char *p, size_t n)
{
	unsigned char c = (unsigned char)p[0];
	size_t len = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 :
		     c >= 0xF0 && c <= 0xF4 ? 4 : 0;

	return len > 0 && len <= n && utf8_valid(p, len) ? len : 0;
}

size_t utf8_scrub(const char *s, bool xml, char *out, size_t cap)
{
	size_t o = 0, n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t len = utf8_char_len(s + i, n - i);
		const char *w = s + i;
		size_t wl = len;

		if (len == 0) {
			w = "?";
			wl = 1;
			len = 1;
		} else if (xml && s[i] == '&') {
			w = "&amp;";
			wl = 5;
		} else if (xml && s[i] == '<') {
			w = "&lt;";
			wl = 4;
		} else if (xml && s[i] == '>') {
			w = "&gt;";
			wl = 4;
		}
		if (o + wl >= cap)
			break;
		memcpy(out + o, w, wl);
		o += wl;
		i += len;
	}
	out[o] = '\0';
	return o;
}

void path_dirname(const char *path, char *out, size_t cap)
{
	char *slash;

	strlcpy_s(out, path, cap);
	slash = strrchr(out, '/');
	if (slash == NULL)
		strlcpy_s(out, ".", cap);
	else if (slash == out)
		out[1] = '\0';
	else
		*slash = '\0';
}

const char *millionths_text(int64_t v, char *buf, size_t cap)
{
	int64_t whole = v / 1000000, frac = v % 1000000;
	char f[8];
	size_t n;

	snprintf(f, sizeof(f), "%06lld", (long long)(frac < 0 ? -frac : frac));
	n = strlen(f);
	while (n > 0 && f[n - 1] == '0')
		f[--n] = '\0';
	snprintf(buf, cap, "%s%lld%s%s", v < 0 && whole == 0 ? "-" : "", (long long)whole,
		 n > 0 ? "." : "", f);
	return buf;
}
