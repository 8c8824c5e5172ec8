/*
 * tz.h: a time zone loaded from the system's TZif files (tz_load does the file I/O, once);
 * the conversions are pure functions on the loaded table, usable inside the engine.
 */
#ifndef SRM_UTIL_TZ_H
#define SRM_UTIL_TZ_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct tz;

/* Load a zone by IANA name ("America/Chicago") from /usr/share/zoneinfo (or $TZDIR). */
struct tz *tz_load(const char *name, struct srm_err *err);
/* Load from TZif bytes in memory. */
struct tz *tz_from_bytes(const char *name, const unsigned char *buf, size_t len, struct srm_err *err);
/* The fixed zone UTC. */
struct tz *tz_utc(void);
void tz_free(struct tz *z);
const char *tz_name(const struct tz *z);

/* Offset from UTC in seconds at a UTC instant (e.g. -18000 for CDT). */
int32_t tz_offset_at(const struct tz *z, int64_t utc);

/*
 * The UTC instant (in ms) of a local wall-clock time given as seconds since 1970-01-01 00:00 local.
 * In a gap (spring forward) the time is moved forward by the gap; when ambiguous (fall
 * back) the earlier instant is taken.
 */
int64_t tz_local_to_utc(const struct tz *z, int64_t local_s);

/* Broken-down local time of a UTC instant. */
struct tz_local {
	int year, month, day;   /* 1-based month and day */
	int hour, min, sec;
	int wday;               /* 0 = sunday */
	int32_t days;           /* local date as days since 1970-01-01 */
	int min_of_day;         /* hour * 60 + min */
};
void tz_localtime(const struct tz *z, int64_t utc, struct tz_local *out);

/* Civil date helpers (proleptic Gregorian). */
int32_t days_from_civil(int y, int m, int d);
void civil_from_days(int32_t days, int *y, int *m, int *d);
/* 0 = sunday */
int weekday_from_days(int32_t days);

#endif
