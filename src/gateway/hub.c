/* hub.c: SignalR JSON hub client on libwebsockets + the caller's libuv loop. */
#include "gateway/hub.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

#include "gateway/budget.h"
#include "gateway/frame.h"
#include "util/log.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "wire/wire.h"

#define HUB_MAX_ACCOUNTS 256
#define HUB_MAX_QUOTES 512
#define HUB_MAX_PENDING 512      /* blocking invocations awaiting completion */
#define HUB_OUTQ_MAX 8192        /* queued outgoing records */
#define HUB_EVBUF 64             /* events decoded from one hub argument */

struct out_msg {
	struct out_msg *next;
	size_t len;
	unsigned char buf[]; /* LWS_PRE + len */
};

struct pending {
	bool used;
	uint64_t id;
	int64_t deadline;
	char target[48];
	gw_hub_invoke_cb cb;
	void *ud;
};

/*
 * One libwebsockets context on the caller's loop, shared by the hubs. (Two lws 4.1.6
 * contexts alive at once leak a TLS context on destroy, so there is only one.)
 */
struct gw_ws {
	uv_loop_t *loop;
	struct lws_context *ctx;
	uv_timer_t reap;
	int reap_ticks;
	bool closing;
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
	struct lws_context *ctx;
	struct lws *wsi;
	enum gw_hub_state state;
	bool running;
	bool handshake_done;
	bool ever_connected;
	bool reconnect_now;       /* token changed: reconnect without backoff */
	bool killing;
	bool conn_active;         /* a connection attempt or connection exists */
	bool closing;
	int reap_ticks;
	uv_timer_t tick, retry;
	int open_handles;
	int64_t last_rx, last_tx, conn_started;
	struct gw_frame frame;
	struct out_msg *outq_head, *outq_tail;
	int outq_n;
	struct pending pend[HUB_MAX_PENDING];
	uint64_t next_id;
	bool sub_accounts;
	int64_t accounts[HUB_MAX_ACCOUNTS];
	int naccounts;
	char (*quotes)[SRM_ID_MAX];
	int nquotes;
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

/* lws's own log lines, minus anything that could carry the token. */
static void lws_emit(int level, const char *line)
{
	char buf[512];
	size_t n;
	char *p;

	strlcpy_s(buf, line, sizeof(buf));
	if ((p = strstr(buf, "access_token=")) != NULL)
		strlcpy_s(p, "access_token=***", sizeof(buf) - (size_t)(p - buf));
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	for (p = buf; *p; p++)
		if (*p == '"')
			*p = '\'';
	if (level & LLL_ERR)
		log_warn("lws", "%s", buf);
	else
		log_debug("lws", "%s", buf);
}

static void lws_log_init(void)
{
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_emit);
}

static void outq_clear(struct gw_hub *h)
{
	struct out_msg *m, *next;

	for (m = h->outq_head; m != NULL; m = next) {
		next = m->next;
		free(m);
	}
	h->outq_head = h->outq_tail = NULL;
	h->outq_n = 0;
}

static void kill_conn(struct gw_hub *h, const char *why)
{
	int fd;

	if (h->wsi == NULL || h->killing)
		return;
	log_info(h->mod, "closing connection | reason=\"%s\"", why);
	h->killing = true;
	/*
	 * Hard close: a dead or stalled server would never answer a WebSocket close (lws
	 * would wait for it). Shutting the socket down makes lws see the end at once.
	 */
	fd = lws_get_socket_fd(h->wsi);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	lws_set_timeout(h->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* Queue one record (JSON text; the 0x1E is added). */
static int send_text(struct gw_hub *h, const char *json, size_t len)
{
	struct out_msg *m;

	if (h->wsi == NULL || h->killing)
		return -1;
	if (h->outq_n >= HUB_OUTQ_MAX) {
		log_warn(h->mod, "send queue full | queued=%d", h->outq_n);
		kill_conn(h, "send queue full");
		return -1;
	}
	m = xmalloc(sizeof(*m) + LWS_PRE + len + 1);
	m->next = NULL;
	m->len = len + 1;
	memcpy(m->buf + LWS_PRE, json, len);
	m->buf[LWS_PRE + len] = GW_RS;
	if (h->outq_tail)
		h->outq_tail->next = m;
	else
		h->outq_head = m;
	h->outq_tail = m;
	h->outq_n++;
	lws_callback_on_writable(h->wsi);
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

static void fail_pending(struct gw_hub *h, const char *why)
{
	for (int i = 0; i < HUB_MAX_PENDING; i++) {
		struct pending *p = &h->pend[i];

		if (!p->used)
			continue;
		p->used = false;
		h->st.invoke_errors++;
		if (p->cb)
			p->cb(h, why, NULL, p->ud);
	}
}

static int invoke(struct gw_hub *h, const char *target, cJSON *args, bool blocking,
		  gw_hub_invoke_cb cb, void *ud)
{
	cJSON *m;
	char id[24];
	struct pending *slot = NULL;

	if (h->state != GW_HUB_CONNECTED || h->wsi == NULL) {
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
	return invoke(h, target, args, true, cb, ud);
}

int gw_hub_send(struct gw_hub *h, const char *target, cJSON *args)
{
	return invoke(h, target, args, false, NULL, NULL);
}

static void sub_done(struct gw_hub *h, const char *error, const cJSON *result, void *ud)
{
	(void)result;
	(void)ud;
	if (error != NULL && !h->closing)
		log_warn(h->mod, "subscription failed | err=\"%s\"", error);
}

static cJSON *args_int(int64_t v)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v));
	return a;
}

static cJSON *args_str(const char *s)
{
	cJSON *a = cJSON_CreateArray();

	cJSON_AddItemToArray(a, cJSON_CreateString(s));
	return a;
}

static void send_account_subs(struct gw_hub *h, int64_t id, bool sub)
{
	static const char *const on[] = {"SubscribeOrders", "SubscribePositions", "SubscribeTrades"};
	static const char *const off[] = {"UnsubscribeOrders", "UnsubscribePositions",
					  "UnsubscribeTrades"};

	for (int i = 0; i < 3; i++)
		invoke(h, sub ? on[i] : off[i], args_int(id), true, sub_done, NULL);
}

static void resubscribe(struct gw_hub *h)
{
	if (h->o.kind == GW_HUB_USER) {
		if (h->sub_accounts)
			invoke(h, "SubscribeAccounts", NULL, true, sub_done, NULL);
		for (int i = 0; i < h->naccounts; i++)
			send_account_subs(h, h->accounts[i], true);
	} else {
		for (int i = 0; i < h->nquotes; i++)
			invoke(h, "SubscribeContractQuotes", args_str(h->quotes[i]), true, sub_done,
			       NULL);
	}
}

static void malformed(struct gw_hub *h, const char *what, const char *why)
{
	h->st.malformed++;
	log_warn(h->mod, "malformed message dropped | what=%s reason=\"%s\" count=%llu", what, why,
		 (unsigned long long)h->st.malformed);
}

static void deliver_user(struct gw_hub *h, enum ev_kind kind, const char *target,
			 const cJSON *args)
{
	struct srm_err err = {0};
	size_t n = 0;

	if (cJSON_GetArraySize(args) < 1) {
		malformed(h, target, "no arguments");
		return;
	}
	if (wire_decode_user_event(kind, cJSON_GetArrayItem(args, 0), h->evbuf, HUB_EVBUF, &n,
				   &err) != 0) {
		malformed(h, target, err.msg);
		return;
	}
	for (size_t i = 0; i < n && !h->closing; i++) {
		h->st.events++;
		if (h->o.on_event)
			h->o.on_event(h, &h->evbuf[i], h->o.ud);
	}
}

static void deliver_quote(struct gw_hub *h, const cJSON *args)
{
	struct srm_err err = {0};
	const cJSON *cid = cJSON_GetArrayItem(args, 0);
	struct srm_event *ev = &h->evbuf[0];

	if (cJSON_GetArraySize(args) < 2 || !cJSON_IsString(cid)) {
		malformed(h, "GatewayQuote", "expected arguments [contractId, data]");
		return;
	}
	memset(ev, 0, sizeof(*ev));
	ev->kind = EV_QUOTE;
	if (wire_decode_quote(cid->valuestring, cJSON_GetArrayItem(args, 1), &ev->u.quote,
			      &err) != 0) {
		malformed(h, "GatewayQuote", err.msg);
		return;
	}
	h->st.events++;
	if (h->o.on_event)
		h->o.on_event(h, ev, h->o.ud);
}

static void on_invocation(struct gw_hub *h, const cJSON *m)
{
	const cJSON *target = cJSON_GetObjectItemCaseSensitive(m, "target");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(m, "arguments");
	enum ev_kind kind;

	if (!cJSON_IsString(target) || !cJSON_IsArray(args)) {
		malformed(h, "invocation", "expected string 'target' and array 'arguments'");
		return;
	}
	if (strcmp(target->valuestring, "GatewayQuote") == 0) {
		deliver_quote(h, args);
		return;
	}
	if (wire_event_kind(target->valuestring, &kind) == 0 && kind <= EV_TRADE &&
	    kind != EV_QUOTE) {
		deliver_user(h, kind, target->valuestring, args);
		return;
	}
	if (strcmp(target->valuestring, "GatewayLogout") == 0)
		log_warn(h->mod, "server sent GatewayLogout");
	else
		log_debug(h->mod, "event ignored | target=%s", target->valuestring);
	h->st.ignored++;
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
		p->used = false;
		if (cJSON_IsString(error)) {
			h->st.invoke_errors++;
			log_warn(h->mod, "invocation failed | target=%s err=\"%.200s\"", p->target,
				 error->valuestring);
			if (p->cb)
				p->cb(h, error->valuestring, NULL, p->ud);
		} else if (p->cb) {
			p->cb(h, NULL, cJSON_GetObjectItemCaseSensitive(m, "result"), p->ud);
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
	cJSON *m;
	const cJSON *type;

	if (h->killing || h->closing)
		return 1;
	h->st.records++;
	m = cJSON_ParseWithLength(rec, len);
	if (m == NULL || !cJSON_IsObject(m)) {
		cJSON_Delete(m);
		if (!h->handshake_done) {
			malformed(h, "handshake", "not a JSON object");
			kill_conn(h, "bad handshake response");
			return 1;
		}
		malformed(h, "record", "not a JSON object");
		return 0;
	}
	if (!h->handshake_done) {
		handshake_record(h, m);
		cJSON_Delete(m);
		return h->killing ? 1 : 0;
	}
	type = cJSON_GetObjectItemCaseSensitive(m, "type");
	if (!cJSON_IsNumber(type)) {
		malformed(h, "record", "no numeric 'type'");
	} else {
		switch (type->valueint) {
		case 1:
			on_invocation(h, m);
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
			log_debug(h->mod, "record ignored | type=%d", type->valueint);
			break;
		}
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
	h->wsi = NULL;
	h->killing = false;
	h->handshake_done = false;
	outq_clear(h);
	gw_frame_reset(&h->frame);
	if (was_up)
		h->st.disconnects++;
	log_warn(h->mod, "connection lost | reason=\"%s\" was_connected=%d", why, was_up);
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

static void do_connect(struct gw_hub *h)
{
	struct lws_client_connect_info ci;
	struct lws *wsi;
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
	memset(&ci, 0, sizeof(ci));
	ci.context = h->ctx;
	ci.address = h->host;
	ci.port = h->port;
	ci.path = path;
	ci.host = h->host;
	ci.origin = h->host;
	ci.ssl_connection = h->tls ? LCCSCF_USE_SSL : 0;
	ci.local_protocol_name = "srm-signalr";
	ci.opaque_user_data = h;
	ci.userdata = h; /* some early connect errors come before the opaque pointer is set */
	h->conn_started = hub_now(h);
	h->last_rx = h->last_tx = h->conn_started;
	h->killing = false;
	h->handshake_done = false;
	set_state(h, GW_HUB_CONNECTING, false);
	log_info(h->mod, "connecting | host=%s port=%d tls=%d path=%s", h->host, h->port, h->tls,
		 h->path);
	h->conn_active = true;
	wsi = lws_client_connect_via_info(&ci);
	/* a connection error may already have been reported from inside the call */
	if (h->conn_active) {
		if (wsi == NULL)
			conn_lost(h, "connect failed");
		else
			h->wsi = wsi;
	}
	explicit_bzero(path, cap);
	explicit_bzero(enc, strlen(enc));
	free(path);
	free(enc);
}

static void retry_cb(uv_timer_t *t)
{
	do_connect(t->data);
}

static int lws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		  size_t len)
{
	struct gw_hub *h = lws_get_opaque_user_data(wsi);
	struct srm_err err = {0};
	struct out_msg *m;

	if (h == NULL && reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR)
		h = user;
	if (h == NULL)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		{
			char why[200];

			snprintf(why, sizeof(why), "connect error: %s",
				 in ? (const char *)in : "unknown");
			conn_lost(h, why);
			if (in != NULL && strstr((const char *)in, "unauthorized") != NULL &&
			    h->o.on_unauthorized != NULL)
				h->o.on_unauthorized(h, h->o.ud);
		}
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED: {
		static const char hs[] = "{\"protocol\":\"json\",\"version\":1}";

		h->wsi = wsi;
		h->last_rx = h->last_tx = hub_now(h);
		send_text(h, hs, sizeof(hs) - 1);
		return 0;
	}
	case LWS_CALLBACK_CLIENT_RECEIVE:
		/* a connection being killed (an oversized record) delivers nothing more: the rest
		 * of that record must not be taken for records of its own */
		if (h->wsi != wsi || h->closing || h->killing)
			return 0;
		h->last_rx = hub_now(h);
		if (gw_frame_feed(&h->frame, in, len, on_record, h, &err) < 0) {
			malformed(h, "record", err.msg);
			kill_conn(h, "record too large");
		}
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (h->wsi != wsi || h->killing || h->closing)
			return -1;
		m = h->outq_head;
		if (m == NULL)
			return 0;
		if (lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT) < (int)m->len) {
			log_warn(h->mod, "write failed");
			return -1;
		}
		h->outq_head = m->next;
		if (h->outq_head == NULL)
			h->outq_tail = NULL;
		h->outq_n--;
		free(m);
		h->last_tx = hub_now(h);
		if (h->outq_head)
			lws_callback_on_writable(wsi);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		conn_lost(h, "closed");
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{"srm-signalr", lws_cb, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void handle_closed(uv_handle_t *hd)
{
	struct gw_hub *h = hd->data;

	if (--h->open_handles > 0)
		return;
	gw_frame_free(&h->frame);
	if (h->token) {
		explicit_bzero(h->token, strlen(h->token));
		free(h->token);
	}
	free(h->quotes);
	free(h);
}

static void tick_cb(uv_timer_t *t)
{
	struct gw_hub *h = t->data;
	int64_t now = hub_now(h);

	if (h->closing) {
		/* reaping: let the connection go first (bounded), then free */
		if (h->conn_active && ++h->reap_ticks < 200)
			return;
		uv_timer_stop(&h->tick);
		uv_close((uv_handle_t *)&h->tick, handle_closed);
		uv_close((uv_handle_t *)&h->retry, handle_closed);
		return;
	}
	if (h->wsi != NULL && !h->killing) {
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
		p->used = false;
		h->st.invoke_errors++;
		log_warn(h->mod, "invocation timed out | target=%s", p->target);
		if (p->cb)
			p->cb(h, "timeout", NULL, p->ud);
	}
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

	if (opts == NULL || opts->url == NULL || opts->ws == NULL || opts->ws->closing) {
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
	h->quotes = xcalloc(HUB_MAX_QUOTES, sizeof(*h->quotes));
	gw_frame_init(&h->frame, h->o.max_record);

	h->ws = opts->ws;
	h->ctx = opts->ws->ctx;
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
	outq_clear(h);
	/* tick_cb reaps once the connection is closed */
	if (h->conn_active)
		kill_conn(h, "shutting down");
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
	if (h->sub_accounts)
		return 0;
	h->sub_accounts = true;
	if (h->state == GW_HUB_CONNECTED)
		invoke(h, "SubscribeAccounts", NULL, true, sub_done, NULL);
	return 0;
}

int gw_hub_subscribe_account(struct gw_hub *h, int64_t id)
{
	if (h->o.kind != GW_HUB_USER)
		return -1;
	for (int i = 0; i < h->naccounts; i++)
		if (h->accounts[i] == id)
			return 0;
	if (h->naccounts >= HUB_MAX_ACCOUNTS)
		return -1;
	h->accounts[h->naccounts++] = id;
	if (h->state == GW_HUB_CONNECTED)
		send_account_subs(h, id, true);
	return 0;
}

int gw_hub_unsubscribe_account(struct gw_hub *h, int64_t id)
{
	for (int i = 0; i < h->naccounts; i++) {
		if (h->accounts[i] != id)
			continue;
		h->accounts[i] = h->accounts[--h->naccounts];
		if (h->state == GW_HUB_CONNECTED)
			send_account_subs(h, id, false);
		return 0;
	}
	return -1;
}

bool gw_hub_has_quote(const struct gw_hub *h, const char *cid)
{
	for (int i = 0; i < h->nquotes; i++)
		if (strcmp(h->quotes[i], cid) == 0)
			return true;
	return false;
}

int gw_hub_set_quotes(struct gw_hub *h, const char *const *ids, size_t n)
{
	int rc = 0;

	if (h->o.kind != GW_HUB_MARKET)
		return -1;
	/* drop the ones no longer wanted */
	for (int i = 0; i < h->nquotes;) {
		bool keep = false;

		for (size_t k = 0; k < n && !keep; k++)
			keep = strcmp(h->quotes[i], ids[k]) == 0;
		if (keep) {
			i++;
			continue;
		}
		if (h->state == GW_HUB_CONNECTED)
			invoke(h, "UnsubscribeContractQuotes", args_str(h->quotes[i]), true, sub_done,
			       NULL);
		memcpy(h->quotes[i], h->quotes[h->nquotes - 1], SRM_ID_MAX);
		h->nquotes--;
	}
	for (size_t k = 0; k < n; k++) {
		if (gw_hub_has_quote(h, ids[k]))
			continue;
		if (h->nquotes >= HUB_MAX_QUOTES || strlen(ids[k]) >= SRM_ID_MAX) {
			rc = -1;
			continue;
		}
		strlcpy_s(h->quotes[h->nquotes++], ids[k], SRM_ID_MAX);
		if (h->state == GW_HUB_CONNECTED)
			invoke(h, "SubscribeContractQuotes", args_str(ids[k]), true, sub_done, NULL);
	}
	return rc;
}

struct gw_ws *gw_ws_new(uv_loop_t *loop, const char *ca_file, struct srm_err *err)
{
	static uv_once_t once = UV_ONCE_INIT;
	struct lws_context_creation_info info;
	void *loops[1];
	struct gw_ws *ws;

	uv_once(&once, lws_log_init);
	ws = xcalloc(1, sizeof(*ws));
	ws->loop = loop;
	memset(&info, 0, sizeof(info));
	loops[0] = loop;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.foreign_loops = loops;
	info.pcontext = &ws->ctx;
	info.fd_limit_per_thread = 64;
	info.client_ssl_ca_filepath = ca_file && *ca_file ? ca_file : NULL;
	ws->ctx = lws_create_context(&info);
	if (ws->ctx == NULL) {
		srm_err_set(err, SRM_EIO, "hub: libwebsockets context creation failed");
		free(ws);
		return NULL;
	}
	uv_timer_init(loop, &ws->reap);
	ws->reap.data = ws;
	return ws;
}

static void ws_closed(uv_handle_t *hd)
{
	free(hd->data);
}

static void any_closing(uv_handle_t *hd, void *arg)
{
	if (uv_is_closing(hd))
		*(bool *)arg = true;
}

static void ws_reap_cb(uv_timer_t *t)
{
	struct gw_ws *ws = t->data;
	bool closing = false;

	/*
	 * With a foreign libuv loop lws destroys its context in two stages: the first call
	 * closes its handles, a later one (in a later loop iteration, after their close
	 * callbacks ran) frees it and NULLs ws->ctx through info.pcontext. A repeating timer
	 * fires at most once per iteration, so this is always a later one; we also wait
	 * until no handle on the loop is still closing (lws's may be, while its last
	 * connections go) and give it a few iterations.
	 */
	uv_walk(ws->loop, any_closing, &closing);
	if (closing || ++ws->reap_ticks < 4)
		return;
	if (ws->ctx != NULL)
		lws_context_destroy(ws->ctx);
	if (ws->ctx == NULL) {
		uv_timer_stop(&ws->reap);
		uv_close((uv_handle_t *)&ws->reap, ws_closed);
	}
}

void gw_ws_free(struct gw_ws *ws)
{
	if (ws == NULL || ws->closing)
		return;
	ws->closing = true;
	lws_context_destroy(ws->ctx);
	uv_timer_start(&ws->reap, ws_reap_cb, 5, 5);
}
