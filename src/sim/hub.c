/*
 * hub.c: srm-sim's SignalR JSON hub protocol (API reference §10-§11) on top of lws WebSocket
 * connections: handshake, 0x1E-separated records (several per frame or split across frames),
 * invocations with and without invocationId, pings both ways, close, subscriptions, and a
 * bounded per-connection queue of outgoing records packed into frames.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sim/sim.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "wire/wire.h"

#define RS '\x1e'
#define FRAME_MAX (64 * 1024)

/* An outgoing record shared by every connection it is queued on. */
struct hub_msg {
	int refs;
	int64_t seq;
	size_t len;
	char data[];
};

struct hub_conn {
	struct hub_conn *next;
	struct lws *wsi;
	int hub;
	bool handshaken, close_after_send, dropped;
	char *in;
	size_t inlen;
	struct hub_msg **q;
	size_t qcap, qhead, qlen, qbytes;
	int64_t subs[SUB_NKINDS][SIM_MAX_SUBS];
	int nsubs[SUB_NKINDS];
	int64_t last_tx_ns, last_rx_ns;
	long flood;
	int flood_ci;
	struct px_order *flood_order; /* order flood (bench): the order re-sent, else quotes */
	int64_t ping_seq;    /* a WebSocket ping to send (bench), 0: none */
	unsigned char *wbuf; /* LWS_PRE + FRAME_MAX */
};

static struct hub_msg *msg_new(struct sim *s, const char *txt, size_t len)
{
	struct hub_msg *m = xmalloc(sizeof(*m) + len + 1);

	m->refs = 0;
	m->seq = ++s->rec_seq;
	m->len = len;
	memcpy(m->data, txt, len);
	m->data[len] = '\0';
	return m;
}

static void msg_unref(struct hub_msg *m)
{
	if (m != NULL && --m->refs <= 0)
		free(m);
}

/* Drop a connection without a close message (the socket is shut down under lws). */
static void conn_drop(struct hub_conn *c)
{
	if (c->dropped)
		return;
	c->dropped = true;
	shutdown(lws_get_socket_fd(c->wsi), SHUT_RDWR);
	lws_callback_on_writable(c->wsi);
}

static void enqueue(struct sim *s, struct hub_conn *c, struct hub_msg *m)
{
	(void)s;
	if (c->dropped)
		return;
	if (c->qlen == c->qcap) {
		if (c->qcap >= SIM_HUB_QUEUE || c->qbytes > SIM_HUB_QUEUE_BYTES) {
			fprintf(stderr, "srm-sim: hub client too slow (%zu records queued), dropped\n",
				c->qlen);
			conn_drop(c);
			return;
		}
		size_t ncap = c->qcap ? c->qcap * 2 : 64;
		struct hub_msg **nq = xcalloc(ncap, sizeof(*nq)); /* NOLINT(bugprone-sizeof-expression): an array of pointers */
		for (size_t i = 0; i < c->qlen; i++)
			nq[i] = c->q[(c->qhead + i) % c->qcap];
		free(c->q);
		c->q = nq;
		c->qcap = ncap;
		c->qhead = 0;
	}
	m->refs++;
	c->q[(c->qhead + c->qlen) % c->qcap] = m;
	c->qlen++;
	c->qbytes += m->len;
	lws_callback_on_writable(c->wsi);
}

/* Queue a literal record (text without the separator) on one connection. */
static void send_text(struct sim *s, struct hub_conn *c, const char *txt)
{
	size_t n = strlen(txt);
	char *buf = xmalloc(n + 2);

	memcpy(buf, txt, n); /* NOLINT(bugprone-not-null-terminated-result): a record ends in 0x1E */
	buf[n] = RS;
	struct hub_msg *m = msg_new(s, buf, n + 1);
	free(buf);
	enqueue(s, c, m);
	if (m->refs == 0)
		free(m);
}

/* Queue a JSON record (frees j). */
static void send_json(struct sim *s, struct hub_conn *c, cJSON *j)
{
	char *txt = json_print(j);

	send_text(s, c, txt);
	free(txt);
}

/* A new connection on /hubs/user or /hubs/market. */
struct hub_conn *hub_conn_new(struct sim *s, struct lws *wsi, int hub)
{
	struct hub_conn *c = xcalloc(1, sizeof(*c));

	c->wsi = wsi;
	c->hub = hub;
	c->last_rx_ns = c->last_tx_ns = sim_mono_ns();
	c->wbuf = xmalloc(LWS_PRE + FRAME_MAX);
	c->next = s->conns;
	s->conns = c;
	return c;
}

/* Unlink and free a connection and its queue. */
void hub_conn_free(struct sim *s, struct hub_conn *c)
{
	if (c == NULL)
		return;
	for (struct hub_conn **pp = &s->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	for (size_t i = 0; i < c->qlen; i++)
		msg_unref(c->q[(c->qhead + i) % c->qcap]);
	free(c->q);
	free(c->in);
	free(c->wbuf);
	free(c->flood_order);
	free(c);
}

/* Number of open hub connections. */
int hub_count(const struct sim *s)
{
	int n = 0;

	for (const struct hub_conn *c = s->conns; c != NULL; c = c->next)
		n++;
	return n;
}

/* The hub's methods (API reference §10.1): which hub, which subscription, argument type. */
static const struct method {
	const char *name;
	int hub;
	int sub;
	bool subscribe;
	int arg; /* 0 none, 1 integer account id, 2 string contract id */
} methods[] = {
	{ "SubscribeAccounts", HUB_USER, SUB_ACCOUNTS, true, 0 },
	{ "UnsubscribeAccounts", HUB_USER, SUB_ACCOUNTS, false, 0 },
	{ "SubscribeOrders", HUB_USER, SUB_ORDERS, true, 1 },
	{ "UnsubscribeOrders", HUB_USER, SUB_ORDERS, false, 1 },
	{ "SubscribePositions", HUB_USER, SUB_POSITIONS, true, 1 },
	{ "UnsubscribePositions", HUB_USER, SUB_POSITIONS, false, 1 },
	{ "SubscribeTrades", HUB_USER, SUB_TRADES, true, 1 },
	{ "UnsubscribeTrades", HUB_USER, SUB_TRADES, false, 1 },
	{ "SubscribeContractQuotes", HUB_MARKET, SUB_QUOTES, true, 2 },
	{ "UnsubscribeContractQuotes", HUB_MARKET, SUB_QUOTES, false, 2 },
	{ "SubscribeContractTrades", HUB_MARKET, SUB_MTRADES, true, 2 },
	{ "UnsubscribeContractTrades", HUB_MARKET, SUB_MTRADES, false, 2 },
	{ "SubscribeContractMarketDepth", HUB_MARKET, SUB_DEPTH, true, 2 },
	{ "UnsubscribeContractMarketDepth", HUB_MARKET, SUB_DEPTH, false, 2 },
};

static void sub_set(struct hub_conn *c, int kind, int64_t key, bool on)
{
	int n = c->nsubs[kind];

	for (int i = 0; i < n; i++)
		if (c->subs[kind][i] == key) {
			if (!on)
				c->subs[kind][i] = c->subs[kind][--c->nsubs[kind]];
			return;
		}
	if (on && n < SIM_MAX_SUBS)
		c->subs[kind][c->nsubs[kind]++] = key;
}

static bool sub_has(const struct hub_conn *c, int kind, int64_t key)
{
	for (int i = 0; i < c->nsubs[kind]; i++)
		if (c->subs[kind][i] == key)
			return true;
	return false;
}

/* Run an invocation; returns NULL on success or the Completion error text. */
static const char *invoke(struct sim *s, struct hub_conn *c, const char *target,
			  const cJSON *args, char *err, size_t cap)
{
	const struct method *m = NULL;
	int nargs = cJSON_GetArraySize(args);

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, target) == 0 && methods[i].hub == c->hub)
			m = &methods[i];
	if (m == NULL) {
		snprintf(err, cap, "Failed to invoke '%.64s' due to an error on the server. "
			 "HubException: Method does not exist.", target);
		return err;
	}
	int want = m->arg == 0 ? 0 : 1;
	if (nargs != want) {
		snprintf(err, cap, "Failed to invoke '%s' due to an error on the server. "
			 "InvalidDataException: Invocation provides %d argument(s) but target "
			 "expects %d.", m->name, nargs, want);
		return err;
	}
	if (m->arg == 0) {
		sub_set(c, m->sub, 0, m->subscribe);
		return NULL;
	}
	const cJSON *a = cJSON_GetArrayItem(args, 0);
	if (m->arg == 1) {
		if (!cJSON_IsNumber(a) || a->valuedouble != (double)(int64_t)a->valuedouble) {
			snprintf(err, cap, "Failed to invoke '%s' due to an error on the server. "
				 "InvalidDataException: Error binding arguments.", m->name);
			return err;
		}
		sub_set(c, m->sub, (int64_t)a->valuedouble, m->subscribe);
		return NULL;
	}
	if (!cJSON_IsString(a)) {
		snprintf(err, cap, "Failed to invoke '%s' due to an error on the server. "
			 "InvalidDataException: Error binding arguments.", m->name);
		return err;
	}
	int ci = market_find_contract(s, a->valuestring);
	if (ci < 0) {
		/* Unknown contract: accepted silently on unsubscribe, an error on subscribe. */
		if (!m->subscribe)
			return NULL;
		snprintf(err, cap, "Failed to invoke '%s' due to an error on the server.", m->name);
		return err;
	}
	sub_set(c, m->sub, ci, m->subscribe);
	return NULL;
}

/* One record (without its separator). Returns -1 to close the connection. */
static int handle_record(struct sim *s, struct hub_conn *c, const char *rec, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(rec, len);
	int rc = 0;

	if (!c->handshaken) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "protocol");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "version");

		if (cJSON_IsString(p) && strcmp(p->valuestring, "json") == 0 && cJSON_IsNumber(v) &&
		    v->valuedouble == 1) {
			c->handshaken = true;
			send_text(s, c, "{}");
		} else {
			send_text(s, c, cJSON_IsString(p) && strcmp(p->valuestring, "json") != 0 ?
				  "{\"error\":\"The protocol is not supported.\"}" :
				  "{\"error\":\"Handshake was canceled.\"}");
			c->close_after_send = true;
		}
		goto out;
	}
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
	if (!cJSON_IsNumber(type)) {
		/* Not a hub message: the protocol says close with an error. */
		send_text(s, c, "{\"type\":7,\"error\":\"Connection closed with an error.\","
			  "\"allowReconnect\":true}");
		c->close_after_send = true;
		goto out;
	}
	switch ((int)type->valuedouble) {
	case 1: {
		const cJSON *target = cJSON_GetObjectItemCaseSensitive(j, "target");
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(j, "arguments");
		const cJSON *iid = cJSON_GetObjectItemCaseSensitive(j, "invocationId");
		char err[256];
		const char *e;

		int fault = 0;

		if (!cJSON_IsString(target) || !cJSON_IsArray(args)) {
			e = "Invalid invocation.";
		} else if ((fault = fault_hub(s, target->valuestring)) != 0) {
			/* armed by the control API: refused, or never answered (not done either way) */
			snprintf(err, sizeof(err), "Failed to invoke '%.64s' due to an error on the "
				 "server. (fault injected)", target->valuestring);
			e = err;
		} else {
			e = invoke(s, c, target->valuestring, args, err, sizeof(err));
		}
		char *atxt = args != NULL ? cJSON_PrintUnformatted(args) : NULL;
		reqlog_add(s, true, cJSON_IsString(target) ? target->valuestring : "",
			   atxt != NULL ? atxt : "null", atxt != NULL ? strlen(atxt) : 4,
			   e == NULL ? 200 : 400);
		cJSON_free(atxt);
		if (cJSON_IsString(iid) && fault != FAULT_HUB_SILENT) {
			cJSON *cm = cJSON_CreateObject();

			cJSON_AddNumberToObject(cm, "type", 3);
			cJSON_AddStringToObject(cm, "invocationId", iid->valuestring);
			if (e != NULL)
				cJSON_AddStringToObject(cm, "error", e);
			send_json(s, c, cm);
		}
		break;
	}
	case 4: { /* StreamInvocation: no streaming methods on these hubs */
		const cJSON *iid = cJSON_GetObjectItemCaseSensitive(j, "invocationId");

		if (cJSON_IsString(iid)) {
			cJSON *cm = cJSON_CreateObject();

			cJSON_AddNumberToObject(cm, "type", 3);
			cJSON_AddStringToObject(cm, "invocationId", iid->valuestring);
			cJSON_AddStringToObject(cm, "error", "Failed to invoke: streaming is not "
						"supported.");
			send_json(s, c, cm);
		}
		break;
	}
	case 6: /* Ping: nothing to do, last_rx_ns already moved */
		break;
	case 7:
		rc = -1;
		break;
	default: /* Completion, StreamItem, CancelInvocation, Ack, Sequence: ignored */
		break;
	}
out:
	cJSON_Delete(j);
	return rc;
}

/* Bytes received: buffer, split on 0x1E, handle each complete record. */
int hub_conn_rx(struct sim *s, struct hub_conn *c, const char *in, size_t len)
{
	c->last_rx_ns = sim_mono_ns();
	if (c->inlen + len > SIM_MAX_HUB_IN) {
		fprintf(stderr, "srm-sim: hub record over %d bytes, connection closed\n",
			SIM_MAX_HUB_IN);
		return -1;
	}
	if (c->in == NULL)
		c->in = xmalloc(SIM_MAX_HUB_IN);
	memcpy(c->in + c->inlen, in, len);
	c->inlen += len;
	size_t start = 0;
	for (size_t i = 0; i < c->inlen; i++) {
		if (c->in[i] != RS)
			continue;
		if (handle_record(s, c, c->in + start, i - start) != 0)
			return -1;
		start = i + 1;
	}
	memmove(c->in, c->in + start, c->inlen - start);
	c->inlen -= start;
	return 0;
}

/* The socket is writable: pack queued records (or flood quotes) into one text frame. */
int hub_conn_writable(struct sim *s, struct hub_conn *c)
{
	unsigned char *p = c->wbuf + LWS_PRE;
	size_t n = 0;
	int64_t now = sim_mono_ns();

	if (c->dropped)
		return -1;
	if (now < s->stall_until_ns)
		return 0; /* hub_cron asks for writable again when the stall ends */
	if (c->ping_seq > 0) {
		/* one write per writable callback (lws): the ping, then the records */
		int len = snprintf((char *)p, 24, "%lld", (long long)c->ping_seq);
		struct sim_ping *pg = &s->pings[c->ping_seq % SIM_PINGS];

		if (lws_write(c->wsi, p, (size_t)len, LWS_WRITE_PING) < len)
			return -1;
		*pg = (struct sim_ping){ .seq = c->ping_seq, .sent_ns = sim_mono_ns() };
		c->ping_seq = 0;
		c->last_tx_ns = now;
		if (c->qlen > 0 || c->flood > 0)
			lws_callback_on_writable(c->wsi);
		return 0;
	}
	while (c->qlen > 0) {
		struct hub_msg *m = c->q[c->qhead];

		if (n > 0 && n + m->len > FRAME_MAX)
			break;
		if (m->len > FRAME_MAX) { /* never larger than our own records; refuse to split */
			fprintf(stderr, "srm-sim: record of %zu bytes dropped\n", m->len);
		} else {
			memcpy(p + n, m->data, m->len);
			n += m->len;
		}
		c->qhead = (c->qhead + 1) % c->qcap;
		c->qlen--;
		c->qbytes -= m->len;
		msg_unref(m);
	}
	/*
	 * Flood records alternate between two states (price one tick up, then back), and nothing
	 * else changes during this call: each state is printed once per frame and copied after.
	 */
	size_t flood_off[2] = { 0, 0 }, flood_len[2] = { 0, 0 };
	while (c->qlen == 0 && c->flood > 0 && n + 1024 < FRAME_MAX) {
		int ci = c->flood_ci;
		struct sim_contract *ct = &s->contracts[ci];
		int par = (int)(c->flood & 1);
		double step = par ? ct->c.tick_size : -ct->c.tick_size;
		cJSON *rec, *args;

		if (c->flood_order != NULL) {
			c->flood_order->limit_price += step;
		} else {
			ct->bid += step;
			ct->ask = ct->bid + ct->c.tick_size;
		}
		if (flood_len[par] > 0) {
			memcpy(p + n, p + flood_off[par], flood_len[par]);
			n += flood_len[par];
			c->flood--;
			continue;
		}
		rec = cJSON_CreateObject();
		cJSON_AddNumberToObject(rec, "type", 1);
		cJSON_AddStringToObject(rec, "target", c->flood_order != NULL ? "GatewayUserOrder" :
					"GatewayQuote");
		args = cJSON_AddArrayToObject(rec, "arguments");
		if (c->flood_order != NULL) {
			c->flood_order->updated = sim_now_ms();
			cJSON_AddItemToArray(args, wire_encode_order(c->flood_order));
		} else {
			cJSON_AddItemToArray(args, cJSON_CreateString(ct->c.id));
			cJSON_AddItemToArray(args, market_quote_json(s, ci));
		}
		if (!cJSON_PrintPreallocated(rec, (char *)p + n, (int)(FRAME_MAX - n - 1), false)) {
			cJSON_Delete(rec);
			break;
		}
		cJSON_Delete(rec);
		flood_off[par] = n;
		n += strlen((char *)p + n);
		p[n++] = RS;
		flood_len[par] = n - flood_off[par];
		c->flood--;
	}
	if (n > 0) {
		if (lws_write(c->wsi, p, n, LWS_WRITE_TEXT) < (int)n)
			return -1;
		c->last_tx_ns = now;
	}
	if (c->qlen > 0 || c->flood > 0)
		lws_callback_on_writable(c->wsi);
	else if (c->close_after_send)
		return -1;
	return 0;
}

/* Periodic housekeeping: keep-alive pings, client timeouts, end of a stall. */
void hub_cron(struct sim *s)
{
	int64_t now = sim_mono_ns();
	bool stalled = now < s->stall_until_ns;

	for (struct hub_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->dropped)
			continue;
		if (stalled)
			continue;
		if (c->qlen > 0 || c->flood > 0)
			lws_callback_on_writable(c->wsi);
		if (!c->handshaken)
			continue;
		if (s->opt.client_timeout_ms > 0 &&
		    now - c->last_rx_ns > (int64_t)s->opt.client_timeout_ms * 1000000) {
			send_text(s, c, "{\"type\":7,\"error\":\"Server timeout elapsed without "
				  "receiving a message from the client.\",\"allowReconnect\":true}");
			c->close_after_send = true;
			continue;
		}
		if (s->opt.ping_ms > 0 && c->qlen == 0 &&
		    now - c->last_tx_ns >= (int64_t)s->opt.ping_ms * 1000000)
			send_text(s, c, "{\"type\":6}");
	}
}

static void fan_out(struct sim *s, bool market, int64_t key, int sub, const char *target,
		    cJSON *data, cJSON *first_arg)
{
	struct hub_msg *m = NULL;

	for (struct hub_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->dropped || !c->handshaken || c->hub != (market ? HUB_MARKET : HUB_USER))
			continue;
		if (sub == SUB_ACCOUNTS ? c->nsubs[SUB_ACCOUNTS] == 0 : !sub_has(c, sub, key))
			continue;
		if (m == NULL) {
			cJSON *rec = cJSON_CreateObject();
			cJSON *args;

			cJSON_AddNumberToObject(rec, "type", 1);
			cJSON_AddStringToObject(rec, "target", target);
			args = cJSON_AddArrayToObject(rec, "arguments");
			if (first_arg != NULL)
				cJSON_AddItemToArray(args, first_arg);
			cJSON_AddItemToArray(args, data);
			first_arg = NULL;
			data = NULL;
			char *txt = json_print(rec);
			size_t len = strlen(txt);
			char *buf = xmalloc(len + 1);
			memcpy(buf, txt, len); /* NOLINT(bugprone-not-null-terminated-result): a record ends in 0x1E */
			buf[len] = RS;
			m = msg_new(s, buf, len + 1);
			free(buf);
			free(txt);
		}
		enqueue(s, c, m);
	}
	if (m != NULL && m->refs == 0)
		free(m);
	cJSON_Delete(data);
	cJSON_Delete(first_arg);
}

/* Send a user-hub event `target(data)` to connections subscribed to that account (takes data). */
void hub_user_event(struct sim *s, int64_t account_id, int sub, const char *target, cJSON *data)
{
	fan_out(s, false, account_id, sub, target, data, NULL);
}

/* Send `target(contractId, data)` to market-hub subscribers of the contract (takes data). */
void hub_market_event(struct sim *s, int ci, int sub, const char *target, cJSON *data)
{
	fan_out(s, true, ci, sub, target, data, cJSON_CreateString(s->contracts[ci].c.id));
}

/* Close every hub socket without a close message. */
void hub_drop_all(struct sim *s)
{
	for (struct hub_conn *c = s->conns; c != NULL; c = c->next)
		conn_drop(c);
}

/*
 * Send hostile records to every open hub connection: what a broken or malicious gateway
 * could put on the wire. A client must count and skip them and keep its connection.
 */
void hub_send_garbage(struct sim *s)
{
	static const char *const bad[] = {
		"{not json at all",
		"{\"type\":1,\"target\":\"GatewayUserOrder\",\"arguments\":[{\"id\":\"x\",\"accountId\":true}]}",
		"{\"type\":1,\"target\":\"GatewayUserTrade\",\"arguments\":[{\"id\":1.5,\"price\":1e999}]}",
		"{\"type\":1,\"target\":\"GatewayUserPosition\",\"arguments\":[]}",
		"{\"type\":1,\"target\":\"GatewayQuote\",\"arguments\":[42,{\"bestBid\":\"cheap\"}]}",
		"{\"type\":99}",
		"[1,2,3]",
		"\"\\ud800\"",
	};

	for (struct hub_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->dropped || !c->handshaken)
			continue;
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			send_text(s, c, bad[i]);
	}
}

/* Is a record with seq <= seq still queued on a live connection? */
bool hub_pending(const struct sim *s, int64_t seq)
{
	for (const struct hub_conn *c = s->conns; c != NULL; c = c->next)
		if (!c->dropped && c->qlen > 0 && c->q[c->qhead]->seq <= seq)
			return true;
	return false;
}

/* Bench: push count GatewayQuote records of a contract to its quote subscribers. */
void hub_flood(struct sim *s, int ci, long count)
{
	for (struct hub_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->dropped || c->hub != HUB_MARKET || !sub_has(c, SUB_QUOTES, ci))
			continue;
		c->flood += count;
		c->flood_ci = ci;
		free(c->flood_order);
		c->flood_order = NULL;
		lws_callback_on_writable(c->wsi);
	}
}

/*
 * Bench: push count GatewayUserOrder records to the order subscribers of an account: one
 * working limit order on contract ci whose price is modified by a tick back and forth.
 */
void hub_flood_orders(struct sim *s, int64_t account_id, int ci, long count)
{
	const struct sim_contract *ct = &s->contracts[ci];
	int64_t id = s->next_order_id++;

	for (struct hub_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->dropped || c->hub != HUB_USER || !sub_has(c, SUB_ORDERS, account_id))
			continue;
		struct px_order *o = c->flood_order != NULL ? c->flood_order :
				     xcalloc(1, sizeof(*o));

		if (c->flood_order == NULL) {
			o->id = id;
			o->account_id = account_id;
			strlcpy_s(o->contract_id, ct->c.id, sizeof(o->contract_id));
			strlcpy_s(o->symbol_id, ct->c.symbol_id, sizeof(o->symbol_id));
			o->created = o->updated = sim_now_ms();
			o->status = PX_OS_OPEN;
			o->type = PX_OT_LIMIT;
			o->side = PX_BID;
			o->size = 1;
			o->limit_price = ct->bid - 10 * ct->c.tick_size;
			o->stop_price = PX_NULL;
			o->filled_price = PX_NULL;
		}
		c->flood_order = o;
		c->flood += count;
		c->flood_ci = ci;
		lws_callback_on_writable(c->wsi);
	}
}

int64_t hub_ping(struct sim *s, int64_t account_id)
{
	int64_t seq = s->ping_seq + 1;
	bool any = false;

	for (struct hub_conn *c = s->conns; c != NULL; c = c->next) {
		if (c->dropped || !c->handshaken || c->hub != HUB_USER ||
		    !sub_has(c, SUB_ORDERS, account_id))
			continue;
		c->ping_seq = seq;
		any = true;
		lws_callback_on_writable(c->wsi);
	}
	if (!any)
		return -1;
	s->ping_seq = seq;
	return seq;
}

void hub_conn_pong(struct sim *s, struct hub_conn *c, const char *in, size_t len)
{
	int64_t now = sim_mono_ns(), seq = 0;

	c->last_rx_ns = now;
	if (len == 0 || len > 19)
		return;
	for (size_t i = 0; i < len; i++) {
		if (in[i] < '0' || in[i] > '9')
			return;
		seq = seq * 10 + (in[i] - '0');
	}
	struct sim_ping *pg = &s->pings[seq % SIM_PINGS];

	if (seq > 0 && pg->seq == seq && pg->pong_ns == 0)
		pg->pong_ns = now;
}
