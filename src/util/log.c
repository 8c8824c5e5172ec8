/* log.c: logfmt lines to stderr (or a file), with levels and trace categories. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"

/*
 * Logging is process-wide by nature (one stderr); this is the one piece of module state
 * the shell keeps outside its context struct.
 */
static FILE *log_stream;
static enum log_level log_min = LOG_INFO;
static char traces[8][16];

static const char *const level_names[] = {"debug", "info", "warn", "error"};

#define RING_N 2000
static struct {
	enum log_level lvl;
	char line[512];
} ring[RING_N];
static size_t ring_head, ring_n;

static void ring_put(enum log_level lvl, const char *line)
{
	size_t i = (ring_head + ring_n) % RING_N;

	if (ring_n == RING_N)
		ring_head = (ring_head + 1) % RING_N;
	else
		ring_n++;
	ring[i].lvl = lvl;
	strlcpy_s(ring[i].line, line, sizeof(ring[i].line));
}

void log_tail(size_t n, enum log_level min, const char *grep, void (*fn)(const char *line, void *ud),
	      void *ud)
{
	size_t match = 0, start;

	for (size_t k = 0; k < ring_n; k++) {
		size_t i = (ring_head + k) % RING_N;

		if (ring[i].lvl >= min && (grep == NULL || strstr(ring[i].line, grep) != NULL))
			match++;
	}
	start = match > n ? match - n : 0;
	match = 0;
	for (size_t k = 0; k < ring_n; k++) {
		size_t i = (ring_head + k) % RING_N;

		if (ring[i].lvl >= min && (grep == NULL || strstr(ring[i].line, grep) != NULL)) {
			if (match >= start)
				fn(ring[i].line, ud);
			match++;
		}
	}
}

void log_set_stream(FILE *f)
{
	log_stream = f;
}

void log_set_level(enum log_level lvl)
{
	log_min = lvl;
}

enum log_level log_get_level(void)
{
	return log_min;
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void log_trace(const char *mod, bool on)
{
	for (int i = 0; i < 8; i++) {
		if (strcmp(traces[i], mod) == 0) {
			if (!on)
				traces[i][0] = '\0';
			return;
		}
	}
	if (!on)
		return;
	for (int i = 0; i < 8; i++)
		if (traces[i][0] == '\0') {
			strlcpy_s(traces[i], mod, sizeof(traces[i]));
			return;
		}
}

bool log_tracing(const char *mod)
{
	for (int i = 0; i < 8; i++)
		if (traces[i][0] != '\0' && strcmp(traces[i], mod) == 0)
			return true;
	return false;
}

const char *secret_str(struct secret s)
{
	(void)s;
	return "***";
}

void log_msg(enum log_level lvl, const char *mod, const char *fmt, ...)
{
	int saved = errno;
	FILE *f = log_stream ? log_stream : stderr;
	char msg[1024], ts[40];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (lvl < log_min && !(lvl == LOG_DEBUG && log_tracing(mod))) {
		errno = saved;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int64_t wall = clock_wall_ms();

	now.tv_sec = (time_t)(wall / 1000);
	now.tv_nsec = (long)(wall % 1000) * 1000000;
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	/* msg may itself carry key=value pairs after the first ": "-free text; quote the text. */
	const char *kv = strstr(msg, " | ");
	char line[1400];

	if (kv != NULL)
		snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s mod=%s msg=\"%.*s\" %s", ts,
			 now.tv_nsec / 1000000, level_names[lvl], mod, (int)(kv - msg), msg, kv + 3);
	else
		snprintf(line, sizeof(line), "ts=%s.%03ldZ level=%s mod=%s msg=\"%s\"", ts,
			 now.tv_nsec / 1000000, level_names[lvl], mod, msg);
	fprintf(f, "%s\n", line);
	fflush(f);
	ring_put(lvl, line);
	errno = saved;
}
