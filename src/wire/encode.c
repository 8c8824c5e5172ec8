/* encode.c: domain structs -> the gateway's own JSON, and the REST request bodies. */
#include "wire/wire.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"
#include "util/timefmt.h"

/*
 * Every builder returns NULL when an allocation fails (nothing leaks). Absent nullable values
 * (PX_NULL prices, "" tags, 0 timestamps) become JSON null, as the gateway sends them, so that
 * decode(encode(x)) == x.
 */

/*
 * cJSON prints numbers with %1.15g and accepts that when it reads back "close enough", which
 * loses the last digits of ids >= 1e15 and of some decimals. When %1.15g does not round-trip
 * exactly, emit the %1.17g text as a raw value instead (JSON-identical once printed).
 */
static bool add_num(cJSON *o, const char *k, double v)
{
	char buf[40];

	if (isfinite(v)) {
		snprintf(buf, sizeof(buf), "%1.15g", v);
		if (strtod(buf, NULL) != v) {
			snprintf(buf, sizeof(buf), "%1.17g", v);
			return cJSON_AddRawToObject(o, k, buf) != NULL;
		}
	}
	return cJSON_AddNumberToObject(o, k, v) != NULL;
}

static bool add_opt_num(cJSON *o, const char *k, double v)
{
	if (isnan(v))
		return cJSON_AddNullToObject(o, k) != NULL;
	return add_num(o, k, v);
}

static bool add_bool(cJSON *o, const char *k, bool v)
{
	return cJSON_AddBoolToObject(o, k, v) != NULL;
}

/* A string field of a struct: bounded by its array size even if not NUL-terminated. */
static bool add_str(cJSON *o, const char *k, const char *s, size_t cap)
{
	char buf[256];
	size_t n;

	if (s == NULL)
		return false;
	n = strnlen(s, cap < sizeof(buf) ? cap : sizeof(buf));
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return cJSON_AddStringToObject(o, k, buf) != NULL;
}

/* "" (or NULL) -> null. */
static bool add_opt_str(cJSON *o, const char *k, const char *s, size_t cap)
{
	if (s == NULL || s[0] == '\0')
		return cJSON_AddNullToObject(o, k) != NULL;
	return add_str(o, k, s, cap);
}

static bool add_time(cJSON *o, const char *k, srm_ms t)
{
	char buf[48];

	buf[0] = '\0';
	iso_format(t, buf, sizeof(buf));
	return cJSON_AddStringToObject(o, k, buf) != NULL;
}

/* 0 -> null. */
static bool add_opt_time(cJSON *o, const char *k, srm_ms t)
{
	if (t == 0)
		return cJSON_AddNullToObject(o, k) != NULL;
	return add_time(o, k, t);
}

/* Return o, or free it and return NULL when a step failed. */
static cJSON *finish(cJSON *o, bool ok)
{
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

#define STR(o, k, field) add_str(o, k, field, sizeof(field))

/* GatewayUserAccount / TradingAccountModel. */
cJSON *wire_encode_account(const struct px_account *a)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && a != NULL;

	ok = ok && add_num(o, "id", (double)a->id);
	ok = ok && STR(o, "name", a->name);
	ok = ok && add_num(o, "balance", a->balance);
	ok = ok && add_bool(o, "canTrade", a->can_trade);
	ok = ok && add_bool(o, "isVisible", a->is_visible);
	ok = ok && add_bool(o, "simulated", a->simulated);
	return finish(o, ok);
}

/* GatewayUserOrder / OrderModel. */
cJSON *wire_encode_order(const struct px_order *r)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && r != NULL;

	ok = ok && add_num(o, "id", (double)r->id);
	ok = ok && add_num(o, "accountId", (double)r->account_id);
	ok = ok && STR(o, "contractId", r->contract_id);
	ok = ok && STR(o, "symbolId", r->symbol_id);
	ok = ok && add_time(o, "creationTimestamp", r->created);
	ok = ok && add_opt_time(o, "updateTimestamp", r->updated);
	ok = ok && add_num(o, "status", r->status);
	ok = ok && add_num(o, "type", r->type);
	ok = ok && add_num(o, "side", r->side);
	ok = ok && add_num(o, "size", r->size);
	ok = ok && add_opt_num(o, "limitPrice", r->limit_price);
	ok = ok && add_opt_num(o, "stopPrice", r->stop_price);
	ok = ok && add_num(o, "fillVolume", r->fill_volume);
	ok = ok && add_opt_num(o, "filledPrice", r->filled_price);
	ok = ok && add_opt_str(o, "customTag", r->custom_tag, sizeof(r->custom_tag));
	return finish(o, ok);
}

/* GatewayUserPosition / PositionModel. */
cJSON *wire_encode_position(const struct px_position *p)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && p != NULL;

	ok = ok && add_num(o, "id", (double)p->id);
	ok = ok && add_num(o, "accountId", (double)p->account_id);
	ok = ok && STR(o, "contractId", p->contract_id);
	ok = ok && add_time(o, "creationTimestamp", p->created);
	ok = ok && add_num(o, "type", p->type);
	ok = ok && add_num(o, "size", p->size);
	ok = ok && add_num(o, "averagePrice", p->average_price);
	return finish(o, ok);
}

/* GatewayUserTrade / HalfTradeModel. */
cJSON *wire_encode_trade(const struct px_trade *t)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && t != NULL;

	ok = ok && add_num(o, "id", (double)t->id);
	ok = ok && add_num(o, "accountId", (double)t->account_id);
	ok = ok && STR(o, "contractId", t->contract_id);
	ok = ok && add_time(o, "creationTimestamp", t->created);
	ok = ok && add_num(o, "price", t->price);
	ok = ok && add_opt_num(o, "profitAndLoss", t->profit_and_loss);
	ok = ok && add_num(o, "fees", t->fees);
	ok = ok && add_num(o, "side", t->side);
	ok = ok && add_num(o, "size", t->size);
	ok = ok && add_bool(o, "voided", t->voided);
	ok = ok && add_num(o, "orderId", (double)t->order_id);
	return finish(o, ok);
}

/* ContractModel. */
cJSON *wire_encode_contract(const struct px_contract *c)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && c != NULL;

	ok = ok && STR(o, "id", c->id);
	ok = ok && STR(o, "name", c->name);
	ok = ok && STR(o, "description", c->description);
	ok = ok && add_num(o, "tickSize", c->tick_size);
	ok = ok && add_num(o, "tickValue", c->tick_value);
	ok = ok && add_bool(o, "activeContract", c->active);
	ok = ok && STR(o, "symbolId", c->symbol_id);
	return finish(o, ok);
}

/* The `data` object of GatewayQuote (the contract id travels as the first argument). */
cJSON *wire_encode_quote(const struct px_quote *q)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL && q != NULL;

	ok = ok && STR(o, "symbol", q->symbol);
	ok = ok && add_opt_num(o, "lastPrice", q->last_price);
	ok = ok && add_opt_num(o, "bestBid", q->best_bid);
	ok = ok && add_opt_num(o, "bestAsk", q->best_ask);
	ok = ok && add_opt_time(o, "lastUpdated", q->timestamp);
	ok = ok && add_opt_time(o, "timestamp", q->timestamp);
	return finish(o, ok);
}

#undef STR

/* Unbounded (caller's C string) string fields of request bodies: NULL fails the builder. */
static bool add_cstr(cJSON *o, const char *k, const char *s)
{
	return s != NULL && cJSON_AddStringToObject(o, k, s) != NULL;
}

/* POST /api/Auth/loginKey {"userName","apiKey"}. */
cJSON *wire_req_login_key(const char *user, const char *api_key)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_cstr(o, "userName", user);
	ok = ok && add_cstr(o, "apiKey", api_key);
	return finish(o, ok);
}

/* POST /api/Account/search {"onlyActiveAccounts"}. */
cJSON *wire_req_account_search(bool only_active)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_bool(o, "onlyActiveAccounts", only_active);
	return finish(o, ok);
}

/* {"accountId"}: Order/searchOpen, Position/searchOpen. */
cJSON *wire_req_account_id(int64_t account_id)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_num(o, "accountId", (double)account_id);
	return finish(o, ok);
}

/* POST /api/Contract/searchById {"contractId"}. */
cJSON *wire_req_contract_by_id(const char *contract_id)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_cstr(o, "contractId", contract_id);
	return finish(o, ok);
}

/* {"accountId","startTimestamp"(always: docs mark it required),"endTimestamp"(when non-zero)}. */
static cJSON *req_search(int64_t account_id, srm_ms start, srm_ms end)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_num(o, "accountId", (double)account_id);
	ok = ok && add_time(o, "startTimestamp", start);
	if (end != 0)
		ok = ok && add_time(o, "endTimestamp", end);
	return finish(o, ok);
}

/* POST /api/Trade/search. */
cJSON *wire_req_trade_search(int64_t account_id, srm_ms start, srm_ms end)
{
	return req_search(account_id, start, end);
}

/* POST /api/Order/search. */
cJSON *wire_req_order_search(int64_t account_id, srm_ms start, srm_ms end)
{
	return req_search(account_id, start, end);
}

/* POST /api/Position/closeContract {"accountId","contractId"}. */
cJSON *wire_req_close_contract(int64_t account_id, const char *contract_id)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_num(o, "accountId", (double)account_id);
	ok = ok && add_cstr(o, "contractId", contract_id);
	return finish(o, ok);
}

/* POST /api/Position/partialCloseContract {"accountId","contractId","size"}. */
cJSON *wire_req_partial_close(int64_t account_id, const char *contract_id, int size)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_num(o, "accountId", (double)account_id);
	ok = ok && add_cstr(o, "contractId", contract_id);
	ok = ok && add_num(o, "size", size);
	return finish(o, ok);
}

/* POST /api/Order/cancel {"accountId","orderId"}. */
cJSON *wire_req_cancel(int64_t account_id, int64_t order_id)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_num(o, "accountId", (double)account_id);
	ok = ok && add_num(o, "orderId", (double)order_id);
	return finish(o, ok);
}

/* POST /api/Order/place: prices PX_NULL -> null, custom_tag NULL or "" -> null. */
cJSON *wire_req_place(int64_t account_id, const char *contract_id, int type, int side, int size,
		      double limit_price, double stop_price, const char *custom_tag)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_num(o, "accountId", (double)account_id);
	ok = ok && add_cstr(o, "contractId", contract_id);
	ok = ok && add_num(o, "type", type);
	ok = ok && add_num(o, "side", side);
	ok = ok && add_num(o, "size", size);
	ok = ok && add_opt_num(o, "limitPrice", limit_price);
	ok = ok && add_opt_num(o, "stopPrice", stop_price);
	if (custom_tag == NULL || custom_tag[0] == '\0')
		ok = ok && cJSON_AddNullToObject(o, "customTag") != NULL;
	else
		ok = ok && add_cstr(o, "customTag", custom_tag);
	return finish(o, ok);
}

/* POST /api/Order/modify {"accountId","orderId","size","limitPrice","stopPrice"}. */
cJSON *wire_req_modify(int64_t account_id, int64_t order_id, int size, double limit_price,
		       double stop_price)
{
	cJSON *o = cJSON_CreateObject();
	bool ok = o != NULL;

	ok = ok && add_num(o, "accountId", (double)account_id);
	ok = ok && add_num(o, "orderId", (double)order_id);
	ok = ok && add_num(o, "size", size);
	ok = ok && add_opt_num(o, "limitPrice", limit_price);
	ok = ok && add_opt_num(o, "stopPrice", stop_price);
	return finish(o, ok);
}

/* ---- the one-line JSON form of an action (`srm replay`, the CLI's events) ---- */

/* Append a JSON string (quoted, escaped) to buf at *len. */
static void act_put_str(char *buf, size_t cap, size_t *len, const char *s)
{
	if (*len < cap)
		buf[(*len)++] = '"';
	for (; *s && *len + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[(*len)++] = '\\';
			buf[(*len)++] = (char)c;
		} else if (c < 0x20) {
			*len += (size_t)snprintf(buf + *len, cap - *len, "\\u%04x", c);
		} else {
			buf[(*len)++] = (char)c;
		}
	}
	if (*len < cap)
		buf[(*len)++] = '"';
}

static void act_put_raw(char *buf, size_t cap, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void act_put_raw(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n < cap - *len ? (size_t)n : cap - *len;
}

int action_to_json(const struct srm_action *a, char *buf, size_t cap)
{
	char ts[40];
	size_t len = 0;

	if (cap < 64)
		return -1;
	iso_format_short(a->ts, ts, sizeof(ts));
	act_put_raw(buf, cap, &len, "{\"ts\":\"%s\",\"accountId\":%" PRId64 ",\"rule\":\"%s\",\"action\":\"%s\"",
		ts, a->account_id, rule_id_name(a->rule), act_kind_name(a->kind));
	if (a->contract_id[0] != '\0') {
		act_put_raw(buf, cap, &len, ",\"contractId\":");
		act_put_str(buf, cap, &len, a->contract_id);
	}
	if (a->symbol[0] != '\0') {
		act_put_raw(buf, cap, &len, ",\"symbol\":");
		act_put_str(buf, cap, &len, a->symbol);
	}
	if (a->order_id != 0)
		act_put_raw(buf, cap, &len, ",\"orderId\":%" PRId64, a->order_id);
	if (a->size != 0)
		act_put_raw(buf, cap, &len, ",\"size\":%d", a->size);
	if (a->kind == ACT_PLACE_STOP)
		act_put_raw(buf, cap, &len, ",\"side\":%d", a->side);
	if (!isnan(a->stop_price) && (a->kind == ACT_PLACE_STOP || a->kind == ACT_MODIFY_STOP))
		act_put_raw(buf, cap, &len, ",\"stopPrice\":%.10g", a->stop_price);
	if (a->kind == ACT_LOCKOUT) {
		if (a->until == UNTIL_TIME) {
			char u[40];

			act_put_raw(buf, cap, &len, ",\"until\":\"%s\"", iso_format_short(a->until_ts, u, sizeof(u)));
		} else if (a->until == UNTIL_RESET) {
			act_put_raw(buf, cap, &len, ",\"until\":\"reset\"");
		} else if (a->until == UNTIL_PERMANENT) {
			act_put_raw(buf, cap, &len, ",\"until\":\"permanent\"");
		}
	}
	if (a->dry_run)
		act_put_raw(buf, cap, &len, ",\"dryRun\":true");
	act_put_raw(buf, cap, &len, ",\"reason\":");
	act_put_str(buf, cap, &len, a->reason);
	act_put_raw(buf, cap, &len, "}");
	if (len >= cap)
		return -1;
	buf[len] = '\0';
	return (int)len;
}
