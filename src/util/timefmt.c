/* timefmt.c: ISO-8601 timestamps, durations, "HH:MM", "YYYY-MM-DD": strict, no libc time. */
#include "util/timefmt.h"

#include <stdbool.h>
#include <stdio.h>

#include "util/tz.h"

/* Exactly n decimal digits at *pp into *out. */
static bool digits(const char **pp, int n, int *out)
{
	const char *p = *pp;
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return true;
}

static bool lit(const char **pp, char c)
{
	if (**pp != c)
		return false;
	(*pp)++;
	return true;
}

static int mdays(int y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : md[m - 1];
}

/* "YYYY-MM-DD" at *pp, validated, into days since the epoch. */
static bool parse_ymd(const char **pp, int32_t *days)
{
	int y, m, d;

	if (!digits(pp, 4, &y) || !lit(pp, '-') || !digits(pp, 2, &m) || !lit(pp, '-') ||
	    !digits(pp, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > mdays(y, m))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

/*
 * Parse an ISO-8601 timestamp with a mandatory offset: date 'T' hh:mm:ss, an optional '.'
 * followed by 1..9 digits (truncated to ms), then 'Z', ±HH:MM or ±HHMM. Nothing may follow.
 */
int iso_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int32_t days;
	int h, mi, sec, ms = 0, oh, om, sign;
	int64_t secs;

	if (s == NULL || out == NULL)
		return -1;
	if (!parse_ymd(&p, &days) || !lit(&p, 'T') || !digits(&p, 2, &h) || !lit(&p, ':') ||
	    !digits(&p, 2, &mi) || !lit(&p, ':') || !digits(&p, 2, &sec))
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	if (*p == '.') {
		int n = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (n < 3)
				ms = ms * 10 + (*p - '0');
			n++;
			p++;
		}
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			ms *= 10;
	}
	if (*p == 'Z') {
		p++;
		oh = om = 0;
		sign = 1;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
		if (!digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (!digits(&p, 2, &om) || oh > 23 || om > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	secs = (int64_t)days * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	*out = secs * 1000 + ms;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static char *format(int64_t t, char *buf, size_t cap, bool short_form)
{
	int64_t days, rem;
	int y, m, d, ms;

	if (buf == NULL || cap == 0)
		return buf;
	/* Keep the year within 4 digits' worth of int arithmetic: clamp absurd instants. */
	if (t > 253402300799999LL)
		t = 253402300799999LL;      /* 9999-12-31T23:59:59.999Z */
	if (t < -62167219200000LL)
		t = -62167219200000LL;      /* 0000-01-01T00:00:00Z */
	days = floor_div(t, 86400000);
	rem = t - days * 86400000;
	civil_from_days((int32_t)days, &y, &m, &d);
	ms = (int)(rem % 1000);
	rem /= 1000;
	if (short_form && ms == 0)
		snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rem / 3600),
			 (int)(rem / 60 % 60), (int)(rem % 60));
	else
		snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
			 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), ms);
	return buf;
}

/* Format as "2025-07-18T21:00:01.268Z" (UTC, milliseconds). */
char *iso_format(int64_t t, char *buf, size_t cap)
{
	return format(t, buf, cap, false);
}

/* Format as iso_format, leaving out ".000". */
char *iso_format_short(int64_t t, char *buf, size_t cap)
{
	return format(t, buf, cap, true);
}

/*
 * Parse a duration: one or more <digits><unit> with units ms, s, m, h, d ("1h30m", "500ms").
 * Rejects empty strings, signs, spaces, a number without a unit, unknown units and overflow.
 */
int duration_parse(const char *s, int64_t *ms)
{
	const char *p = s;
	int64_t total = 0;

	if (s == NULL || ms == NULL || *s == '\0')
		return -1;
	while (*p != '\0') {
		int64_t v = 0, unit, part;

		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9') {
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, *p - '0', &v))
				return -1;
			p++;
		}
		if (p[0] == 'm' && p[1] == 's') {
			unit = 1;
			p += 2;
		} else if (*p == 's') {
			unit = 1000;
			p++;
		} else if (*p == 'm') {
			unit = 60000;
			p++;
		} else if (*p == 'h') {
			unit = 3600000;
			p++;
		} else if (*p == 'd') {
			unit = 86400000;
			p++;
		} else {
			return -1;
		}
		if (__builtin_mul_overflow(v, unit, &part) ||
		    __builtin_add_overflow(total, part, &total) || total > DURATION_MAX_MS)
			return -1;
	}
	*ms = total;
	return 0;
}

/* Parse "HH:MM" (also "H:MM") into minutes after midnight, 00:00..23:59. */
int hhmm_parse(const char *s, int *min)
{
	const char *p = s;
	int h, m;

	if (s == NULL || min == NULL)
		return -1;
	if (p[0] >= '0' && p[0] <= '9' && p[1] == ':') {
		h = p[0] - '0';
		p++;
	} else if (!digits(&p, 2, &h)) {
		return -1;
	}
	if (!lit(&p, ':') || !digits(&p, 2, &m) || *p != '\0' || h > 23 || m > 59)
		return -1;
	*min = h * 60 + m;
	return 0;
}

/* Parse "YYYY-MM-DD" into days since 1970-01-01, checking the day of the month. */
int date_parse(const char *s, int32_t *days)
{
	const char *p = s;
	int32_t d;

	if (s == NULL || days == NULL || !parse_ymd(&p, &d) || *p != '\0')
		return -1;
	*days = d;
	return 0;
}

char *date_format(int32_t days, char *buf, size_t cap)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
	return buf;
}
