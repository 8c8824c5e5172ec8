/*
 * hub.c: the SignalR layer of the hub client (JSON hub protocol, API reference §10-§11): the
 * handshake record, 0x1E record framing (frame.c), ping/close/completion/invocation records,
 * blocking invocations with timeouts, keep-alive and server timeout, reconnect with backoff,
 * remembered subscriptions. Below it: wsclient.c (WebSocket) on transport.c (TCP/TLS on
 * libuv); invocations become events in dispatch.c.
 */
#include "gateway/hub.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gateway/budget.h"
#include "gateway/dispatch.h"
#include "gateway/frame.h"
#include "gateway/transport.h"
#include "gateway/wsclient.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "wire/wire.h"

#define HUB_MAX_ACCOUNTS 4096    /* accounts kept subscribed (srm-sim holds as many) */
#define HUB_MAX_QUOTES 512       /* contracts kept subscribed */
#define HUB_MAX_PENDING 512      /* blocking invocations awaiting completion */
#define HUB_SUB_WINDOW 128       /* subscriptions awaiting completion at once (the rest wait) */
#define HUB_SUB_RETRY_MAX 30000  /* a refused subscription is asked again 1 s, 2 s ... 30 s later */
#define HUB_OUT_MAX (4u << 20)   /* bytes queued to send; over it the connection is dropped */
#define HUB_EVBUF 64             /* events decoded from one hub argument */

struct pending {
	bool used;
	bool sub;                 /* a remembered subscription's (sub_result, not cb) */
	uint64_t id;
	int64_t deadline;
	char target[48];
	gw_hub_invoke_cb cb;
	void *ud;
};

/*
 * A remembered subscription. UNSENT ones go out in order, at most HUB_SUB_WINDOW awaiting
 * their completion at once; a refusal or timeout makes it FAILED until retry_at. After a
 * lost connection every one is UNSENT again. Only a completion without error is OK: what
 * the daemon reports as watched is what the server confirmed.
 */
enum sub_kind { SK_ACCOUNTS, SK_ORDERS, SK_POSITIONS, SK_TRADES, SK_QUOTES };
enum sub_state { SS_UNSENT, SS_SENT, SS_OK, SS_FAILED };

static const char *const sub_on[] = {"SubscribeAccounts", "SubscribeOrders", "SubscribePositions",
				     "SubscribeTrades", "SubscribeContractQuotes"};
static const char *const sub_off[] = {"UnsubscribeAccounts", "UnsubscribeOrders",
				      "UnsubscribePositions", "UnsubscribeTrades",
				      "UnsubscribeContractQuotes"};

struct hub_sub {
	uint8_t kind, state;
	uint16_t fails;           /* refusals in a row */
	uint64_t inv;             /* invocation id while SENT */
	int64_t retry_at;         /* FAILED: when it is asked again */
	int64_t account;          /* SK_ORDERS..SK_TRADES */
	char cid[SRM_ID_MAX];     /* SK_QUOTES */
};

/* What the hubs share: the loop and the TLS context (CAs loaded once). */
struct gw_ws {
	uv_loop_t *loop;
	struct gw_tls *tls;
};

struct gw_hub {
	uv_loop_t *loop;
	struct gw_ws *ws;
	struct gw_hub_opts o;
	const char *mod;          /* log module: "hub-user" / "hub-market" */
	char host[256], path[512];
	int port;
	bool tls;
	char *token;
	struct gw_wsc *wsc;       /* the connection, while conn_active */
	enum gw_hub_state state;
	bool running;
	bool handshake_done;
	bool ever_connected;
	bool reconnect_now;       /* token changed: reconnect without backoff */
	bool killing;
	bool conn_active;         /* a connection attempt or connection exists */
	bool closing;
	uv_timer_t tick, retry;
	int open_handles;
	int64_t last_rx, last_tx, conn_started;
	struct gw_frame frame;
	struct gw_fastjson *fj;   /* the hot path's parser (NULL: cJSON only) */
	char *sendbuf;            /* one outgoing record + its 0x1E */
	size_t sendcap;
	struct pending pend[HUB_MAX_PENDING];
	uint64_t next_id;
	struct hub_sub *subs;     /* what this hub keeps subscribed */
	size_t nsubs, capsubs;
	size_t sub_cursor;        /* no UNSENT one before this index */
	size_t sub_inflight, sub_ok, sub_failed;
	size_t sub_retrying;      /* refused or timed out, not confirmed since (FAILED or asked again) */
	size_t naccounts;         /* accounts among subs */
	size_t refused;           /* accounts or contracts asked for past the caps */
	char sub_error[200];      /* the latest refusal */
	struct gw_hub_stats st;
	uint64_t rng;
	struct srm_event evbuf[HUB_EVBUF];
};

static const char *const state_names[] = {"idle", "connecting", "connected", "waiting"};

static int64_t hub_now(struct gw_hub *h)
{
	uv_update_time(h->loop);
	return (int64_t)uv_now(h->loop);
}

static void set_state(struct gw_hub *h, enum gw_hub_state st, bool resync)
{
	h->state = st;
	h->st.state = st;
	log_debug(h->mod, "state | state=%s resync=%d", state_names[st], resync);
	if (h->o.on_state && !h->closing)
		h->o.on_state(h, st, resync, h->o.ud);
}

static void kill_conn(struct gw_hub *h, const char *why)
{
	if (h->wsc == NULL || h->killing)
		return;
	log_info(h->mod, "closing connection | reason=\"%s\"", why);
	h->killing = true;
	/*
	 * Hard close: a dead or stalled server would never answer a WebSocket close. The end
	 * comes back through on_ws_close (conn_lost) from the loop.
	 */
	gw_wsc_close(h->wsc, why);
}

/* Send one record (JSON text; the 0x1E is added). */
static int send_text(struct gw_hub *h, const char *json, size_t len)
{
	if (h->wsc == NULL || h->killing)
		return -1;
	if (gw_wsc_queued(h->wsc) > HUB_OUT_MAX) {
		log_warn(h->mod, "send queue full | queued_bytes=%zu", gw_wsc_queued(h->wsc));
		kill_conn(h, "send queue full");
		return -1;
	}
	if (len + 1 > h->sendcap) {
		h->sendcap = len + 1 > 4096 ? len + 1 : 4096;
		h->sendbuf = xreallocarray(h->sendbuf, h->sendcap, 1);
	}
	memcpy(h->sendbuf, json, len);
	h->sendbuf[len] = GW_RS;
	if (gw_wsc_send_text(h->wsc, h->sendbuf, len + 1) != 0)
		return -1;
	h->last_tx = hub_now(h);
	return 0;
}

static int send_json(struct gw_hub *h, cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);
	int rc;

	cJSON_Delete(j);
	if (s == NULL)
		return -1;
	rc = send_text(h, s, strlen(s));
	free(s);
	return rc;
}

static void sub_result(struct gw_hub *h, uint64_t id, const char *error);

/* A blocking invocation is over: completed (error NULL or the server's), timed out, or lost. */
static void pend_finish(struct gw_hub *h, struct pending *p, const char *error,
			const cJSON *result)
{
	p->used = false;
	if (error != NULL)
		h->st.invoke_errors++;
	if (p->sub)
		sub_result(h, p->id, error);
	else if (p->cb)
		p->cb(h, error, result, p->ud);
}

static void fail_pending(struct gw_hub *h, const char *why)
{
	for (int i = 0; i < HUB_MAX_PENDING; i++)
		if (h->pend[i].used)
			pend_finish(h, &h->pend[i], why, NULL);
}

/* Send an invocation; blocking ones get an id and a pending slot. 0, or -1 when not sent. */
static int invoke(struct gw_hub *h, const char *target, cJSON *args, bool blocking, bool sub,
		  gw_hub_invoke_cb cb, void *ud)
{
	cJSON *m;
	char id[24];
	struct pending *slot = NULL;

	if (h->state != GW_HUB_CONNECTED || h->wsc == NULL) {
		cJSON_Delete(args);
		return -1;
	}
	if (blocking) {
		for (int i = 0; i < HUB_MAX_PENDING && slot == NULL; i++)
			if (!h->pend[i].used)
				slot = &h->pend[i];
		if (slot == NULL) {
			log_warn(h->mod, "too many pending invocations | target=%s", target);
			cJSON_Delete(args);
			return -1;
		}
	}
	m = cJSON_CreateObject();
	cJSON_AddNumberToObject(m, "type", 1);
	if (blocking) {
		snprintf(id, sizeof(id), "%llu", (unsigned long long)++h->next_id);
		cJSON_AddStringToObject(m, "invocationId", id);
	}
	cJSON_AddStringToObject(m, "target", target);
	cJSON_AddItemToObject(m, "arguments", args ? args : cJSON_CreateArray());
	if (send_json(h, m) < 0)
		return -1;
	h->st.invocations++;
	if (blocking) {
		slot->used = true;
		slot->sub = sub;
		slot->id = h->next_id;
		slot->deadline = hub_now(h) + h->o.invoke_timeout_ms;
		strlcpy_s(slot->target, target, sizeof(slot->target));
		slot->cb = cb;
		slot->ud = ud;
	}
	return 0;
}

int gw_hub_invoke(struct gw_hub *h, const char *target, cJSON *args, gw_hub_invoke_cb cb,
		  void *ud)
{
	return invoke(h, target, args, true, false, cb, ud);
}

int gw_hub_send(struct gw_hub *h, const char *target, cJSON *args)
{
	return invoke(h, target, args, false, false, NULL, NULL);
}

/* ---- remembered subscriptions ---- */

static cJSON *sub_args(const struct hub_sub *s)
{
	cJSON *a = cJSON_CreateArray();

	if (s->kind == SK_QUOTES)
		cJSON_AddItemToArray(a, cJSON_CreateString(s->cid));
	else if (s->kind != SK_ACCOUNTS)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)s->account));
	return a;
}

static void sub_name(const struct hub_sub *s, char *out, size_t cap)
{
	if (s->kind == SK_QUOTES)
		snprintf(out, cap, "%s %s", sub_on[s->kind], s->cid);
	else if (s->kind == SK_ACCOUNTS)
		snprintf(out, cap, "%s", sub_on[s->kind]);
	else
		snprintf(out, cap, "%s %lld", sub_on[s->kind], (long long)s->account);
}

static void sub_fail(struct gw_hub *h, struct hub_sub *s, const char *error)
{
	char name[100];
	int64_t delay = 1000LL << (s->fails < 5 ? s->fails : 5);

	s->state = SS_FAILED;
	s->inv = 0;
	if (s->fails == 0)
		h->sub_retrying++;
	if (s->fails < UINT16_MAX)
		s->fails++;
	s->retry_at = hub_now(h) + (delay > HUB_SUB_RETRY_MAX ? HUB_SUB_RETRY_MAX : delay);
	h->sub_failed++;
	sub_name(s, name, sizeof(name));
	snprintf(h->sub_error, sizeof(h->sub_error), "%.90s: %.100s", name, error);
	if (s->fails == 1)
		log_warn(h->mod, "subscription refused; asking again | sub=\"%s\" err=\"%.200s\"",
			 name, error);
	else
		log_debug(h->mod, "subscription refused again | sub=\"%s\" fails=%u delay_ms=%lld",
			  name, s->fails, (long long)delay);
}

/* Send UNSENT subscriptions in order while fewer than HUB_SUB_WINDOW await completion. */
static void sub_pump(struct gw_hub *h)
{
	size_t i = h->sub_cursor;

	if (h->state != GW_HUB_CONNECTED || h->wsc == NULL || h->killing || h->closing)
		return;
	for (; i < h->nsubs && h->sub_inflight < HUB_SUB_WINDOW; i++) {
		struct hub_sub *s = &h->subs[i];

		if (s->state != SS_UNSENT)
			continue;
		/*
		 * Not sent (the pending table is full, or the connection is going): it stays
		 * UNSENT, and the rest after it; the tick or the next connection sends them. Not a
		 * refusal by the server.
		 */
		if (invoke(h, sub_on[s->kind], sub_args(s), true, true, NULL, NULL) != 0)
			break;
		s->state = SS_SENT;
		s->inv = h->next_id;
		h->sub_inflight++;
	}
	h->sub_cursor = i;
}

static void sub_result(struct gw_hub *h, uint64_t id, const char *error)
{
	for (size_t i = 0; i < h->nsubs; i++) {
		struct hub_sub *s = &h->subs[i];

		if (s->state != SS_SENT || s->inv != id)
			continue;
		h->sub_inflight--;
		if (error == NULL) {
			s->state = SS_OK;
			s->inv = 0;
			if (s->fails > 0)
				h->sub_retrying--;
			s->fails = 0;
			h->sub_ok++;
		} else if (!h->closing) {
			sub_fail(h, s, error);
		}
		break;
	}
	sub_pump(h);
}

/* FAILED ones whose time has come are UNSENT again; what waits is sent. */
static void sub_retry_due(struct gw_hub *h, int64_t now)
{
	if (h->state != GW_HUB_CONNECTED)
		return;
	if (h->sub_failed == 0) {
		sub_pump(h);
		return;
	}
	for (size_t i = 0; i < h->nsubs; i++) {
		struct hub_sub *s = &h->subs[i];

		if (s->state != SS_FAILED || s->retry_at > now)
			continue;
		s->state = SS_UNSENT;
		h->sub_failed--;
		if (i < h->sub_cursor)
			h->sub_cursor = i;
	}
	sub_pump(h);
}

/* A new connection: nothing is confirmed on it yet; everything is asked again. */
static void sub_reset(struct gw_hub *h)
{
	for (size_t i = 0; i < h->nsubs; i++) {
		h->subs[i].state = SS_UNSENT;
		h->subs[i].inv = 0;
		h->subs[i].fails = 0;
	}
	h->sub_cursor = 0;
	h->sub_inflight = h->sub_ok = h->sub_failed = h->sub_retrying = 0;
}

static void sub_add(struct gw_hub *h, enum sub_kind kind, int64_t account, const char *cid)
{
	struct hub_sub *s;

	if (h->nsubs == h->capsubs) {
		h->capsubs = h->capsubs ? h->capsubs * 2 : 16;
		h->subs = xreallocarray(h->subs, h->capsubs, sizeof(*h->subs));
	}
	s = &h->subs[h->nsubs++];
	memset(s, 0, sizeof(*s));
	s->kind = (uint8_t)kind;
	s->state = SS_UNSENT;
	s->account = account;
	if (cid != NULL)
		strlcpy_s(s->cid, cid, sizeof(s->cid));
}

/* Forget subs[i] (swap with the last); tell the server when connected (no completion). */
static void sub_remove(struct gw_hub *h, size_t i)
{
	struct hub_sub *s = &h->subs[i];

	if (s->state == SS_SENT)
		h->sub_inflight--; /* its completion finds nothing: sub_result ignores it */
	else if (s->state == SS_OK)
		h->sub_ok--;
	else if (s->state == SS_FAILED)
		h->sub_failed--;
	if (s->fails > 0)
		h->sub_retrying--;
	/* sent once on this connection (a timed-out one may have been done late): undone */
	if (h->state == GW_HUB_CONNECTED && (s->state != SS_UNSENT || s->fails > 0))
		invoke(h, sub_off[s->kind], sub_args(s), false, false, NULL, NULL);
	h->subs[i] = h->subs[--h->nsubs];
	if (i < h->sub_cursor)
		h->sub_cursor = i;
}

static void resubscribe(struct gw_hub *h)
{
	sub_reset(h);
	sub_pump(h);
}

static void malformed(struct gw_hub *h, const char *what, const char *why)
{
	h->st.malformed++;
	log_warn(h->mod, "malformed message dropped | what=%s reason=\"%s\" count=%llu", what, why,
		 (unsigned long long)h->st.malformed);
}

/* An invocation read by dispatch.c: deliver its events, or count why not. */
static void on_invocation(struct gw_hub *h, const struct gw_disp_res *r)
{
	const struct gw_disp_res res = *r;

	switch (res.rc) {
	case GW_DISP_EVENTS:
		for (size_t i = 0; i < res.n && !h->closing; i++) {
			h->st.events++;
			if (h->o.on_event)
				h->o.on_event(h, &h->evbuf[i], h->o.ud);
		}
		break;
	case GW_DISP_MALFORMED:
		malformed(h, res.what, res.why);
		break;
	case GW_DISP_IGNORED:
		if (res.logout)
			log_warn(h->mod, "server sent GatewayLogout");
		else
			log_debug(h->mod, "event ignored | target=%s", res.target);
		h->st.ignored++;
		break;
	}
}

static void on_completion(struct gw_hub *h, const cJSON *m)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "invocationId");
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(m, "error");
	char *end = NULL;
	unsigned long long v;

	if (!cJSON_IsString(id)) {
		malformed(h, "completion", "no string 'invocationId'");
		return;
	}
	v = strtoull(id->valuestring, &end, 10);
	if (end == id->valuestring || *end != '\0') {
		log_debug(h->mod, "completion for an id we did not send | id=%.32s", id->valuestring);
		return;
	}
	for (int i = 0; i < HUB_MAX_PENDING; i++) {
		struct pending *p = &h->pend[i];

		if (!p->used || p->id != v)
			continue;
		if (cJSON_IsString(error)) {
			if (!p->sub) /* a subscription's refusal is logged by sub_fail */
				log_warn(h->mod, "invocation failed | target=%s err=\"%.200s\"",
					 p->target, error->valuestring);
			pend_finish(h, p, error->valuestring, NULL);
		} else if (error != NULL && !cJSON_IsNull(error)) {
			pend_finish(h, p, "completion with a non-string 'error'", NULL);
		} else {
			pend_finish(h, p, NULL, cJSON_GetObjectItemCaseSensitive(m, "result"));
		}
		return;
	}
	log_debug(h->mod, "completion for an unknown id | id=%llu", v);
}

static void handshake_record(struct gw_hub *h, const cJSON *m)
{
	const cJSON *error = cJSON_GetObjectItemCaseSensitive(m, "error");
	bool resync = h->ever_connected;

	if (error != NULL) {
		log_error(h->mod, "handshake refused | err=\"%.200s\"",
			  cJSON_IsString(error) ? error->valuestring : "?");
		kill_conn(h, "handshake refused");
		return;
	}
	h->handshake_done = true;
	h->ever_connected = true;
	h->st.connects++;
	h->st.attempt = 0;
	log_info(h->mod, "connected | resync=%d", resync);
	h->state = GW_HUB_CONNECTED;
	h->st.state = GW_HUB_CONNECTED;
	resubscribe(h);
	set_state(h, GW_HUB_CONNECTED, resync);
}

/* One 0x1E-terminated record. */
static int on_record(void *ud, const char *rec, size_t len)
{
	struct gw_hub *h = ud;
	struct gw_record r;
	cJSON *m;

	if (h->killing || h->closing)
		return 1;
	h->st.records++;
	if (!h->handshake_done) {
		m = cJSON_ParseWithLength(rec, len);
		if (m == NULL || !cJSON_IsObject(m)) {
			cJSON_Delete(m);
			malformed(h, "handshake", "not a JSON object");
			kill_conn(h, "bad handshake response");
			return 1;
		}
		handshake_record(h, m);
		cJSON_Delete(m);
		return h->killing ? 1 : 0;
	}
	gw_dispatch_record(h->fj, rec, len, h->evbuf, HUB_EVBUF, &r);
	m = r.tree;
	switch (r.type) {
	case -1:
		malformed(h, r.res.what, r.res.why);
		break;
	case 1:
		on_invocation(h, &r.res);
		break;
	case 3:
		on_completion(h, m);
		break;
	case 6:
		break;
	case 7: {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "error");

		log_warn(h->mod, "server closed the hub | err=\"%.200s\"",
			 cJSON_IsString(e) ? e->valuestring : "");
		kill_conn(h, "close message");
		break;
	}
	default:
		log_debug(h->mod, "record ignored | type=%d", r.type);
		break;
	}
	cJSON_Delete(m);
	return h->killing || h->closing ? 1 : 0;
}

static void retry_cb(uv_timer_t *t);

static void schedule_retry(struct gw_hub *h)
{
	int64_t delay;

	if (h->reconnect_now) {
		h->reconnect_now = false;
		delay = 0;
	} else {
		delay = gw_backoff_ms(h->o.reconnect_min_ms, h->o.reconnect_max_ms, h->st.attempt,
				      &h->rng);
		h->st.attempt++;
	}
	log_info(h->mod, "reconnecting | attempt=%d delay_ms=%lld", h->st.attempt,
		 (long long)delay);
	set_state(h, GW_HUB_WAITING, false);
	uv_timer_start(&h->retry, retry_cb, (uint64_t)delay, 0);
}

/* The connection is gone (failed to open, or closed): clean up and plan the next one. */
static void conn_lost(struct gw_hub *h, const char *why)
{
	bool was_up = h->handshake_done;

	if (!h->conn_active)
		return;
	h->conn_active = false;
	h->wsc = NULL;
	h->killing = false;
	h->handshake_done = false;
	gw_frame_reset(&h->frame);
	if (was_up)
		h->st.disconnects++;
	log_warn(h->mod, "connection lost | reason=\"%s\" was_connected=%d", why, was_up);
	sub_reset(h); /* before: what was awaiting completion is simply asked again */
	fail_pending(h, "connection lost");
	if (h->closing)
		return;
	if (!h->running) {
		set_state(h, GW_HUB_IDLE, false);
		return;
	}
	schedule_retry(h);
}

static void url_encode(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *in && n + 4 < cap; in++) {
		unsigned char c = (unsigned char)*in;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

static void on_ws_open(struct gw_wsc *w, void *ud)
{
	static const char hs[] = "{\"protocol\":\"json\",\"version\":1}";
	struct gw_hub *h = ud;

	(void)w;
	h->last_rx = h->last_tx = hub_now(h);
	send_text(h, hs, sizeof(hs) - 1);
}

static void on_ws_data(struct gw_wsc *w, const char *p, size_t n, void *ud)
{
	struct gw_hub *h = ud;
	struct srm_err err = {0};

	(void)w;
	/* a connection being killed (an oversized record) delivers nothing more: the rest of
	 * that record must not be taken for records of its own */
	if (h->closing || h->killing)
		return;
	h->last_rx = (int64_t)uv_now(h->loop);
	if (gw_frame_feed(&h->frame, p, n, on_record, h, &err) < 0) {
		malformed(h, "record", err.msg);
		kill_conn(h, "record too large");
	}
}

static void on_ws_close(struct gw_wsc *w, const struct gw_wsc_end *end, void *ud)
{
	struct gw_hub *h = ud;

	(void)w;
	conn_lost(h, end->why);
	/* a token the server no longer accepts: the owner gets a new one */
	if (end->http_status == 401 && h->o.on_unauthorized != NULL && !h->closing)
		h->o.on_unauthorized(h, h->o.ud);
}

static const struct gw_wsc_cbs ws_cbs = { on_ws_open, on_ws_data, on_ws_close };

static void do_connect(struct gw_hub *h)
{
	struct gw_wsc_opts wo;
	char *enc, *path;
	size_t cap;

	if (h->closing || !h->running || h->conn_active)
		return;
	cap = (h->token ? strlen(h->token) * 3 : 0) + 1;
	enc = xmalloc(cap);
	url_encode(h->token ? h->token : "", enc, cap);
	cap = strlen(h->path) + strlen(enc) + 32;
	path = xmalloc(cap);
	snprintf(path, cap, "%s%caccess_token=%s", h->path, strchr(h->path, '?') ? '&' : '?', enc);
	memset(&wo, 0, sizeof(wo));
	wo.tls = h->tls ? h->ws->tls : NULL;
	wo.host = h->host;
	wo.port = h->port;
	wo.path = path;
	wo.max_frame = h->o.max_record;
	h->conn_started = hub_now(h);
	h->last_rx = h->last_tx = h->conn_started;
	h->killing = false;
	h->handshake_done = false;
	set_state(h, GW_HUB_CONNECTING, false);
	log_info(h->mod, "connecting | host=%s port=%d tls=%d path=%s", h->host, h->port, h->tls,
		 h->path);
	h->conn_active = true;
	h->wsc = gw_wsc_open(h->loop, &wo, &ws_cbs, h);
	explicit_bzero(path, cap);
	explicit_bzero(enc, strlen(enc));
	free(path);
	free(enc);
}

static void retry_cb(uv_timer_t *t)
{
	do_connect(t->data);
}

static void handle_closed(uv_handle_t *hd)
{
	struct gw_hub *h = hd->data;

	if (--h->open_handles > 0)
		return;
	gw_frame_free(&h->frame);
	gw_fastjson_free(h->fj);
	free(h->sendbuf);
	if (h->token) {
		explicit_bzero(h->token, strlen(h->token));
		free(h->token);
	}
	free(h->subs);
	free(h);
}

static void tick_cb(uv_timer_t *t)
{
	struct gw_hub *h = t->data;
	int64_t now = hub_now(h);

	if (h->closing) {
		uv_timer_stop(&h->tick);
		uv_close((uv_handle_t *)&h->tick, handle_closed);
		uv_close((uv_handle_t *)&h->retry, handle_closed);
		return;
	}
	if (h->wsc != NULL && !h->killing) {
		if (!h->handshake_done && now - h->conn_started > h->o.handshake_timeout_ms)
			kill_conn(h, "handshake timeout");
		else if (h->handshake_done && now - h->last_rx > h->o.server_timeout_ms)
			kill_conn(h, "server timeout: nothing received");
		else if (h->handshake_done && now - h->last_tx >= h->o.ping_ms) {
			static const char ping[] = "{\"type\":6}";

			if (send_text(h, ping, sizeof(ping) - 1) == 0) {
				h->st.pings_sent++;
				h->last_tx = now; /* queued: do not queue another before it goes */
			}
		}
	}
	for (int i = 0; i < HUB_MAX_PENDING; i++) {
		struct pending *p = &h->pend[i];

		if (!p->used || p->deadline > now)
			continue;
		log_warn(h->mod, "invocation timed out | target=%s", p->target);
		pend_finish(h, p, "no completion within the invocation timeout", NULL);
	}
	sub_retry_due(h, now);
}

/* Split http(s)/ws(s)://host[:port]/path into the hub's fields. */
static int parse_url(struct gw_hub *h, const char *url, struct srm_err *err)
{
	const char *p, *hs, *he, *slash;
	size_t n;

	if (strncmp(url, "https://", 8) == 0 || strncmp(url, "wss://", 6) == 0) {
		h->tls = true;
		h->port = 443;
	} else if (strncmp(url, "http://", 7) == 0 || strncmp(url, "ws://", 5) == 0) {
		h->tls = false;
		h->port = 80;
	} else {
		return srm_err_set(err, SRM_EINVAL, "hub url: expected http(s):// or ws(s)://, got \"%s\"",
				   url);
	}
	hs = strstr(url, "://") + 3;
	slash = strchr(hs, '/');
	he = slash ? slash : hs + strlen(hs);
	p = memchr(hs, ':', (size_t)(he - hs));
	n = (size_t)((p ? p : he) - hs);
	if (n == 0 || n >= sizeof(h->host))
		return srm_err_set(err, SRM_EINVAL, "hub url: bad host in \"%s\"", url);
	memcpy(h->host, hs, n);
	h->host[n] = '\0';
	if (p != NULL) {
		char *end = NULL;
		long port = strtol(p + 1, &end, 10);

		if (end != he || port <= 0 || port > 65535)
			return srm_err_set(err, SRM_EINVAL, "hub url: bad port in \"%s\"", url);
		h->port = (int)port;
	}
	if (strlcpy_s(h->path, slash ? slash : "/", sizeof(h->path)) >= sizeof(h->path))
		return srm_err_set(err, SRM_EINVAL, "hub url: path too long");
	return 0;
}

struct gw_hub *gw_hub_new(uv_loop_t *loop, const struct gw_hub_opts *opts, struct srm_err *err)
{
	struct gw_hub *h;

	if (opts == NULL || opts->url == NULL || opts->ws == NULL) {
		srm_err_set(err, SRM_EINVAL, "hub: url and a live gw_ws are required");
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->loop = loop;
	h->o = *opts;
	h->mod = opts->kind == GW_HUB_USER ? "hub-user" : "hub-market";
	if (parse_url(h, opts->url, err) < 0) {
		free(h);
		return NULL;
	}
	h->o.url = NULL;
	if (h->o.ping_ms <= 0)
		h->o.ping_ms = 10000;
	if (h->o.server_timeout_ms <= 0)
		h->o.server_timeout_ms = 30000;
	if (h->o.handshake_timeout_ms <= 0)
		h->o.handshake_timeout_ms = 15000;
	if (h->o.invoke_timeout_ms <= 0)
		h->o.invoke_timeout_ms = 10000;
	if (h->o.reconnect_min_ms <= 0)
		h->o.reconnect_min_ms = 500;
	if (h->o.reconnect_max_ms < h->o.reconnect_min_ms)
		h->o.reconnect_max_ms = h->o.reconnect_min_ms > 30000 ? h->o.reconnect_min_ms : 30000;
	if (h->o.max_record == 0)
		h->o.max_record = 4u << 20;
	h->rng = opts->seed ? opts->seed : (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)h;
	gw_frame_init(&h->frame, h->o.max_record);
	h->fj = gw_fastjson_new(0);

	h->ws = opts->ws;
	uv_timer_init(loop, &h->tick);
	uv_timer_init(loop, &h->retry);
	h->tick.data = h->retry.data = h;
	h->open_handles = 2;
	{
		int iv = h->o.ping_ms / 4;

		if (h->o.server_timeout_ms / 4 < iv)
			iv = h->o.server_timeout_ms / 4;
		if (iv > 250)
			iv = 250;
		if (iv < 5)
			iv = 5;
		uv_timer_start(&h->tick, tick_cb, (uint64_t)iv, (uint64_t)iv);
	}
	return h;
}

void gw_hub_free(struct gw_hub *h)
{
	if (h == NULL || h->closing)
		return;
	h->running = false;
	h->closing = true;
	uv_timer_stop(&h->retry);
	fail_pending(h, "cancelled");
	/* the connection goes on its own (it calls nothing back); tick_cb frees the hub */
	if (h->conn_active) {
		log_info(h->mod, "closing connection | reason=\"shutting down\"");
		gw_wsc_abandon(h->wsc);
		h->wsc = NULL;
		h->conn_active = false;
	}
	uv_timer_start(&h->tick, tick_cb, 1, 5);
}

void gw_hub_set_token(struct gw_hub *h, const char *token)
{
	if (h == NULL || h->closing)
		return;
	if (h->token) {
		explicit_bzero(h->token, strlen(h->token));
		free(h->token);
	}
	h->token = token ? xstrdup(token) : NULL;
	if (h->conn_active) {
		h->reconnect_now = true;
		kill_conn(h, "new token");
	} else if (h->running && h->state == GW_HUB_WAITING) {
		uv_timer_stop(&h->retry);
		uv_timer_start(&h->retry, retry_cb, 0, 0);
	}
}

int gw_hub_start(struct gw_hub *h)
{
	if (h == NULL || h->closing || h->token == NULL)
		return -1;
	if (h->running)
		return 0;
	h->running = true;
	h->st.attempt = 0;
	do_connect(h);
	return 0;
}

void gw_hub_stop(struct gw_hub *h)
{
	if (h == NULL || h->closing)
		return;
	h->running = false;
	uv_timer_stop(&h->retry);
	if (h->conn_active)
		kill_conn(h, "stopped");
	else
		set_state(h, GW_HUB_IDLE, false);
}

enum gw_hub_state gw_hub_state(const struct gw_hub *h)
{
	return h->state;
}

void gw_hub_stats(const struct gw_hub *h, struct gw_hub_stats *out)
{
	*out = h->st;
	out->state = h->state;
}

int gw_hub_subscribe_accounts(struct gw_hub *h)
{
	if (h->o.kind != GW_HUB_USER)
		return -1;
	for (size_t i = 0; i < h->nsubs; i++)
		if (h->subs[i].kind == SK_ACCOUNTS)
			return 0;
	sub_add(h, SK_ACCOUNTS, 0, NULL);
	sub_pump(h);
	return 0;
}

int gw_hub_subscribe_account(struct gw_hub *h, int64_t id)
{
	if (h->o.kind != GW_HUB_USER)
		return -1;
	for (size_t i = 0; i < h->nsubs; i++)
		if (h->subs[i].kind == SK_ORDERS && h->subs[i].account == id)
			return 0;
	if (h->naccounts >= HUB_MAX_ACCOUNTS) {
		h->refused++;
		log_error(h->mod, "account not subscribed: the hub keeps at most %d | account=%lld",
			  HUB_MAX_ACCOUNTS, (long long)id);
		return -1;
	}
	h->naccounts++;
	sub_add(h, SK_ORDERS, id, NULL);
	sub_add(h, SK_POSITIONS, id, NULL);
	sub_add(h, SK_TRADES, id, NULL);
	sub_pump(h);
	return 0;
}

int gw_hub_unsubscribe_account(struct gw_hub *h, int64_t id)
{
	bool found = false;

	for (size_t i = 0; i < h->nsubs;) {
		const struct hub_sub *s = &h->subs[i];

		if (s->kind >= SK_ORDERS && s->kind <= SK_TRADES && s->account == id) {
			sub_remove(h, i);
			found = true;
		} else {
			i++;
		}
	}
	if (!found)
		return -1;
	h->naccounts--;
	return 0;
}

bool gw_hub_has_quote(const struct gw_hub *h, const char *cid)
{
	for (size_t i = 0; i < h->nsubs; i++)
		if (h->subs[i].kind == SK_QUOTES && strcmp(h->subs[i].cid, cid) == 0)
			return true;
	return false;
}

int gw_hub_set_quotes(struct gw_hub *h, const char *const *ids, size_t n)
{
	size_t nquotes = 0, refused = 0;

	if (h->o.kind != GW_HUB_MARKET)
		return -1;
	/* drop the ones no longer wanted */
	for (size_t i = 0; i < h->nsubs;) {
		bool keep = false;

		for (size_t k = 0; k < n && !keep; k++)
			keep = strcmp(h->subs[i].cid, ids[k]) == 0;
		if (keep) {
			i++;
			nquotes++;
		} else {
			sub_remove(h, i);
		}
	}
	for (size_t k = 0; k < n; k++) {
		if (gw_hub_has_quote(h, ids[k]))
			continue;
		if (nquotes >= HUB_MAX_QUOTES || strlen(ids[k]) >= SRM_ID_MAX) {
			refused++;
			continue;
		}
		sub_add(h, SK_QUOTES, 0, ids[k]);
		nquotes++;
	}
	h->refused = refused;
	sub_pump(h);
	return refused > 0 ? -1 : 0;
}

bool gw_hub_whole(const struct gw_hub *h)
{
	return h->state == GW_HUB_CONNECTED && h->sub_ok == h->nsubs && h->refused == 0;
}

void gw_hub_subs(const struct gw_hub *h, struct gw_hub_subs *out)
{
	memset(out, 0, sizeof(*out));
	out->wanted = h->nsubs;
	out->confirmed = h->sub_ok;
	out->failed = h->sub_retrying;
	out->refused = h->refused;
	out->accounts = h->naccounts;
	strlcpy_s(out->last_error, h->sub_error, sizeof(out->last_error));
}

struct gw_ws *gw_ws_new(uv_loop_t *loop, const char *ca_file, struct srm_err *err)
{
	struct gw_ws *ws = xcalloc(1, sizeof(*ws));

	ws->loop = loop;
	ws->tls = gw_tls_new(ca_file, err);
	if (ws->tls == NULL) {
		free(ws);
		return NULL;
	}
	return ws;
}

void gw_ws_free(struct gw_ws *ws)
{
	if (ws == NULL)
		return;
	gw_tls_free(ws->tls); /* open connections hold their own reference */
	free(ws);
}
