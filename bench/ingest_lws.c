/*
 * ingest_lws.c: the transport ceiling of bench/ingest. The same flood as bench-ingest, received
 * by a bare libwebsockets client on the same libuv loop setup as src/gateway/hub.c (one
 * context, LWS_SERVER_OPTION_LIBUV with a foreign loop, two client connections), that only
 * counts the 0x1E record separators in what libwebsockets hands it: no JSON, no decoding.
 * Its rate is what any client built on this libwebsockets can reach at best; it is printed
 * next to the real clients, never as one. A hub ping during the run (srm-sim sends one every
 * 15 s) would be counted as a record: the runs are far shorter.
 * Usage: bench-ingest-lws PORT ACCOUNT CONTRACT NQUOTES NORDERS. Prints one JSON line.
 */
#include <curl/curl.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "benchutil.h"

enum { HUB_USER, HUB_MARKET };

struct conn {
	struct bench *b;
	struct lws *wsi;
	int which;
	int phase;   /* 0 connecting, 1 handshake sent, 2 subscribe sent, 3 subscribed */
	bool send_sub;
	long records;
};

struct bench {
	uv_loop_t loop;
	uv_timer_t guard;
	struct lws_context *ctx;
	struct conn c[2];
	int port;
	long long account;
	const char *contract;
	long want, nq, no;
	bool failed, done, flooded;
	double t0, t1;
};

static void finish(struct bench *b, bool failed)
{
	b->failed = b->failed || failed;
	b->done = true;
	uv_stop(&b->loop);
}

static int send_text(struct lws *wsi, const char *s)
{
	unsigned char buf[LWS_PRE + 256];
	size_t n = strlen(s);

	if (n + 1 > sizeof(buf) - LWS_PRE)
		return -1;
	memcpy(buf + LWS_PRE, s, n);
	buf[LWS_PRE + n++] = 0x1e;
	return lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n ? -1 : 0;
}

/* Setup records (handshake answer, the subscription's completion) before the flood. */
static void setup_record(struct conn *c, const char *p, size_t len)
{
	struct bench *b = c->b;

	if (c->phase == 1) { /* the handshake answer: {} */
		c->phase = 2;
		c->send_sub = true;
		lws_callback_on_writable(c->wsi);
		return;
	}
	if (c->phase == 2 && len >= 9 && memcmp(p, "{\"type\":3", 9) == 0) {
		c->phase = 3;
		if (b->c[0].phase == 3 && b->c[1].phase == 3 && !b->flooded) {
			b->flooded = true;
			b->t0 = bench_now_s();
			if (bench_flood(b->port, b->account, b->contract, b->nq, b->no) != 0)
				finish(b, true);
		}
	}
}

static int on_rx(struct conn *c, const char *in, size_t len)
{
	struct bench *b = c->b;
	const char *p = in, *end = in + len, *rs;

	if (c->phase < 3) {
		/* Setup records are small and come in whole frames here. */
		while (p < end && (rs = memchr(p, 0x1e, (size_t)(end - p))) != NULL) {
			setup_record(c, p, (size_t)(rs - p));
			p = rs + 1;
		}
		return 0;
	}
	while ((rs = memchr(p, 0x1e, (size_t)(end - p))) != NULL) {
		c->records++;
		p = rs + 1;
	}
	if (b->c[0].records + b->c[1].records >= b->want && !b->done) {
		b->t1 = bench_now_s();
		finish(b, false);
	}
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct conn *c = lws_get_opaque_user_data(wsi);
	char sub[256];

	(void)user;
	if (c == NULL)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		fprintf(stderr, "bench-ingest-lws: connect failed: %s\n",
			in ? (const char *)in : "?");
		c->wsi = NULL;
		finish(c->b, true);
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (c->phase == 0) {
			c->phase = 1;
			return send_text(wsi, "{\"protocol\":\"json\",\"version\":1}");
		}
		if (c->send_sub) {
			c->send_sub = false;
			if (c->which == HUB_USER)
				snprintf(sub, sizeof(sub), "{\"type\":1,\"invocationId\":\"1\","
					 "\"target\":\"SubscribeOrders\",\"arguments\":[%lld]}",
					 c->b->account);
			else
				snprintf(sub, sizeof(sub), "{\"type\":1,\"invocationId\":\"1\","
					 "\"target\":\"SubscribeContractQuotes\","
					 "\"arguments\":[\"%s\"]}", c->b->contract);
			return send_text(wsi, sub);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_rx(c, in, len);
	case LWS_CALLBACK_CLIENT_CLOSED:
		c->wsi = NULL;
		if (!c->b->done) {
			fprintf(stderr, "bench-ingest-lws: connection closed during the run\n");
			finish(c->b, true);
		}
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{ "srm-bench-count", callback, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static int open_conn(struct bench *b, struct conn *c, int which, const char *token)
{
	struct lws_client_connect_info ci;
	char path[1024];

	c->b = b;
	c->which = which;
	snprintf(path, sizeof(path), "/hubs/%s?access_token=%s",
		 which == HUB_USER ? "user" : "market", token);
	memset(&ci, 0, sizeof(ci));
	ci.context = b->ctx;
	ci.address = "127.0.0.1";
	ci.port = b->port;
	ci.path = path;
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.local_protocol_name = protocols[0].name;
	ci.opaque_user_data = c;
	c->wsi = lws_client_connect_via_info(&ci);
	return c->wsi != NULL ? 0 : -1;
}

static void on_guard(uv_timer_t *t)
{
	struct bench *b = t->data;

	fprintf(stderr, "bench-ingest-lws: timeout: %ld records received\n",
		b->c[0].records + b->c[1].records);
	finish(b, true);
}

static void drain(struct bench *b, int ms)
{
	double end = bench_now_s() + ms / 1000.0;

	while (bench_now_s() < end) {
		uv_run(&b->loop, UV_RUN_NOWAIT);
		uv_sleep(2);
	}
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	struct bench b;
	long port, acc, nq, no;
	void *loops[1];
	char *tok, ver[16];

	memset(&b, 0, sizeof(b));
	if (argc != 6 || !bench_parse_long(argv[1], 1, 65535, &port) ||
	    !bench_parse_long(argv[2], 1, 1L << 40, &acc) ||
	    !bench_parse_long(argv[4], 0, 100000000, &nq) ||
	    !bench_parse_long(argv[5], 0, 100000000, &no) || nq + no == 0) {
		fprintf(stderr, "usage: bench-ingest-lws PORT ACCOUNT CONTRACT NQUOTES NORDERS\n");
		return 2;
	}
	b.port = (int)port;
	b.account = acc;
	b.contract = argv[3];
	b.nq = nq;
	b.no = no;
	b.want = nq + no;
	lws_set_log_level(LLL_ERR, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tok = bench_login(b.port);
	if (tok == NULL)
		return 1;
	uv_loop_init(&b.loop);
	memset(&info, 0, sizeof(info));
	loops[0] = &b.loop;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_LIBUV;
	info.foreign_loops = loops;
	info.fd_limit_per_thread = 64;
	info.pcontext = &b.ctx; /* lws NULLs it when the second stage of destroy is done */
	b.ctx = lws_create_context(&info);
	if (b.ctx == NULL || open_conn(&b, &b.c[0], HUB_USER, tok) != 0 ||
	    open_conn(&b, &b.c[1], HUB_MARKET, tok) != 0) {
		fprintf(stderr, "bench-ingest-lws: cannot connect\n");
		return 1;
	}
	free(tok);
	uv_timer_init(&b.loop, &b.guard);
	b.guard.data = &b;
	uv_timer_start(&b.guard, on_guard, 120000, 0);
	uv_run(&b.loop, UV_RUN_DEFAULT);
	uv_timer_stop(&b.guard);
	uv_close((uv_handle_t *)&b.guard, NULL);
	lws_context_destroy(b.ctx); /* with a foreign loop: closes its handles first */
	drain(&b, 50);
	if (b.ctx != NULL)
		lws_context_destroy(b.ctx);
	drain(&b, 10);
	uv_loop_close(&b.loop);
	curl_global_cleanup();
	if (b.failed)
		return 1;
	snprintf(ver, sizeof(ver), "%s", lws_get_library_version());
	ver[strcspn(ver, "- ")] = '\0';
	printf("{\"client\":\"lws %s, count only\",\"quotes\":%ld,\"orders\":%ld,"
	       "\"seconds\":%.6f,\"records\":%ld}\n", ver, nq, no, b.t1 - b.t0,
	       b.c[0].records + b.c[1].records);
	return 0;
}
