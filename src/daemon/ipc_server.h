/*
 * ipc_server.h: srmd's Unix-socket server: bounded lines in, replies and event streams out.
 *
 * Hostile local clients never stall the daemon nor lock the trader out:
 * - a request line must be complete IPC_PARTIAL_MS after its first byte, and a connection
 *   that neither asks nor subscribes for IPC_IDLE_MS is closed;
 * - at most IPC_MAX_PER_UID connections per peer uid (SO_PEERCRED) and IPC_MAX_CLIENTS in
 *   all; a new connection over a cap closes the oldest connection of that uid (of the uid
 *   with the most, for the global cap) that is not waiting for a reply, idle ones first,
 *   so a flood of half requests cannot keep the trader's CLI out;
 * - a reply that comes later (a timer, work off the loop) holds its client with
 *   ipc_client_hold: the client's memory stays until every holder released it, and a send
 *   to a client that went away meanwhile is a no-op (ipc_client_gone says so).
 * The bytes read are wiped once handled (they may hold the admin password).
 */
#ifndef SRM_DAEMON_IPC_SERVER_H
#define SRM_DAEMON_IPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "ipc/proto.h"
#include "util/err.h"

#define IPC_MAX_CLIENTS 128
#define IPC_MAX_PER_UID 32
#define IPC_OUT_MAX (4u << 20)  /* a client that lets 4 MiB of replies pile up is dropped (one reply may be longer) */
#define IPC_PARTIAL_MS 5000     /* a request line must be complete this long after its start */
#define IPC_IDLE_MS 120000      /* no request and not subscribed for this long: closed */

struct ipc_server;

struct ipc_client {
	struct ipc_server *srv;
	uv_pipe_t pipe;
	struct linebuf lb;
	size_t out_pending;         /* bytes written but not yet flushed */
	bool subscribed;            /* receives events */
	bool authed;                /* passed `auth` */
	bool busy;                  /* a reply is delayed (auth): lines meanwhile are refused */
	bool closing;               /* dropped: nothing more is sent or read */
	long uid;                   /* peer uid (SO_PEERCRED), -1 when unknown */
	uint64_t serial;            /* connection order: smaller is older */
	uint64_t last_active_ms;    /* loop time of the connection or of its last request */
	uint64_t partial_ms;        /* loop time the unfinished line began; 0 when none */
	unsigned refs;              /* the connection itself + deferred replies */
	void *ud;                   /* the daemon's per-client state */
};

/* Called for every request line of a client; the handler replies with ipc_client_send. */
typedef void (*ipc_request_fn)(struct ipc_client *c, struct ipc_req *req, void *ud);

/*
 * Listen on path (mode 0660). A stale socket left by a crash is replaced; a live one is an
 * error ("another srmd is running"); anything there that is not a socket is left alone
 * and refused.
 */
struct ipc_server *ipc_server_new(uv_loop_t *loop, const char *path, ipc_request_fn fn, void *ud,
				  struct srm_err *err);
/* Close every client and the socket; removes the socket file. cb runs when all handles closed. */
void ipc_server_close(struct ipc_server *s, void (*cb)(void *ud), void *ud);
/* Free the server after ipc_server_close's callback (or after a failed ipc_server_new). */
void ipc_server_free(struct ipc_server *s);

/* Queue a line (copied) to one client; drops the client when its queue is over IPC_OUT_MAX. */
void ipc_client_send(struct ipc_client *c, const char *line);
/* Send a line to every subscribed client. */
void ipc_broadcast(struct ipc_server *s, const char *line);
size_t ipc_server_clients(const struct ipc_server *s);
/* Refuse further lines of a client until ipc_client_resume (a delayed reply). */
void ipc_client_pause(struct ipc_client *c);
void ipc_client_resume(struct ipc_client *c);
/* Keep c's memory for a reply that comes later; every hold needs one release. */
void ipc_client_hold(struct ipc_client *c);
void ipc_client_release(struct ipc_client *c);
/* Has the client hung up or been dropped? (Then sends are no-ops.) */
bool ipc_client_gone(const struct ipc_client *c);

#endif
