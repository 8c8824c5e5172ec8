/* calendar.h: the trading day (daily reset in the exchange zone, weekends, holidays) and session windows. Pure. */
#ifndef SRM_ENGINE_CALENDAR_H
#define SRM_ENGINE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "util/tz.h"

struct calendar {
	const struct tz *zone;
	int reset_min;              /* local minutes after midnight */
	const int32_t *holidays;    /* local dates (days since epoch), any order */
	size_t n_holidays;
};

/*
 * A reset happens at reset_min local time on every local date that is a Sunday..Thursday
 * and not a holiday (docs/DECISIONS.md). Returns the first reset instant strictly after t.
 */
srm_ms cal_next_reset(const struct calendar *c, srm_ms t);
/* The last reset instant at or before t. */
srm_ms cal_last_reset(const struct calendar *c, srm_ms t);

bool cal_is_holiday(const struct calendar *c, int32_t local_days);

/* Is t inside any window (a window does not open on a holiday)? */
bool cal_in_windows(const struct calendar *c, const struct cfg_window *w, size_t n, srm_ms t);
/* The next instant > t at which a window opens (INT64_MAX when none within 14 days). */
srm_ms cal_next_window_open(const struct calendar *c, const struct cfg_window *w, size_t n, srm_ms t);
/* The next instant > t at which any window opens or closes (INT64_MAX when none). */
srm_ms cal_next_window_edge(const struct calendar *c, const struct cfg_window *w, size_t n, srm_ms t);
/* The next instant > t that is local time min_of_day (e.g. flatten_at). */
srm_ms cal_next_local_time(const struct calendar *c, int min_of_day, srm_ms t);

#endif
