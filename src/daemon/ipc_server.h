/* ipc_server.h: srmd's Unix-socket server: bounded lines in, replies and event streams out. */
#ifndef SRM_DAEMON_IPC_SERVER_H
#define SRM_DAEMON_IPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "ipc/proto.h"
#include "util/err.h"

#define IPC_MAX_CLIENTS 64
#define IPC_OUT_MAX (4u << 20)  /* a client that lets 4 MiB of replies pile up is dropped */

struct ipc_server;

struct ipc_client {
	struct ipc_server *srv;
	uv_pipe_t pipe;
	struct linebuf lb;
	size_t out_pending;         /* bytes written but not yet flushed */
	bool subscribed;            /* receives events */
	bool authed;                /* passed `auth` */
	unsigned failed_auth;       /* wrong passwords on this connection */
	bool busy;                  /* a reply is delayed (e.g. after a wrong password) */
	bool closing;
	long uid;                   /* peer uid (SO_PEERCRED), -1 when unknown */
	void *ud;                   /* the daemon's per-client state */
};

/* Called for every request line of a client; the handler replies with ipc_client_send. */
typedef void (*ipc_request_fn)(struct ipc_client *c, struct ipc_req *req, void *ud);

/* Listen on path (mode 0660; a stale socket file is replaced, a live one is an error). */
struct ipc_server *ipc_server_new(uv_loop_t *loop, const char *path, ipc_request_fn fn, void *ud,
				  struct srm_err *err);
/* Close every client and the socket; removes the socket file. cb runs when all handles closed. */
void ipc_server_close(struct ipc_server *s, void (*cb)(void *ud), void *ud);

/* Queue a line (copied) to one client; drops the client when its queue is over IPC_OUT_MAX. */
void ipc_client_send(struct ipc_client *c, const char *line);
/* Send a line to every subscribed client. */
void ipc_broadcast(struct ipc_server *s, const char *line);
size_t ipc_server_clients(const struct ipc_server *s);
/* Stop reading a client until ipc_client_resume (a delayed reply). */
void ipc_client_pause(struct ipc_client *c);
void ipc_client_resume(struct ipc_client *c);

#endif
