/*
 * transport.h: the hub client's byte stream on the caller's libuv loop: TCP (name resolved on
 * libuv's thread pool, never blocking the loop), optionally TLS through OpenSSL on memory BIOs
 * (certificate and host name verified). No framing: the WebSocket layer (wsclient.h) sits on it.
 * Errors: 0 / -1; a connection's end is reported once, by on_close, from the loop.
 */
#ifndef SRM_GATEWAY_TRANSPORT_H
#define SRM_GATEWAY_TRANSPORT_H

#include <stddef.h>
#include <uv.h>

#include "util/err.h"

/* Bytes written but not yet taken by the kernel; over this the connection is dropped. */
#define GW_CONN_OUT_MAX (8u << 20)

struct gw_tls;
struct gw_conn;

/* A client TLS context: the system CAs plus ca_file when given. NULL + err on failure. */
struct gw_tls *gw_tls_new(const char *ca_file, struct srm_err *err);
/* Release it (connections still open keep their own reference). NULL is fine. */
void gw_tls_free(struct gw_tls *tls);

struct gw_conn_cbs {
	/* Connected (and the TLS handshake done): the stream is ready both ways. */
	void (*on_open)(struct gw_conn *c, void *ud);
	/* Bytes received (plaintext); valid during the call only. */
	void (*on_data)(struct gw_conn *c, const char *p, size_t n, void *ud);
	/* The end, exactly once, never from inside a gw_conn_* call; c is freed after it. */
	void (*on_close)(struct gw_conn *c, const char *why, void *ud);
};

/*
 * Start connecting to host:port (TLS when tls is not NULL). Returns the connection; every
 * failure, even an immediate one, is reported by on_close.
 */
struct gw_conn *gw_conn_open(uv_loop_t *loop, struct gw_tls *tls, const char *host, int port,
			     const struct gw_conn_cbs *cbs, void *ud);
/* Send bytes (copied when the kernel does not take them at once). -1 when closing or full. */
int gw_conn_write(struct gw_conn *c, const void *p, size_t n);
/* Bytes queued behind the kernel. */
size_t gw_conn_queued(const struct gw_conn *c);
/* Drop the connection now (no more data is delivered); on_close follows with why. */
void gw_conn_close(struct gw_conn *c, const char *why);
/* Drop it and never call back (the owner is going away). */
void gw_conn_abandon(struct gw_conn *c);

#endif
