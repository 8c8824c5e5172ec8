/*
 * simclient.h: a tiny blocking client for black-box tests and benches of srm-sim: start the
 * real binary, HTTP/1.1 requests and a WebSocket client over plain sockets. The WebSocket
 * side is written by hand on purpose: tests must craft exact frames (several SignalR records
 * in one frame, a record split across frames) that a full client library would not send.
 */
#ifndef SRM_TESTS_SIMCLIENT_H
#define SRM_TESTS_SIMCLIENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct simproc {
	pid_t pid;
	int port;
	int64_t accounts[8];
	int naccounts;
	int out_fd;
};

/* Start srm-sim (path from $SRM_SIM or argv0-relative) with extra args (NULL-terminated). */
int simproc_start(struct simproc *p, const char *const *args);
/* SIGTERM and wait; returns the exit status (0 clean), -1 on a signal/timeout. */
int simproc_stop(struct simproc *p);

struct http_res {
	int status;
	char *body;
	size_t len;
	char headers[2048];
};
/* One request (Connection: close). hdrs: extra header lines each ending "\r\n", or NULL. */
int http_do(int port, const char *method, const char *path, const char *hdrs, const char *body,
	    size_t len, struct http_res *res);
void http_res_free(struct http_res *res);
/* POST JSON with an optional bearer token; returns the parsed body (NULL if not JSON). */
cJSON *api_post(int port, const char *path, const char *token, const char *json, int *status);
cJSON *sim_get(int port, const char *path, int *status);
char *sim_login(int port); /* malloc'd token */

struct wsc {
	int fd;
	int status;       /* HTTP status of the upgrade */
	char *acc;        /* received text not yet split into records */
	size_t len, cap;
	bool closed;      /* EOF or close frame */
	bool got_close_frame;
	long frames;      /* text frames received */
	bool count_only;  /* bench: count records (0x1E) in rs_count instead of keeping text */
	long rs_count;
};
/* Bench: read frames until want records arrived (count_only mode); returns the count. */
long wsc_count(struct wsc *w, long want, int timeout_ms);
/* Open a WebSocket to path (with query); returns 0 when upgraded (101). */
int wsc_open(struct wsc *w, int port, const char *path, const char *extra_hdrs);
/* Send one frame (opcode 1 text, fin true) with exactly these bytes. */
int wsc_send(struct wsc *w, const void *data, size_t len);
int wsc_send_op(struct wsc *w, int opcode, bool fin, const void *data, size_t len);
/* Next SignalR record (without 0x1E), malloc'd; NULL on timeout or close. */
char *wsc_record(struct wsc *w, int timeout_ms);
/* Next record parsed as JSON, skipping pings (type 6); NULL on timeout/close. */
cJSON *wsc_msg(struct wsc *w, int timeout_ms);
void wsc_close(struct wsc *w);

/* Open a hub and do the handshake; returns 0 on `{}`. */
int hub_open(struct wsc *w, int port, const char *hub, const char *token);
/* Invoke target with arguments JSON text; with id: wait for and check its Completion. */
int hub_invoke(struct wsc *w, const char *target, const char *args_json, const char *id);

int64_t mono_ns(void);

#endif
