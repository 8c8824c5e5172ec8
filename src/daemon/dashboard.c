/*
 * dashboard.c: srmd's read-only web dashboard: one lws vhost on srmd's libuv loop serving the
 * compiled-in page, /api/{status,rules,lockouts,history,pnl} and the /ws event stream.
 *
 * The data comes from srmd's own IPC socket, as `srm` gets it: one connection, subscribed (the
 * events `srm monitor` sees), that sends only the read-only commands and never `auth`, so the
 * dashboard can show exactly what `srm ... --json` prints and can do nothing `srm` without the
 * admin password could not. A browser that reads slowly only ever fills its own bounded queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/dashboard.h"
#include "daemon/srmd.h"
#include "daemon/web/assets.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/timefmt.h"
#include "util/xalloc.h"

#define TOKEN_BYTES 32
#define TOKEN_HEX (TOKEN_BYTES * 2)
#define BODY_CHUNK 16384
#define PNL_POINTS 2048         /* per account; when full every other point goes */
#define PNL_ACCOUNTS 32
#define PNL_SAMPLE_MS 5000
/*
 * The series goes to the state file (pnl_points) so that a restart keeps the day's chart, at
 * a coarser step: an account's point is kept for it when it is PNL_STEP_MS after the last one
 * kept and its P&L moved (or PNL_FLAT_MS passed), and the first of a day; the kept points are
 * written every PNL_STEP_MS in one transaction of their own, outside the event -> rules ->
 * enforcement turn, and with the newest point at a clean stop or when the day ends (a kill -9
 * loses at most the last PNL_STEP_MS). At most STORE_PNL_DAY_MAX rows per account and day
 * (2,880 at one per step, and a few per restart); days older than PNL_KEEP_DAYS are pruned
 * when a day begins.
 */
#define PNL_STEP_MS 30000
#define PNL_FLAT_MS (5 * 60 * 1000)
#define PNL_KEEP_DAYS 7
#define PNL_QUEUED 4            /* kept points waiting per account (2 at most between writes) */

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
			  "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
			  "frame-ancestors 'none'";

struct wsmsg {
	struct wsmsg *next;
	size_t len;
	unsigned char data[];       /* LWS_PRE bytes, then the message */
};

/* One connection: an HTTP transaction, or a WebSocket after the upgrade. */
struct sess {
	struct dashboard *ds;
	struct lws *wsi;
	bool is_ws;
	/* HTTP */
	int status;
	const char *ctype;
	char *body;                 /* owned, or NULL */
	const unsigned char *sbody; /* a compiled-in asset */
	size_t blen, off;
	bool have_resp, headers_sent, set_cookie, waiting, close_after;
	/* WebSocket */
	struct sess *next_ws;
	struct wsmsg *qhead, *qtail;
	size_t qn, qbytes;
	bool dropping;              /* over its queue: the resync message, then closed */
};

struct pnl_point {
	int64_t t;                  /* epoch ms */
	double realized, total;
};

struct pnl_series {
	int64_t account_id;
	size_t n;
	bool has_kept;              /* a point of this day is kept (queued or in the file) */
	struct pnl_point kept;      /* the newest of them */
	struct pnl_point queued[PNL_QUEUED];
	size_t n_queued;
	struct pnl_point p[PNL_POINTS];
};

struct dashboard {
	struct srmd *d;
	struct lws_context *ctx;
	char token[TOKEN_HEX + 1];
	char url_path[4096];
	bool tls, stopping;
	int max_clients, n_conn;
	struct sess *ws_list;
	size_t n_ws;
	/* srmd's IPC socket, as a client */
	uv_pipe_t pipe;
	bool pipe_open, connected;
	uv_connect_t creq;
	char *rbuf;
	size_t rlen, rcap;
	int64_t next_id, sample_id;
	struct { int64_t id; struct sess *s; } pending[DASH_PENDING_MAX];
	size_t n_pending;
	uv_timer_t timer;           /* reconnect, samples, and at stop: the context's reaping */
	int reap_ticks;
	bool timer_open;
	/* the day's P&L per account, sampled from status (realized and realized + unrealized) */
	struct pnl_series *pnl[PNL_ACCOUNTS];
	size_t n_pnl;
	int64_t pnl_day;            /* tradingDayStart as epoch ms: a new day starts new series */
	uint64_t last_sample_ms, last_persist_ms;
	/* numbers for the log at stop */
	uint64_t n_req, n_refused, n_dropped;
	uint64_t n_persist, n_rows, persist_max_us;
	bool persist_failing;
	SSL_CTX *client_ctx;        /* under TLS: see dashboard_start */
};

struct wreq {
	uv_write_t req;
	char data[];
};

static void ipc_connect(struct dashboard *ds);

/* ---- the WebSocket clients ---------------------------------------------------------- */

static void ws_queue_clear(struct sess *s)
{
	struct wsmsg *m, *next;

	for (m = s->qhead; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	s->qhead = s->qtail = NULL;
	s->qn = s->qbytes = 0;
}

static void ws_push(struct sess *s, const char *msg, size_t len)
{
	struct wsmsg *m = xmalloc(sizeof(*m) + LWS_PRE + len);

	m->next = NULL;
	m->len = len;
	memcpy(m->data + LWS_PRE, msg, len);
	if (s->qtail != NULL)
		s->qtail->next = m;
	else
		s->qhead = m;
	s->qtail = m;
	s->qn++;
	s->qbytes += len;
	lws_callback_on_writable(s->wsi);
}

/* Queue a message; a client over its bounds gets a resync message instead and is dropped. */
static void ws_send(struct sess *s, const char *msg, size_t len)
{
	static const char resync[] = "{\"event\":\"resync\",\"data\":{\"reason\":\"too slow: "
				     "messages were dropped\"}}";

	if (s->dropping)
		return;
	if (s->qn + 1 > DASH_WS_QUEUE_MAX || s->qbytes + len > DASH_WS_BYTES_MAX) {
		ws_queue_clear(s);
		s->dropping = true;
		s->ds->n_dropped++;
		log_warn("dashboard", "a browser is too slow; dropping it with a resync message");
		ws_push(s, resync, sizeof(resync) - 1);
		/* one that cannot take even that goes anyway */
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_CLOSE_SEND, 3);
		return;
	}
	ws_push(s, msg, len);
}

static void ws_broadcast(struct dashboard *ds, const char *msg, size_t len)
{
	for (struct sess *s = ds->ws_list; s != NULL; s = s->next_ws)
		ws_send(s, msg, len);
}

static void ws_unlink(struct sess *s)
{
	for (struct sess **pp = &s->ds->ws_list; *pp != NULL; pp = &(*pp)->next_ws)
		if (*pp == s) {
			*pp = s->next_ws;
			s->ds->n_ws--;
			break;
		}
	ws_queue_clear(s);
}

/* ---- HTTP responses ------------------------------------------------------------------ */

static void respond(struct sess *s, int status, const char *ctype, char *body)
{
	free(s->body);
	s->status = status;
	s->ctype = ctype;
	s->body = body;
	s->sbody = NULL;
	s->blen = body != NULL ? strlen(body) : 0;
	s->off = 0;
	s->have_resp = true;
	lws_callback_on_writable(s->wsi);
}

static void respond_text(struct sess *s, int status, const char *text)
{
	respond(s, status, "text/plain; charset=utf-8", xstrdup(text));
}

static void respond_error(struct sess *s, int status, const char *code, const char *msg)
{
	cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();
	char *txt;

	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	cJSON_AddItemToObject(o, "error", e);
	txt = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	respond(s, status, "application/json; charset=utf-8", txt != NULL ? txt : xstrdup("{}"));
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
		      unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
					   (const unsigned char *)value, (int)strlen(value), p, end);
}

static int write_headers(struct sess *s)
{
	unsigned char hbuf[LWS_PRE + 2048];
	unsigned char *start = hbuf + LWS_PRE, *p = start, *end = hbuf + sizeof(hbuf) - 1;
	struct lws *wsi = s->wsi;
	char cookie[200];

	if (lws_add_http_common_headers(wsi, (unsigned int)s->status, s->ctype, s->blen, &p, end) ||
	    add_header(wsi, "content-security-policy:", csp, &p, end) ||
	    add_header(wsi, "x-content-type-options:", "nosniff", &p, end) ||
	    add_header(wsi, "x-frame-options:", "DENY", &p, end) ||
	    add_header(wsi, "referrer-policy:", "no-referrer", &p, end) ||
	    add_header(wsi, "cross-origin-opener-policy:", "same-origin", &p, end) ||
	    add_header(wsi, "cross-origin-resource-policy:", "same-origin", &p, end) ||
	    add_header(wsi, "cache-control:", "no-store", &p, end))
		return -1;
	if (s->status == 401 && add_header(wsi, "www-authenticate:", "Bearer realm=\"srm\"", &p, end))
		return -1;
	if (s->set_cookie) {
		snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
			 DASH_COOKIE, s->ds->token, s->ds->tls ? "; Secure" : "");
		if (add_header(wsi, "set-cookie:", cookie, &p, end) ||
		    add_header(wsi, "location:", "/", &p, end))
			return -1;
		explicit_bzero(cookie, sizeof(cookie));
	}
	if (s->close_after && add_header(wsi, "connection:", "close", &p, end))
		return -1;
	if (lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	explicit_bzero(hbuf, sizeof(hbuf));
	return 0;
}

static void http_reset(struct sess *s)
{
	free(s->body);
	s->body = NULL;
	s->sbody = NULL;
	s->blen = s->off = 0;
	s->have_resp = s->headers_sent = s->set_cookie = s->waiting = s->close_after = false;
}

static int http_writable(struct sess *s)
{
	if (!s->have_resp)
		return 0;
	if (!s->headers_sent) {
		if (write_headers(s) != 0)
			return -1;
		s->headers_sent = true;
		if (s->blen > 0) {
			lws_callback_on_writable(s->wsi);
			return 0;
		}
	} else {
		unsigned char *buf = xmalloc(LWS_PRE + BODY_CHUNK);
		const unsigned char *src = s->sbody != NULL ? s->sbody : (const unsigned char *)s->body;
		size_t n = s->blen - s->off;
		bool last;
		int w;

		if (n > BODY_CHUNK)
			n = BODY_CHUNK;
		last = s->off + n == s->blen;
		memcpy(buf + LWS_PRE, src + s->off, n);
		w = lws_write(s->wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP);
		free(buf);
		if (w < (int)n)
			return -1;
		s->off += n;
		if (!last) {
			lws_callback_on_writable(s->wsi);
			return 0;
		}
	}
	bool close = s->close_after;

	http_reset(s);
	if (close || lws_http_transaction_completed(s->wsi))
		return -1;
	return 0;
}

/* ---- srmd's IPC socket --------------------------------------------------------------- */

static void on_write(uv_write_t *req, int status)
{
	(void)status; /* a failed write shows as EOF on the read side */
	free(req);
}

static int ipc_send(struct dashboard *ds, const char *cmd, cJSON *args, int64_t *id_out)
{
	char *line;
	size_t n;
	struct wreq *w;
	uv_buf_t b;

	if (!ds->connected) {
		cJSON_Delete(args);
		return -1;
	}
	*id_out = ++ds->next_id;
	line = ipc_request(*id_out, cmd, args);
	if (line == NULL)
		return -1;
	n = strlen(line);
	w = xmalloc(sizeof(*w) + n);
	memcpy(w->data, line, n);
	free(line);
	b = uv_buf_init(w->data, (unsigned)n);
	if (uv_write(&w->req, (uv_stream_t *)&ds->pipe, &b, 1, on_write) != 0) {
		free(w);
		return -1;
	}
	return 0;
}

static void on_pipe_closed(uv_handle_t *h)
{
	struct dashboard *ds = h->data;

	ds->pipe_open = false; /* the next tick connects again */
}

/* The socket went away (srmd stopping, or evicted): every waiting request gets 503. */
static void ipc_drop(struct dashboard *ds, const char *why)
{
	static const char lost[] = "{\"event\":\"resync\",\"data\":{\"reason\":\"srmd's event "
				   "stream was interrupted\"}}";

	if (ds->connected)
		log_warn("dashboard", "lost srmd's socket | why=\"%s\"", why);
	ds->connected = false;
	ds->rlen = 0;
	if (ds->pipe_open && !uv_is_closing((uv_handle_t *)&ds->pipe))
		uv_close((uv_handle_t *)&ds->pipe, on_pipe_closed);
	for (size_t i = 0; i < ds->n_pending; i++)
		if (ds->pending[i].s != NULL) {
			ds->pending[i].s->waiting = false;
			respond_error(ds->pending[i].s, 503, "unavailable", "srmd's socket is not reachable");
		}
	ds->n_pending = 0;
	ws_broadcast(ds, lost, sizeof(lost) - 1);
}

static struct pnl_series *pnl_for(struct dashboard *ds, int64_t id)
{
	for (size_t i = 0; i < ds->n_pnl; i++)
		if (ds->pnl[i]->account_id == id)
			return ds->pnl[i];
	if (ds->n_pnl == PNL_ACCOUNTS)
		return NULL;
	ds->pnl[ds->n_pnl] = xcalloc(1, sizeof(struct pnl_series));
	ds->pnl[ds->n_pnl]->account_id = id;
	return ds->pnl[ds->n_pnl++];
}

static void pnl_clear(struct dashboard *ds)
{
	for (size_t i = 0; i < ds->n_pnl; i++)
		free(ds->pnl[i]);
	ds->n_pnl = 0;
}

/* Append a point; a full series keeps every other point (the day stays whole, coarser). */
static void pnl_push(struct pnl_series *ps, struct pnl_point pt)
{
	if (ps->n == PNL_POINTS) {
		for (size_t k = 0; k < PNL_POINTS / 2; k++)
			ps->p[k] = ps->p[2 * k];
		ps->n = PNL_POINTS / 2;
	}
	ps->p[ps->n++] = pt;
}

static void pnl_loaded_row(const struct pnl_row *r, void *ud)
{
	struct pnl_series *ps = pnl_for(ud, r->account_id);
	struct pnl_point pt = { r->t_ms, r->realized, r->total };

	if (ps == NULL)
		return;
	pnl_push(ps, pt);
	ps->has_kept = true;
	ps->kept = pt;
}

/* A new trading day (or the first sample since srmd started): what the state file has of it. */
static void pnl_day_begins(struct dashboard *ds)
{
	struct srm_err err = {0};
	uint64_t t0 = clock_mono_ns();
	int skipped = store_pnl_day(ds->d->st, ds->pnl_day, pnl_loaded_row, ds, &err);
	size_t points = 0;

	for (size_t i = 0; i < ds->n_pnl; i++)
		points += ds->pnl[i]->n;
	if (skipped < 0)
		log_warn("dashboard", "cannot read the day's P&L series; the chart starts now | err=\"%s\"",
			 err.msg);
	else
		log_info("dashboard", "the day's P&L series | accounts=%zu points=%zu skipped=%d ms=%.1f",
			 ds->n_pnl, points, skipped, (double)(clock_mono_ns() - t0) / 1e6);
	if (store_pnl_prune(ds->d->st, ds->pnl_day - (int64_t)PNL_KEEP_DAYS * 86400000, &err) != 0)
		log_warn("dashboard", "cannot prune old P&L series | err=\"%s\"", err.msg);
}

static void pnl_queue(struct pnl_series *ps, struct pnl_point pt)
{
	if (ps->n_queued == PNL_QUEUED)
		ps->n_queued--; /* writes fail (a full disk): the newest replaces the last */
	ps->queued[ps->n_queued++] = pt;
	ps->has_kept = true;
	ps->kept = pt;
}

/* A new sample of ps: kept for the state file when it says something new (see PNL_STEP_MS). */
static void pnl_keep(struct pnl_series *ps, struct pnl_point pt)
{
	const struct pnl_point *k = &ps->kept;

	if (ps->has_kept && (pt.t - k->t < PNL_STEP_MS ||
			     (pt.realized == k->realized && pt.total == k->total && pt.t - k->t < PNL_FLAT_MS)))
		return;
	pnl_queue(ps, pt);
}

/*
 * Write the kept points (final: with each account's newest, at a stop or a day's end), in one
 * transaction of their own.
 */
static void pnl_persist(struct dashboard *ds, bool final)
{
	struct pnl_row rows[PNL_ACCOUNTS * PNL_QUEUED];
	struct srm_err err = {0};
	size_t n = 0, written = 0;
	uint64_t t0 = clock_mono_ns(), us;

	if (ds->pnl_day == 0)
		return;
	for (size_t i = 0; i < ds->n_pnl; i++) {
		struct pnl_series *ps = ds->pnl[i];

		if (final && ps->n > 0 && (!ps->has_kept || ps->p[ps->n - 1].t > ps->kept.t))
			pnl_queue(ps, ps->p[ps->n - 1]);
		for (size_t k = 0; k < ps->n_queued; k++)
			rows[n++] = (struct pnl_row){ ps->account_id, ps->queued[k].t, ps->queued[k].realized,
						      ps->queued[k].total };
	}
	if (n == 0)
		return;
	if (store_begin(ds->d->st, &err) != 0)
		goto failed;
	if (store_pnl_append(ds->d->st, ds->pnl_day, rows, n, &written, &err) != 0) {
		store_rollback(ds->d->st);
		goto failed;
	}
	if (store_commit(ds->d->st, &err) != 0)
		goto failed;
	for (size_t i = 0; i < ds->n_pnl; i++)
		ds->pnl[i]->n_queued = 0;
	us = (clock_mono_ns() - t0) / 1000;
	ds->n_persist++;
	ds->n_rows += written;
	if (us > ds->persist_max_us)
		ds->persist_max_us = us;
	if (ds->persist_failing)
		log_info("dashboard", "the P&L series is saved again");
	ds->persist_failing = false;
	return;
failed:
	/* only the chart's past is at stake: said once, tried again at the next step */
	if (!ds->persist_failing)
		log_warn("dashboard", "cannot save the P&L series | err=\"%s\"", err.msg);
	ds->persist_failing = true;
}

/* A status reply: one point per account (kept when it differs from the last one). */
static void pnl_sample(struct dashboard *ds, const cJSON *data)
{
	const cJSON *daemon = cJSON_GetObjectItemCaseSensitive(data, "daemon");
	const cJSON *accts = cJSON_GetObjectItemCaseSensitive(data, "accounts"), *a;
	const cJSON *day = cJSON_GetObjectItemCaseSensitive(daemon, "tradingDayStart");
	srm_ms day_ms = 0, now = srmd_now();

	if (cJSON_IsString(day) && iso_parse(day->valuestring, &day_ms) == 0 && day_ms > 0 &&
	    day_ms != ds->pnl_day) {
		if (ds->pnl_day != 0)
			pnl_persist(ds, true); /* the end of the day that ends */
		pnl_clear(ds);
		ds->pnl_day = day_ms;
		pnl_day_begins(ds);
	}
	cJSON_ArrayForEach(a, accts) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
		const cJSON *re = cJSON_GetObjectItemCaseSensitive(a, "realizedPnl");
		const cJSON *un = cJSON_GetObjectItemCaseSensitive(a, "unrealizedPnl");
		const cJSON *fe = cJSON_GetObjectItemCaseSensitive(a, "fees");
		struct pnl_series *ps;

		if (!cJSON_IsNumber(id) || !cJSON_IsNumber(re))
			continue;
		ps = pnl_for(ds, (int64_t)id->valuedouble);
		if (ps == NULL)
			continue;
		double realized = re->valuedouble - (cJSON_IsNumber(fe) ? fe->valuedouble : 0);
		double total = realized + (cJSON_IsNumber(un) ? un->valuedouble : 0);

		struct pnl_point pt = { now, realized, total };

		pnl_keep(ps, pt);
		if (ps->n > 0 && ps->p[ps->n - 1].realized == realized && ps->p[ps->n - 1].total == total &&
		    ps->n > 1 && ps->p[ps->n - 2].realized == realized && ps->p[ps->n - 2].total == total) {
			ps->p[ps->n - 1].t = now; /* a flat stretch: its end moves */
			continue;
		}
		pnl_push(ps, pt);
	}
}

static void ipc_reply(struct dashboard *ds, cJSON *r)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
	const cJSON *ok = cJSON_GetObjectItemCaseSensitive(r, "ok");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(r, "data");
	int64_t n;
	struct sess *s = NULL;
	size_t i;

	if (!cJSON_IsNumber(id))
		return;
	n = (int64_t)id->valuedouble;
	if (n == ds->sample_id) {
		if (cJSON_IsTrue(ok))
			pnl_sample(ds, data);
		return;
	}
	for (i = 0; i < ds->n_pending && ds->pending[i].id != n; i++)
		;
	if (i == ds->n_pending)
		return;
	s = ds->pending[i].s;
	ds->pending[i] = ds->pending[--ds->n_pending];
	if (s == NULL)
		return; /* the browser went away meanwhile */
	s->waiting = false;
	if (cJSON_IsTrue(ok)) {
		char *txt = cJSON_PrintUnformatted(data);

		if (txt == NULL)
			respond_error(s, 500, "internal", "out of memory");
		else
			respond(s, 200, "application/json; charset=utf-8", txt);
	} else {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
		const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
		const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));

		respond_error(s, 400, code != NULL ? code : "error", msg != NULL ? msg : "");
	}
}

static void ipc_line(struct dashboard *ds, char *line, size_t len)
{
	cJSON *r;

	if (len == 0)
		return;
	/* an event line ({"event":...} as ipc_event builds it) goes to the browsers as it is */
	if (strncmp(line, "{\"event\":", 9) == 0) {
		ws_broadcast(ds, line, len);
		return;
	}
	r = cJSON_ParseWithLength(line, len);
	if (r != NULL)
		ipc_reply(ds, r);
	cJSON_Delete(r);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct dashboard *ds = h->data;

	(void)suggested;
	if (ds->rcap - ds->rlen < 65536) {
		size_t cap = ds->rcap * 2 > 65536 ? ds->rcap * 2 : 131072;

		if (cap > DASH_REPLY_MAX + 65536)
			cap = DASH_REPLY_MAX + 65536;
		ds->rbuf = xreallocarray(ds->rbuf, cap, 1);
		ds->rcap = cap;
	}
	*buf = uv_buf_init(ds->rbuf + ds->rlen, (unsigned)(ds->rcap - ds->rlen));
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct dashboard *ds = st->data;
	size_t start = 0;

	(void)buf;
	if (nread < 0) {
		ipc_drop(ds, nread == UV_EOF ? "srmd hung up" : uv_strerror((int)nread));
		return;
	}
	ds->rlen += (size_t)nread;
	for (size_t i = 0; i < ds->rlen; i++) {
		if (ds->rbuf[i] != '\n')
			continue;
		ds->rbuf[i] = '\0';
		ipc_line(ds, ds->rbuf + start, i - start);
		if (!ds->connected)
			return;
		start = i + 1;
	}
	memmove(ds->rbuf, ds->rbuf + start, ds->rlen - start);
	ds->rlen -= start;
	if (ds->rlen > DASH_REPLY_MAX)
		ipc_drop(ds, "a line longer than the dashboard takes");
}

static void on_connect(uv_connect_t *req, int status)
{
	struct dashboard *ds = req->data;
	int64_t id;

	if (ds->stopping)
		return;
	if (status != 0) {
		if (ds->pipe_open && !uv_is_closing((uv_handle_t *)&ds->pipe))
			uv_close((uv_handle_t *)&ds->pipe, on_pipe_closed);
		return;
	}
	ds->connected = true;
	uv_read_start((uv_stream_t *)&ds->pipe, on_alloc, on_read);
	(void)ipc_send(ds, "subscribe", NULL, &id);
	log_info("dashboard", "connected to srmd's socket");
}

static void ipc_connect(struct dashboard *ds)
{
	if (ds->pipe_open || ds->stopping)
		return;
	uv_pipe_init(ds->d->loop, &ds->pipe, 0);
	ds->pipe.data = ds;
	ds->pipe_open = true;
	ds->creq.data = ds;
	uv_pipe_connect(&ds->creq, &ds->pipe, ds->d->socket_path, on_connect);
}

/* Ask srmd for cmd on behalf of s: the reply (its data) is s's response. */
static void ask(struct sess *s, const char *cmd, cJSON *args)
{
	struct dashboard *ds = s->ds;
	int64_t id;

	if (ds->n_pending == DASH_PENDING_MAX) {
		cJSON_Delete(args);
		respond_error(s, 503, "busy", "too many requests waiting for srmd; try again");
		return;
	}
	if (ipc_send(ds, cmd, args, &id) != 0) {
		respond_error(s, 503, "unavailable", "srmd's socket is not reachable");
		return;
	}
	ds->pending[ds->n_pending].id = id;
	ds->pending[ds->n_pending++].s = s;
	s->waiting = true;
}

static void forget(struct sess *s)
{
	if (!s->waiting)
		return;
	for (size_t i = 0; i < s->ds->n_pending; i++)
		if (s->ds->pending[i].s == s)
			s->ds->pending[i].s = NULL;
	s->waiting = false;
}

/* ---- requests ------------------------------------------------------------------------ */

/* Does the request carry the token (cookie, ?token= or Authorization: Bearer)? -1 none, 0 wrong, 1 right. */
static int token_check(struct dashboard *ds, struct lws *wsi, bool *from_query)
{
	char buf[256];
	size_t len = sizeof(buf);
	const char *v = NULL;
	int rc = -1;

	*from_query = false;
	if (lws_get_urlarg_by_name(wsi, "token=", buf, (int)sizeof(buf)) != NULL) {
		v = strchr(buf, '=') ? strchr(buf, '=') + 1 : buf;
		*from_query = true;
	} else if (lws_http_cookie_get(wsi, DASH_COOKIE, buf, &len) == 0) {
		buf[len < sizeof(buf) ? len : sizeof(buf) - 1] = '\0';
		v = buf;
	} else if (lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_HTTP_AUTHORIZATION) > 7 &&
		   strncasecmp(buf, "Bearer ", 7) == 0) {
		v = buf + 7;
	}
	if (v != NULL)
		rc = strlen(v) == TOKEN_HEX && CRYPTO_memcmp(v, ds->token, TOKEN_HEX) == 0 ? 1 : 0;
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

/* A browser's WebSocket must come from this origin (a page elsewhere cannot ride the cookie). */
static bool origin_ok(struct lws *wsi)
{
	char origin[256], host[256];
	const char *o;

	if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0)
		return true; /* not a browser; the token still decides */
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
		return false;
	o = strstr(origin, "://");
	return o != NULL && strcmp(o + 3, host) == 0;
}

static void add_int_arg(struct lws *wsi, cJSON *args, const char *name, const char *key, long lo, long hi)
{
	char buf[64];
	const char *v = lws_get_urlarg_by_name(wsi, name, buf, (int)sizeof(buf));
	char *end;
	long n;

	if (v == NULL)
		return;
	v = strchr(buf, '=') ? strchr(buf, '=') + 1 : buf;
	errno = 0;
	n = strtol(v, &end, 10);
	if (end != v && *end == '\0' && errno == 0 && n >= lo && n <= hi)
		cJSON_AddNumberToObject(args, key, (double)n);
	else
		cJSON_AddStringToObject(args, key, v); /* srmd says what is wrong with it */
}

static void serve_pnl(struct sess *s)
{
	struct dashboard *ds = s->ds;
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	char *txt;

	for (size_t i = 0; i < ds->n_pnl; i++) {
		const struct pnl_series *ps = ds->pnl[i];
		cJSON *a = cJSON_CreateObject(), *pts = cJSON_CreateArray();

		cJSON_AddNumberToObject(a, "accountId", (double)ps->account_id);
		for (size_t k = 0; k < ps->n; k++) {
			cJSON *p = cJSON_CreateArray();

			cJSON_AddItemToArray(p, cJSON_CreateNumber((double)ps->p[k].t));
			cJSON_AddItemToArray(p, cJSON_CreateNumber(ps->p[k].realized));
			cJSON_AddItemToArray(p, cJSON_CreateNumber(ps->p[k].total));
			cJSON_AddItemToArray(pts, p);
		}
		cJSON_AddItemToObject(a, "points", pts);
		cJSON_AddItemToArray(arr, a);
	}
	cJSON_AddNumberToObject(o, "sampleMs", PNL_SAMPLE_MS);
	cJSON_AddStringToObject(o, "fields", "[epoch ms, realized - fees, realized - fees + unrealized]");
	cJSON_AddItemToObject(o, "accounts", arr);
	txt = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (txt == NULL)
		respond_error(s, 500, "internal", "out of memory");
	else
		respond(s, 200, "application/json; charset=utf-8", txt);
}

static void route(struct sess *s, const char *path)
{
	struct lws *wsi = s->wsi;
	cJSON *args;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (size_t i = 0; i < dash_n_assets; i++)
		if (strcmp(path, dash_assets[i].path) == 0) {
			respond(s, 200, dash_assets[i].ctype, NULL);
			s->sbody = dash_assets[i].data;
			s->blen = dash_assets[i].len;
			return;
		}
	if (strcmp(path, "/api/status") == 0 || strcmp(path, "/api/rules") == 0 ||
	    strcmp(path, "/api/lockouts") == 0) {
		args = cJSON_CreateObject();
		add_int_arg(wsi, args, "account=", "account", 1, 2147483647L);
		ask(s, path + 5, args);
		return;
	}
	if (strcmp(path, "/api/history") == 0) {
		char since[64];
		const char *v = lws_get_urlarg_by_name(wsi, "since=", since, (int)sizeof(since));

		args = cJSON_CreateObject();
		add_int_arg(wsi, args, "account=", "account", 1, 2147483647L);
		add_int_arg(wsi, args, "limit=", "limit", 0, 1000);
		if (cJSON_GetObjectItemCaseSensitive(args, "limit") == NULL)
			cJSON_AddNumberToObject(args, "limit", 200);
		if (v != NULL)
			cJSON_AddStringToObject(args, "since", strchr(since, '=') ? strchr(since, '=') + 1 : since);
		ask(s, "history", args);
		return;
	}
	if (strcmp(path, "/favicon.ico") == 0) {
		respond(s, 204, "image/x-icon", NULL); /* none: the browser stops asking */
		return;
	}
	if (strcmp(path, "/api/pnl") == 0) {
		serve_pnl(s);
		return;
	}
	respond_text(s, 404, "not found\n");
}

static int on_http(struct sess *s, struct lws *wsi, const char *path)
{
	bool from_query;
	int tok;

	http_reset(s);
	s->wsi = wsi;
	s->ds->n_req++;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0) {
		/* read-only: no bodies are read, and the connection goes after the answer */
		s->close_after = true;
		respond_text(s, 405, "method not allowed: the dashboard is read-only\n");
		return 0;
	}
	tok = token_check(s->ds, wsi, &from_query);
	if (tok != 1) {
		s->ds->n_refused++;
		respond_text(s, tok < 0 ? 401 : 403,
			     tok < 0 ? "401 unauthorized: open the URL `srm dashboard` prints\n" :
				       "403 forbidden: that token is not this srmd's (run `srm dashboard` again)\n");
		return 0;
	}
	if (from_query) {
		/* the token goes into the cookie and out of the address bar (and the history) */
		s->set_cookie = true;
		respond_text(s, 303, "see /\n");
		return 0;
	}
	route(s, path);
	return 0;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct lws_context *ctx = lws_get_context(wsi);
	struct dashboard *ds = ctx != NULL ? lws_context_user(ctx) : NULL;
	struct sess *s = user;

	switch (reason) {
	case LWS_CALLBACK_FILTER_NETWORK_CONNECTION:
		if (ds == NULL || ds->stopping || ds->n_conn >= ds->max_clients) {
			if (ds != NULL)
				ds->n_refused++;
			return 1; /* over the cap: closed at once */
		}
		return 0;
	case LWS_CALLBACK_WSI_CREATE:
		if (ds != NULL && lws_get_network_wsi(wsi) == wsi)
			ds->n_conn++;
		return 0;
	case LWS_CALLBACK_WSI_DESTROY:
		if (ds != NULL && lws_get_network_wsi(wsi) == wsi && ds->n_conn > 0)
			ds->n_conn--;
		return 0;
	default:
		break;
	}
	if (s == NULL && reason != LWS_CALLBACK_HTTP_CONFIRM_UPGRADE)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	if (ds == NULL)
		return -1; /* a context without the dashboard: cannot happen; closed */
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		s->ds = ds;
		return on_http(s, wsi, in != NULL ? (const char *)in : "/");
	case LWS_CALLBACK_HTTP_BODY:
		return 0; /* never kept: a GET has none, the rest are refused */
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (s->have_resp)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_writable(s);
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		forget(s);
		http_reset(s);
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: {
		char uri[64] = "";
		bool q;

		if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) < 0 || strcmp(uri, "/ws") != 0) {
			lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL);
			return 1;
		}
		if (ds == NULL || token_check(ds, wsi, &q) != 1 || !origin_ok(wsi)) {
			if (ds != NULL)
				ds->n_refused++;
			lws_return_http_status(wsi, HTTP_STATUS_UNAUTHORIZED, NULL);
			return 1;
		}
		return 0;
	}
	case LWS_CALLBACK_ESTABLISHED: {
		char hello[160];
		int n;

		memset(s, 0, sizeof(*s));
		s->ds = ds;
		s->wsi = wsi;
		s->is_ws = true;
		s->next_ws = ds->ws_list;
		ds->ws_list = s;
		ds->n_ws++;
		n = snprintf(hello, sizeof(hello), "{\"event\":\"hello\",\"data\":{\"version\":\"%s\","
			     "\"connected\":%s}}", SRMD_VERSION, ds->connected ? "true" : "false");
		ws_send(s, hello, (size_t)n);
		return 0;
	}
	case LWS_CALLBACK_RECEIVE:
		return 0; /* read-only: what a browser sends is ignored */
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		struct wsmsg *m = s->qhead;

		if (m == NULL)
			return s->dropping ? -1 : 0;
		s->qhead = m->next;
		if (s->qhead == NULL)
			s->qtail = NULL;
		s->qn--;
		s->qbytes -= m->len;
		int w = lws_write(wsi, m->data + LWS_PRE, m->len, LWS_WRITE_TEXT);

		free(m);
		if (w < 0)
			return -1;
		if (s->qhead != NULL || s->dropping)
			lws_callback_on_writable(wsi);
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		if (s->is_ws)
			ws_unlink(s);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{ "http", callback, sizeof(struct sess), 1024, 0, NULL, 0 },
	{ "srm-events", callback, sizeof(struct sess), 1024, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

static const lws_retry_bo_t idle_policy = {
	.secs_since_valid_ping = 20,
	.secs_since_valid_hangup = DASH_IDLE_S,
};

/* ---- start and stop ------------------------------------------------------------------ */

static int write_url(struct dashboard *ds, int port, struct srm_err *err)
{
	const struct srm_config *cfg = ds->d->cfg;
	char tmp[4200], url[512], host[256];
	int fd, n;

	strlcpy_s(host, cfg->dashboard.host, sizeof(host));
	if (strcmp(host, "0.0.0.0") == 0 && gethostname(host, sizeof(host)) != 0)
		strlcpy_s(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	n = snprintf(url, sizeof(url), "%s://%s:%d/?token=%s\n", ds->tls ? "https" : "http", host,
		     port, ds->token);
	snprintf(ds->url_path, sizeof(ds->url_path), "%s/%s", cfg->daemon.state_dir, DASH_TOKEN_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", ds->url_path);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, url, (size_t)n) != n || fsync(fd) != 0) {
		srm_err_set(err, SRM_EIO, "dashboard: cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		(void)unlink(tmp);
		explicit_bzero(url, sizeof(url));
		return -1;
	}
	close(fd);
	explicit_bzero(url, sizeof(url));
	if (rename(tmp, ds->url_path) != 0) {
		srm_err_set(err, SRM_EIO, "dashboard: cannot write %s: %s", ds->url_path, strerror(errno));
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

static void on_tick(uv_timer_t *t)
{
	struct dashboard *ds = t->data;
	uint64_t now = uv_now(ds->d->loop);

	if (!ds->pipe_open)
		ipc_connect(ds);
	if (ds->connected && now - ds->last_sample_ms >= PNL_SAMPLE_MS) {
		ds->last_sample_ms = now;
		if (ipc_send(ds, "status", NULL, &ds->sample_id) != 0)
			ds->sample_id = 0;
	}
	if (now - ds->last_persist_ms >= PNL_STEP_MS) {
		ds->last_persist_ms = now;
		pnl_persist(ds, false);
	}
}

static void dashboard_free(struct dashboard *ds)
{
	pnl_clear(ds);
	SSL_CTX_free(ds->client_ctx);
	free(ds->rbuf);
	explicit_bzero(ds->token, sizeof(ds->token));
	free(ds);
}

int dashboard_start(struct srmd *d, struct srm_err *err)
{
	const struct srm_config *cfg = d->cfg;
	struct lws_context_creation_info info;
	unsigned char raw[TOKEN_BYTES];
	struct dashboard *ds;
	void *loops[1];
	int port;

	if (!cfg->dashboard.enabled)
		return 0;
	ds = xcalloc(1, sizeof(*ds));
	ds->d = d;
	ds->max_clients = cfg->dashboard.max_clients;
	ds->tls = cfg->dashboard.tls_cert != NULL;
	if (RAND_bytes(raw, sizeof(raw)) != 1) {
		srm_err_set(err, SRM_EIO, "dashboard: no random bytes for the token");
		free(ds);
		return -1;
	}
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(ds->token + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof(raw));
	memset(&info, 0, sizeof(info));
	loops[0] = d->loop;
	info.port = cfg->dashboard.port;
	info.iface = strcmp(cfg->dashboard.host, "localhost") == 0 ? "127.0.0.1" : cfg->dashboard.host;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DISABLE_IPV6 |
		       LWS_SERVER_OPTION_VALIDATE_UTF8;
	info.foreign_loops = loops;
	info.user = ds;
	info.pcontext = &ds->ctx;
	info.max_http_header_data = DASH_HEADER_MAX;
	info.max_http_header_pool = (unsigned short)ds->max_clients;
	info.timeout_secs = 10;
	info.keepalive_timeout = 5;
	info.retry_and_idle_policy = &idle_policy;
	info.vhost_name = "srm-dashboard";
	info.alpn = "http/1.1";
	if (ds->tls) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cfg->dashboard.tls_cert;
		info.ssl_private_key_filepath = cfg->dashboard.tls_key;
		/*
		 * libwebsockets 4.1 gives each vhost a client SSL_CTX and finds its bookkeeping
		 * under a global OpenSSL ex_data index that every context with the TLS global
		 * init draws anew: a client SSL_CTX made before the last such context is never
		 * freed (LeakSanitizer, test dashboard-tls; found when the hub client was on
		 * libwebsockets too). So its client SSL_CTX, never used (the dashboard connects
		 * nowhere), is one it does not keep books of: ours, freed with ds.
		 */
		ds->client_ctx = SSL_CTX_new(TLS_client_method());
		if (ds->client_ctx == NULL) {
			srm_err_set(err, SRM_EIO, "dashboard: no TLS context");
			dashboard_free(ds);
			return -1;
		}
		info.provided_client_ssl_ctx = ds->client_ctx;
	}
	ds->ctx = lws_create_context(&info);
	if (ds->ctx == NULL) {
		srm_err_set(err, SRM_EIO, "dashboard: cannot listen on %s:%d%s", cfg->dashboard.host,
			    cfg->dashboard.port, ds->tls ? " (or the TLS files do not load)" : "");
		dashboard_free(ds);
		return -1;
	}
	{
		struct lws_vhost *vh = lws_get_vhost_by_name(ds->ctx, "srm-dashboard");

		port = vh != NULL ? lws_get_vhost_listen_port(vh) : cfg->dashboard.port;
	}
	uv_timer_init(d->loop, &ds->timer);
	ds->timer.data = ds;
	ds->timer_open = true;
	if (write_url(ds, port, err) != 0) {
		/* no URL, no dashboard: stop what was started */
		d->dash = ds;
		dashboard_stop(d);
		return -1;
	}
	uv_timer_start(&ds->timer, on_tick, 0, 1000);
	d->dash = ds;
	log_info("dashboard", "serving | listen=%s:%d tls=%d url_file=%s", cfg->dashboard.host, port,
		 ds->tls, ds->url_path);
	return 0;
}

static void on_timer_closed(uv_handle_t *h)
{
	dashboard_free(h->data);
}

static void any_closing(uv_handle_t *h, void *arg)
{
	if (uv_is_closing(h))
		*(bool *)arg = true;
}

/*
 * With a foreign loop lws destroys its context in two stages (see gw_ws_free): the first call
 * closes its handles, a call in a later loop turn frees it (ds->ctx NULL via pcontext).
 */
static void reap(uv_timer_t *t)
{
	struct dashboard *ds = t->data;
	bool closing = false;

	uv_walk(ds->d->loop, any_closing, &closing);
	if (closing || ds->pipe_open || ++ds->reap_ticks < 4)
		return;
	if (ds->ctx != NULL)
		lws_context_destroy(ds->ctx);
	if (ds->ctx == NULL) {
		uv_timer_stop(t);
		uv_close((uv_handle_t *)t, on_timer_closed);
	}
}

void dashboard_stop(struct srmd *d)
{
	struct dashboard *ds = d->dash;

	if (ds == NULL)
		return;
	d->dash = NULL;
	ds->stopping = true;
	if (ds->url_path[0] != '\0')
		(void)unlink(ds->url_path);
	pnl_persist(ds, true);
	log_info("dashboard", "stopping | requests=%llu refused=%llu dropped=%llu pnl_writes=%llu "
		 "pnl_rows=%llu pnl_write_max_us=%llu", (unsigned long long)ds->n_req,
		 (unsigned long long)ds->n_refused, (unsigned long long)ds->n_dropped,
		 (unsigned long long)ds->n_persist, (unsigned long long)ds->n_rows,
		 (unsigned long long)ds->persist_max_us);
	ipc_drop(ds, "srmd is stopping");
	if (ds->ctx != NULL)
		lws_context_destroy(ds->ctx);
	uv_timer_stop(&ds->timer);
	uv_timer_start(&ds->timer, reap, 5, 5);
}
