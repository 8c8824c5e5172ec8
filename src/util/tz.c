/* tz.c: TZif zone files (RFC 8536, v1..v3) and their POSIX TZ footer rule; pure conversions. */
#include "util/tz.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "util/xalloc.h"

#define TZ_NAME_MAX 64
#define TZ_FILE_MAX (1024 * 1024)  /* real TZif files are a few KB */
#define TZ_MAX_TRANS 100000
#define TZ_MAX_TYPES 256
/* Instants are clamped to about +-35,000 years so that no arithmetic below can overflow. */
#define TZ_MS_LIMIT ((int64_t)1 << 50)

struct tz_type {
	int32_t off;    /* seconds east of UTC */
	bool isdst;
};

/* One end of the DST period of a POSIX rule. */
enum rule_kind { RULE_JULIAN1, RULE_JULIAN0, RULE_MWD };
struct rule_date {
	enum rule_kind kind;
	int a, b, c;        /* Jn: a=n; n: a=n; Mm.w.d: a=m, b=w, c=d */
	int32_t time;       /* seconds after local midnight (may be negative or > 24h in v3) */
};

struct posix_rule {
	int32_t std_off, dst_off; /* seconds east of UTC */
	bool has_dst;
	struct rule_date start, end;
};

struct tz {
	char name[TZ_NAME_MAX];
	size_t n_trans;
	int64_t *trans;         /* UTC seconds, ascending */
	uint8_t *idx;           /* type of each transition */
	size_t n_types;
	struct tz_type *types;
	bool has_rule;          /* footer rule used after the last transition */
	struct posix_rule rule;
};

/* ---- civil dates: Howard Hinnant's algorithms (howardhinnant.github.io/date_algorithms.html) */

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int32_t days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floordiv(yy, 400);
	int64_t yoe = yy - era * 400;                                   /* [0, 399] */
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* [0, 146096] */
	return (int32_t)(era * 146097 + doe - 719468);
}

/* Proleptic Gregorian date of a day count since 1970-01-01. */
void civil_from_days(int32_t days, int *y, int *m, int *d)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = floordiv(z, 146097);
	int64_t doe = z - era * 146097;                                          /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;    /* [0, 399] */
	int64_t yy = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                  /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                        /* [0, 11] */
	int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*y = (int)(yy + (mm <= 2));
	*m = mm;
	*d = dd;
}

/* Day of the week of a day count, 0 = sunday (1970-01-01 was a thursday). */
int weekday_from_days(int32_t days)
{
	int64_t w = ((int64_t)days + 4) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* ---- POSIX TZ rule ("CST6CDT,M3.2.0,M11.1.0") ---- */

static bool parse_num(const char **pp, int lo, int hi, int *out)
{
	const char *p = *pp;
	int v = 0, n = 0;

	while (*p >= '0' && *p <= '9' && n < 4) {
		v = v * 10 + (*p - '0');
		p++;
		n++;
	}
	if (n == 0 || v < lo || v > hi)
		return false;
	*pp = p;
	*out = v;
	return true;
}

/* [+-]hh[:mm[:ss]] in seconds; hours up to max_h. */
static bool parse_hms(const char **pp, int max_h, int32_t *out)
{
	const char *p = *pp;
	int sign = 1, h, m = 0, s = 0;

	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		p++;
	}
	if (!parse_num(&p, 0, max_h, &h))
		return false;
	if (*p == ':') {
		p++;
		if (!parse_num(&p, 0, 59, &m))
			return false;
		if (*p == ':') {
			p++;
			if (!parse_num(&p, 0, 59, &s))
				return false;
		}
	}
	*pp = p;
	*out = sign * (h * 3600 + m * 60 + s);
	return true;
}

/* A zone abbreviation: 3+ letters, or <...> with letters, digits, '+', '-'. */
static bool parse_abbr(const char **pp)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p == '<') {
		p++;
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		       (*p >= '0' && *p <= '9') || *p == '+' || *p == '-') {
			p++;
			n++;
		}
		if (*p != '>' || n < 3)
			return false;
		p++;
	} else {
		while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')) {
			p++;
			n++;
		}
		if (n < 3)
			return false;
	}
	*pp = p;
	return true;
}

static bool parse_rule_date(const char **pp, struct rule_date *rd)
{
	const char *p = *pp;

	if (*p == 'J') {
		p++;
		rd->kind = RULE_JULIAN1;
		if (!parse_num(&p, 1, 365, &rd->a))
			return false;
	} else if (*p == 'M') {
		p++;
		rd->kind = RULE_MWD;
		if (!parse_num(&p, 1, 12, &rd->a) || *p++ != '.' || !parse_num(&p, 1, 5, &rd->b) ||
		    *p++ != '.' || !parse_num(&p, 0, 6, &rd->c))
			return false;
	} else {
		rd->kind = RULE_JULIAN0;
		if (!parse_num(&p, 0, 365, &rd->a))
			return false;
	}
	rd->time = 7200;
	if (*p == '/') {
		p++;
		if (!parse_hms(&p, 167, &rd->time)) /* v3: -167..167 hours */
			return false;
	}
	*pp = p;
	return true;
}

/* Parse a POSIX TZ string; offsets are stored east of UTC (POSIX writes them west). */
static bool parse_posix(const char *s, struct posix_rule *r)
{
	const char *p = s;
	int32_t off;

	memset(r, 0, sizeof(*r));
	if (!parse_abbr(&p) || !parse_hms(&p, 24, &off))
		return false;
	r->std_off = -off;
	if (*p == '\0')
		return true;
	if (!parse_abbr(&p))
		return false;
	r->has_dst = true;
	r->dst_off = r->std_off + 3600;
	if (*p != ',' && *p != '\0') {
		if (!parse_hms(&p, 24, &off))
			return false;
		r->dst_off = -off;
	}
	if (*p == '\0') {
		/* No rule given: the POSIX default is the US rule. */
		r->start = (struct rule_date){ RULE_MWD, 3, 2, 0, 7200 };
		r->end = (struct rule_date){ RULE_MWD, 11, 1, 0, 7200 };
		return true;
	}
	if (*p++ != ',' || !parse_rule_date(&p, &r->start) || *p++ != ',' ||
	    !parse_rule_date(&p, &r->end))
		return false;
	return *p == '\0';
}

/* Local day (days since epoch) on which a rule date falls in year y. */
static int32_t rule_day(const struct rule_date *rd, int y)
{
	int32_t jan1 = days_from_civil(y, 1, 1);

	switch (rd->kind) {
	case RULE_JULIAN1:
		return jan1 + rd->a - 1 + (is_leap(y) && rd->a >= 60 ? 1 : 0);
	case RULE_JULIAN0:
		return jan1 + rd->a;
	case RULE_MWD:
	default: {
		int32_t first = days_from_civil(y, rd->a, 1);
		int32_t day = first + (rd->c - weekday_from_days(first) + 7) % 7 + (rd->b - 1) * 7;
		int32_t last = first + month_days(y, rd->a) - 1;
		while (day > last)
			day -= 7;
		return day;
	}
	}
}

static bool same_date(const struct rule_date *a, const struct rule_date *b)
{
	return a->kind == b->kind && a->a == b->a && a->b == b->b && a->c == b->c && a->time == b->time;
}

static bool same_rule(const struct posix_rule *a, const struct posix_rule *b)
{
	return a->std_off == b->std_off && a->dst_off == b->dst_off && a->has_dst == b->has_dst &&
	       same_date(&a->start, &b->start) && same_date(&a->end, &b->end);
}

static int32_t rule_offset(const struct posix_rule *r, int64_t t)
{
	/*
	 * The year's two changes, kept for the next call (the engine asks for the same year
	 * for every order and position event); per thread, as config checks run on their own.
	 */
	static _Thread_local struct {
		bool set;
		struct posix_rule r;    /* by value: a freed zone's address may be reused */
		int64_t lo, hi;         /* the standard-time seconds of that year */
		int64_t start, end;
	} memo;
	int y, m, d;
	int64_t start, end, ts = t + r->std_off;

	if (!r->has_dst)
		return r->std_off;
	if (memo.set && ts >= memo.lo && ts < memo.hi && same_rule(&memo.r, r)) {
		start = memo.start;
		end = memo.end;
		goto decide;
	}
	civil_from_days((int32_t)floordiv(ts, 86400), &y, &m, &d);
	/* The start time is in standard time, the end time in daylight time. */
	start = (int64_t)rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
	end = (int64_t)rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
	memo.set = true;
	memo.r = *r;
	memo.lo = (int64_t)days_from_civil(y, 1, 1) * 86400;
	memo.hi = (int64_t)days_from_civil(y + 1, 1, 1) * 86400;
	memo.start = start;
	memo.end = end;
decide:
	if (start < end)
		return t >= start && t < end ? r->dst_off : r->std_off;
	return t >= end && t < start ? r->std_off : r->dst_off; /* southern hemisphere */
}

/* ---- TZif ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct tzif_hdr {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static int read_hdr(const unsigned char *buf, size_t len, size_t pos, struct tzif_hdr *h,
		    struct srm_err *err)
{
	if (len - pos < 44)
		return srm_err_set(err, SRM_EINVAL, "truncated TZif header at byte %zu", pos);
	if (memcmp(buf + pos, "TZif", 4) != 0)
		return srm_err_set(err, SRM_EINVAL, "bad TZif magic at byte %zu", pos);
	h->version = (char)buf[pos + 4];
	h->isutcnt = be32(buf + pos + 20);
	h->isstdcnt = be32(buf + pos + 24);
	h->leapcnt = be32(buf + pos + 28);
	h->timecnt = be32(buf + pos + 32);
	h->typecnt = be32(buf + pos + 36);
	h->charcnt = be32(buf + pos + 40);
	if (h->typecnt == 0 || h->typecnt > TZ_MAX_TYPES || h->timecnt > TZ_MAX_TRANS ||
	    h->leapcnt > TZ_MAX_TRANS || h->charcnt > 65536 ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return srm_err_set(err, SRM_EINVAL, "bad TZif counts (types %u, transitions %u)",
				   h->typecnt, h->timecnt);
	return 0;
}

static size_t data_size(const struct tzif_hdr *h, size_t tsize)
{
	return (size_t)h->timecnt * tsize + h->timecnt + (size_t)h->typecnt * 6 + h->charcnt +
	       (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/* Load from TZif bytes in memory. */
struct tz *tz_from_bytes(const char *name, const unsigned char *buf, size_t len,
			 struct srm_err *err)
{
	struct tzif_hdr h = {0};
	size_t pos = 0, tsize = 4, dsz;
	struct tz *z = NULL;

	if (buf == NULL || read_hdr(buf, len, 0, &h, err) < 0)
		goto bad;
	dsz = data_size(&h, 4);
	if (len - 44 < dsz) {
		srm_err_set(err, SRM_EINVAL, "truncated TZif data");
		goto bad;
	}
	pos = 44;
	if (h.version >= '2') {
		pos += dsz;
		if (read_hdr(buf, len, pos, &h, err) < 0)
			goto bad;
		pos += 44;
		tsize = 8;
		dsz = data_size(&h, 8);
		if (len - pos < dsz) {
			srm_err_set(err, SRM_EINVAL, "truncated TZif v2 data");
			goto bad;
		}
	}

	z = xcalloc(1, sizeof(*z));
	strlcpy_s(z->name, name != NULL ? name : "", sizeof(z->name));
	z->n_trans = h.timecnt;
	z->n_types = h.typecnt;
	z->trans = xcalloc(h.timecnt + 1, sizeof(*z->trans));
	z->idx = xcalloc(h.timecnt + 1, 1);
	z->types = xcalloc(h.typecnt, sizeof(*z->types));

	const unsigned char *p = buf + pos;
	for (size_t i = 0; i < h.timecnt; i++, p += tsize) {
		z->trans[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
		if (i > 0 && z->trans[i] <= z->trans[i - 1]) {
			srm_err_set(err, SRM_EINVAL, "TZif transitions not ascending at %zu", i);
			goto bad;
		}
	}
	for (size_t i = 0; i < h.timecnt; i++, p++) {
		if (*p >= h.typecnt) {
			srm_err_set(err, SRM_EINVAL, "TZif transition %zu: type %u out of range", i,
				    *p);
			goto bad;
		}
		z->idx[i] = *p;
	}
	for (size_t i = 0; i < h.typecnt; i++, p += 6) {
		int32_t off = (int32_t)be32(p);
		if (off < -25 * 3600 || off > 26 * 3600 || p[4] > 1) {
			srm_err_set(err, SRM_EINVAL, "TZif type %zu: bad offset %d", i, (int)off);
			goto bad;
		}
		z->types[i].off = off;
		z->types[i].isdst = p[4] != 0;
	}
	pos += dsz;

	/* Footer (v2+): "\n<POSIX TZ>\n". An empty string means "no rule". */
	if (h.version >= '2' && pos < len) {
		const unsigned char *nl;
		char tzs[128];
		size_t n;

		if (buf[pos] != '\n' ||
		    (nl = memchr(buf + pos + 1, '\n', len - pos - 1)) == NULL) {
			srm_err_set(err, SRM_EINVAL, "bad TZif footer");
			goto bad;
		}
		n = (size_t)(nl - (buf + pos + 1));
		if (n >= sizeof(tzs)) {
			srm_err_set(err, SRM_EINVAL, "TZif footer too long");
			goto bad;
		}
		memcpy(tzs, buf + pos + 1, n);
		tzs[n] = '\0';
		if (n > 0) {
			if (!parse_posix(tzs, &z->rule)) {
				srm_err_set(err, SRM_EINVAL, "unsupported TZ rule \"%s\"", tzs);
				goto bad;
			}
			z->has_rule = true;
		}
	}
	return z;
bad:
	if (err != NULL && name != NULL)
		srm_err_prefix(err, "zone %s: ", name);
	tz_free(z);
	return NULL;
}

/* Load a zone by IANA name from $TZDIR or /usr/share/zoneinfo (the only function doing I/O). */
struct tz *tz_load(const char *name, struct srm_err *err)
{
	const char *dir = getenv("TZDIR");
	char path[512];
	unsigned char *buf = NULL;
	size_t len = 0;
	struct tz *z = NULL;
	FILE *f = NULL;

	if (name == NULL || name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL ||
	    strlen(name) >= TZ_NAME_MAX) {
		srm_err_set(err, SRM_EINVAL, "bad time zone name \"%s\"", name ? name : "(null)");
		goto out;
	}
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		srm_err_set(err, SRM_EINVAL, "time zone path too long for \"%s\"", name);
		goto out;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		srm_err_set(err, errno == ENOENT ? SRM_ENOTFOUND : SRM_EIO,
			    "unknown time zone \"%s\" (%s: %s)", name, path, strerror(errno));
		goto out;
	}
	buf = xmalloc(TZ_FILE_MAX);
	len = fread(buf, 1, TZ_FILE_MAX, f);
	if (ferror(f)) {
		srm_err_set(err, SRM_EIO, "%s: read error", path);
		goto out;
	}
	if (len == TZ_FILE_MAX) {
		srm_err_set(err, SRM_EINVAL, "%s: file too large", path);
		goto out;
	}
	z = tz_from_bytes(name, buf, len, err);
out:
	if (f != NULL)
		(void)fclose(f);
	free(buf);
	return z;
}

/* The fixed zone UTC (allocated: release with tz_free). */
struct tz *tz_utc(void)
{
	struct tz *z = xcalloc(1, sizeof(*z));

	strlcpy_s(z->name, "UTC", sizeof(z->name));
	z->n_types = 1;
	z->types = xcalloc(1, sizeof(*z->types));
	z->trans = xcalloc(1, sizeof(*z->trans));
	z->idx = xcalloc(1, 1);
	return z;
}

/* Release a zone (NULL is fine). */
void tz_free(struct tz *z)
{
	if (z == NULL)
		return;
	free(z->trans);
	free(z->idx);
	free(z->types);
	free(z);
}

/* The zone's name as loaded ("America/Chicago"). */
const char *tz_name(const struct tz *z)
{
	return z != NULL ? z->name : "";
}

static int64_t clamp_ms(int64_t t)
{
	return t > TZ_MS_LIMIT ? TZ_MS_LIMIT : t < -TZ_MS_LIMIT ? -TZ_MS_LIMIT : t;
}

/* Offset in seconds at a UTC second. */
static int32_t offset_at_s(const struct tz *z, int64_t t)
{
	size_t lo, hi;

	if (z == NULL || z->n_types == 0)
		return 0;
	if (z->n_trans == 0)
		return z->has_rule ? rule_offset(&z->rule, t) : z->types[0].off;
	if (t < z->trans[0])
		return z->types[0].off;
	if (t >= z->trans[z->n_trans - 1]) {
		if (z->has_rule)
			return rule_offset(&z->rule, t);
		return z->types[z->idx[z->n_trans - 1]].off;
	}
	/* Find the last transition <= t: trans[lo] <= t < trans[hi]. */
	lo = 0;
	hi = z->n_trans - 1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->types[z->idx[lo]].off;
}

/* Offset from UTC in seconds at a UTC instant. */
int32_t tz_offset_at(const struct tz *z, int64_t utc)
{
	return offset_at_s(z, floordiv(clamp_ms(utc), 1000));
}

/*
 * Local wall-clock seconds -> UTC ms. Takes the offsets a day before and a day after (zones
 * change at most once in that span); each gives a candidate that is valid when the zone has
 * that offset at the candidate. Two valid: ambiguous, take the earlier. None: a gap, so use
 * the offset before the change, which moves the time forward by the gap (02:30 CST -> 03:30 CDT).
 */
int64_t tz_local_to_utc(const struct tz *z, int64_t local_s)
{
	const int64_t lim = TZ_MS_LIMIT / 1000;
	int64_t l = local_s > lim ? lim : local_s < -lim ? -lim : local_s;
	int32_t o1 = offset_at_s(z, l - 86400), o2 = offset_at_s(z, l + 86400);
	int64_t u1 = l - o1, u2 = l - o2;
	bool v1 = offset_at_s(z, u1) == o1, v2 = offset_at_s(z, u2) == o2;

	if (v1 && v2)
		return (u1 < u2 ? u1 : u2) * 1000;
	if (v2)
		return u2 * 1000;
	return u1 * 1000;
}

/* Broken-down local time of a UTC instant. */
void tz_localtime(const struct tz *z, int64_t utc, struct tz_local *out)
{
	int64_t t = clamp_ms(utc);
	int64_t local = t + (int64_t)tz_offset_at(z, t) * 1000;
	int64_t days = floordiv(local, 86400000);
	int64_t sod = (local - days * 86400000) / 1000;

	memset(out, 0, sizeof(*out));
	out->days = (int32_t)days;
	civil_from_days(out->days, &out->year, &out->month, &out->day);
	out->hour = (int)(sod / 3600);
	out->min = (int)(sod / 60 % 60);
	out->sec = (int)(sod % 60);
	out->wday = weekday_from_days(out->days);
	out->min_of_day = out->hour * 60 + out->min;
}
