/*
 * record.h: the event stream as JSON lines, the format `srm replay` reads and
 * `srmd --record FILE` writes: {"ts":"<ISO-8601>","event":"<name>","data":{...}} (a
 * GatewayQuote line also has "contractId"). Gateway events keep the gateway's own shape; the
 * engine's other inputs (the executor's answers, rechecks, admin acts, a contract the gateway
 * does not know) have small shapes of their own, so a recorded day replays exactly, admin acts
 * and refusals included. Errors: 0 / -1 + struct srm_err.
 */
#ifndef SRM_WIRE_RECORD_H
#define SRM_WIRE_RECORD_H

#include <stddef.h>

#include "model/event.h"
#include "util/err.h"

/* The first line of a file srmd recorded: its ts is when the engine was made. */
#define RECORD_HEADER "Recorded"

/*
 * One event as a line (no newline; caller frees), or NULL when it cannot be encoded (a
 * timer: timers are the engine's own and fire again in a replay).
 */
char *record_line(srm_ms ts, const struct srm_event *ev);
/* The header line (ts: the engine's start). */
char *record_header(srm_ms ts, const char *by);

/*
 * Parse one line into up to cap events (a gateway list shape may carry several) and its ts.
 * Returns the count, 0 for the header (*header set), or -1 with err.
 */
int record_parse(const char *line, srm_ms *ts, struct srm_event *evs, size_t cap, bool *header,
		 struct srm_err *err);

/*
 * A Config line ({"event":"Config","data":{"path":P,"yaml":TEXT}}: the config srmd started
 * or reloaded with, secrets redacted) parses to one EV_CONFIG without a config in it; the
 * reader loads the text itself: 1 with *yaml and *path (caller frees both), 0 when the line
 * is not a Config line, -1 + err.
 */
int record_config_yaml(const char *line, char **yaml, char **path, struct srm_err *err);

#endif
