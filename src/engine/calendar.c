/* calendar.c: trading-day resets and session windows in the exchange zone, DST-correct. Pure. */
#include "engine/calendar.h"

#include <limits.h>

#define DAY_S 86400
#define LAST_RESET_SPAN 30      /* days searched back by cal_last_reset */
#define NEXT_RESET_SPAN 400     /* days searched forward by cal_next_reset */
#define WINDOW_SPAN 14          /* days searched forward for windows */

static int clamp_min(int m)
{
	return m < 0 ? 0 : m > 1439 ? 1439 : m;
}

/* UTC instant of local minute m on local date d (gaps move forward, overlaps take the earlier). */
static srm_ms at_local(const struct calendar *c, int32_t d, int m)
{
	return tz_local_to_utc(c->zone, (int64_t)d * DAY_S + (int64_t)m * 60);
}

static int32_t date_of(const struct calendar *c, srm_ms t)
{
	struct tz_local lt;

	tz_localtime(c->zone, t, &lt);
	return lt.days;
}

/* Is the local date a holiday? */
bool cal_is_holiday(const struct calendar *c, int32_t local_days)
{
	for (size_t i = 0; i < c->n_holidays; i++)
		if (c->holidays[i] == local_days)
			return true;
	return false;
}

/* Does a reset happen on this local date (Sunday..Thursday, not a holiday)? */
static bool reset_day(const struct calendar *c, int32_t d)
{
	return weekday_from_days(d) <= 4 && !cal_is_holiday(c, d);
}

/* The first reset instant strictly after t (INT64_MAX when none within ~400 days). */
srm_ms cal_next_reset(const struct calendar *c, srm_ms t)
{
	int32_t today = date_of(c, t);
	int m = clamp_min(c->reset_min);

	for (int32_t d = today - 1; d <= today + NEXT_RESET_SPAN; d++) {
		srm_ms r;
		if (!reset_day(c, d))
			continue;
		r = at_local(c, d, m);
		if (r > t)
			return r;
	}
	return INT64_MAX;
}

/*
 * The last reset instant at or before t. Searches back LAST_RESET_SPAN days; when no reset day
 * is found there (a long run of holidays), it returns reset_min on the local date
 * LAST_RESET_SPAN days before t's local date, so the trading day never grows without bound.
 */
srm_ms cal_last_reset(const struct calendar *c, srm_ms t)
{
	int32_t today = date_of(c, t);
	int m = clamp_min(c->reset_min);

	for (int32_t d = today + 1; d >= today - LAST_RESET_SPAN; d--) {
		srm_ms r;
		if (!reset_day(c, d))
			continue;
		r = at_local(c, d, m);
		if (r <= t)
			return r;
	}
	return at_local(c, today - LAST_RESET_SPAN, m);
}

/* Does window w open on local date d? */
static bool opens_on(const struct calendar *c, const struct cfg_window *w, int32_t d)
{
	return (w->days >> weekday_from_days(d) & 1u) != 0 && !cal_is_holiday(c, d);
}

/* Open and close instants of window w opening on local date d ([open, close)). */
static void window_span(const struct calendar *c, const struct cfg_window *w, int32_t d,
			srm_ms *open, srm_ms *close)
{
	int s = clamp_min(w->start_min);
	int e = w->end_min < 0 ? 0 : w->end_min > 1440 ? 1440 : w->end_min;

	*open = at_local(c, d, s);
	*close = at_local(c, e <= s ? d + 1 : d, e);
}

/* Is t inside any window (a window does not open on a holiday)? */
bool cal_in_windows(const struct calendar *c, const struct cfg_window *w, size_t n, srm_ms t)
{
	int32_t today = date_of(c, t);

	for (size_t i = 0; i < n; i++) {
		for (int32_t d = today - 2; d <= today; d++) {
			srm_ms o, e;
			if (!opens_on(c, &w[i], d))
				continue;
			window_span(c, &w[i], d, &o, &e);
			if (o <= t && t < e)
				return true;
		}
	}
	return false;
}

/* The next instant > t at which a window opens (INT64_MAX when none within 14 days). */
srm_ms cal_next_window_open(const struct calendar *c, const struct cfg_window *w, size_t n,
			    srm_ms t)
{
	int32_t today = date_of(c, t);
	srm_ms best = INT64_MAX;

	for (size_t i = 0; i < n; i++) {
		for (int32_t d = today - 1; d <= today + WINDOW_SPAN; d++) {
			srm_ms o, e;
			if (!opens_on(c, &w[i], d))
				continue;
			window_span(c, &w[i], d, &o, &e);
			if (o > t && o < best)
				best = o;
		}
	}
	return best;
}

/* The next instant > t at which any window opens or closes (INT64_MAX when none). */
srm_ms cal_next_window_edge(const struct calendar *c, const struct cfg_window *w, size_t n,
			    srm_ms t)
{
	int32_t today = date_of(c, t);
	srm_ms best = INT64_MAX;

	for (size_t i = 0; i < n; i++) {
		for (int32_t d = today - 2; d <= today + WINDOW_SPAN; d++) {
			srm_ms o, e;
			if (!opens_on(c, &w[i], d))
				continue;
			window_span(c, &w[i], d, &o, &e);
			if (o > t && o < best)
				best = o;
			if (e > t && e < best)
				best = e;
		}
	}
	return best;
}

/* The next instant > t that is local time min_of_day (e.g. flatten_at). */
srm_ms cal_next_local_time(const struct calendar *c, int min_of_day, srm_ms t)
{
	int32_t today = date_of(c, t);
	int m = clamp_min(min_of_day);

	for (int32_t d = today - 1; d <= today + 3; d++) {
		srm_ms r = at_local(c, d, m);
		if (r > t)
			return r;
	}
	return INT64_MAX;
}
