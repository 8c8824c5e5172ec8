/*
 * server.c: srm-sim's network shell: one lws vhost on a foreign libuv loop serving /api/...
 * (REST), /hubs/user and /hubs/market (SignalR over WebSocket) and /sim/... (control) on one
 * port; bounded request bodies; response delays (latency faults); control responses held
 * until their hub events are written (eventsSentNs); signals, timers, clean shutdown.
 */
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "sim/sim.h"
#include "util/strutil.h"
#include "util/xalloc.h"

#define WAIT_EVENTS_MAX_US (5 * 1000 * 1000) /* give up waiting for hub writes after 5 s */
#define BODY_CHUNK 32768

/* Per-connection data: an HTTP transaction or a hub WebSocket. */
struct http_pss {
	struct http_pss *next_wait;
	struct lws *wsi;
	int method;
	char path[256];
	char query[512];
	char auth[1024];
	char *body;
	size_t blen;
	bool too_big, dispatched, have_resp, headers_sent, waiting, delayed;
	size_t off;
	struct http_resp resp;
	struct hub_conn *hub;
};

struct server {
	struct sim *s;
	struct lws_context *ctx;
	uv_timer_t cron, walk;
	uv_timer_t *load;      /* the background quotes (s->load_timer while serving) */
	uv_signal_t sigint, sigterm;
};

static void pss_reset(struct http_pss *p)
{
	free(p->body);
	free(p->resp.body);
	p->body = NULL;
	p->resp.body = NULL;
	p->blen = 0;
	p->too_big = p->dispatched = p->have_resp = p->headers_sent = p->delayed = false;
	p->off = 0;
	memset(&p->resp, 0, sizeof(p->resp));
}

static void wait_unlink(struct sim *s, struct http_pss *p)
{
	if (!p->waiting)
		return;
	for (struct http_pss **pp = &s->waiting; *pp != NULL; pp = &(*pp)->next_wait)
		if (*pp == p) {
			*pp = p->next_wait;
			break;
		}
	p->waiting = false;
}

/* The response is ready: stamp eventsSentNs (null when we gave up) and ask to write. */
static void finalize(struct http_pss *p, bool sent)
{
	if (p->resp.events_sent && p->resp.body != NULL) {
		size_t n = strlen(p->resp.body);
		char tail[64];

		if (sent)
			snprintf(tail, sizeof(tail), ",\"eventsSentNs\":%lld}", (long long)sim_mono_ns());
		else
			snprintf(tail, sizeof(tail), ",\"eventsSentNs\":null}");
		if (n > 1 && p->resp.body[n - 1] == '}') {
			char *nb = xmalloc(n + strlen(tail) + 1);

			memcpy(nb, p->resp.body, n - 1);
			memcpy(nb + n - 1, tail, strlen(tail) + 1);
			free(p->resp.body);
			p->resp.body = nb;
		}
	}
	p->have_resp = true;
	lws_callback_on_writable(p->wsi);
}

/* After a delay (if any): answer now, or wait until the action's hub records are written. */
static void ready(struct sim *s, struct http_pss *p)
{
	if (p->resp.events_sent && hub_pending(s, p->resp.wait_seq)) {
		p->waiting = true;
		p->next_wait = s->waiting;
		s->waiting = p;
		lws_set_timer_usecs(p->wsi, WAIT_EVENTS_MAX_US);
		return;
	}
	finalize(p, true);
}

/* Release control responses whose hub records have all been written. */
static void check_waiting(struct sim *s)
{
	struct http_pss **pp = &s->waiting;

	while (*pp != NULL) {
		struct http_pss *p = *pp;

		if (hub_pending(s, p->resp.wait_seq)) {
			pp = &p->next_wait;
			continue;
		}
		*pp = p->next_wait;
		p->waiting = false;
		lws_set_timer_usecs(p->wsi, LWS_SET_TIMER_USEC_CANCEL);
		finalize(p, true);
	}
}

static void dispatch(struct sim *s, struct http_pss *p)
{
	struct http_resp *r = &p->resp;

	p->dispatched = true;
	if (strncmp(p->path, "/api/", 5) == 0) {
		if (p->too_big) {
			r->status = 413;
		} else {
			fault_apply(s, p->path, r);
			if (r->status == 0)
				rest_handle(s, p->method, p->path, p->auth, p->body, p->blen, r);
		}
		reqlog_add(s, false, p->path, p->body != NULL ? p->body : "", p->blen, r->status);
	} else if (strncmp(p->path, "/sim/", 5) == 0) {
		if (p->too_big)
			r->status = 413;
		else
			control_handle(s, p->method, p->path, p->query, p->body, p->blen, r);
	} else {
		r->status = 404;
	}
	if (r->delay_ms > 0) {
		p->delayed = true;
		lws_set_timer_usecs(p->wsi, (lws_usec_t)r->delay_ms * 1000);
		return;
	}
	ready(s, p);
}

static int write_response(struct http_pss *p)
{
	unsigned char hbuf[LWS_PRE + 1024];
	unsigned char *start = hbuf + LWS_PRE, *q = start, *end = hbuf + sizeof(hbuf) - 1;
	size_t blen = p->resp.body != NULL ? strlen(p->resp.body) : 0;

	if (!p->headers_sent) {
		const char *ct = p->resp.ctype != NULL ? p->resp.ctype :
							  "application/json; charset=utf-8";

		if (lws_add_http_common_headers(p->wsi, (unsigned int)p->resp.status, ct, blen, &q,
						end))
			return -1;
		if (p->resp.status == 401 &&
		    lws_add_http_header_by_name(p->wsi, (const unsigned char *)"WWW-Authenticate:",
						(const unsigned char *)"Bearer", 6, &q, end))
			return -1;
		if (lws_finalize_write_http_header(p->wsi, start, &q, end))
			return -1;
		p->headers_sent = true;
		if (blen == 0)
			goto done;
		lws_callback_on_writable(p->wsi);
		return 0;
	}
	{
		unsigned char *buf = xmalloc(LWS_PRE + BODY_CHUNK);
		size_t n = blen - p->off;
		bool last;
		int w;

		if (n > BODY_CHUNK)
			n = BODY_CHUNK;
		last = p->off + n == blen;
		if (n > 0 && p->resp.body != NULL)
			memcpy(buf + LWS_PRE, p->resp.body + p->off, n);
		w = lws_write(p->wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
		free(buf);
		if (w < (int)n)
			return -1;
		p->off += n;
		if (!last) {
			lws_callback_on_writable(p->wsi);
			return 0;
		}
	}
done:
	pss_reset(p);
	if (lws_http_transaction_completed(p->wsi))
		return -1;
	return 0;
}

static int hub_path(const char *uri)
{
	if (strcmp(uri, "/hubs/user") == 0)
		return HUB_USER;
	if (strcmp(uri, "/hubs/market") == 0)
		return HUB_MARKET;
	return -1;
}

/* Token of a hub upgrade: ?access_token= (the samples) or Authorization: Bearer (Node client). */
static void hub_token(struct lws *wsi, char *tok, size_t cap)
{
	char hdr[1024];
	const char *v;

	tok[0] = '\0';
	/* lws copies "name=value" into the buffer and returns a pointer to the value. */
	v = lws_get_urlarg_by_name(wsi, "access_token=", hdr, (int)sizeof(hdr));
	if (v != NULL) {
		strlcpy_s(tok, v, cap);
		return;
	}
	if (lws_hdr_copy(wsi, hdr, sizeof(hdr), WSI_TOKEN_HTTP_AUTHORIZATION) > 7 &&
	    strncasecmp(hdr, "Bearer ", 7) == 0)
		strlcpy_s(tok, hdr + 7, cap);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct sim *s = lws_context_user(lws_get_context(wsi));
	struct http_pss *p = user;

	/*
	 * Connection-level callbacks (the HTTP/2 network connection, the upgrade check) carry no
	 * session data.
	 */
	if (p == NULL && reason != LWS_CALLBACK_HTTP_CONFIRM_UPGRADE)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		char cl[32] = "";

		pss_reset(p);
		p->wsi = wsi;
		strlcpy_s(p->path, in != NULL ? (const char *)in : "", sizeof(p->path));
		if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0)
			p->method = SIM_GET;
		else if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0)
			p->method = SIM_POST;
		else if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI) > 0)
			p->method = SIM_DELETE;
		else
			p->method = SIM_OTHER;
		p->query[0] = p->auth[0] = '\0';
		if (lws_hdr_copy(wsi, p->query, sizeof(p->query), WSI_TOKEN_HTTP_URI_ARGS) < 0)
			p->query[0] = '\0';
		if (lws_hdr_copy(wsi, p->auth, sizeof(p->auth), WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
			p->auth[0] = '\0';
		if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) < 0)
			cl[0] = '\0';
		if (p->method == SIM_POST && cl[0] != '\0' && strtol(cl, NULL, 10) > 0)
			return 0; /* wait for the body */
		if (p->method == SIM_POST &&
		    lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
			return 0; /* chunked body */
		dispatch(s, p);
		return 0;
	}
	case LWS_CALLBACK_HTTP_BODY:
		if (p->too_big || p->blen + len > SIM_MAX_BODY) {
			p->too_big = true; /* keep reading, answer 413 at the end */
			return 0;
		}
		if (p->body == NULL)
			p->body = xmalloc(SIM_MAX_BODY + 1);
		if (len > 0) /* lws may call with (NULL, 0) */
			memcpy(p->body + p->blen, in, len);
		p->blen += len;
		p->body[p->blen] = '\0';
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (!p->dispatched)
			dispatch(s, p);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!p->have_resp)
			return 0;
		return write_response(p);
	case LWS_CALLBACK_TIMER:
		if (p->delayed) {
			p->delayed = false;
			ready(s, p);
		} else if (p->waiting) {
			wait_unlink(s, p);
			finalize(p, false);
		}
		return 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		wait_unlink(s, p);
		pss_reset(p);
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
		char uri[256] = "", tok[1024];
		int st;

		if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 || hub_path(uri) < 0) {
			lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
			return 1;
		}
		if (sim_mono_ns() < s->refuse_hubs_until_ns) {
			lws_return_http_status(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, NULL);
			return 1;
		}
		hub_token(wsi, tok, sizeof(tok));
		st = auth_check(s, tok);
		if (s->reject_auth > 0) {
			s->reject_auth--;
			st = AUTH_UNKNOWN;
		}
		if (st != AUTH_OK) {
			lws_return_http_status(wsi, HTTP_STATUS_UNAUTHORIZED, NULL);
			return 1;
		}
		return 0;
	}
	case LWS_CALLBACK_ESTABLISHED: {
		char uri[256] = "";

		if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 || hub_path(uri) < 0)
			return -1;
		memset(p, 0, sizeof(*p));
		p->wsi = wsi;
		p->hub = hub_conn_new(s, wsi, hub_path(uri));
		return 0;
	}
	case LWS_CALLBACK_RECEIVE:
		if (p->hub == NULL)
			return -1;
		return hub_conn_rx(s, p->hub, in, len);
	case LWS_CALLBACK_RECEIVE_PONG:
		if (p->hub != NULL)
			hub_conn_pong(s, p->hub, in, len);
		return 0;
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		int rc;

		if (p->hub == NULL)
			return -1;
		rc = hub_conn_writable(s, p->hub);
		check_waiting(s);
		return rc;
	}
	case LWS_CALLBACK_CLOSED:
		if (p->hub != NULL) {
			hub_conn_free(s, p->hub);
			p->hub = NULL;
			check_waiting(s);
		}
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "srm-sim", callback, sizeof(struct http_pss), 65536, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static void on_cron(uv_timer_t *t)
{
	struct server *sv = t->data;

	hub_cron(sv->s);
	market_cron(sv->s);
	check_waiting(sv->s);
}

static void on_walk(uv_timer_t *t)
{
	struct server *sv = t->data;

	market_walk(sv->s);
}

static void on_load(uv_timer_t *t)
{
	struct server *sv = t->data;

	market_load_tick(sv->s);
}

void server_load_changed(struct sim *s)
{
	uv_timer_t *t = s->load_timer;

	if (t == NULL || s->stopping)
		return;
	if (s->load.rate > 0)
		uv_timer_start(t, on_load, 1, 1);
	else
		uv_timer_stop(t);
}

static void on_close(uv_handle_t *h)
{
	(void)h;
}

static void on_close_free(uv_handle_t *h)
{
	free(h);
}

static void on_signal(uv_signal_t *sg, int signum)
{
	struct server *sv = sg->data;

	(void)signum;
	if (sv->s->stopping)
		return;
	sv->s->stopping = true;
	uv_timer_stop(&sv->cron);
	uv_timer_stop(&sv->walk);
	uv_timer_stop(sv->load);
	sv->s->load_timer = NULL;
	uv_close((uv_handle_t *)&sv->cron, on_close);
	uv_close((uv_handle_t *)&sv->walk, on_close);
	uv_close((uv_handle_t *)sv->load, on_close_free);
	uv_close((uv_handle_t *)&sv->sigint, on_close);
	uv_close((uv_handle_t *)&sv->sigterm, on_close);
	scenario_free(sv->s->scn);
	sv->s->scn = NULL;
	lws_context_destroy(sv->ctx); /* first stage: lws closes its uv handles */
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

/* Listen, print the address and accounts, serve until SIGINT/SIGTERM; returns the exit code. */
int server_run(struct sim *s)
{
	struct lws_context_creation_info info;
	struct server sv;
	uv_loop_t loop;
	void *foreign[1];
	int rc = 0;

	memset(&sv, 0, sizeof(sv));
	sv.s = s;
	signal(SIGPIPE, SIG_IGN);
	if (uv_loop_init(&loop) != 0) {
		fprintf(stderr, "srm-sim: cannot create the event loop\n");
		return 1;
	}
	s->loop = &loop;
	foreign[0] = &loop;
	lws_set_log_level(s->opt.quiet ? LLL_ERR : LLL_ERR | LLL_WARN, NULL);
	memset(&info, 0, sizeof(info));
	info.port = s->opt.listen_port;
	info.iface = s->opt.listen_host;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DISABLE_IPV6 |
		       LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.foreign_loops = foreign;
	info.user = s;
	info.max_http_header_data = 8192;
	info.timeout_secs = 30;
	if (s->opt.tls_cert[0] != '\0') {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = s->opt.tls_cert;
		info.ssl_private_key_filepath = s->opt.tls_key;
	}
	sv.ctx = lws_create_context(&info);
	if (sv.ctx == NULL) {
		fprintf(stderr, "srm-sim: cannot listen on %s:%d\n", s->opt.listen_host,
			s->opt.listen_port);
		uv_loop_close(&loop);
		return 1;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(sv.ctx, "default");
	int port = vh != NULL ? lws_get_vhost_listen_port(vh) : s->opt.listen_port;
	printf("listening on %s:%d\n", s->opt.listen_host, port);
	for (int i = 0; i < s->naccounts; i++)
		printf("account %lld %s\n", (long long)s->accounts[i].id, s->accounts[i].name);
	fflush(stdout);

	uv_timer_init(&loop, &sv.cron);
	uv_timer_init(&loop, &sv.walk);
	sv.load = xmalloc(sizeof(*sv.load));
	uv_timer_init(&loop, sv.load);
	sv.cron.data = sv.walk.data = sv.load->data = &sv;
	s->load_timer = sv.load;
	uv_timer_start(&sv.cron, on_cron, 250, 250);
	if (s->opt.quote_ms > 0 && s->scn == NULL)
		uv_timer_start(&sv.walk, on_walk, (uint64_t)s->opt.quote_ms,
			       (uint64_t)s->opt.quote_ms);
	uv_signal_init(&loop, &sv.sigint);
	uv_signal_init(&loop, &sv.sigterm);
	sv.sigint.data = sv.sigterm.data = &sv;
	uv_signal_start(&sv.sigint, on_signal, SIGINT);
	uv_signal_start(&sv.sigterm, on_signal, SIGTERM);
	if (s->scn != NULL)
		scenario_start(s, s->scn);
	if (s->load.rate > 0) { /* --quote-rate (main.c checked it) */
		s->load.start_ns = sim_mono_ns();
		s->load.sent = 0;
		server_load_changed(s);
	}

	uv_run(&loop, UV_RUN_DEFAULT);
	/*
	 * With a foreign loop, lws_context_destroy() only starts closing its handles; once the
	 * loop has run them down, a second call finishes freeing the context.
	 */
	lws_context_destroy(sv.ctx);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) == UV_EBUSY) {
		uv_walk(&loop, close_walk_cb, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		if (uv_loop_close(&loop) != 0)
			rc = 1;
	}
	s->loop = NULL;
	return rc;
}
