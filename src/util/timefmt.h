/* timefmt.h: ISO-8601 timestamps as the gateway writes them, parsed and formatted (UTC ms). */
#ifndef SRM_UTIL_TIMEFMT_H
#define SRM_UTIL_TIMEFMT_H

#include <stddef.h>

#include <stdint.h>

/*
 * Parse "2025-07-18T21:00:01.268009+00:00", "...Z", "2025-07-18T21:00:01Z", with 0-9
 * fraction digits and an offset (or Z). Returns 0 and sets *out, or -1 if malformed.
 */
int iso_parse(const char *s, int64_t *out);

/* Format as "2025-07-18T21:00:01.268Z" (always UTC, milliseconds). Returns buf. */
char *iso_format(int64_t t, char *buf, size_t cap);
/* Same without milliseconds when they are zero: "2025-07-18T21:00:01Z". */
char *iso_format_short(int64_t t, char *buf, size_t cap);

/* The longest duration anything takes (a lockout, a grace, a window): longer is "permanent". */
#define DURATION_MAX_MS (366LL * 86400000LL)

/* Parse a duration "90s", "15m", "2h" (also "1h30m", "500ms", "2d"); -1 if malformed or
 * longer than DURATION_MAX_MS (366d). */
int duration_parse(const char *s, int64_t *ms);

/* Parse "HH:MM" into minutes after midnight; -1 if malformed. */
int hhmm_parse(const char *s, int *min);

/* Parse "YYYY-MM-DD" into days since 1970-01-01; -1 if malformed. */
int date_parse(const char *s, int32_t *days);
/* Format days since 1970-01-01 as "YYYY-MM-DD". Returns buf. */
char *date_format(int32_t days, char *buf, size_t cap);

#endif
