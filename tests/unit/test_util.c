/* test_util.c: strutil, timefmt and tz (TZif files, POSIX footer rules, DST gaps and overlaps). */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/tz.h"

/* ---- strutil ---- */

static void test_strlcpy(void **state)
{
	char buf[6];
	(void)state;

	assert_int_equal(strlcpy_s(buf, "abc", sizeof(buf)), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(strlcpy_s(buf, "abcdefgh", sizeof(buf)), 8);
	assert_string_equal(buf, "abcde");
	assert_int_equal(strlcpy_s(buf, "abcde", sizeof(buf)), 5);
	assert_string_equal(buf, "abcde");
	buf[0] = 'x';
	assert_int_equal(strlcpy_s(buf, "zz", 0), 2);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(strlcpy_s(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_glob(void **state)
{
	(void)state;
	assert_true(glob_match_ci("MNQ", "mnq"));
	assert_true(glob_match_ci("M*", "MNQ"));
	assert_true(glob_match_ci("*", ""));
	assert_true(glob_match_ci("*", "anything"));
	assert_true(glob_match_ci("?NQ", "MNQ"));
	assert_true(glob_match_ci("?nq", "mNQ"));
	assert_true(glob_match_ci("CON.F.US.*.Z26", "con.f.us.ep.z26"));
	assert_true(glob_match_ci("*a*b*c", "xxaxxbxxbxc"));
	assert_true(glob_match_ci("a**b", "ab"));
	assert_true(glob_match_ci("*?", "x"));
	assert_false(glob_match_ci("*?", ""));
	assert_false(glob_match_ci("?NQ", "NQ"));
	assert_false(glob_match_ci("M*", "ES"));
	assert_false(glob_match_ci("MNQ", "MNQZ"));
	assert_false(glob_match_ci("MNQ*X", "MNQ"));
	assert_false(glob_match_ci("", "a"));
	assert_true(glob_match_ci("", ""));
	assert_false(glob_match_ci("*a*b*c", "xxaxxbxxbx"));
	assert_false(glob_match_ci(NULL, "a"));
}

static void test_str_eq_ci(void **state)
{
	(void)state;
	assert_true(str_eq_ci("America/Chicago", "AMERICA/chicago"));
	assert_true(str_eq_ci("", ""));
	assert_false(str_eq_ci("abc", "abcd"));
	assert_false(str_eq_ci("abcd", "abc"));
	assert_false(str_eq_ci("abc", "abd"));
}

/* Millionths (config shares and weights, weighted contract counts) as the shortest decimal. */
static void test_millionths_text(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(millionths_text(500000, b, sizeof(b)), "0.5");
	assert_string_equal(millionths_text(1000000, b, sizeof(b)), "1");
	assert_string_equal(millionths_text(4500000, b, sizeof(b)), "4.5");
	assert_string_equal(millionths_text(1, b, sizeof(b)), "0.000001");
	assert_string_equal(millionths_text(0, b, sizeof(b)), "0");
	assert_string_equal(millionths_text(-300000, b, sizeof(b)), "-0.3");
	assert_string_equal(millionths_text(-2250000, b, sizeof(b)), "-2.25");
}

static void test_utf8(void **state)
{
	static const struct {
		const char *s;
		bool ok;
	} cases[] = {
		{ "plain ascii", true },
		{ "", true },
		{ "caf\xc3\xa9", true },                 /* é */
		{ "\xe2\x82\xac", true },               /* € */
		{ "\xf0\x9f\x98\x80", true },           /* U+1F600 */
		{ "\xf4\x8f\xbf\xbf", true },           /* U+10FFFF */
		{ "\xed\x9f\xbf", true },               /* U+D7FF */
		{ "\xee\x80\x80", true },               /* U+E000 */
		{ "\xc0\xaf", false },                  /* overlong '/' */
		{ "\xc1\xbf", false },                  /* overlong */
		{ "\xe0\x80\xaf", false },              /* overlong 3-byte */
		{ "\xe0\x9f\xbf", false },              /* overlong U+07FF */
		{ "\xf0\x8f\xbf\xbf", false },          /* overlong U+FFFF */
		{ "\xed\xa0\x80", false },              /* surrogate U+D800 */
		{ "\xed\xbf\xbf", false },              /* surrogate U+DFFF */
		{ "\xf4\x90\x80\x80", false },          /* U+110000 */
		{ "\xf5\x80\x80\x80", false },
		{ "\xff", false },
		{ "\x80", false },                      /* lone continuation */
		{ "caf\xc3", false },                   /* truncated */
		{ "\xe2\x82", false },                  /* truncated */
		{ "\xf0\x9f\x98", false },              /* truncated */
		{ "\xc3\x28", false },                  /* bad continuation */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
			fail_msg("utf8 case %zu: expected %d", i, cases[i].ok);
	}
	/* len cuts a sequence short */
	assert_false(utf8_valid("\xe2\x82\xac", 2));
	assert_true(utf8_valid("\xe2\x82\xac", 3));
	assert_true(utf8_valid("ab\xff", 2));
}

/* utf8_scrub: what a D-Bus string (valid UTF-8) or a markup reader may be given. */
static void test_utf8_scrub(void **state)
{
	char out[16];
	size_t n;

	(void)state;
	assert_int_equal(utf8_scrub("caf\xc3\xa9 \xe2\x82\xac", false, out, sizeof(out)), 9);
	assert_string_equal(out, "caf\xc3\xa9 \xe2\x82\xac");
	/* a bad byte, a lone continuation, a truncated sequence and a surrogate each become ? */
	utf8_scrub("a\xff" "b\x80" "c\xed\xa0\x80" "d\xe2\x82", false, out, sizeof(out));
	assert_string_equal(out, "a?b?c???d??");
	assert_true(utf8_valid(out, strlen(out)));
	/* markup: & < > as entities, other text as is */
	utf8_scrub("6 > 4 & <b>", true, out, sizeof(out));
	assert_string_equal(out, "6 &gt; 4 &amp; ");  /* cut before an entity that would not fit */
	utf8_scrub("a<b", false, out, sizeof(out));
	assert_string_equal(out, "a<b");
	/* the cap never cuts a character: "12345678901234" + a 2-byte char does not fit in 16 */
	n = utf8_scrub("12345678901234\xc3\xa9", false, out, sizeof(out));
	assert_int_equal(n, 14);
	assert_string_equal(out, "12345678901234");
	n = utf8_scrub("1234567890123\xc3\xa9", false, out, sizeof(out));
	assert_int_equal(n, 15);
	assert_int_equal(utf8_scrub("x", false, out, 1), 0);
	assert_string_equal(out, "");
}

/* ---- timefmt ---- */

static void test_iso_parse_good(void **state)
{
	srm_ms t;
	(void)state;

	assert_int_equal(iso_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(iso_parse("2025-07-18T21:00:01.268009+00:00", &t), 0);
	assert_int_equal(t, 1752872401268LL);
	assert_int_equal(iso_parse("2025-07-18T21:00:01.268Z", &t), 0);
	assert_int_equal(t, 1752872401268LL);
	assert_int_equal(iso_parse("2025-07-18T21:00:01Z", &t), 0);
	assert_int_equal(t, 1752872401000LL);
	/* offsets */
	assert_int_equal(iso_parse("2025-07-18T16:00:01-05:00", &t), 0);
	assert_int_equal(t, 1752872401000LL);
	assert_int_equal(iso_parse("2025-07-18T16:00:01-0500", &t), 0);
	assert_int_equal(t, 1752872401000LL);
	assert_int_equal(iso_parse("2025-07-19T02:30:01+05:30", &t), 0);
	assert_int_equal(t, 1752872401000LL);
	assert_int_equal(iso_parse("2025-07-18T21:00:01-00:00", &t), 0);
	assert_int_equal(t, 1752872401000LL);
	/* before the epoch */
	assert_int_equal(iso_parse("1969-12-31T23:59:59.500Z", &t), 0);
	assert_int_equal(t, -500);
	/* leap day */
	assert_int_equal(iso_parse("2024-02-29T12:00:00Z", &t), 0);
	assert_int_equal(t, 1709208000000LL);
	assert_int_equal(iso_parse("2000-02-29T00:00:00Z", &t), 0);
	assert_int_equal(t, 951782400000LL);
}

static void test_iso_fraction_digits(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} cases[] = {
		{ "2026-01-02T03:04:05Z", 0 },
		{ "2026-01-02T03:04:05.1Z", 100 },
		{ "2026-01-02T03:04:05.12Z", 120 },
		{ "2026-01-02T03:04:05.123Z", 123 },
		{ "2026-01-02T03:04:05.1234Z", 123 },
		{ "2026-01-02T03:04:05.12345Z", 123 },
		{ "2026-01-02T03:04:05.123456Z", 123 },
		{ "2026-01-02T03:04:05.1234567Z", 123 },
		{ "2026-01-02T03:04:05.12345678Z", 123 },
		{ "2026-01-02T03:04:05.999999999Z", 999 },
		{ "2026-01-02T03:04:05.000000001+00:00", 0 },
	};
	srm_ms base, t;
	(void)state;

	assert_int_equal(iso_parse("2026-01-02T03:04:05Z", &base), 0);
	assert_int_equal(base, 1767323045000LL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (iso_parse(cases[i].s, &t) != 0)
			fail_msg("rejected %s", cases[i].s);
		assert_int_equal(t - base, cases[i].ms);
	}
}

static void test_iso_parse_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"2025",
		"2025-07-18",
		"2025-07-18T21:00:01",               /* no offset */
		"2025-07-18 21:00:01Z",              /* space separator */
		"2025-07-18T21:00Z",                 /* no seconds */
		"2025-7-18T21:00:01Z",
		"25-07-18T21:00:01Z",
		"2025-13-01T00:00:00Z",
		"2025-00-01T00:00:00Z",
		"2025-02-29T00:00:00Z",              /* not a leap year */
		"1900-02-29T00:00:00Z",
		"2025-04-31T00:00:00Z",
		"2025-01-00T00:00:00Z",
		"2025-01-01T24:00:00Z",
		"2025-01-01T23:60:00Z",
		"2025-01-01T23:59:60Z",
		"2025-01-01T00:00:00.Z",             /* empty fraction */
		"2025-01-01T00:00:00.1234567890Z",   /* 10 digits */
		"2025-01-01T00:00:00Zjunk",
		"2025-01-01T00:00:00Z ",
		"2025-01-01T00:00:00+00:00x",
		"2025-01-01T00:00:00+0",
		"2025-01-01T00:00:00+00:0",
		"2025-01-01T00:00:00+00:",
		"2025-01-01T00:00:00+24:00",
		"2025-01-01T00:00:00+05:60",
		"2025-01-01T00:00:00+5:00",
		"2025-01-01T00:00:00z",
		"2025-01-01t00:00:00Z",
		" 2025-01-01T00:00:00Z",
		"2025-01-01T00:00:00.12a4Z",
		"2025-01-01T0a:00:00Z",
		"+2025-01-01T00:00:00Z",
		"2025/01/01T00:00:00Z",
	};
	srm_ms t = 42;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (iso_parse(bad[i], &t) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(t, 42);
	assert_int_equal(iso_parse(NULL, &t), -1);
}

static void test_iso_format(void **state)
{
	char buf[40];
	srm_ms t, back;
	(void)state;

	assert_string_equal(iso_format(0, buf, sizeof(buf)), "1970-01-01T00:00:00.000Z");
	assert_string_equal(iso_format(1752872401268LL, buf, sizeof(buf)),
		            "2025-07-18T21:00:01.268Z");
	assert_string_equal(iso_format_short(1752872401268LL, buf, sizeof(buf)),
			    "2025-07-18T21:00:01.268Z");
	assert_string_equal(iso_format_short(1752872401000LL, buf, sizeof(buf)),
		            "2025-07-18T21:00:01Z");
	assert_string_equal(iso_format(-1, buf, sizeof(buf)), "1969-12-31T23:59:59.999Z");
	assert_string_equal(iso_format(1709208000000LL, buf, sizeof(buf)),
		            "2024-02-29T12:00:00.000Z");
	/* a small buffer is truncated, not overrun */
	char small[8];
	iso_format(0, small, sizeof(small));
	assert_string_equal(small, "1970-01");

	/* round trips over a spread of instants, both formats */
	for (t = -86400000LL * 365 * 3 + 7; t < 4102444800000LL; t += 86400000LL * 37 + 3601001) {
		assert_int_equal(iso_parse(iso_format(t, buf, sizeof(buf)), &back), 0);
		assert_int_equal(back, t);
		iso_format_short(t - t % 1000, buf, sizeof(buf));
		assert_int_equal(iso_parse(buf, &back), 0);
		assert_int_equal(back, t - t % 1000);
	}
}

static void test_duration(void **state)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = {
		{ "90s", 90000 }, { "15m", 900000 }, { "2h", 7200000 }, { "1h30m", 5400000 },
		{ "500ms", 500 }, { "0s", 0 }, { "1m30s", 90000 }, { "1d", 86400000 },
		{ "1h1m1s1ms", 3661001 },
	};
	static const char *const bad[] = {
		"", "90", "-5s", "+5s", "5x", "5 s", " 5s", "5s ", "s", "ms", "1h30", "5mss",
		"1.5h", "99999999999999999999s", "9223372036854775807h", "5S",
	};
	int64_t ms = 7;
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (duration_parse(good[i].s, &ms) != 0)
			fail_msg("rejected %s", good[i].s);
		assert_int_equal(ms, good[i].ms);
	}
	ms = 7;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (duration_parse(bad[i], &ms) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(ms, 7);
}

static void test_hhmm(void **state)
{
	int m = -5;
	(void)state;

	assert_int_equal(hhmm_parse("17:00", &m), 0);
	assert_int_equal(m, 1020);
	assert_int_equal(hhmm_parse("00:00", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(hhmm_parse("23:59", &m), 0);
	assert_int_equal(m, 1439);
	assert_int_equal(hhmm_parse("8:30", &m), 0);
	assert_int_equal(m, 510);
	m = -5;
	assert_int_equal(hhmm_parse("24:00", &m), -1);
	assert_int_equal(hhmm_parse("12:60", &m), -1);
	assert_int_equal(hhmm_parse("12:5", &m), -1);
	assert_int_equal(hhmm_parse("1200", &m), -1);
	assert_int_equal(hhmm_parse("12:00:00", &m), -1);
	assert_int_equal(hhmm_parse("", &m), -1);
	assert_int_equal(hhmm_parse("-1:00", &m), -1);
	assert_int_equal(hhmm_parse("ab:cd", &m), -1);
	assert_int_equal(m, -5);
}

static void test_date(void **state)
{
	int32_t d = -1;
	(void)state;

	assert_int_equal(date_parse("1970-01-01", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(date_parse("2026-12-25", &d), 0);
	assert_int_equal(d, 20812);
	assert_int_equal(date_parse("2024-02-29", &d), 0);
	assert_int_equal(d, 19782);
	assert_int_equal(date_parse("2000-02-29", &d), 0);
	assert_int_equal(d, 11016);
	assert_int_equal(date_parse("1969-12-31", &d), 0);
	assert_int_equal(d, -1);
	d = 99;
	assert_int_equal(date_parse("2026-02-29", &d), -1);
	assert_int_equal(date_parse("2100-02-29", &d), -1);
	assert_int_equal(date_parse("2026-04-31", &d), -1);
	assert_int_equal(date_parse("2026-12-32", &d), -1);
	assert_int_equal(date_parse("2026-13-01", &d), -1);
	assert_int_equal(date_parse("2026-12-25x", &d), -1);
	assert_int_equal(date_parse("2026-1-05", &d), -1);
	assert_int_equal(date_parse("", &d), -1);
	assert_int_equal(d, 99);
}

static void test_civil(void **state)
{
	int y, m, dd;
	(void)state;

	assert_int_equal(days_from_civil(1970, 1, 1), 0);
	assert_int_equal(days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(days_from_civil(1600, 1, 1), -135140);
	assert_int_equal(weekday_from_days(0), 4);                           /* thursday */
	assert_int_equal(weekday_from_days(days_from_civil(2026, 3, 8)), 0);  /* sunday */
	assert_int_equal(weekday_from_days(days_from_civil(2026, 11, 1)), 0);
	assert_int_equal(weekday_from_days(-1), 3);
	assert_int_equal(weekday_from_days(-7), 4);
	/* every day in 1600..2500 round-trips and the weekday advances by one */
	int32_t start = days_from_civil(1600, 1, 1), end = days_from_civil(2500, 12, 31);
	for (int32_t d = start; d <= end; d++) {
		civil_from_days(d, &y, &m, &dd);
		if (days_from_civil(y, m, dd) != d)
			fail_msg("day %d", (int)d);
		if (weekday_from_days(d + 1) != (weekday_from_days(d) + 1) % 7)
			fail_msg("weekday %d", (int)d);
	}
	civil_from_days(days_from_civil(2024, 2, 29), &y, &m, &dd);
	assert_int_equal(y, 2024);
	assert_int_equal(m, 2);
	assert_int_equal(dd, 29);
}

/* ---- tz ---- */

static srm_ms I(const char *iso)
{
	srm_ms t = 0;
	if (iso_parse(iso, &t) != 0)
		fail_msg("bad test timestamp %s", iso);
	return t;
}

static int64_t local_s(int y, int mo, int d, int h, int mi)
{
	return (int64_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static struct tz *chicago(void)
{
	struct srm_err err = { 0 };
	struct tz *z = tz_load("America/Chicago", &err);
	if (z == NULL)
		fail_msg("tz_load: %s", err.msg);
	return z;
}

static void test_tz_chicago_offsets(void **state)
{
	struct tz *z = chicago();
	(void)state;

	assert_string_equal(tz_name(z), "America/Chicago");
	/* spring 2026: 02:00 CST (08:00Z) -> 03:00 CDT */
	assert_int_equal(tz_offset_at(z, I("2026-03-08T07:59:59.999Z")), -21600);
	assert_int_equal(tz_offset_at(z, I("2026-03-08T08:00:00Z")), -18000);
	/* fall 2026: 02:00 CDT (07:00Z) -> 01:00 CST */
	assert_int_equal(tz_offset_at(z, I("2026-11-01T06:59:59.999Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2026-11-01T07:00:00Z")), -21600);
	assert_int_equal(tz_offset_at(z, I("2026-01-15T12:00:00Z")), -21600);
	assert_int_equal(tz_offset_at(z, I("2026-07-15T12:00:00Z")), -18000);
	/* 2045: past the last transition of the file, from the footer rule */
	assert_int_equal(tz_offset_at(z, I("2045-01-01T00:00:00Z")), -21600);
	assert_int_equal(tz_offset_at(z, I("2045-03-12T07:59:59Z")), -21600);
	assert_int_equal(tz_offset_at(z, I("2045-03-12T08:00:00Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2045-07-01T00:00:00Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2045-11-05T06:59:59Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2045-11-05T07:00:00Z")), -21600);
	/* 1883 (LMT, before the first transition) and absurd instants do not crash */
	assert_int_equal(tz_offset_at(z, I("1800-01-01T00:00:00Z")), -21036);
	(void)tz_offset_at(z, INT64_MAX);
	(void)tz_offset_at(z, INT64_MIN);
	tz_free(z);
}

static void test_tz_localtime(void **state)
{
	struct tz *z = chicago();
	struct tz_local lt;
	(void)state;

	tz_localtime(z, I("2026-03-08T22:00:00Z"), &lt);
	assert_int_equal(lt.year, 2026);
	assert_int_equal(lt.month, 3);
	assert_int_equal(lt.day, 8);
	assert_int_equal(lt.hour, 17);
	assert_int_equal(lt.min, 0);
	assert_int_equal(lt.wday, 0);
	assert_int_equal(lt.min_of_day, 1020);
	assert_int_equal(lt.days, days_from_civil(2026, 3, 8));

	tz_localtime(z, I("2026-01-01T05:59:59Z"), &lt);
	assert_int_equal(lt.year, 2025);
	assert_int_equal(lt.month, 12);
	assert_int_equal(lt.day, 31);
	assert_int_equal(lt.hour, 23);
	assert_int_equal(lt.min, 59);
	assert_int_equal(lt.sec, 59);
	assert_int_equal(lt.wday, 3);
	tz_localtime(z, INT64_MAX, &lt); /* no crash */
	tz_free(z);
}

static void test_tz_local_to_utc(void **state)
{
	struct tz *z = chicago();
	(void)state;

	/* ordinary times */
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 1, 5, 17, 0)), I("2026-01-05T23:00:00Z"));
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 7, 5, 17, 0)), I("2026-07-05T22:00:00Z"));
	/* the gap: 02:30 does not exist on 2026-03-08; moved forward by the hour: 03:30 CDT */
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 3, 8, 2, 30)), I("2026-03-08T08:30:00Z"));
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 3, 8, 1, 59)), I("2026-03-08T07:59:00Z"));
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 3, 8, 3, 0)), I("2026-03-08T08:00:00Z"));
	/* the overlap: 01:30 happens twice on 2026-11-01; the earlier (CDT) instant */
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 11, 1, 1, 30)),
		         I("2026-11-01T06:30:00Z"));
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 11, 1, 2, 0)), I("2026-11-01T08:00:00Z"));
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 11, 1, 0, 59)),
		         I("2026-11-01T05:59:00Z"));
	/* far future, footer rule: 2045-03-12 gap and 2045-11-05 overlap */
	assert_int_equal(tz_local_to_utc(z, local_s(2045, 3, 12, 2, 30)),
		         I("2045-03-12T08:30:00Z"));
	assert_int_equal(tz_local_to_utc(z, local_s(2045, 11, 5, 1, 30)),
		         I("2045-11-05T06:30:00Z"));
	assert_int_equal(tz_local_to_utc(z, local_s(2045, 12, 5, 17, 0)),
		         I("2045-12-05T23:00:00Z"));

	/* every hour of 2026: localtime(local_to_utc(x)) == x outside the gap */
	struct tz_local lt;
	for (int64_t l = local_s(2026, 1, 1, 0, 0); l < local_s(2027, 1, 1, 0, 0); l += 1800) {
		srm_ms u = tz_local_to_utc(z, l);
		tz_localtime(z, u, &lt);
		int64_t back = (int64_t)lt.days * 86400 + lt.hour * 3600 + lt.min * 60 + lt.sec;
		if (back != l && back != l + 3600)
			fail_msg("local %lld -> %lld", (long long)l, (long long)back);
	}
	tz_free(z);
}

static void test_tz_utc(void **state)
{
	struct tz *z = tz_utc();
	struct srm_err err = { 0 };
	struct tz_local lt;
	(void)state;

	assert_string_equal(tz_name(z), "UTC");
	assert_int_equal(tz_offset_at(z, I("2026-07-01T00:00:00Z")), 0);
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 3, 8, 2, 30)), I("2026-03-08T02:30:00Z"));
	tz_localtime(z, I("2026-03-08T02:30:00Z"), &lt);
	assert_int_equal(lt.hour, 2);
	assert_int_equal(lt.min, 30);
	tz_free(z);

	z = tz_load("UTC", &err);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2045-07-01T00:00:00Z")), 0);
	tz_free(z);
	tz_free(NULL);
}

static void test_tz_bad_names(void **state)
{
	static const char *const bad[] = {
		"Nowhere/Nothing", "", "../../etc/passwd", "/etc/localtime", "America/../Chicago",
		"America/Chicago/..",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct srm_err err = { 0 };
		struct tz *z = tz_load(bad[i], &err);
		if (z != NULL)
			fail_msg("loaded \"%s\"", bad[i]);
		assert_int_not_equal(err.code, 0);
		assert_true(strlen(err.msg) > 0);
	}
	assert_null(tz_load(NULL, NULL));
	/* a file that is not TZif */
	struct srm_err err = { 0 };
	assert_null(tz_load("tzdata.zi", &err));
	assert_int_not_equal(err.code, 0);
}

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(1 << 20);
	assert_non_null(f);
	assert_non_null(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static void test_tz_corrupt(void **state)
{
	size_t len;
	unsigned char *buf = read_all("/usr/share/zoneinfo/America/Chicago", &len);
	unsigned char *copy = malloc(len);
	struct srm_err err;
	struct tz *z;
	size_t accepted = 0;
	(void)state;

	assert_non_null(copy);
	/* the full file works */
	z = tz_from_bytes("Chicago", buf, len, NULL);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2026-07-01T00:00:00Z")), -18000);
	tz_free(z);

	/* every truncation fails cleanly, or loads (only when cut exactly before the footer) */
	for (size_t n = 0; n < len; n++) {
		memcpy(copy, buf, n);
		memset(&err, 0, sizeof(err));
		z = tz_from_bytes("cut", copy, n, &err);
		if (z == NULL) {
			assert_int_equal(err.code, SRM_EINVAL);
		} else {
			accepted++;
			tz_free(z);
		}
	}
	assert_true(accepted <= 1);
	memset(&err, 0, sizeof(err));
	assert_null(tz_from_bytes("empty", buf, 0, &err));
	assert_int_equal(err.code, SRM_EINVAL);
	assert_null(tz_from_bytes("null", NULL, 10, NULL));

	/* bad magic */
	memcpy(copy, buf, len);
	copy[0] = 'X';
	memset(&err, 0, sizeof(err));
	assert_null(tz_from_bytes("m1", copy, len, &err));
	assert_non_null(strstr(err.msg, "magic"));

	/* a huge transition count */
	memcpy(copy, buf, len);
	copy[32] = 0x7f;
	assert_null(tz_from_bytes("count", copy, len, &err));

	/* zero types */
	memcpy(copy, buf, len);
	memset(copy + 36, 0, 4);
	assert_null(tz_from_bytes("types", copy, len, &err));

	/* a garbage footer rule */
	memcpy(copy, buf, len);
	memcpy(copy + len - 12, "!!!", 3);
	memset(&err, 0, sizeof(err));
	assert_null(tz_from_bytes("footer", copy, len, &err));
	assert_int_equal(err.code, SRM_EINVAL);

	/* random byte flips never crash */
	srand(12345);
	for (int i = 0; i < 3000; i++) {
		memcpy(copy, buf, len);
		for (int k = 0; k < 3; k++)
			copy[(size_t)rand() % len] = (unsigned char)rand();
		z = tz_from_bytes("flip", copy, len, NULL);
		if (z != NULL) {
			(void)tz_offset_at(z, I("2026-07-01T00:00:00Z"));
			(void)tz_local_to_utc(z, local_s(2045, 3, 12, 2, 30));
			tz_free(z);
		}
	}
	free(copy);
	free(buf);
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A v2 TZif with no transitions, one type (offset std_off) and a footer: only the rule counts. */
static struct tz *rule_zone(int32_t std_off, const char *footer, struct srm_err *err)
{
	unsigned char buf[256];
	size_t pos = 0, flen = strlen(footer);

	memset(buf, 0, sizeof(buf));
	for (int part = 0; part < 2; part++) {
		memcpy(buf + pos, "TZif", 4);
		buf[pos + 4] = '2';
		put32(buf + pos + 36, 1);       /* typecnt */
		put32(buf + pos + 40, 4);       /* charcnt */
		pos += 44;
		put32(buf + pos, (uint32_t)std_off);
		buf[pos + 4] = 0;
		buf[pos + 5] = 0;
		pos += 6;
		memcpy(buf + pos, "XXX", 4);
		pos += 4;
	}
	buf[pos++] = '\n';
	memcpy(buf + pos, footer, flen);
	pos += flen;
	buf[pos++] = '\n';
	return tz_from_bytes("rule", buf, pos, err);
}

static void test_tz_footer_rules(void **state)
{
	struct srm_err err = { 0 };
	struct tz *z;
	(void)state;

	/* the slim-file case: no transitions, everything from the rule */
	z = rule_zone(-21600, "CST6CDT,M3.2.0,M11.1.0", &err);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2026-03-08T07:59:59Z")), -21600);
	assert_int_equal(tz_offset_at(z, I("2026-03-08T08:00:00Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2026-11-01T06:59:59Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2026-11-01T07:00:00Z")), -21600);
	assert_int_equal(tz_local_to_utc(z, local_s(2026, 11, 1, 1, 30)),
		         I("2026-11-01T06:30:00Z"));
	tz_free(z);

	/* southern hemisphere, explicit /time, angle-bracket names, mm offsets */
	z = rule_zone(36000, "AEST-10AEDT,M10.1.0,M4.1.0/3", &err);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2045-01-15T00:00:00Z")), 39600);
	assert_int_equal(tz_offset_at(z, I("2045-07-15T00:00:00Z")), 36000);
	tz_free(z);
	z = rule_zone(-12600, "<-0330>3:30<-0230>,M3.2.0/2:30:00,M11.1.0", &err);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2030-01-15T00:00:00Z")), -12600);
	assert_int_equal(tz_offset_at(z, I("2030-07-15T00:00:00Z")), -9000);
	tz_free(z);

	/* Jn never counts Feb 29; n does. In 2028 (leap) J60 is Mar 1 and 59 is Feb 29. */
	z = rule_zone(-18000, "EST5EDT,J60/0,J300/0", &err);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2028-03-01T04:59:59Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2028-03-01T05:00:00Z")), -14400);
	tz_free(z);
	z = rule_zone(-18000, "EST5EDT,59/0,299/0", &err);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2028-02-29T04:59:59Z")), -18000);
	assert_int_equal(tz_offset_at(z, I("2028-02-29T05:00:00Z")), -14400);
	tz_free(z);

	/* v3: negative rule times ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0" is America/Nuuk's) */
	z = rule_zone(-7200, "<-02>2<-01>,M3.5.0/-1,M10.5.0/0", &err);
	assert_non_null(z);
	/* 2026-03-29 is the last sunday of March; DST starts at 23:00 local on the 28th = 01:00Z */
	assert_int_equal(tz_offset_at(z, I("2026-03-29T00:59:59Z")), -7200);
	assert_int_equal(tz_offset_at(z, I("2026-03-29T01:00:00Z")), -3600);
	tz_free(z);

	/* fixed offsets */
	z = rule_zone(32400, "JST-9", &err);
	assert_non_null(z);
	assert_int_equal(tz_offset_at(z, I("2045-07-15T00:00:00Z")), 32400);
	tz_free(z);

	/* malformed rules are errors */
	static const char *const bad[] = {
		"CST", "CST6CDT,M3.2.0", "CST6CDT,M13.2.0,M11.1.0", "CST6CDT,M3.6.0,M11.1.0",
		"CST6CDT,M3.2.7,M11.1.0", "CST6CDT,J0,J100", "CST6CDT,M3.2.0,M11.1.0junk", "6",
		"C6", "CST6CDT,M3.2.0/200,M11.1.0",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		z = rule_zone(0, bad[i], &err);
		if (z != NULL)
			fail_msg("accepted rule \"%s\"", bad[i]);
		assert_int_equal(err.code, SRM_EINVAL);
	}
}

static void test_tz_tzdir(void **state)
{
	struct srm_err err = { 0 };
	struct tz *z;
	char *old = getenv("TZDIR") ? strdup(getenv("TZDIR")) : NULL;
	(void)state;

	setenv("TZDIR", "/nonexistent-dir", 1);
	assert_null(tz_load("America/Chicago", &err));
	assert_int_equal(err.code, SRM_ENOTFOUND);
	setenv("TZDIR", "/usr/share/zoneinfo/America", 1);
	z = tz_load("Chicago", &err);
	assert_non_null(z);
	tz_free(z);
	if (old != NULL)
		setenv("TZDIR", old, 1);
	else
		unsetenv("TZDIR");
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_glob),
		cmocka_unit_test(test_str_eq_ci),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_millionths_text),
		cmocka_unit_test(test_utf8_scrub),
		cmocka_unit_test(test_iso_parse_good),
		cmocka_unit_test(test_iso_fraction_digits),
		cmocka_unit_test(test_iso_parse_bad),
		cmocka_unit_test(test_iso_format),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_hhmm),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_civil),
		cmocka_unit_test(test_tz_chicago_offsets),
		cmocka_unit_test(test_tz_localtime),
		cmocka_unit_test(test_tz_local_to_utc),
		cmocka_unit_test(test_tz_utc),
		cmocka_unit_test(test_tz_bad_names),
		cmocka_unit_test(test_tz_corrupt),
		cmocka_unit_test(test_tz_footer_rules),
		cmocka_unit_test(test_tz_tzdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
