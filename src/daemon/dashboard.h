/*
 * dashboard.h: the read-only web dashboard srmd serves (docs/DASHBOARD.md): libwebsockets on
 * srmd's one libuv loop; the page and its assets compiled in; JSON endpoints and a WebSocket
 * stream that srmd's own IPC socket answers (the same commands and events as `srm --json` and
 * `srm monitor`, never an admin one); a token in the state directory, a cookie, a strict CSP.
 *
 * Bounds: request headers DASH_HEADER_MAX, connections dashboard.max_clients, idle
 * DASH_IDLE_S, per WebSocket client DASH_WS_QUEUE_MAX messages / DASH_WS_BYTES_MAX bytes
 * (over them: a resync message and the client is dropped), DASH_PENDING_MAX requests
 * waiting for srmd's answer (more: 503).
 * Errors: 0 / -1 + struct srm_err.
 */
#ifndef SRM_DAEMON_DASHBOARD_H
#define SRM_DAEMON_DASHBOARD_H

#include "util/err.h"

#define DASH_HEADER_MAX 4096
#define DASH_IDLE_S 30
#define DASH_WS_QUEUE_MAX 256
#define DASH_WS_BYTES_MAX (1u << 20)
#define DASH_PENDING_MAX 32
#define DASH_REPLY_MAX (4u << 20)
#define DASH_TOKEN_FILE "dashboard.url"
#define DASH_COOKIE "srm_dash"

struct srmd;
struct dashboard;

/*
 * When dashboard.enabled: a new token, the URL in STATE_DIR/dashboard.url (0600), the
 * server listening. -1 with err when it cannot listen (srmd guards on without it).
 */
int dashboard_start(struct srmd *d, struct srm_err *err);
/* Close every connection and remove the URL file; the memory goes a few loop turns later. */
void dashboard_stop(struct srmd *d);

#endif
