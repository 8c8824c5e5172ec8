/*
 * test_wsclient.c: the hub client's WebSocket layer (src/gateway/wsclient.c on transport.c)
 * against a real libwebsockets server (in a thread of this process, its own poll loop) and,
 * for what lws would never send, a raw TCP peer of ours: the upgrade (101 and Accept checked,
 * 401 reported), echo of masked client frames, fragmented messages with a ping in between (the
 * pong carries its payload), a stream of many 4 KiB reads in one frame, the server's close
 * (code reported, close echoed), an oversized frame refused with 1009 before any of it is
 * delivered, a masked server frame and reserved bits refused, a wrong Accept, a header flood,
 * a refused TCP connect.
 */
#include <libwebsockets.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "gateway/transport.h"
#include "gateway/wsclient.h"

#include "check.h"

#define BIG_FRAME (200 * 1024)   /* one frame, many reads */
#define CAP 100000               /* the client's max_frame */

/* ---- the lws server (its own thread) ---- */

static struct lws_context *srv_ctx;
static atomic_int srv_port, srv_stop, srv_pongs, srv_close_code;
static char srv_pong[64];
static unsigned char big[LWS_PRE + BIG_FRAME + 16];

struct sess {
	char uri[64];
	int step;
};

static int srv_send(struct lws *wsi, const char *s, size_t n, int flags)
{
	unsigned char buf[LWS_PRE + 256];

	memcpy(buf + LWS_PRE, s, n);
	return lws_write(wsi, buf + LWS_PRE, n, (enum lws_write_protocol)flags) < (int)n ? -1 : 0;
}

/* What each path makes the server do, one step per writable callback. */
static int srv_step(struct lws *wsi, struct sess *p)
{
	int st = p->step++;

	if (strcmp(p->uri, "/frag") == 0) {
		/* "hello world" in three fragments, a ping between the second and the third */
		if (st == 0)
			return srv_send(wsi, "hel", 3, LWS_WRITE_TEXT | LWS_WRITE_NO_FIN);
		if (st == 1)
			return srv_send(wsi, "lo ", 3, LWS_WRITE_CONTINUATION | LWS_WRITE_NO_FIN);
		if (st == 2)
			return srv_send(wsi, "ping-42", 7, LWS_WRITE_PING);
		if (st == 3)
			return srv_send(wsi, "world", 5, LWS_WRITE_CONTINUATION);
		return 0;
	}
	if (strcmp(p->uri, "/big") == 0 && st == 0) {
		for (size_t i = 0; i < BIG_FRAME; i++)
			big[LWS_PRE + i] = (unsigned char)('a' + i % 26);
		return lws_write(wsi, big + LWS_PRE, BIG_FRAME, LWS_WRITE_TEXT) < BIG_FRAME ? -1 : 0;
	}
	if (strcmp(p->uri, "/stream") == 0 && st == 0) {
		for (size_t i = 0; i < CAP; i++)
			big[LWS_PRE + i] = (unsigned char)('a' + i % 26);
		return lws_write(wsi, big + LWS_PRE, CAP, LWS_WRITE_BINARY) < CAP ? -1 : 0;
	}
	if (strcmp(p->uri, "/close") == 0 && st == 0) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"bye", 3);
		return -1;
	}
	return 0;
}

static int srv_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		  size_t len)
{
	struct sess *p = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
		char uri[64] = "";

		lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI);
		if (strcmp(uri, "/deny") == 0) {
			lws_return_http_status(wsi, HTTP_STATUS_UNAUTHORIZED, NULL);
			return 1;
		}
		return 0;
	}
	case LWS_CALLBACK_ESTABLISHED:
		memset(p, 0, sizeof(*p));
		lws_hdr_copy(wsi, p->uri, sizeof(p->uri), WSI_TOKEN_GET_URI);
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (srv_step(wsi, p) != 0)
			return -1;
		if (p->step < 5)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		/* /echo: every message back, as text */
		return strcmp(p->uri, "/echo") == 0 ? srv_send(wsi, in, len < 200 ? len : 200,
							    LWS_WRITE_TEXT) : 0;
	case LWS_CALLBACK_RECEIVE_PONG:
		snprintf(srv_pong, sizeof(srv_pong), "%.*s", (int)(len < 60 ? len : 60),
			 (const char *)in);
		atomic_fetch_add(&srv_pongs, 1);
		return 0;
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (len >= 2)
			atomic_store(&srv_close_code, ((const unsigned char *)in)[0] << 8 |
				     ((const unsigned char *)in)[1]);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols srv_protocols[] = {
	{ "ws", srv_cb, sizeof(struct sess), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void *srv_thread(void *arg)
{
	(void)arg;
	while (!atomic_load(&srv_stop))
		lws_service(srv_ctx, 0);
	lws_context_destroy(srv_ctx);
	return NULL;
}

static int srv_start(pthread_t *t)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.port = 0;
	info.iface = "127.0.0.1";
	info.protocols = srv_protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	lws_set_log_level(LLL_ERR, NULL);
	srv_ctx = lws_create_context(&info);
	if (srv_ctx == NULL)
		return -1;
	srv_port = lws_get_vhost_listen_port(lws_get_vhost_by_name(srv_ctx, "default"));
	return pthread_create(t, NULL, srv_thread, NULL);
}

/* ---- the client ---- */

static uv_loop_t loop;

struct client {
	struct gw_wsc *w;
	bool opened, closed;
	char data[BIG_FRAME + 1];
	size_t n;
	char why[200];
	int http_status, close_code;
};

static void c_open(struct gw_wsc *w, void *ud)
{
	(void)w;
	((struct client *)ud)->opened = true;
}

static void c_data(struct gw_wsc *w, const char *p, size_t n, void *ud)
{
	struct client *c = ud;

	(void)w;
	if (c->n + n <= BIG_FRAME) {
		memcpy(c->data + c->n, p, n);
		c->n += n;
		c->data[c->n] = '\0';
	}
}

static void c_close(struct gw_wsc *w, const struct gw_wsc_end *end, void *ud)
{
	struct client *c = ud;

	(void)w;
	c->closed = true;
	c->w = NULL;
	snprintf(c->why, sizeof(c->why), "%s", end->why);
	c->http_status = end->http_status;
	c->close_code = end->close_code;
}

static const struct gw_wsc_cbs cbs = { c_open, c_data, c_close };

static void client_open(struct client *c, int port, const char *path)
{
	struct gw_wsc_opts o = { NULL, "127.0.0.1", port, path, CAP };

	memset(c, 0, sizeof(*c));
	c->w = gw_wsc_open(&loop, &o, &cbs, c);
}

/* Run the loop until cond or ms pass. */
static bool run_until(bool (*cond)(const struct client *), const struct client *c, int ms)
{
	uint64_t end = uv_hrtime() + (uint64_t)ms * 1000000;

	while (!cond(c) && uv_hrtime() < end) {
		uv_run(&loop, UV_RUN_NOWAIT);
		uv_sleep(1);
	}
	return cond(c);
}

static bool is_closed(const struct client *c)
{
	return c->closed;
}

static bool is_open(const struct client *c)
{
	return c->opened || c->closed;
}

static bool has_11(const struct client *c)
{
	return c->n >= 11 || c->closed;
}

static bool has_all(const struct client *c)
{
	return c->n >= CAP || c->closed;
}

static void client_done(struct client *c)
{
	if (c->w != NULL)
		gw_wsc_close(c->w, "test done");
	run_until(is_closed, c, 3000);
}

static bool wait_atomic(atomic_int *v, int want, int ms)
{
	uint64_t end = uv_hrtime() + (uint64_t)ms * 1000000;

	while (atomic_load(v) < want && uv_hrtime() < end) {
		uv_run(&loop, UV_RUN_NOWAIT);
		uv_sleep(1);
	}
	return atomic_load(v) >= want;
}

static void t_lws(void)
{
	struct client c;

	fprintf(stderr, "-- upgrade and echo (masked frames)\n");
	client_open(&c, srv_port, "/echo?access_token=abc");
	CHECK(run_until(is_open, &c, 3000) && c.opened);
	CHECK(gw_wsc_send_text(c.w, "hello\x1e", 6) == 0);
	CHECK(run_until(has_11, &c, 500) || c.n == 6);
	CHECK(c.n == 6 && memcmp(c.data, "hello\x1e", 6) == 0);
	client_done(&c);
	CHECK(c.closed && strcmp(c.why, "test done") == 0);

	fprintf(stderr, "-- a fragmented message with a ping inside\n");
	client_open(&c, srv_port, "/frag");
	CHECK(run_until(has_11, &c, 3000));
	CHECK(strcmp(c.data, "hello world") == 0);
	CHECK(wait_atomic(&srv_pongs, 1, 2000));
	CHECK(strcmp(srv_pong, "ping-42") == 0);
	CHECK(!c.closed);
	client_done(&c);

	fprintf(stderr, "-- one frame of %d bytes over many reads\n", CAP);
	client_open(&c, srv_port, "/stream");
	CHECK(run_until(has_all, &c, 5000));
	CHECK(c.n == CAP);
	{
		bool same = true;

		for (size_t i = 0; i < c.n && same; i++)
			same = c.data[i] == (char)('a' + i % 26);
		CHECK(same);
	}
	CHECK(!c.closed);
	client_done(&c);

	fprintf(stderr, "-- the server closes (1001)\n");
	client_open(&c, srv_port, "/close");
	CHECK(run_until(is_closed, &c, 3000));
	CHECK(c.opened && c.close_code == 1001);
	CHECK(strstr(c.why, "closed by the server (close 1001)") != NULL);

	fprintf(stderr, "-- a frame over the cap is refused before any of it is delivered\n");
	{
		bool saw_1009 = false;

		/*
		 * The close frame (1009) goes out just before the socket closes with the big
		 * frame unread, so the kernel sends RST; a server busy elsewhere can lose the close
		 * frame behind it. Seen in one of three tries, or the client never sends it.
		 */
		for (int try = 0; try < 3 && !saw_1009; try++) {
			atomic_store(&srv_close_code, 0);
			client_open(&c, srv_port, "/big");
			CHECK(run_until(is_closed, &c, 3000));
			CHECK(c.n == 0);
			CHECK(strstr(c.why, "frame of 204800 bytes refused (cap 100000)") != NULL);
			saw_1009 = wait_atomic(&srv_close_code, 1009, 2000);
		}
		CHECK(saw_1009);
	}

	fprintf(stderr, "-- the upgrade refused with 401\n");
	client_open(&c, srv_port, "/deny");
	CHECK(run_until(is_closed, &c, 3000));
	CHECK(!c.opened && c.http_status == 401);
	CHECK(strstr(c.why, "HTTP 401") != NULL);
}

/* ---- a raw peer: canned bytes after the upgrade ---- */

struct raw {
	uv_tcp_t srv, peer;
	char req[4096];
	size_t n;
	const char *mode;      /* what to send */
	bool peer_open;
	int port;
};

static void raw_write(struct raw *r, const void *p, size_t n)
{
	uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);

	uv_try_write((uv_stream_t *)&r->peer, &b, 1);
}

static void raw_alloc(uv_handle_t *h, size_t s, uv_buf_t *b)
{
	struct raw *r = h->data;

	(void)s;
	*b = uv_buf_init(r->req + r->n, (unsigned)(sizeof(r->req) - 1 - r->n));
}

/* The request is in: answer as the mode says. */
static void raw_answer(struct raw *r)
{
	char resp[512], cat[128], acc[64];
	unsigned char md[SHA_DIGEST_LENGTH];
	const char *k = strstr(r->req, "Sec-WebSocket-Key: ");
	char key[32] = "";

	if (k != NULL)
		sscanf(k + 19, "%31[^\r]", key);
	snprintf(cat, sizeof(cat), "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	SHA1((unsigned char *)cat, strlen(cat), md);
	EVP_EncodeBlock((unsigned char *)acc, md, sizeof(md));
	if (strcmp(r->mode, "badaccept") == 0)
		acc[0] = acc[0] == 'A' ? 'B' : 'A';
	if (strcmp(r->mode, "flood") == 0) {
		static char junk[GW_WSC_HEADER_MAX + 100];

		memcpy(junk, "HTTP/1.1 101 OK\r\n", 17);
		memset(junk + 17, 'x', sizeof(junk) - 17);
		raw_write(r, junk, sizeof(junk));
		return;
	}
	snprintf(resp, sizeof(resp), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\n"
		 "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", acc);
	raw_write(r, resp, strlen(resp));
	if (strcmp(r->mode, "masked") == 0) {
		/* "hi" masked with key 1,2,3,4 */
		static const unsigned char f[] = { 0x81, 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2 };

		raw_write(r, f, sizeof(f));
	} else if (strcmp(r->mode, "rsv") == 0) {
		static const unsigned char f[] = { 0xC1, 0x02, 'h', 'i' };

		raw_write(r, f, sizeof(f));
	} else if (strcmp(r->mode, "ok") == 0) {
		/* "hi", an empty continuation and "!": one message, right behind the headers */
		static const unsigned char f[] = { 0x01, 0x02, 'h', 'i', 0x00, 0x00, 0x80, 0x01, '!' };

		raw_write(r, f, sizeof(f));
	}
}

static void raw_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct raw *r = s->data;

	(void)b;
	if (nread <= 0)
		return;
	r->n += (size_t)nread;
	r->req[r->n] = '\0';
	if (strstr(r->req, "\r\n\r\n") != NULL && r->mode != NULL) {
		raw_answer(r);
		r->mode = NULL;
	}
}

static void raw_conn(uv_stream_t *s, int status)
{
	struct raw *r = s->data;

	if (status < 0 || r->peer_open)
		return;
	uv_tcp_init(&loop, &r->peer);
	r->peer.data = r;
	r->peer_open = true;
	if (uv_accept(s, (uv_stream_t *)&r->peer) == 0)
		uv_read_start((uv_stream_t *)&r->peer, raw_alloc, raw_read);
}

static void raw_start(struct raw *r, const char *mode)
{
	struct sockaddr_in a;
	struct sockaddr_storage got;
	int len = sizeof(got);

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	uv_tcp_init(&loop, &r->srv);
	r->srv.data = r;
	uv_ip4_addr("127.0.0.1", 0, &a);
	uv_tcp_bind(&r->srv, (struct sockaddr *)&a, 0);
	uv_listen((uv_stream_t *)&r->srv, 4, raw_conn);
	uv_tcp_getsockname(&r->srv, (struct sockaddr *)&got, &len);
	r->port = ntohs(((struct sockaddr_in *)&got)->sin_port);
}

static void raw_stop(struct raw *r)
{
	uv_close((uv_handle_t *)&r->srv, NULL);
	if (r->peer_open)
		uv_close((uv_handle_t *)&r->peer, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
}

static void t_raw(const char *mode, const char *want_why, bool want_open)
{
	struct raw r;
	struct client c;

	fprintf(stderr, "-- raw peer: %s\n", mode);
	raw_start(&r, mode);
	client_open(&c, r.port, "/hub");
	if (strcmp(mode, "ok") == 0) {
		CHECK(run_until(has_11, &c, 500) || c.n == 3);
		CHECK(c.opened && c.n == 3 && memcmp(c.data, "hi!", 3) == 0 && !c.closed);
		client_done(&c);
	} else {
		CHECK(run_until(is_closed, &c, 3000));
	}
	CHECK(c.opened == want_open);
	if (strstr(c.why, want_why) == NULL) {
		fprintf(stderr, "   why: %s\n", c.why);
		CHECK(!"the reason says what happened");
	}
	CHECK(strstr(r.req, "GET /hub HTTP/1.1\r\n") == r.req);
	CHECK(strstr(r.req, "\r\nSec-WebSocket-Version: 13\r\n") != NULL);
	raw_stop(&r);
}

int main(void)
{
	pthread_t th;
	struct client c;
	struct raw r;

	signal(SIGPIPE, SIG_IGN);
	uv_loop_init(&loop);
	if (srv_start(&th) != 0) {
		fprintf(stderr, "cannot start the lws server\n");
		return 1;
	}
	t_lws();
	t_raw("ok", "test done", true);
	t_raw("masked", "the server masked a frame", true);
	t_raw("rsv", "reserved bits set", true);
	t_raw("badaccept", "a wrong or no Accept", false);
	t_raw("flood", "response headers over 16384 bytes", false);

	fprintf(stderr, "-- nobody listening\n");
	raw_start(&r, NULL);
	{
		int port = r.port;

		raw_stop(&r);
		client_open(&c, port, "/hub");
		CHECK(run_until(is_closed, &c, 3000));
		CHECK(!c.opened && strstr(c.why, "connect failed") != NULL);
	}

	atomic_store(&srv_stop, 1);
	lws_cancel_service(srv_ctx);
	pthread_join(th, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
	if (uv_loop_close(&loop) != 0) {
		uv_print_all_handles(&loop, stderr);
		CHECK(!"every handle closed");
	}
	fprintf(stderr, "%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
