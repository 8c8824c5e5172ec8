/*
 * proto.h: the CLI <-> srmd protocol (SPEC §8): newline-delimited JSON over a Unix socket.
 * Request {"id":N,"cmd":"status","args":{...}}; reply {"id":N,"ok":true,"data":...} or
 * {"id":N,"ok":false,"error":{"code":"...","message":"..."}}. Shared by daemon and CLI.
 * Errors: 0 / -1 + struct srm_err.
 */
#ifndef SRM_IPC_PROTO_H
#define SRM_IPC_PROTO_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define IPC_LINE_MAX 65536          /* a longer request line is refused and discarded */
#define IPC_CMD_MAX 32

/* A bounded line accumulator: bytes in, complete lines out. */
struct linebuf {
	char buf[IPC_LINE_MAX];
	size_t len;
	bool overflow;                  /* discarding the rest of an over-long line */
};

/*
 * Feed bytes; calls on_line(line, len, ud) for every complete line (without '\n', NUL
 * terminated) and on_overflow(ud) once per over-long line. Returns 0, or the first non-zero
 * value a callback returned (stop).
 */
int linebuf_feed(struct linebuf *lb, const char *data, size_t n,
		 int (*on_line)(char *line, size_t len, void *ud), int (*on_overflow)(void *ud),
		 void *ud);

struct ipc_req {
	int64_t id;
	char cmd[IPC_CMD_MAX];
	cJSON *root;                    /* owns args */
	const cJSON *args;              /* object, or NULL when absent */
};

/* Parse one request line. On error, *id holds the request id when it could be read (else 0). */
int ipc_parse_request(const char *line, size_t len, struct ipc_req *req, struct srm_err *err);
void ipc_req_free(struct ipc_req *req);

/* Build a reply line (with trailing '\n'); data is consumed. Caller frees with free(). */
char *ipc_reply_ok(int64_t id, cJSON *data);
char *ipc_reply_err(int64_t id, const char *code, const char *message);
/* An event line for subscribers: {"event":"<kind>","data":...}\n; data consumed. */
char *ipc_event(const char *kind, cJSON *data);
/* Build a request line; args consumed (may be NULL). */
char *ipc_request(int64_t id, const char *cmd, cJSON *args);

/* Typed argument getters (absent -> default; wrong type -> -1 with err). */
int ipc_arg_string(const struct ipc_req *req, const char *key, const char **out, struct srm_err *err);
int ipc_arg_int64(const struct ipc_req *req, const char *key, int64_t *out, struct srm_err *err);
int ipc_arg_bool(const struct ipc_req *req, const char *key, bool *out, struct srm_err *err);

#endif
