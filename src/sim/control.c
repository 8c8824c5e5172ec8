/*
 * control.c: srm-sim's control API under /sim/ (ground truth, the trader's own platform, the
 * market, accounts, fault injection, reset), the request log it serves, and fault matching.
 * JSON over HTTP, no auth; errors are HTTP 400/404 with {"error": "..."}.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "wire/wire.h"

/* Append one request (REST or hub invocation) to the bounded log. */
void reqlog_add(struct sim *s, bool hub, const char *target, const char *body, size_t len,
		int status)
{
	struct sim_req *e = &s->reqlog[(s->req_seq + 1) % SIM_REQLOG];

	free(e->body);
	memset(e, 0, sizeof(*e));
	e->seq = ++s->req_seq;
	e->ts_ns = sim_mono_ns();
	e->hub = hub;
	strlcpy_s(e->target, target, sizeof(e->target));
	if (len > SIM_REQLOG_BODY)
		len = SIM_REQLOG_BODY;
	e->body = xmalloc(len + 1);
	if (len > 0)
		memcpy(e->body, body, len);
	e->body[len] = '\0';
	e->status = status;
}

/* Free the log's bodies. */
void reqlog_free(struct sim *s)
{
	for (int i = 0; i < SIM_REQLOG; i++) {
		free(s->reqlog[i].body);
		s->reqlog[i].body = NULL;
	}
}

static void err_resp(struct http_resp *r, int status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", msg);
	r->status = status;
	r->body = json_print(o);
}

static void ok_resp(struct http_resp *r, cJSON *o)
{
	r->status = 200;
	r->body = json_print(o != NULL ? o : cJSON_CreateObject());
}

static bool fault_matches(const struct sim_fault *f, const char *path)
{
	return f->path[0] == '\0' || glob_match_ci(f->path, path);
}

/* Consume the faults armed for an /api path: an HTTP status and/or added latency. */
void fault_apply(struct sim *s, const char *path, struct http_resp *r)
{
	for (int i = 0; i < s->nfaults; i++) {
		struct sim_fault *f = &s->faults[i];

		if ((f->kind != FAULT_HTTP && f->kind != FAULT_LATENCY) || !fault_matches(f, path))
			continue;
		if (f->kind == FAULT_HTTP && r->status != 0)
			continue;
		if (f->kind == FAULT_HTTP)
			r->status = f->status;
		else
			r->delay_ms += f->ms;
		if (f->count > 0 && --f->count == 0) {
			s->faults[i] = s->faults[--s->nfaults];
			i--;
		}
	}
}

int fault_hub(struct sim *s, const char *target)
{
	for (int i = 0; i < s->nfaults; i++) {
		struct sim_fault *f = &s->faults[i];
		int kind = f->kind;

		if ((kind != FAULT_HUB_REFUSE && kind != FAULT_HUB_SILENT) || !fault_matches(f, target))
			continue;
		if (f->count > 0 && --f->count == 0)
			s->faults[i] = s->faults[--s->nfaults];
		return kind;
	}
	return 0;
}

static void c_state(struct sim *s, const cJSON *b, struct http_resp *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr;

	(void)b;
	arr = cJSON_AddArrayToObject(o, "accounts");
	for (int i = 0; i < s->naccounts; i++) {
		cJSON *a = wire_encode_account(&s->accounts[i]);

		if (s->opt.firm_mll > 0) {
			cJSON *f = cJSON_AddObjectToObject(a, "firm");

			cJSON_AddNumberToObject(f, "floor", s->firm[i].floor);
			cJSON_AddNumberToObject(f, "high", s->firm[i].high);
			cJSON_AddBoolToObject(f, "liquidated", s->firm[i].liquidated);
		}
		cJSON_AddItemToArray(arr, a);
	}
	arr = cJSON_AddArrayToObject(o, "positions");
	for (int i = 0; i < SIM_MAX_POSITIONS; i++)
		if (s->positions[i].used)
			cJSON_AddItemToArray(arr, wire_encode_position(&s->positions[i].p));
	arr = cJSON_AddArrayToObject(o, "orders");
	for (size_t i = 0; i < s->norders; i++)
		cJSON_AddItemToArray(arr, wire_encode_order(&s->orders[i].o));
	arr = cJSON_AddArrayToObject(o, "trades");
	for (size_t i = 0; i < s->ntrades; i++)
		cJSON_AddItemToArray(arr, wire_encode_trade(&s->trades[i]));
	arr = cJSON_AddArrayToObject(o, "contracts");
	for (int i = 0; i < s->ncontracts; i++)
		cJSON_AddItemToArray(arr, wire_encode_contract(&s->contracts[i].c));
	cJSON *q = cJSON_AddObjectToObject(o, "quotes");
	for (int i = 0; i < s->ncontracts; i++)
		cJSON_AddItemToObject(q, s->contracts[i].c.id, market_quote_json(s, i));
	cJSON_AddNumberToObject(o, "hubConnections", hub_count(s));
	cJSON_AddNumberToObject(o, "lastRequestSeq", (double)s->req_seq);
	ok_resp(r, o);
}

static void c_requests(struct sim *s, const char *query, struct http_resp *r)
{
	long long since = 0;
	const char *p = query != NULL ? strstr(query, "since=") : NULL;

	if (p != NULL) {
		char *end;

		since = strtoll(p + 6, &end, 10);
		if (end == p + 6 || since < 0) {
			err_resp(r, 400, "since: expected a non-negative integer");
			return;
		}
	}
	if (since < s->req_seq - SIM_REQLOG)
		since = s->req_seq - SIM_REQLOG;
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "requests");
	int n = 0;
	int64_t last = since;
	for (int64_t seq = since + 1; seq <= s->req_seq && n < 5000; seq++, n++) {
		const struct sim_req *e = &s->reqlog[seq % SIM_REQLOG];
		cJSON *it = cJSON_CreateObject();
		cJSON *body = cJSON_Parse(e->body != NULL ? e->body : "");

		cJSON_AddNumberToObject(it, "seq", (double)e->seq);
		cJSON_AddNumberToObject(it, "tsNs", (double)e->ts_ns);
		cJSON_AddStringToObject(it, "kind", e->hub ? "hub" : "rest");
		cJSON_AddStringToObject(it, e->hub ? "target" : "path", e->target);
		if (body == NULL)
			body = (e->body != NULL && e->body[0] != '\0') ? cJSON_CreateString(e->body) :
									  cJSON_CreateNull();
		cJSON_AddItemToObject(it, e->hub ? "arguments" : "body", body);
		cJSON_AddNumberToObject(it, "status", e->status);
		cJSON_AddItemToArray(arr, it);
		last = seq;
	}
	cJSON_AddNumberToObject(o, "lastSeq", (double)last);
	cJSON_AddBoolToObject(o, "more", last < s->req_seq);
	ok_resp(r, o);
}

#define GET(call)                                         \
	do {                                              \
		if ((call) != 0) {                        \
			err_resp(r, 400, err.msg);        \
			return;                           \
		}                                         \
	} while (0)

static void c_order(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct order_req q;
	struct srm_err err = { 0 };
	char msg[160];
	int64_t id = 0;

	memset(&q, 0, sizeof(q));
	q.limit_price = q.stop_price = q.trail_price = PX_NULL;
	GET(wire_get_int64(b, "accountId", true, &q.account_id, &err));
	GET(wire_get_string(b, "contractId", true, false, q.contract_id, sizeof(q.contract_id),
			    &err));
	GET(wire_get_int(b, "type", true, 0, 7, &q.type, &err));
	GET(wire_get_int(b, "side", true, 0, 1, &q.side, &err));
	GET(wire_get_int(b, "size", true, -1000000, 1000000, &q.size, &err));
	GET(wire_get_double(b, "limitPrice", false, true, &q.limit_price, &err));
	GET(wire_get_double(b, "stopPrice", false, true, &q.stop_price, &err));
	GET(wire_get_double(b, "trailPrice", false, true, &q.trail_price, &err));
	GET(wire_get_string(b, "customTag", false, true, q.custom_tag, sizeof(q.custom_tag), &err));
	int code = market_place(s, &q, &id, msg, sizeof(msg));
	cJSON *o = cJSON_CreateObject();
	if (code == 0)
		cJSON_AddNumberToObject(o, "orderId", (double)id);
	else
		cJSON_AddNullToObject(o, "orderId");
	cJSON_AddNumberToObject(o, "errorCode", code);
	if (msg[0] != '\0')
		cJSON_AddStringToObject(o, "errorMessage", msg);
	ok_resp(r, o);
	r->wait_seq = s->rec_seq;
	r->events_sent = true;
}

static void c_cancel(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	int64_t acc = 0, oid = 0;
	char msg[160];

	GET(wire_get_int64(b, "accountId", true, &acc, &err));
	GET(wire_get_int64(b, "orderId", true, &oid, &err));
	int code = market_cancel(s, acc, oid, msg, sizeof(msg));
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "errorCode", code);
	if (msg[0] != '\0')
		cJSON_AddStringToObject(o, "errorMessage", msg);
	ok_resp(r, o);
	r->wait_seq = s->rec_seq;
	r->events_sent = true;
}

static void c_close(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	int64_t acc = 0;
	char id[SRM_ID_MAX] = "", msg[160];
	int size = 0;

	GET(wire_get_int64(b, "accountId", true, &acc, &err));
	GET(wire_get_string(b, "contractId", true, false, id, sizeof(id), &err));
	GET(wire_get_int(b, "size", false, 0, 1000000, &size, &err));
	int ci = market_find_contract(s, id);
	if (market_find_account(s, acc) == NULL || ci < 0) {
		err_resp(r, 404, "unknown account or contract");
		return;
	}
	int rc = market_close(s, acc, ci, size, msg, sizeof(msg));
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "errorCode", rc == 0 ? 0 : rc == -1 ? 2 : 5);
	if (msg[0] != '\0')
		cJSON_AddStringToObject(o, "errorMessage", msg);
	ok_resp(r, o);
	r->wait_seq = s->rec_seq;
	r->events_sent = true;
}

static void c_quote(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	char id[SRM_ID_MAX] = "";
	double bid = 0, ask = 0, last = PX_NULL;

	GET(wire_get_string(b, "contractId", true, false, id, sizeof(id), &err));
	GET(wire_get_double(b, "bid", true, false, &bid, &err));
	GET(wire_get_double(b, "ask", true, false, &ask, &err));
	GET(wire_get_double(b, "last", false, true, &last, &err));
	int ci = market_find_contract(s, id);
	if (ci < 0) {
		err_resp(r, 404, "unknown contract");
		return;
	}
	if (bid <= 0 || ask < bid) {
		err_resp(r, 400, "expected 0 < bid <= ask");
		return;
	}
	market_set_quote(s, ci, bid, ask, last);
	ok_resp(r, market_quote_json(s, ci));
	r->wait_seq = s->rec_seq;
	r->events_sent = true;
}

static void c_account(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	int64_t acc = 0;
	bool can = false;
	double bal = 0;

	GET(wire_get_int64(b, "accountId", true, &acc, &err));
	GET(wire_get_bool(b, "canTrade", false, &can, &err));
	GET(wire_get_double(b, "balance", false, false, &bal, &err));
	struct px_account *a = market_find_account(s, acc);
	if (a == NULL) {
		err_resp(r, 404, "unknown account");
		return;
	}
	market_set_account(s, a, cJSON_GetObjectItemCaseSensitive(b, "canTrade") ? &can : NULL,
			   cJSON_GetObjectItemCaseSensitive(b, "balance") ? &bal : NULL);
	ok_resp(r, wire_encode_account(a));
	r->wait_seq = s->rec_seq;
	r->events_sent = true;
}

/* Keep a counted fault (http, latency, hub_*): 0, or -1 with the 400 answered. */
static int arm(struct sim *s, const struct sim_fault *f, struct http_resp *r)
{
	if (f->count == 0) {
		err_resp(r, 400, "count: expected a positive integer or -1 (unlimited)");
		return -1;
	}
	if (s->nfaults == SIM_MAX_FAULTS) {
		err_resp(r, 400, "too many faults armed");
		return -1;
	}
	s->faults[s->nfaults++] = *f;
	return 0;
}

static void c_fault(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	char kind[32] = "";
	struct sim_fault f;

	memset(&f, 0, sizeof(f));
	f.count = 1;
	GET(wire_get_string(b, "kind", true, false, kind, sizeof(kind), &err));
	if (strcmp(kind, "http") == 0 || strcmp(kind, "latency") == 0) {
		f.kind = kind[0] == 'h' ? FAULT_HTTP : FAULT_LATENCY;
		GET(wire_get_string(b, "path", false, true, f.path, sizeof(f.path), &err));
		GET(wire_get_int(b, "count", false, -1, 1000000, &f.count, &err));
		if (f.kind == FAULT_HTTP)
			GET(wire_get_int(b, "status", true, 100, 599, &f.status, &err));
		else
			GET(wire_get_int(b, "ms", true, 0, 600000, &f.ms, &err));
		if (arm(s, &f, r) != 0)
			return;
	} else if (strcmp(kind, "hub_refuse") == 0 || strcmp(kind, "hub_silent") == 0) {
		f.kind = kind[4] == 'r' ? FAULT_HUB_REFUSE : FAULT_HUB_SILENT;
		GET(wire_get_string(b, "target", false, true, f.path, sizeof(f.path), &err));
		GET(wire_get_int(b, "count", false, -1, 1000000, &f.count, &err));
		if (arm(s, &f, r) != 0)
			return;
	} else if (strcmp(kind, "drop_hubs") == 0) {
		hub_drop_all(s);
	} else if (strcmp(kind, "garbage_hubs") == 0) {
		hub_send_garbage(s);
	} else if (strcmp(kind, "reject_auth") == 0) {
		GET(wire_get_int(b, "count", false, 1, 1000000, &f.count, &err));
		s->reject_auth = f.count;
	} else if (strcmp(kind, "partial_fills") == 0) {
		f.ms = 500;
		GET(wire_get_int(b, "count", false, 1, 1000000, &f.count, &err));
		GET(wire_get_int(b, "ms", false, 0, 600000, &f.ms, &err));
		s->partial_fills = f.count;
		s->partial_ms = f.ms;
	} else if (strcmp(kind, "refuse_hubs") == 0) {
		GET(wire_get_int(b, "ms", true, 0, 600000, &f.ms, &err));
		s->refuse_hubs_until_ns = sim_mono_ns() + (int64_t)f.ms * 1000000;
		hub_drop_all(s);
	} else if (strcmp(kind, "stall_hubs") == 0) {
		GET(wire_get_int(b, "ms", true, 0, 600000, &f.ms, &err));
		s->stall_until_ns = sim_mono_ns() + (int64_t)f.ms * 1000000;
	} else {
		err_resp(r, 400, "kind: expected http, latency, hub_refuse, hub_silent, drop_hubs, "
			 "refuse_hubs, garbage_hubs, reject_auth, stall_hubs or partial_fills");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", true);
	ok_resp(r, o);
}

static void c_fault_clear(struct sim *s, const cJSON *b, struct http_resp *r)
{
	(void)b;
	s->nfaults = 0;
	s->reject_auth = 0;
	s->stall_until_ns = 0;
	s->refuse_hubs_until_ns = 0;
	s->partial_fills = 0;
	hub_cron(s);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", true);
	ok_resp(r, o);
}

/* The firm's end of day: the floors trail the closing balances. */
static void c_firm_day_end(struct sim *s, const cJSON *b, struct http_resp *r)
{
	(void)b;
	if (s->opt.firm_mll <= 0) {
		err_resp(r, 400, "the simulator does not play the firm (start it with --firm-mll)");
		return;
	}
	market_firm_day_end(s);
	c_state(s, NULL, r);
}

static void c_reset(struct sim *s, const cJSON *b, struct http_resp *r)
{
	(void)b;
	market_reset(s);
	s->nfaults = 0;
	s->reject_auth = 0;
	s->stall_until_ns = 0;
	s->refuse_hubs_until_ns = 0;
	s->partial_fills = 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", true);
	ok_resp(r, o);
}

static void c_flood(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	char id[SRM_ID_MAX] = "", kind[16] = "quote";
	int64_t count = 0, acc = 0;

	GET(wire_get_string(b, "kind", false, false, kind, sizeof(kind), &err));
	GET(wire_get_string(b, "contractId", strcmp(kind, "order") != 0, false, id, sizeof(id),
			    &err));
	GET(wire_get_int64(b, "accountId", strcmp(kind, "order") == 0, &acc, &err));
	GET(wire_get_int64(b, "count", true, &count, &err));
	int ci = id[0] != '\0' ? market_find_contract(s, id) : 0;
	if (ci < 0 || count < 1 || count > 100000000) {
		err_resp(r, 400, "expected a known contractId and 1 <= count <= 1e8");
		return;
	}
	if (strcmp(kind, "order") == 0) {
		if (market_find_account(s, acc) == NULL) {
			err_resp(r, 400, "kind order: expected a known accountId");
			return;
		}
		hub_flood_orders(s, acc, ci, (long)count);
	} else if (strcmp(kind, "quote") == 0) {
		hub_flood(s, ci, (long)count);
	} else {
		err_resp(r, 400, "kind: expected \"quote\" or \"order\"");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "ok", true);
	cJSON_AddNumberToObject(o, "startNs", (double)sim_mono_ns());
	ok_resp(r, o);
}

/* Background quotes: {rate, contracts?: [symbol or id, ...]} (rate 0 stops them). */
static void c_quote_load(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	int64_t rate = 0;
	char list[512] = "", msg[160];
	const cJSON *cs = cJSON_GetObjectItemCaseSensitive(b, "contracts");
	const cJSON *it;

	GET(wire_get_int64(b, "rate", true, &rate, &err));
	if (cs != NULL && !cJSON_IsArray(cs)) {
		err_resp(r, 400, "contracts: expected an array of symbols or contract ids");
		return;
	}
	cJSON_ArrayForEach(it, cs) {
		size_t n = strlen(list);

		if (!cJSON_IsString(it) || n + strlen(it->valuestring) + 2 > sizeof(list)) {
			err_resp(r, 400, "contracts: expected at most 32 symbols or contract ids");
			return;
		}
		snprintf(list + n, sizeof(list) - n, "%s%s", n ? "," : "", it->valuestring);
	}
	if (rate < 0 || rate > SIM_MAX_LOAD_RATE ||
	    market_load_set(s, (int)rate, list, msg, sizeof(msg)) != 0) {
		if (rate < 0 || rate > SIM_MAX_LOAD_RATE)
			snprintf(msg, sizeof(msg), "rate: expected 0..%d quotes per second",
				 SIM_MAX_LOAD_RATE);
		err_resp(r, 400, msg);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "rate", s->load.rate);
	cJSON_AddNumberToObject(o, "contracts", s->load.n);
	cJSON_AddNumberToObject(o, "quotesSent", (double)s->load.total);
	ok_resp(r, o);
}

/* A WebSocket ping to the user-hub connections of {accountId}: {seq} (GET /sim/bench/pings). */
static void c_ping(struct sim *s, const cJSON *b, struct http_resp *r)
{
	struct srm_err err = { 0 };
	int64_t acc = 0, seq;

	GET(wire_get_int64(b, "accountId", true, &acc, &err));
	seq = hub_ping(s, acc);
	if (seq < 0) {
		err_resp(r, 409, "no user-hub connection is subscribed to that account's orders");
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)seq);
	ok_resp(r, o);
}

/* The last SIM_PINGS pings: {pings: [{seq, sentNs, pongNs (null: none yet)}]}, oldest first. */
static void c_pings(struct sim *s, const cJSON *b, struct http_resp *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "pings");
	int64_t first = s->ping_seq > SIM_PINGS ? s->ping_seq - SIM_PINGS + 1 : 1;

	(void)b;
	for (int64_t seq = first; seq <= s->ping_seq; seq++) {
		const struct sim_ping *pg = &s->pings[seq % SIM_PINGS];
		cJSON *e;

		if (pg->seq != seq)
			continue;
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "seq", (double)pg->seq);
		cJSON_AddNumberToObject(e, "sentNs", (double)pg->sent_ns);
		if (pg->pong_ns > 0)
			cJSON_AddNumberToObject(e, "pongNs", (double)pg->pong_ns);
		else
			cJSON_AddNullToObject(e, "pongNs");
		cJSON_AddItemToArray(arr, e);
	}
	ok_resp(r, o);
}

#undef GET

static const struct croute {
	int method;
	const char *path;
	void (*fn)(struct sim *s, const cJSON *b, struct http_resp *r);
} croutes[] = {
	{ SIM_GET, "/sim/state", c_state },
	{ SIM_POST, "/sim/trader/order", c_order },
	{ SIM_POST, "/sim/trader/cancel", c_cancel },
	{ SIM_POST, "/sim/trader/close", c_close },
	{ SIM_POST, "/sim/quote", c_quote },
	{ SIM_POST, "/sim/account", c_account },
	{ SIM_POST, "/sim/fault", c_fault },
	{ SIM_DELETE, "/sim/fault", c_fault_clear },
	{ SIM_POST, "/sim/reset", c_reset },
	{ SIM_POST, "/sim/firm/day-end", c_firm_day_end },
	{ SIM_POST, "/sim/bench/flood", c_flood },
	{ SIM_POST, "/sim/bench/quote-load", c_quote_load },
	{ SIM_POST, "/sim/bench/ping", c_ping },
	{ SIM_GET, "/sim/bench/pings", c_pings },
};

/* Handle one /sim request. */
void control_handle(struct sim *s, int method, const char *path, const char *query,
		    const char *body, size_t len, struct http_resp *r)
{
	if (strcmp(path, "/sim/requests") == 0) {
		if (method != SIM_GET)
			err_resp(r, 405, "GET only");
		else
			c_requests(s, query, r);
		return;
	}
	bool known = false;
	for (size_t i = 0; i < sizeof(croutes) / sizeof(croutes[0]); i++) {
		const struct croute *c = &croutes[i];

		if (strcmp(c->path, path) != 0)
			continue;
		known = true;
		if (c->method != method)
			continue;
		cJSON *j = NULL;
		if (method == SIM_POST && c->fn != c_reset) {
			j = cJSON_ParseWithLength(body, len);
			if (!cJSON_IsObject(j)) {
				cJSON_Delete(j);
				err_resp(r, 400, "expected a JSON object body");
				return;
			}
		}
		c->fn(s, j, r);
		cJSON_Delete(j);
		return;
	}
	err_resp(r, known ? 405 : 404, known ? "method not allowed" : "no such control endpoint");
}
