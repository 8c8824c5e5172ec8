/* test_calendar.c: resets, weekends, holidays, session windows, across the 2026 DST switches. */
#include "helpers.h"

#include <stdint.h>
#include <string.h>

#include "engine/calendar.h"
#include "util/timefmt.h"
#include "util/tz.h"

#define HOUR 3600000LL
#define DAY (24 * HOUR)

static srm_ms I(const char *iso)
{
	srm_ms t = 0;
	if (iso_parse(iso, &t) != 0)
		fail_msg("bad test timestamp %s", iso);
	return t;
}

static int32_t D(const char *ymd)
{
	int32_t d = 0;
	if (date_parse(ymd, &d) != 0)
		fail_msg("bad test date %s", ymd);
	return d;
}

/* Compare instants, printing both in ISO form when they differ. */
#define assert_ms(a, b) assert_ms_(a, b, __LINE__)
static void assert_ms_(srm_ms got, srm_ms want, int line)
{
	char g[40], w[40];
	if (got != want)
		fail_msg("line %d: got %s, want %s", line, iso_format(got, g, sizeof(g)),
			 iso_format(want, w, sizeof(w)));
}

static int setup(void **state)
{
	struct srm_err err = { 0 };
	struct calendar *c = test_calloc(1, sizeof(*c));
	struct tz *z = tz_load("America/Chicago", &err);

	if (z == NULL) {
		test_free(c);
		return -1;
	}
	c->zone = z;
	c->reset_min = 17 * 60;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct calendar *c = *state;

	tz_free((struct tz *)c->zone);
	test_free(c);
	return 0;
}

static void test_reset_ordinary(void **state)
{
	struct calendar *c = *state;

	/* Tuesday 2026-01-06 06:00 CST */
	assert_ms(cal_next_reset(c, I("2026-01-06T12:00:00Z")), I("2026-01-06T23:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-01-06T12:00:00Z")), I("2026-01-05T23:00:00Z"));
	/* at the reset instant: last is it, next is strictly after */
	assert_ms(cal_last_reset(c, I("2026-01-06T23:00:00Z")), I("2026-01-06T23:00:00Z"));
	assert_ms(cal_next_reset(c, I("2026-01-06T23:00:00Z")), I("2026-01-07T23:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-01-06T22:59:59.999Z")), I("2026-01-05T23:00:00Z"));
	assert_ms(cal_next_reset(c, I("2026-01-06T22:59:59.999Z")), I("2026-01-06T23:00:00Z"));
	/* local evening, already the next UTC day */
	assert_ms(cal_last_reset(c, I("2026-01-07T03:00:00Z")), I("2026-01-06T23:00:00Z"));
	/* summer: 17:00 CDT = 22:00Z */
	assert_ms(cal_next_reset(c, I("2026-07-07T12:00:00Z")), I("2026-07-07T22:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-07-07T12:00:00Z")), I("2026-07-06T22:00:00Z"));
	/* 2045, from the zone's footer rule */
	assert_ms(cal_next_reset(c, I("2045-07-10T12:00:00Z")), I("2045-07-10T22:00:00Z"));
	assert_ms(cal_next_reset(c, I("2045-12-11T12:00:00Z")), I("2045-12-11T23:00:00Z"));
}

static void test_reset_weekend(void **state)
{
	struct calendar *c = *state;

	/* Friday 17:30 CST, Saturday, Sunday morning: last reset is Thursday's, next is Sunday's */
	static const char *const ts[] = {
		"2026-01-09T23:30:00Z", "2026-01-09T12:00:00Z", "2026-01-10T18:00:00Z",
		"2026-01-11T22:59:59Z",
	};
	for (size_t i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		assert_ms(cal_last_reset(c, I(ts[i])), I("2026-01-08T23:00:00Z"));
		assert_ms(cal_next_reset(c, I(ts[i])), I("2026-01-11T23:00:00Z"));
	}
	assert_ms(cal_last_reset(c, I("2026-01-11T23:00:00Z")), I("2026-01-11T23:00:00Z"));
	assert_ms(cal_next_reset(c, I("2026-01-11T23:00:00Z")), I("2026-01-12T23:00:00Z"));
}

static void test_reset_holidays(void **state)
{
	struct calendar *c = *state;
	const int32_t hol[] = { D("2026-12-25"), D("2026-12-24"), D("2026-01-19") };

	c->holidays = hol;
	c->n_holidays = 3;
	assert_true(cal_is_holiday(c, D("2026-12-24")));
	assert_false(cal_is_holiday(c, D("2026-12-23")));
	/* Thursday Dec 24 is a holiday: from Wednesday's reset straight to Sunday's */
	assert_ms(cal_next_reset(c, I("2026-12-23T23:00:00Z")), I("2026-12-27T23:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-12-26T12:00:00Z")), I("2026-12-23T23:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-12-25T12:00:00Z")), I("2026-12-23T23:00:00Z"));
	/* Monday Jan 19 skipped */
	assert_ms(cal_next_reset(c, I("2026-01-18T23:00:00Z")), I("2026-01-20T23:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-01-20T12:00:00Z")), I("2026-01-18T23:00:00Z"));
	c->holidays = NULL;
	c->n_holidays = 0;
	assert_ms(cal_next_reset(c, I("2026-12-23T23:00:00Z")), I("2026-12-24T23:00:00Z"));
}

static void test_reset_no_reset_for_30_days(void **state)
{
	struct calendar *c = *state;
	int32_t hol[45];

	for (int i = 0; i < 45; i++)
		hol[i] = D("2026-05-01") + i;
	c->holidays = hol;
	c->n_holidays = 45;
	/* 2026-06-10 is holiday day 40: no reset in the last 30 days, so 30 days earlier */
	assert_ms(cal_last_reset(c, I("2026-06-10T12:00:00Z")), I("2026-05-11T22:00:00Z"));
	/* the next reset is the first day after the run (2026-06-15, a Monday) */
	assert_ms(cal_next_reset(c, I("2026-06-10T12:00:00Z")), I("2026-06-15T22:00:00Z"));
	c->holidays = NULL;
	c->n_holidays = 0;
}

static void test_reset_dst_spring(void **state)
{
	struct calendar *c = *state;

	/* Sunday 2026-03-08 17:00 is CDT: 22:00Z; Thursday before was CST: 23:00Z */
	assert_ms(cal_last_reset(c, I("2026-03-09T12:00:00Z")), I("2026-03-08T22:00:00Z"));
	assert_ms(cal_next_reset(c, I("2026-03-06T12:00:00Z")), I("2026-03-08T22:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-03-08T21:59:59Z")), I("2026-03-05T23:00:00Z"));
	assert_ms(cal_last_reset(c, I("2026-03-08T09:00:00Z")), I("2026-03-05T23:00:00Z"));
	/* Thursday -> Sunday spans the switch: 71 hours instead of 72 */
	assert_int_equal(cal_next_reset(c, I("2026-03-05T23:00:00Z")) - I("2026-03-05T23:00:00Z"),
			 71 * HOUR);
	assert_ms(cal_next_reset(c, I("2026-03-08T22:00:00Z")), I("2026-03-09T22:00:00Z"));

	/* with a midnight reset the trading day containing the switch is 23 hours long */
	c->reset_min = 0;
	srm_ms start = cal_last_reset(c, I("2026-03-08T12:00:00Z"));
	assert_ms(start, I("2026-03-08T06:00:00Z"));
	assert_int_equal(cal_next_reset(c, start) - start, 23 * HOUR);
	/* a reset time inside the gap (02:30) moves forward to 03:30 CDT */
	c->reset_min = 150;
	assert_ms(cal_next_reset(c, I("2026-03-08T00:00:00Z")), I("2026-03-08T08:30:00Z"));
	c->reset_min = 17 * 60;
}

static void test_reset_dst_fall(void **state)
{
	struct calendar *c = *state;

	/* before the switch the last reset was Thursday's 17:00 CDT = 22:00Z ... */
	assert_ms(cal_last_reset(c, I("2026-11-01T12:00:00Z")), I("2026-10-29T22:00:00Z"));
	assert_ms(cal_next_reset(c, I("2026-11-01T12:00:00Z")), I("2026-11-01T23:00:00Z"));
	/* ... after it, Sunday's 17:00 CST = 23:00Z */
	assert_ms(cal_last_reset(c, I("2026-11-02T12:00:00Z")), I("2026-11-01T23:00:00Z"));
	assert_int_equal(I("2026-11-01T23:00:00Z") - I("2026-10-29T22:00:00Z"), 73 * HOUR);

	/* midnight reset: 25 hours */
	c->reset_min = 0;
	srm_ms start = cal_last_reset(c, I("2026-11-01T12:00:00Z"));
	assert_ms(start, I("2026-11-01T05:00:00Z"));
	assert_int_equal(cal_next_reset(c, start) - start, 25 * HOUR);
	/* a reset time inside the overlap (01:30) takes the earlier instant (CDT) */
	c->reset_min = 90;
	assert_ms(cal_next_reset(c, I("2026-11-01T00:00:00Z")), I("2026-11-01T06:30:00Z"));
	assert_ms(cal_last_reset(c, I("2026-11-01T07:00:00Z")), I("2026-11-01T06:30:00Z"));
	c->reset_min = 17 * 60;
}

/* RTH, Monday..Friday 08:30-15:00 */
static const struct cfg_window rth = { 0x3e, 8 * 60 + 30, 15 * 60 };
/* The overnight session: opens Sunday..Thursday 17:00, closes 16:00 the next day */
static const struct cfg_window globex = { 0x1f, 17 * 60, 16 * 60 };

static void test_windows_simple(void **state)
{
	struct calendar *c = *state;

	assert_true(cal_in_windows(c, &rth, 1, I("2026-01-06T15:00:00Z")));
	assert_true(cal_in_windows(c, &rth, 1, I("2026-01-06T14:30:00Z")));
	assert_false(cal_in_windows(c, &rth, 1, I("2026-01-06T14:29:59.999Z")));
	assert_true(cal_in_windows(c, &rth, 1, I("2026-01-06T20:59:59.999Z")));
	assert_false(cal_in_windows(c, &rth, 1, I("2026-01-06T21:00:00Z")));
	assert_false(cal_in_windows(c, &rth, 1, I("2026-01-10T16:00:00Z")));  /* Saturday */
	assert_false(cal_in_windows(c, &rth, 1, I("2026-01-11T16:00:00Z")));  /* Sunday */
	/* summer: 08:30 CDT = 13:30Z */
	assert_true(cal_in_windows(c, &rth, 1, I("2026-07-07T13:30:00Z")));
	assert_false(cal_in_windows(c, &rth, 1, I("2026-07-07T20:00:00Z")));
	/* no windows */
	assert_false(cal_in_windows(c, &rth, 0, I("2026-01-06T15:00:00Z")));
	assert_int_equal(cal_next_window_open(c, &rth, 0, I("2026-01-06T15:00:00Z")), INT64_MAX);
	assert_int_equal(cal_next_window_edge(c, &rth, 0, I("2026-01-06T15:00:00Z")), INT64_MAX);
	const struct cfg_window never = { 0, 60, 120 };
	assert_false(cal_in_windows(c, &never, 1, I("2026-01-06T15:00:00Z")));
	assert_int_equal(cal_next_window_open(c, &never, 1, I("2026-01-06T15:00:00Z")), INT64_MAX);
}

static void test_windows_past_midnight(void **state)
{
	struct calendar *c = *state;

	assert_true(cal_in_windows(c, &globex, 1, I("2026-01-05T03:00:00Z")));   /* Sun 21:00 */
	assert_true(cal_in_windows(c, &globex, 1, I("2026-01-09T15:00:00Z")));   /* Fri 09:00 */
	assert_true(cal_in_windows(c, &globex, 1, I("2026-01-09T21:59:59Z")));   /* Fri 15:59:59 */
	assert_false(cal_in_windows(c, &globex, 1, I("2026-01-09T22:00:00Z")));  /* Fri 16:00 */
	assert_false(cal_in_windows(c, &globex, 1, I("2026-01-09T23:30:00Z")));  /* Fri 17:30 */
	assert_false(cal_in_windows(c, &globex, 1, I("2026-01-10T18:00:00Z")));  /* Saturday */
	assert_false(cal_in_windows(c, &globex, 1, I("2026-01-11T22:59:59Z")));  /* Sun 16:59:59 */
	assert_true(cal_in_windows(c, &globex, 1, I("2026-01-11T23:00:00Z")));   /* Sun 17:00 */
	/* the daily maintenance hour: Tue 16:00-17:00 is out */
	assert_false(cal_in_windows(c, &globex, 1, I("2026-01-06T22:30:00Z")));
	assert_true(cal_in_windows(c, &globex, 1, I("2026-01-06T23:00:00Z")));

	/* several windows: in any of them */
	const struct cfg_window two[] = { { 0x3e, 9 * 60, 10 * 60 }, { 0x3e, 13 * 60, 14 * 60 } };
	assert_true(cal_in_windows(c, two, 2, I("2026-01-06T19:30:00Z")));
	assert_false(cal_in_windows(c, two, 2, I("2026-01-06T17:30:00Z")));
	assert_ms(cal_next_window_open(c, two, 2, I("2026-01-06T15:30:00Z")),
		  I("2026-01-06T19:00:00Z"));
	assert_ms(cal_next_window_edge(c, two, 2, I("2026-01-06T15:30:00Z")),
		  I("2026-01-06T16:00:00Z"));
	assert_ms(cal_next_window_edge(c, two, 2, I("2026-01-06T16:00:00Z")),
		  I("2026-01-06T19:00:00Z"));
	/* start == end: a 24-hour window */
	const struct cfg_window full = { 0x02, 6 * 60, 6 * 60 };
	assert_true(cal_in_windows(c, &full, 1, I("2026-01-06T11:59:00Z")));  /* Mon 06:00 -> Tue 06:00 */
	assert_false(cal_in_windows(c, &full, 1, I("2026-01-06T12:00:00Z")));
}

static void test_windows_holidays(void **state)
{
	struct calendar *c = *state;
	const int32_t hol[] = { D("2026-12-24") };

	c->holidays = hol;
	c->n_holidays = 1;
	/* Wednesday's session (opened 12-23 17:00) runs into the holiday until 16:00 */
	assert_true(cal_in_windows(c, &globex, 1, I("2026-12-24T16:00:00Z")));
	/* no session opens on the holiday, so Thursday evening and Friday are out */
	assert_false(cal_in_windows(c, &globex, 1, I("2026-12-25T00:00:00Z")));
	assert_false(cal_in_windows(c, &globex, 1, I("2026-12-25T15:00:00Z")));
	assert_false(cal_in_windows(c, &rth, 1, I("2026-12-24T16:00:00Z")));
	/* Friday RTH still opens */
	assert_true(cal_in_windows(c, &rth, 1, I("2026-12-25T16:00:00Z")));
	/* next open after the holiday's close: Sunday 17:00 */
	assert_ms(cal_next_window_open(c, &globex, 1, I("2026-12-24T16:00:00Z")),
		  I("2026-12-27T23:00:00Z"));
	assert_ms(cal_next_window_edge(c, &globex, 1, I("2026-12-24T16:00:00Z")),
		  I("2026-12-24T22:00:00Z"));
	assert_ms(cal_next_window_edge(c, &globex, 1, I("2026-12-24T22:00:00Z")),
		  I("2026-12-27T23:00:00Z"));
	c->holidays = NULL;
	c->n_holidays = 0;
}

static void test_windows_next(void **state)
{
	struct calendar *c = *state;

	/* after Friday's close the next open is Sunday 17:00 CST */
	assert_ms(cal_next_window_open(c, &globex, 1, I("2026-01-09T22:30:00Z")),
		  I("2026-01-11T23:00:00Z"));
	assert_ms(cal_next_window_edge(c, &globex, 1, I("2026-01-09T22:30:00Z")),
		  I("2026-01-11T23:00:00Z"));
	/* inside Friday's session: the next edge is its close at 16:00 CST */
	assert_ms(cal_next_window_edge(c, &globex, 1, I("2026-01-09T15:00:00Z")),
		  I("2026-01-09T22:00:00Z"));
	assert_ms(cal_next_window_open(c, &globex, 1, I("2026-01-09T15:00:00Z")),
		  I("2026-01-11T23:00:00Z"));
	/* exactly at an open: strictly after */
	assert_ms(cal_next_window_open(c, &rth, 1, I("2026-01-06T14:30:00Z")),
		  I("2026-01-07T14:30:00Z"));
	assert_ms(cal_next_window_edge(c, &rth, 1, I("2026-01-06T14:30:00Z")),
		  I("2026-01-06T21:00:00Z"));
	/* Friday after RTH: Monday */
	assert_ms(cal_next_window_open(c, &rth, 1, I("2026-01-09T21:00:00Z")),
		  I("2026-01-12T14:30:00Z"));
	/* a window on a weekday that is a holiday for 3 weeks: none within 14 days */
	const struct cfg_window mon = { 0x02, 9 * 60, 10 * 60 };
	const int32_t hol[] = { D("2026-01-12"), D("2026-01-19"), D("2026-01-26") };
	c->holidays = hol;
	c->n_holidays = 3;
	assert_int_equal(cal_next_window_open(c, &mon, 1, I("2026-01-06T12:00:00Z")), INT64_MAX);
	c->holidays = NULL;
	c->n_holidays = 0;
	assert_ms(cal_next_window_open(c, &mon, 1, I("2026-01-06T12:00:00Z")),
		  I("2026-01-12T15:00:00Z"));
}

static void test_windows_dst(void **state)
{
	struct calendar *c = *state;
	/* Saturday 22:00 -> Sunday 06:00 across the switches */
	const struct cfg_window sat = { 0x40, 22 * 60, 6 * 60 };

	assert_ms(cal_next_window_open(c, &sat, 1, I("2026-03-07T12:00:00Z")),
		  I("2026-03-08T04:00:00Z"));
	assert_ms(cal_next_window_edge(c, &sat, 1, I("2026-03-08T04:00:00Z")),
		  I("2026-03-08T11:00:00Z"));
	assert_true(cal_in_windows(c, &sat, 1, I("2026-03-08T10:59:59Z")));
	assert_false(cal_in_windows(c, &sat, 1, I("2026-03-08T11:00:00Z")));   /* 06:00 CDT */
	assert_ms(cal_next_window_open(c, &sat, 1, I("2026-10-31T12:00:00Z")),
		  I("2026-11-01T03:00:00Z"));
	assert_ms(cal_next_window_edge(c, &sat, 1, I("2026-11-01T03:00:00Z")),
		  I("2026-11-01T12:00:00Z"));
	assert_true(cal_in_windows(c, &sat, 1, I("2026-11-01T11:59:59Z")));    /* 05:59 CST */
	assert_false(cal_in_windows(c, &sat, 1, I("2026-11-01T12:00:00Z")));
	/* the overnight session that opens on the spring-forward Sunday */
	assert_ms(cal_next_window_open(c, &globex, 1, I("2026-03-06T23:00:00Z")),
		  I("2026-03-08T22:00:00Z"));
	assert_ms(cal_next_window_edge(c, &globex, 1, I("2026-03-08T22:00:00Z")),
		  I("2026-03-09T21:00:00Z"));
}

static void test_next_local_time(void **state)
{
	struct calendar *c = *state;
	const int flat = 15 * 60 + 55;

	assert_ms(cal_next_local_time(c, flat, I("2026-01-06T12:00:00Z")),
		  I("2026-01-06T21:55:00Z"));
	assert_ms(cal_next_local_time(c, flat, I("2026-01-06T21:55:00Z")),
		  I("2026-01-07T21:55:00Z"));
	assert_ms(cal_next_local_time(c, flat, I("2026-01-06T21:54:59.999Z")),
		  I("2026-01-06T21:55:00Z"));
	/* across the spring switch: 15:55 CDT on Sunday */
	assert_ms(cal_next_local_time(c, flat, I("2026-03-07T22:00:00Z")),
		  I("2026-03-08T20:55:00Z"));
	/* in the gap: 02:30 -> 03:30 CDT */
	assert_ms(cal_next_local_time(c, 150, I("2026-03-08T06:00:00Z")),
		  I("2026-03-08T08:30:00Z"));
	/* in the overlap, after the first 01:30: the next is tomorrow's */
	assert_ms(cal_next_local_time(c, 90, I("2026-11-01T06:30:00Z")), I("2026-11-02T07:30:00Z"));
	/* local midnight, when UTC is already tomorrow */
	assert_ms(cal_next_local_time(c, 0, I("2026-01-07T03:00:00Z")), I("2026-01-07T06:00:00Z"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_ordinary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_weekend, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_holidays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_no_reset_for_30_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_dst_spring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_dst_fall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_simple, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_past_midnight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_holidays, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_windows_dst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next_local_time, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
