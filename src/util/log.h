/*
 * log.h: logfmt logging: `ts=… level=warn mod=hub msg="reconnecting" attempt=3`. The message
 * is printf-format checked; errno is preserved; secrets are never formatted (struct secret
 * prints as ***). Not for the pure core (engine/rules): only the shell logs.
 */
#ifndef SRM_UTIL_LOG_H
#define SRM_UTIL_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* A secret (API key, token, password): the logger prints it as ***. */
struct secret {
	const char *value;
};

/* Where and how much: stream (default stderr), minimum level. */
void log_set_stream(FILE *f);
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Parse "debug|info|warn|error"; -1 when unknown. */
int log_level_parse(const char *s, enum log_level *out);
/* Enable/disable a trace category ("hub", "rest", "rules", "store"): debug lines of that module. */
void log_trace(const char *mod, bool on);
bool log_tracing(const char *mod);

/* Log one line: mod is the module, kv is extra logfmt pairs (already formatted) or NULL. */
void log_msg(enum log_level lvl, const char *mod, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)
#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)

/* The last lines logged (a ring of 2000), newest last: calls fn for each that matches
 * level >= min and contains grep (NULL: any), at most n of the newest. */
void log_tail(size_t n, enum log_level min, const char *grep, void (*fn)(const char *line, void *ud),
	      void *ud);

/* "***" for any secret: use as log_info("rest", "login user=%s key=%s", u, secret_str(k)). */
const char *secret_str(struct secret s);

#endif
