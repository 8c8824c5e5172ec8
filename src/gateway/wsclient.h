/*
 * wsclient.h: a WebSocket client (RFC 6455) on the hub transport (transport.h). The HTTP/1.1
 * upgrade is ours (request, status, Upgrade/Connection headers, Sec-WebSocket-Accept checked
 * with OpenSSL's SHA-1 and base64); frames are parsed and built by wslay's frame API, and the
 * rules of RFC 6455 §5 are checked here (unmasked server frames, no reserved bits, known
 * opcodes, continuation only inside a fragmented message). Data-frame payload (text or
 * binary, fragmented or not) is streamed to on_data as it arrives, never held whole; text is
 * not checked for UTF-8 here (the JSON layer checks every string). Pings are answered, a close
 * is echoed, our frames are masked with OpenSSL's RNG. A frame whose payload is over max_frame
 * is refused (close 1009) and the connection ends.
 * Errors: 0 / -1; the end is reported once, by on_close, from the loop.
 */
#ifndef SRM_GATEWAY_WSCLIENT_H
#define SRM_GATEWAY_WSCLIENT_H

#include <stddef.h>
#include <uv.h>

#include "gateway/transport.h"

#define GW_WSC_HEADER_MAX 16384 /* the server's upgrade response headers */

struct gw_wsc;

/* How a connection ended. */
struct gw_wsc_end {
	const char *why;      /* for the log (never holds the request path) */
	int http_status;      /* the upgrade was refused with this status (401, 503, ...); else 0 */
	int close_code;       /* the server's close frame code (1000, ...); 0 if none */
};

struct gw_wsc_cbs {
	/* The upgrade succeeded: messages may be sent. */
	void (*on_open)(struct gw_wsc *w, void *ud);
	/* Payload bytes of data frames, in order; valid during the call only. */
	void (*on_data)(struct gw_wsc *w, const char *p, size_t n, void *ud);
	/* The end, exactly once, never from inside a gw_wsc_* call; w is freed after it. */
	void (*on_close)(struct gw_wsc *w, const struct gw_wsc_end *end, void *ud);
};

struct gw_wsc_opts {
	struct gw_tls *tls;     /* NULL: ws:// */
	const char *host;
	int port;
	const char *path;       /* request target, query included (may carry a token: never logged) */
	size_t max_frame;       /* largest data-frame payload accepted; 0: 1 MiB */
};

/* Connect and upgrade; every failure is reported by on_close. */
struct gw_wsc *gw_wsc_open(uv_loop_t *loop, const struct gw_wsc_opts *o,
			   const struct gw_wsc_cbs *cbs, void *ud);
/* Send one text message (masked, unfragmented). -1 when not open or the queue is full. */
int gw_wsc_send_text(struct gw_wsc *w, const void *p, size_t n);
/* Bytes waiting to be sent. */
size_t gw_wsc_queued(const struct gw_wsc *w);
/* Drop the connection now (no close handshake: a dead server would never answer one). */
void gw_wsc_close(struct gw_wsc *w, const char *why);
/* Drop it and never call back. */
void gw_wsc_abandon(struct gw_wsc *w);

#endif
