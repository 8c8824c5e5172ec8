/*
 * rest.c: srm-sim's /api/... endpoints (API reference §2-§8): the envelope, per-endpoint error
 * codes, HTTP 400 (ProblemDetails, as ASP.NET answers malformed or invalid bodies), 401
 * (bearer), 429 (rate limit). Request fields are read with wire_get_*; models written with
 * wire_encode_*.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/sim.h"
#include "util/err.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "wire/wire.h"

/* Print and free a JSON value; never NULL (an allocation failure aborts in xstrdup). */
char *json_print(cJSON *j)
{
	char *txt = j != NULL ? cJSON_PrintUnformatted(j) : NULL;
	char *out = xstrdup(txt != NULL ? txt : "null");

	cJSON_free(txt);
	cJSON_Delete(j);
	return out;
}

/* The REST envelope after the payload fields: {...payload, success, errorCode, errorMessage}. */
char *json_envelope(cJSON *o, int code, const char *msg)
{
	if (o == NULL)
		o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "success", code == 0);
	cJSON_AddNumberToObject(o, "errorCode", code);
	if (msg != NULL && msg[0] != '\0')
		cJSON_AddStringToObject(o, "errorMessage", msg);
	else
		cJSON_AddNullToObject(o, "errorMessage");
	return json_print(o);
}

/* ASP.NET's ProblemDetails for a 400 (model binding / validation failure). */
static void bad_request(struct http_resp *r, const char *field, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *errs = cJSON_AddObjectToObject(o, "errors");
	cJSON *arr = cJSON_AddArrayToObject(errs, field[0] != '\0' ? field : "$");

	cJSON_AddItemToArray(arr, cJSON_CreateString(msg));
	cJSON_AddStringToObject(o, "type", "https://tools.ietf.org/html/rfc9110#section-15.5.1");
	cJSON_AddStringToObject(o, "title", "One or more validation errors occurred.");
	cJSON_AddNumberToObject(o, "status", 400);
	r->status = 400;
	r->ctype = "application/problem+json; charset=utf-8";
	free(r->body);
	r->body = json_print(o);
}

static void ok_env(struct http_resp *r, cJSON *payload, int code, const char *msg)
{
	r->status = 200;
	r->body = json_envelope(payload, code, msg);
}

struct rctx {
	const char *token;
	const cJSON *body;
	struct srm_err err;
};

/* Read a field; on a type error answer 400 and return -1. */
#define GET(call, field)                                              \
	do {                                                          \
		if ((call) != 0) {                                    \
			bad_request(r, field, x->err.msg);            \
			return;                                       \
		}                                                     \
	} while (0)

static void h_login(struct sim *s, struct rctx *x, struct http_resp *r)
{
	char user[256] = "", key[512] = "";

	GET(wire_get_string(x->body, "userName", true, false, user, sizeof(user), &x->err),
	    "userName");
	GET(wire_get_string(x->body, "apiKey", true, false, key, sizeof(key), &x->err), "apiKey");
	cJSON *o = cJSON_CreateObject();
	if (s->reject_auth > 0 || strcmp(user, s->opt.user) != 0 || strcmp(key, s->opt.key) != 0) {
		if (s->reject_auth > 0)
			s->reject_auth--;
		cJSON_AddNullToObject(o, "token");
		ok_env(r, o, 3, NULL);
		return;
	}
	cJSON_AddStringToObject(o, "token", auth_issue(s));
	ok_env(r, o, 0, NULL);
}

static void h_login_app(struct sim *s, struct rctx *x, struct http_resp *r)
{
	cJSON *o = cJSON_CreateObject();

	(void)s;
	(void)x;
	cJSON_AddNullToObject(o, "token");
	ok_env(r, o, 4, NULL); /* AppNotFound: the simulator knows no applications */
}

static void h_validate(struct sim *s, struct rctx *x, struct http_resp *r)
{
	cJSON *o = cJSON_CreateObject();

	(void)x;
	cJSON_AddStringToObject(o, "newToken", auth_issue(s));
	ok_env(r, o, 0, NULL);
}

static void h_logout(struct sim *s, struct rctx *x, struct http_resp *r)
{
	auth_revoke(s, x->token);
	ok_env(r, NULL, 0, NULL);
}

static void h_account_search(struct sim *s, struct rctx *x, struct http_resp *r)
{
	bool only_active = false;

	GET(wire_get_bool(x->body, "onlyActiveAccounts", true, &only_active, &x->err),
	    "onlyActiveAccounts");
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "accounts");
	for (int i = 0; i < s->naccounts; i++)
		if (!only_active || s->accounts[i].is_visible)
			cJSON_AddItemToArray(arr, wire_encode_account(&s->accounts[i]));
	ok_env(r, o, 0, NULL);
}

static bool contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (n == 0)
		return true;
	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

static void h_contract_search(struct sim *s, struct rctx *x, struct http_resp *r)
{
	char text[128] = "";
	bool live = false;

	GET(wire_get_string(x->body, "searchText", false, true, text, sizeof(text), &x->err),
	    "searchText");
	GET(wire_get_bool(x->body, "live", false, &live, &x->err), "live");
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "contracts");
	int n = 0;
	for (int i = 0; i < s->ncontracts && n < 20; i++) {
		const struct sim_contract *c = &s->contracts[i];

		if (contains_ci(c->c.name, text) || contains_ci(c->c.description, text) ||
		    contains_ci(c->c.id, text)) {
			cJSON_AddItemToArray(arr, wire_encode_contract(&c->c));
			n++;
		}
	}
	ok_env(r, o, 0, NULL);
}

static void h_contract_by_id(struct sim *s, struct rctx *x, struct http_resp *r)
{
	char id[SRM_ID_MAX] = "";

	GET(wire_get_string(x->body, "contractId", true, false, id, sizeof(id), &x->err),
	    "contractId");
	int ci = market_find_contract(s, id);
	cJSON *o = cJSON_CreateObject();
	if (ci < 0) {
		cJSON_AddNullToObject(o, "contract");
		ok_env(r, o, 1, "Contract not found");
		return;
	}
	cJSON_AddItemToObject(o, "contract", wire_encode_contract(&s->contracts[ci].c));
	ok_env(r, o, 0, NULL);
}

static void h_contract_available(struct sim *s, struct rctx *x, struct http_resp *r)
{
	bool live = false;

	GET(wire_get_bool(x->body, "live", true, &live, &x->err), "live");
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "contracts");
	for (int i = 0; i < s->ncontracts; i++)
		cJSON_AddItemToArray(arr, wire_encode_contract(&s->contracts[i].c));
	ok_env(r, o, 0, NULL);
}

/* History/retrieveBars: validated as documented; the simulator keeps no history (bars: []). */
static void h_bars(struct sim *s, struct rctx *x, struct http_resp *r)
{
	char id[SRM_ID_MAX] = "";
	int unit = 0, unit_number = 0, limit = 0;
	srm_ms start = 0, end = 0;
	bool live = false, partial = false;

	GET(wire_get_string(x->body, "contractId", true, false, id, sizeof(id), &x->err),
	    "contractId");
	GET(wire_get_bool(x->body, "live", true, &live, &x->err), "live");
	GET(wire_get_time(x->body, "startTime", true, &start, &x->err), "startTime");
	GET(wire_get_time(x->body, "endTime", true, &end, &x->err), "endTime");
	GET(wire_get_int(x->body, "unit", true, -1000000, 1000000, &unit, &x->err), "unit");
	GET(wire_get_int(x->body, "unitNumber", true, -1000000, 1000000, &unit_number, &x->err),
	    "unitNumber");
	GET(wire_get_int(x->body, "limit", true, -1000000, 1000000, &limit, &x->err), "limit");
	GET(wire_get_bool(x->body, "includePartialBar", true, &partial, &x->err),
	    "includePartialBar");
	cJSON *o = cJSON_CreateObject();
	int code = 0;
	if (market_find_contract(s, id) < 0)
		code = 1;
	else if (unit < 1 || unit > 6)
		code = 2;
	else if (unit_number < 1)
		code = 3;
	else if (limit < 1 || limit > 20000)
		code = 4;
	if (code != 0)
		cJSON_AddNullToObject(o, "bars");
	else
		cJSON_AddArrayToObject(o, "bars");
	ok_env(r, o, code, NULL);
}

static int get_bracket(struct rctx *x, const char *name, int *ticks, int *type)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(x->body, name);

	*ticks = 0;
	*type = 0;
	if (b == NULL || cJSON_IsNull(b))
		return 0;
	if (!cJSON_IsObject(b))
		return srm_err_set(&x->err, SRM_EINVAL, "field '%s': expected an object", name);
	if (wire_get_int(b, "ticks", true, -100000, 100000, ticks, &x->err) != 0 ||
	    wire_get_int(b, "type", true, 0, 7, type, &x->err) != 0)
		return -1;
	return 0;
}

static void h_order_place(struct sim *s, struct rctx *x, struct http_resp *r)
{
	struct order_req q;
	char msg[160];
	int64_t id = 0;
	int64_t ignored = 0;

	memset(&q, 0, sizeof(q));
	q.limit_price = q.stop_price = q.trail_price = PX_NULL;
	GET(wire_get_int64(x->body, "accountId", true, &q.account_id, &x->err), "accountId");
	GET(wire_get_string(x->body, "contractId", true, false, q.contract_id,
			    sizeof(q.contract_id), &x->err), "contractId");
	GET(wire_get_int(x->body, "type", true, -1000000, 1000000, &q.type, &x->err), "type");
	GET(wire_get_int(x->body, "side", true, -1000000, 1000000, &q.side, &x->err), "side");
	GET(wire_get_int(x->body, "size", true, -1000000000, 1000000000, &q.size, &x->err), "size");
	GET(wire_get_double(x->body, "limitPrice", false, true, &q.limit_price, &x->err),
	    "limitPrice");
	GET(wire_get_double(x->body, "stopPrice", false, true, &q.stop_price, &x->err), "stopPrice");
	GET(wire_get_double(x->body, "trailPrice", false, true, &q.trail_price, &x->err),
	    "trailPrice");
	GET(wire_get_string(x->body, "customTag", false, true, q.custom_tag, sizeof(q.custom_tag),
			    &x->err), "customTag");
	GET(wire_get_int64(x->body, "linkedOrderId", false, &ignored, &x->err), "linkedOrderId");
	GET(get_bracket(x, "stopLossBracket", &q.sl_ticks, &q.sl_type), "stopLossBracket");
	GET(get_bracket(x, "takeProfitBracket", &q.tp_ticks, &q.tp_type), "takeProfitBracket");
	if (q.sl_type == 0 && q.sl_ticks != 0)
		q.sl_type = PX_OT_STOP;
	if (q.tp_type == 0 && q.tp_ticks != 0)
		q.tp_type = PX_OT_LIMIT;
	int code = market_place(s, &q, &id, msg, sizeof(msg));
	cJSON *o = cJSON_CreateObject();
	if (code == 0)
		cJSON_AddNumberToObject(o, "orderId", (double)id);
	else
		cJSON_AddNullToObject(o, "orderId");
	ok_env(r, o, code, msg);
}

static void h_order_cancel(struct sim *s, struct rctx *x, struct http_resp *r)
{
	int64_t acc = 0, oid = 0;
	char msg[160];

	GET(wire_get_int64(x->body, "accountId", true, &acc, &x->err), "accountId");
	GET(wire_get_int64(x->body, "orderId", true, &oid, &x->err), "orderId");
	int code = market_cancel(s, acc, oid, msg, sizeof(msg));
	ok_env(r, NULL, code, msg);
}

static void h_order_modify(struct sim *s, struct rctx *x, struct http_resp *r)
{
	int64_t acc = 0, oid = 0;
	int size = 0;
	double limit = PX_NULL, stop = PX_NULL, trail = PX_NULL;
	char msg[160];

	GET(wire_get_int64(x->body, "accountId", true, &acc, &x->err), "accountId");
	GET(wire_get_int64(x->body, "orderId", true, &oid, &x->err), "orderId");
	const cJSON *sz = cJSON_GetObjectItemCaseSensitive(x->body, "size");
	if (sz != NULL && !cJSON_IsNull(sz))
		GET(wire_get_int(x->body, "size", false, -1000000000, 1000000000, &size, &x->err),
		    "size");
	GET(wire_get_double(x->body, "limitPrice", false, true, &limit, &x->err), "limitPrice");
	GET(wire_get_double(x->body, "stopPrice", false, true, &stop, &x->err), "stopPrice");
	GET(wire_get_double(x->body, "trailPrice", false, true, &trail, &x->err), "trailPrice");
	int code = market_modify(s, acc, oid, size, limit, stop, msg, sizeof(msg));
	ok_env(r, NULL, code, msg);
}

/* Order/search, Order/searchOpen, Order/searchById. */
static void order_list(struct sim *s, struct rctx *x, struct http_resp *r, int mode)
{
	int64_t acc = 0, oid = 0;
	srm_ms start = 0, end = 0;

	GET(wire_get_int64(x->body, "accountId", true, &acc, &x->err), "accountId");
	if (mode == 0) {
		GET(wire_get_time(x->body, "startTimestamp", true, &start, &x->err),
		    "startTimestamp");
		GET(wire_get_time(x->body, "endTimestamp", false, &end, &x->err), "endTimestamp");
	}
	if (mode == 2)
		GET(wire_get_int64(x->body, "orderId", true, &oid, &x->err), "orderId");
	cJSON *o = cJSON_CreateObject();
	if (market_find_account(s, acc) == NULL) {
		cJSON_AddNullToObject(o, mode == 2 ? "order" : "orders");
		ok_env(r, o, 1, "Account not found");
		return;
	}
	if (mode == 2) {
		struct sim_order *so = market_find_order(s, oid);

		if (so == NULL || so->o.account_id != acc) {
			cJSON_AddNullToObject(o, "order");
			ok_env(r, o, 1, "Order not found");
			return;
		}
		cJSON_AddItemToObject(o, "order", wire_encode_order(&so->o));
		ok_env(r, o, 0, NULL);
		return;
	}
	cJSON *arr = cJSON_AddArrayToObject(o, "orders");
	for (size_t i = 0; i < s->norders; i++) {
		const struct px_order *po = &s->orders[i].o;

		if (po->account_id != acc)
			continue;
		if (mode == 1 && po->status != PX_OS_OPEN)
			continue;
		if (mode == 0 && (po->created < start || (end != 0 && po->created > end)))
			continue;
		cJSON_AddItemToArray(arr, wire_encode_order(po));
	}
	ok_env(r, o, 0, NULL);
}

static void h_order_search(struct sim *s, struct rctx *x, struct http_resp *r)
{
	order_list(s, x, r, 0);
}

static void h_order_open(struct sim *s, struct rctx *x, struct http_resp *r)
{
	order_list(s, x, r, 1);
}

static void h_order_by_id(struct sim *s, struct rctx *x, struct http_resp *r)
{
	order_list(s, x, r, 2);
}

static void h_position_open(struct sim *s, struct rctx *x, struct http_resp *r)
{
	int64_t acc = 0;

	GET(wire_get_int64(x->body, "accountId", true, &acc, &x->err), "accountId");
	cJSON *o = cJSON_CreateObject();
	if (market_find_account(s, acc) == NULL) {
		cJSON_AddNullToObject(o, "positions");
		ok_env(r, o, 1, "Account not found");
		return;
	}
	cJSON *arr = cJSON_AddArrayToObject(o, "positions");
	for (int i = 0; i < SIM_MAX_POSITIONS; i++)
		if (s->positions[i].used && s->positions[i].p.account_id == acc)
			cJSON_AddItemToArray(arr, wire_encode_position(&s->positions[i].p));
	ok_env(r, o, 0, NULL);
}

/* closeContract and partialCloseContract (their error enums differ, API reference §6). */
static void close_common(struct sim *s, struct rctx *x, struct http_resp *r, bool partial)
{
	int64_t acc = 0;
	char id[SRM_ID_MAX] = "", msg[160];
	int size = 0;

	GET(wire_get_int64(x->body, "accountId", true, &acc, &x->err), "accountId");
	GET(wire_get_string(x->body, "contractId", true, false, id, sizeof(id), &x->err),
	    "contractId");
	if (partial)
		GET(wire_get_int(x->body, "size", true, -1000000000, 1000000000, &size, &x->err),
		    "size");
	if (market_find_account(s, acc) == NULL) {
		ok_env(r, NULL, 1, "Account not found");
		return;
	}
	int ci = market_find_contract(s, id);
	if (ci < 0) {
		ok_env(r, NULL, 3, "Contract not found");
		return;
	}
	if (partial && size <= 0) {
		ok_env(r, NULL, 5, "Invalid close size");
		return;
	}
	int rc = market_close(s, acc, ci, size, msg, sizeof(msg));
	if (rc == -1)
		ok_env(r, NULL, 2, msg);
	else if (rc == -2)
		ok_env(r, NULL, 5, msg);
	else if (rc != 0)
		ok_env(r, NULL, partial ? 8 : 7, msg);
	else
		ok_env(r, NULL, 0, NULL);
}

static void h_close(struct sim *s, struct rctx *x, struct http_resp *r)
{
	close_common(s, x, r, false);
}

static void h_partial_close(struct sim *s, struct rctx *x, struct http_resp *r)
{
	close_common(s, x, r, true);
}

static void h_trade_search(struct sim *s, struct rctx *x, struct http_resp *r)
{
	int64_t acc = 0;
	srm_ms start = 0, end = 0;

	GET(wire_get_int64(x->body, "accountId", true, &acc, &x->err), "accountId");
	GET(wire_get_time(x->body, "startTimestamp", false, &start, &x->err), "startTimestamp");
	GET(wire_get_time(x->body, "endTimestamp", false, &end, &x->err), "endTimestamp");
	cJSON *o = cJSON_CreateObject();
	if (market_find_account(s, acc) == NULL) {
		cJSON_AddNullToObject(o, "trades");
		ok_env(r, o, 1, "Account not found");
		return;
	}
	cJSON *arr = cJSON_AddArrayToObject(o, "trades");
	for (size_t i = 0; i < s->ntrades; i++) {
		const struct px_trade *t = &s->trades[i];

		if (t->account_id != acc || t->created < start || (end != 0 && t->created > end))
			continue;
		cJSON_AddItemToArray(arr, wire_encode_trade(t));
	}
	ok_env(r, o, 0, NULL);
}

#undef GET

static const struct route {
	const char *path;
	int method;
	bool auth;
	void (*fn)(struct sim *s, struct rctx *x, struct http_resp *r);
} routes[] = {
	{ "/api/Auth/loginKey", SIM_POST, false, h_login },
	{ "/api/Auth/loginApp", SIM_POST, false, h_login_app },
	{ "/api/Auth/validate", SIM_POST, true, h_validate },
	{ "/api/Auth/logout", SIM_POST, true, h_logout },
	{ "/api/Account/search", SIM_POST, true, h_account_search },
	{ "/api/Contract/search", SIM_POST, true, h_contract_search },
	{ "/api/Contract/searchById", SIM_POST, true, h_contract_by_id },
	{ "/api/Contract/available", SIM_POST, true, h_contract_available },
	{ "/api/History/retrieveBars", SIM_POST, true, h_bars },
	{ "/api/Order/place", SIM_POST, true, h_order_place },
	{ "/api/Order/cancel", SIM_POST, true, h_order_cancel },
	{ "/api/Order/modify", SIM_POST, true, h_order_modify },
	{ "/api/Order/search", SIM_POST, true, h_order_search },
	{ "/api/Order/searchOpen", SIM_POST, true, h_order_open },
	{ "/api/Order/searchById", SIM_POST, true, h_order_by_id },
	{ "/api/Position/searchOpen", SIM_POST, true, h_position_open },
	{ "/api/Position/closeContract", SIM_POST, true, h_close },
	{ "/api/Position/partialCloseContract", SIM_POST, true, h_partial_close },
	{ "/api/Trade/search", SIM_POST, true, h_trade_search },
	{ "/api/Status/ping", SIM_GET, false, NULL },
};

/* Endpoints that need no request body (the bearer token identifies the session). */
static bool bodyless(const struct route *rt)
{
	return rt->fn == h_validate || rt->fn == h_logout || rt->fn == NULL;
}

/* Handle one /api request; fills r (status, body). */
void rest_handle(struct sim *s, int method, const char *path, const char *auth_header,
		 const char *body, size_t len, struct http_resp *r)
{
	const struct route *rt = NULL;
	struct rctx x;
	cJSON *j = NULL;

	memset(&x, 0, sizeof(x));
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (str_eq_ci(routes[i].path, path))
			rt = &routes[i];
	if (rt == NULL) {
		r->status = 404;
		return;
	}
	if (rt->method != method) {
		r->status = 405;
		return;
	}
	if (!auth_rate_ok(s, rt->fn == h_bars)) {
		r->status = 429;
		return;
	}
	if (rt->fn == NULL) { /* Status/ping */
		r->status = 200;
		r->ctype = "text/plain; charset=utf-8";
		r->body = xstrdup("pong");
		return;
	}
	if (rt->auth) {
		if (auth_header != NULL && strncasecmp(auth_header, "Bearer ", 7) == 0)
			x.token = auth_header + 7;
		while (x.token != NULL && *x.token == ' ')
			x.token++;
		if (s->reject_auth > 0) {
			s->reject_auth--;
			r->status = 401;
			return;
		}
		if (auth_check(s, x.token) != AUTH_OK) {
			r->status = 401;
			return;
		}
	}
	if (len == 0 && bodyless(rt)) {
		j = cJSON_CreateObject();
	} else {
		if (len == 0) {
			bad_request(r, "", "A non-empty request body is required.");
			return;
		}
		j = cJSON_ParseWithLength(body, len);
		if (j == NULL) {
			bad_request(r, "$", "The JSON value could not be converted.");
			return;
		}
		if (!cJSON_IsObject(j)) {
			cJSON_Delete(j);
			bad_request(r, "$", "The JSON value could not be converted: expected an object.");
			return;
		}
	}
	x.body = j;
	rt->fn(s, &x, r);
	cJSON_Delete(j);
}
