/* wsclient.c: the HTTP/1.1 upgrade (ours) and RFC 6455 framing (wslay) on the hub transport. */
#include "gateway/wsclient.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wslay/wslay.h>

#include "util/strutil.h"
#include "util/xalloc.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

struct gw_wsc {
	struct gw_conn *conn;
	wslay_frame_context_ptr fctx;
	struct gw_wsc_cbs cbs;
	void *ud;
	char *req;                /* the upgrade request (its path may carry a token) */
	size_t req_len;
	char accept[32];          /* the Sec-WebSocket-Accept we expect */
	char *hdr;                /* the response headers so far */
	size_t hdr_len;
	size_t max_frame;
	bool upgraded;
	bool closing;
	bool abandoned;
	bool in_message;          /* a fragmented data message is open */
	bool in_frame;            /* a frame's payload is being received */
	uint8_t frame_op;
	uint64_t frame_len, frame_got;
	uint8_t ctrl[125];        /* a control frame's payload */
	size_t ctrl_len;
	const char *in;           /* received bytes not yet taken by wslay */
	size_t in_len;
	struct gw_wsc_end end;
	char why[200];
};

static void ws_fail(struct gw_wsc *w, const char *why)
{
	if (w->closing)
		return;
	w->closing = true;
	gw_conn_close(w->conn, why);
}

static ssize_t recv_cb(uint8_t *buf, size_t len, int flags, void *ud)
{
	struct gw_wsc *w = ud;
	size_t n = w->in_len < len ? w->in_len : len;

	(void)flags;
	if (n == 0)
		return 0; /* wslay: nothing more for now (WSLAY_ERR_WANT_READ) */
	memcpy(buf, w->in, n);
	w->in += n;
	w->in_len -= n;
	return (ssize_t)n;
}

static ssize_t send_cb(const uint8_t *data, size_t len, int flags, void *ud)
{
	struct gw_wsc *w = ud;

	(void)flags;
	return gw_conn_write(w->conn, data, len) < 0 ? -1 : (ssize_t)len;
}

static int genmask_cb(uint8_t *buf, size_t len, void *ud)
{
	(void)ud;
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

static const struct wslay_frame_callbacks wslay_cbs = { send_cb, recv_cb, genmask_cb };

/* One frame out, masked (the transport takes every byte, or the connection is over). */
static int send_frame(struct gw_wsc *w, uint8_t opcode, const void *p, size_t n)
{
	struct wslay_frame_iocb io;
	ssize_t r;

	memset(&io, 0, sizeof(io));
	io.fin = 1;
	io.opcode = opcode;
	io.mask = 1;
	io.payload_length = n;
	io.data = p;
	io.data_length = n;
	r = wslay_frame_send(w->fctx, &io);
	if (r < 0 || (size_t)r != n) {
		ws_fail(w, "websocket: send failed");
		return -1;
	}
	return 0;
}

/* Refuse the connection: a close frame with code (best effort), then the end. */
static void ws_refuse(struct gw_wsc *w, int code, const char *why)
{
	uint8_t b[2] = { (uint8_t)(code >> 8), (uint8_t)code };

	if (w->closing)
		return;
	send_frame(w, WSLAY_CONNECTION_CLOSE, b, sizeof(b));
	ws_fail(w, why);
}

/* The header of a new frame (its first chunk): RFC 6455 §5 checks, our cap. */
static int frame_start(struct gw_wsc *w, const struct wslay_frame_iocb *io)
{
	char why[200];

	if (io->mask || io->rsv != 0) {
		ws_refuse(w, WSLAY_CODE_PROTOCOL_ERROR, io->mask ? "websocket: the server masked "
			  "a frame" : "websocket: reserved bits set (no extension was agreed)");
		return -1;
	}
	switch (io->opcode) {
	case WSLAY_TEXT_FRAME:
	case WSLAY_BINARY_FRAME:
	case WSLAY_CONTINUATION_FRAME:
		if ((io->opcode == WSLAY_CONTINUATION_FRAME) != w->in_message) {
			ws_refuse(w, WSLAY_CODE_PROTOCOL_ERROR, w->in_message ?
				  "websocket: a new message inside a fragmented one" :
				  "websocket: a continuation frame outside a message");
			return -1;
		}
		if (io->payload_length > w->max_frame) {
			snprintf(why, sizeof(why), "websocket: frame of %llu bytes refused (cap %zu)",
				 (unsigned long long)io->payload_length, w->max_frame);
			ws_refuse(w, WSLAY_CODE_MESSAGE_TOO_BIG, why);
			return -1;
		}
		w->in_message = !io->fin;
		break;
	case WSLAY_PING:
	case WSLAY_PONG:
	case WSLAY_CONNECTION_CLOSE:
		break; /* wslay checked: unfragmented, at most 125 bytes */
	default:
		snprintf(why, sizeof(why), "websocket: unknown opcode %u", io->opcode);
		ws_refuse(w, WSLAY_CODE_PROTOCOL_ERROR, why);
		return -1;
	}
	w->frame_op = io->opcode;
	w->frame_len = io->payload_length;
	w->frame_got = 0;
	w->ctrl_len = 0;
	w->in_frame = true;
	return 0;
}

/* A control frame is complete: answer a ping, echo a close and end. */
static void control_end(struct gw_wsc *w)
{
	char why[200];

	if (w->frame_op == WSLAY_PING) {
		send_frame(w, WSLAY_PONG, w->ctrl, w->ctrl_len);
	} else if (w->frame_op == WSLAY_CONNECTION_CLOSE) {
		w->end.close_code = w->ctrl_len >= 2 ? (w->ctrl[0] << 8 | w->ctrl[1]) : 0;
		send_frame(w, WSLAY_CONNECTION_CLOSE, w->ctrl, w->ctrl_len >= 2 ? 2 : 0);
		snprintf(why, sizeof(why), "closed by the server (close %d)", w->end.close_code);
		ws_fail(w, why);
	}
}

/* Frames in: data-frame payload to on_data as it comes, control frames handled. */
static void feed(struct gw_wsc *w, const char *p, size_t n)
{
	struct wslay_frame_iocb io;
	ssize_t r = WSLAY_ERR_WANT_READ;

	w->in = p;
	w->in_len = n;
	while (!w->closing && (r = wslay_frame_recv(w->fctx, &io)) >= 0) {
		if (!w->in_frame && frame_start(w, &io) != 0)
			break;
		w->frame_got += io.data_length;
		if (wslay_is_ctrl_frame(w->frame_op)) {
			memcpy(w->ctrl + w->ctrl_len, io.data, io.data_length);
			w->ctrl_len += io.data_length;
		} else if (io.data_length > 0 && w->cbs.on_data != NULL) {
			w->cbs.on_data(w, (const char *)io.data, io.data_length, w->ud);
		}
		if (w->frame_got == w->frame_len) {
			w->in_frame = false;
			if (!w->closing && wslay_is_ctrl_frame(w->frame_op))
				control_end(w);
		}
	}
	w->in = NULL;
	w->in_len = 0;
	if (!w->closing && r != WSLAY_ERR_WANT_READ)
		ws_refuse(w, WSLAY_CODE_PROTOCOL_ERROR, "websocket: malformed frame");
}

/* Trim spaces and tabs at both ends, in place. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Does a comma-separated header value hold token (case-insensitive)? */
static bool has_token(const char *v, const char *token)
{
	size_t tl = strlen(token);

	while (*v != '\0') {
		const char *e;
		size_t n;

		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		e = v;
		while (*e != '\0' && *e != ',')
			e++;
		n = (size_t)(e - v);
		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if (n == tl && strncasecmp(v, token, tl) == 0)
			return true;
		v = e;
	}
	return false;
}

/* The upgrade response (hdr NUL-terminated, without its final blank line). */
static int check_upgrade(struct gw_wsc *w, char *hdr, char *why, size_t cap)
{
	char *line, *next, *colon;
	bool upgrade = false, connection = false, accept = false;
	int status;

	next = strstr(hdr, "\r\n");
	if (next != NULL) {
		*next = '\0';
		next += 2;
	}
	if (strncmp(hdr, "HTTP/1.", 7) != 0 || hdr[7] == '\0' || hdr[8] != ' ' ||
	    hdr[9] < '1' || hdr[9] > '5' || hdr[10] < '0' || hdr[10] > '9' || hdr[11] < '0' ||
	    hdr[11] > '9' || (hdr[12] != ' ' && hdr[12] != '\0')) {
		snprintf(why, cap, "upgrade: expected an HTTP/1.x status line, got something else");
		return -1;
	}
	status = (hdr[9] - '0') * 100 + (hdr[10] - '0') * 10 + (hdr[11] - '0');
	if (status != 101) {
		w->end.http_status = status;
		snprintf(why, cap, "upgrade refused: HTTP %d", status);
		return -1;
	}
	for (line = next; line != NULL && *line != '\0'; line = next) {
		next = strstr(line, "\r\n");
		if (next != NULL) {
			*next = '\0';
			next += 2;
		}
		colon = strchr(line, ':');
		if (colon == NULL) {
			snprintf(why, cap, "upgrade: expected \"name: value\" header lines");
			return -1;
		}
		*colon = '\0';
		char *name = trim(line), *value = trim(colon + 1);

		if (strcasecmp(name, "Upgrade") == 0)
			upgrade = strcasecmp(value, "websocket") == 0;
		else if (strcasecmp(name, "Connection") == 0)
			connection = has_token(value, "upgrade");
		else if (strcasecmp(name, "Sec-WebSocket-Accept") == 0)
			accept = strcmp(value, w->accept) == 0;
		else if (strcasecmp(name, "Sec-WebSocket-Extensions") == 0 ||
			 strcasecmp(name, "Sec-WebSocket-Protocol") == 0) {
			snprintf(why, cap, "upgrade: the server chose %s we did not offer", name);
			return -1;
		}
	}
	if (!upgrade || !connection || !accept) {
		snprintf(why, cap, "upgrade: expected Upgrade: websocket, Connection: upgrade and "
			 "the right Sec-WebSocket-Accept, got%s%s%s", upgrade ? "" : " no Upgrade",
			 connection ? "" : " no Connection", accept ? "" : " a wrong or no Accept");
		return -1;
	}
	return 0;
}

static void conn_open_cb(struct gw_conn *c, void *ud)
{
	struct gw_wsc *w = ud;

	gw_conn_write(c, w->req, w->req_len);
	explicit_bzero(w->req, w->req_len);
	free(w->req);
	w->req = NULL;
}

static void conn_data_cb(struct gw_conn *c, const char *p, size_t n, void *ud)
{
	struct gw_wsc *w = ud;
	char why[200];
	char *end;
	size_t take, used;

	(void)c;
	if (w->closing)
		return;
	if (w->upgraded) {
		feed(w, p, n);
		return;
	}
	/* the headers, up to the blank line; what follows is already WebSocket frames */
	take = n < GW_WSC_HEADER_MAX - w->hdr_len ? n : GW_WSC_HEADER_MAX - w->hdr_len;
	memcpy(w->hdr + w->hdr_len, p, take);
	w->hdr_len += take;
	w->hdr[w->hdr_len] = '\0';
	end = strstr(w->hdr, "\r\n\r\n");
	if (end == NULL) {
		if (w->hdr_len >= GW_WSC_HEADER_MAX || memchr(w->hdr, '\0', w->hdr_len) != NULL) {
			snprintf(why, sizeof(why), "upgrade: response headers over %d bytes or "
				 "not text", GW_WSC_HEADER_MAX);
			ws_fail(w, why);
		}
		return;
	}
	used = (size_t)(end + 4 - w->hdr) - (w->hdr_len - take);
	end[2] = '\0';
	if (check_upgrade(w, w->hdr, why, sizeof(why)) != 0) {
		ws_fail(w, why);
		return;
	}
	w->upgraded = true;
	free(w->hdr);
	w->hdr = NULL;
	if (w->cbs.on_open != NULL)
		w->cbs.on_open(w, w->ud);
	if (!w->closing && used < n)
		feed(w, p + used, n - used);
}

static void conn_close_cb(struct gw_conn *c, const char *why, void *ud)
{
	struct gw_wsc *w = ud;

	(void)c;
	w->end.why = why;
	if (!w->abandoned && w->cbs.on_close != NULL)
		w->cbs.on_close(w, &w->end, w->ud);
	wslay_frame_context_free(w->fctx);
	if (w->req != NULL) {
		explicit_bzero(w->req, w->req_len);
		free(w->req);
	}
	free(w->hdr);
	free(w);
}

static const struct gw_conn_cbs conn_cbs = { conn_open_cb, conn_data_cb, conn_close_cb };

/* The key (16 random bytes, base64) and the Accept it calls for: base64(SHA-1(key + GUID)). */
static int make_key(char key[32], char accept[32])
{
	unsigned char raw[16], md[SHA_DIGEST_LENGTH];
	char cat[96];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)key, raw, sizeof(raw));
	snprintf(cat, sizeof(cat), "%s%s", key, WS_GUID);
	SHA1((const unsigned char *)cat, strlen(cat), md);
	EVP_EncodeBlock((unsigned char *)accept, md, sizeof(md));
	return 0;
}

struct gw_wsc *gw_wsc_open(uv_loop_t *loop, const struct gw_wsc_opts *o,
			   const struct gw_wsc_cbs *cbs, void *ud)
{
	struct gw_wsc *w = xcalloc(1, sizeof(*w));
	bool v6 = strchr(o->host, ':') != NULL;
	int defport = o->tls ? 443 : 80;
	char key[32], hostport[300];
	int n;

	w->cbs = *cbs;
	w->ud = ud;
	w->max_frame = o->max_frame ? o->max_frame : (1u << 20);
	w->hdr = xmalloc(GW_WSC_HEADER_MAX + 1);
	if (wslay_frame_context_init(&w->fctx, &wslay_cbs, w) != 0)
		abort(); /* out of memory: what xmalloc does too */
	if (o->port == defport)
		snprintf(hostport, sizeof(hostport), v6 ? "[%s]" : "%s", o->host);
	else
		snprintf(hostport, sizeof(hostport), v6 ? "[%s]:%d" : "%s:%d", o->host, o->port);
	if (make_key(key, w->accept) != 0)
		abort(); /* no randomness: nothing can be masked either */
	n = snprintf(NULL, 0,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		     o->path, hostport, key);
	w->req_len = (size_t)n;
	w->req = xmalloc(w->req_len + 1);
	snprintf(w->req, w->req_len + 1,
		 "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
		 o->path, hostport, key);
	w->conn = gw_conn_open(loop, o->tls, o->host, o->port, &conn_cbs, w);
	return w;
}

int gw_wsc_send_text(struct gw_wsc *w, const void *p, size_t n)
{
	if (w->closing || !w->upgraded)
		return -1;
	return send_frame(w, WSLAY_TEXT_FRAME, p, n);
}

size_t gw_wsc_queued(const struct gw_wsc *w)
{
	return gw_conn_queued(w->conn);
}

void gw_wsc_close(struct gw_wsc *w, const char *why)
{
	ws_fail(w, why);
}

void gw_wsc_abandon(struct gw_wsc *w)
{
	w->abandoned = true;
	ws_fail(w, "abandoned");
}
