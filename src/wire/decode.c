/* decode.c: ProjectX JSON -> domain structs, with an explicit type and range check per field. */
#include "wire/wire.h"

#include "wire/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/strutil.h"
#include "util/timefmt.h"

/*
 * Conventions of the wire_get_* helpers (also used by IPC and the simulator):
 * - obj must be a JSON object; field names are case-sensitive (first duplicate wins).
 * - An absent optional field leaves *out untouched and returns 0 (callers preset defaults).
 * - A JSON null is accepted only where the helper is nullable: doubles -> PX_NULL,
 *   strings -> "", optional timestamps -> 0.
 * - Messages read "field 'x': expected <what>, got <what>" or "missing field 'x'"; the model
 *   decoders prefix them with the event name ("GatewayUserTrade: ").
 * Numbers come through their double value (cJSON's valueint saturates) and must be finite; ids and
 * ints must be integral and within range; decimals within +-WIRE_NUM_MAX.
 */

#define WIRE_NUM_MAX 1e12                 /* no price, balance or fee is ever this large */
#define WIRE_ID_MAX 9007199254740992.0    /* 2^53: the largest exactly representable id */
#define WIRE_TIME_MAX 64                  /* longest timestamp string we try to parse */

#define NAME_ACCOUNT "GatewayUserAccount"
#define NAME_ORDER "GatewayUserOrder"
#define NAME_POSITION "GatewayUserPosition"
#define NAME_TRADE "GatewayUserTrade"
#define NAME_QUOTE "GatewayQuote"
#define NAME_CONTRACT "Contract"

static const struct {
	enum ev_kind kind;
	const char *name;
} kind_names[] = {
	{ EV_ACCOUNT, NAME_ACCOUNT },
	{ EV_ORDER, NAME_ORDER },
	{ EV_POSITION, NAME_POSITION },
	{ EV_TRADE, NAME_TRADE },
	{ EV_QUOTE, NAME_QUOTE },
	{ EV_CONTRACT, NAME_CONTRACT },
	{ EV_TIMER, "Timer" },
};

/* Map a hub target / replay event name to a kind: "GatewayUserTrade" -> EV_TRADE; -1 if unknown. */
int wire_event_kind(const char *name, enum ev_kind *out)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
		if (kind_names[i].kind == EV_TIMER)
			continue; /* not a gateway event */
		if (strcmp(kind_names[i].name, name) == 0) {
			if (out != NULL)
				*out = kind_names[i].kind;
			return 0;
		}
	}
	return -1;
}

/* The gateway's name of a kind ("GatewayUserOrder", ..., "Contract"). */
const char *wire_event_name(enum ev_kind k)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (kind_names[i].kind == k)
			return kind_names[i].name;
	return "unknown";
}

/* Describe what a JSON value is, for "got <what>": numbers by value, others by type. */
static const char *describe(const struct wj *j, char *buf, size_t cap)
{
	if (j == NULL || j->t == WJ_ABSENT)
		return "nothing";
	if (j->t == WJ_NUMBER) {
		double v = j->num;

		if (isfinite(v) && v == floor(v) && fabs(v) < 1e17)
			snprintf(buf, cap, "%.0f", v);
		else
			snprintf(buf, cap, "%.15g", v);
		return buf;
	}
	switch (j->t) {
	case WJ_STRING:
		return "string";
	case WJ_NULL:
		return "null";
	case WJ_FALSE:
	case WJ_TRUE:
		return "boolean";
	case WJ_OBJECT:
		return "object";
	case WJ_ARRAY:
		return "array";
	default:
		return "invalid value";
	}
}

/* A printable, bounded copy of an untrusted string for messages (non-ASCII -> '?'). */
static void sanitize(const char *s, char *buf, size_t cap)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '"')
			buf[i] = s[i];
		else
			buf[i] = '?';
	}
	buf[i] = '\0';
	if (s[i] != '\0' && cap > 4)
		memcpy(buf + cap - 4, "...", 4);
}

static int type_err(struct srm_err *err, const char *field, const char *expected,
		    const struct wj *got)
{
	char buf[48];

	return srm_err_set(err, SRM_EINVAL, "field '%s': expected %s, got %s", field, expected,
			   describe(got, buf, sizeof(buf)));
}

/*
 * Find field in obj. Returns 1 and sets *item when present, 0 when absent and optional,
 * -1 (with a message) when absent and required or when obj is not an object.
 */
static int member(const struct wj *obj, const char *field, bool required, struct wj *item,
		  struct srm_err *err)
{
	char buf[48];

	wj_clear(item);
	if (obj->t != WJ_OBJECT)
		return srm_err_set(err, SRM_EINVAL, "expected an object, got %s",
				   describe(obj, buf, sizeof(buf)));
	if (field == NULL)
		return srm_err_set(err, SRM_EINVAL, "no field name given");
	if (wj_member(obj, field, item))
		return 1;
	if (required)
		return srm_err_set(err, SRM_EMISSING, "missing field '%s'", field);
	return 0;
}

/* An integral number within [min, max]; what is "an integer" or "an integer id". */
static int get_integral(const struct wj *obj, const char *field, bool required, double min,
			double max, const char *what, double *out, struct srm_err *err)
{
	struct wj it;
	int r = member(obj, field, required, &it, err);
	char buf[48];

	if (r <= 0)
		return r;
	if (it.t != WJ_NUMBER)
		return type_err(err, field, what, &it);
	double v = it.num;
	if (!isfinite(v) || v != floor(v))
		return type_err(err, field, what, &it);
	if (v < min || v > max)
		return srm_err_set(err, SRM_EINVAL, "field '%s': expected %s in %.0f..%.0f, got %s",
				   field, what, min, max, describe(&it, buf, sizeof(buf)));
	*out = v;
	return 1;
}

/* Read an int64 id (integral, within +-2^53) through the double value. */
static int get_int64(const struct wj *obj, const char *field, bool required, int64_t *out,
		     struct srm_err *err)
{
	double v = 0;
	int r = get_integral(obj, field, required, -WIRE_ID_MAX, WIRE_ID_MAX, "an integer id", &v,
			     err);

	if (r < 0)
		return -1;
	if (r > 0 && out != NULL)
		*out = (int64_t)v;
	return 0;
}

/* Read an int32-range id (accountId, position id). */
static int get_id32(const struct wj *obj, const char *field, bool required, int64_t *out,
		    struct srm_err *err)
{
	double v = 0;
	int r = get_integral(obj, field, required, (double)INT32_MIN, (double)INT32_MAX,
			     "an integer id", &v, err);

	if (r < 0)
		return -1;
	if (r > 0)
		*out = (int64_t)v;
	return 0;
}

/* Read an integer within [min, max]. */
static int get_int(const struct wj *obj, const char *field, bool required, int min, int max,
		   int *out, struct srm_err *err)
{
	double v = 0;
	int r = get_integral(obj, field, required, (double)min, (double)max, "an integer", &v,
			     err);

	if (r < 0)
		return -1;
	if (r > 0 && out != NULL)
		*out = (int)v;
	return 0;
}

/*
 * A finite decimal within +-1e12; null -> PX_NULL when nullable. *it is the member (absent
 * when it is not there).
 */
static int get_double_it(const struct wj *obj, const char *field, bool required, bool nullable,
			 double *out, struct wj *it, struct srm_err *err)
{
	int r = member(obj, field, required, it, err);
	char buf[48];

	if (r <= 0)
		return r;
	if (nullable && it->t == WJ_NULL) {
		if (out != NULL)
			*out = PX_NULL;
		return 0;
	}
	if (it->t != WJ_NUMBER)
		return type_err(err, field, nullable ? "a number or null" : "a number", it);
	double v = it->num;
	if (!isfinite(v))
		return type_err(err, field, "a finite number", it);
	if (fabs(v) > WIRE_NUM_MAX)
		return srm_err_set(err, SRM_EINVAL,
				   "field '%s': expected a number within +-1e12, got %s", field,
				   describe(it, buf, sizeof(buf)));
	if (out != NULL)
		*out = v;
	return 0;
}

/* A finite decimal within [lo, hi] (null -> PX_NULL when nullable): prices, money, ticks. */
static int get_ranged(const struct wj *obj, const char *field, bool required, bool nullable,
		      double lo, double hi, double *out, struct srm_err *err)
{
	struct wj it;
	double v = PX_NULL;
	char buf[48];

	if (get_double_it(obj, field, required, nullable, &v, &it, err) != 0)
		return -1;
	if (!isnan(v) && (v < lo || v > hi))
		return srm_err_set(err, SRM_EINVAL, "field '%s': expected a number in %g..%g, got %s",
				   field, lo, hi, describe(&it, buf, sizeof(buf)));
	if (out != NULL && it.t != WJ_ABSENT)
		*out = v;
	return 0;
}

#define PRICE(obj, f, req, nul, dst) get_ranged(obj, f, req, nul, -PX_PRICE_MAX, PX_PRICE_MAX, dst, err)
#define MONEY(obj, f, req, nul, dst) get_ranged(obj, f, req, nul, -PX_MONEY_MAX, PX_MONEY_MAX, dst, err)

/* Read a JSON boolean. */
static int get_bool(const struct wj *obj, const char *field, bool required, bool *out,
		    struct srm_err *err)
{
	struct wj it;
	int r = member(obj, field, required, &it, err);

	if (r <= 0)
		return r;
	if (it.t != WJ_TRUE && it.t != WJ_FALSE)
		return type_err(err, field, "a boolean", &it);
	if (out != NULL)
		*out = it.t == WJ_TRUE;
	return 0;
}

/* The string value of a present field, checked for type, length (< cap) and UTF-8. */
static int string_value(const struct wj *it, const char *field, bool nullable, size_t cap,
			const char **s, size_t *len, struct srm_err *err)
{
	*s = NULL;
	*len = 0;
	if (it->t == WJ_ABSENT)
		return srm_err_set(err, SRM_EMISSING, "missing field '%s'", field);
	if (nullable && it->t == WJ_NULL)
		return 0;
	if (it->t != WJ_STRING || it->str == NULL)
		return type_err(err, field, nullable ? "a string or null" : "a string", it);
	size_t n = strlen(it->str);
	if (cap > 0 && n >= cap)
		return srm_err_set(err, SRM_EINVAL,
				   "field '%s': expected a string of at most %zu bytes, got %zu bytes",
				   field, cap - 1, n);
	if (!utf8_valid(it->str, n))
		return srm_err_set(err, SRM_EINVAL,
				   "field '%s': expected a UTF-8 string, got invalid UTF-8", field);
	*s = it->str;
	*len = n;
	return 0;
}

/* Read a string into out[cap]: over-long or invalid UTF-8 is an error; null -> "" if nullable. */
static int get_string(const struct wj *obj, const char *field, bool required, bool nullable,
		      char *out, size_t cap, struct srm_err *err)
{
	struct wj it;
	const char *s;
	size_t n;
	int r = member(obj, field, required, &it, err);

	if (r <= 0)
		return r;
	if (out == NULL || cap == 0)
		return srm_err_set(err, SRM_EINVAL, "field '%s': no room for a string", field);
	if (string_value(&it, field, nullable, cap, &s, &n, err) != 0)
		return -1;
	if (s != NULL)
		memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* Read an ISO-8601 timestamp; when optional, null -> 0. */
static int get_time(const struct wj *obj, const char *field, bool required, srm_ms *out,
		    struct srm_err *err)
{
	struct wj it;
	char buf[48];
	srm_ms t = 0;
	int r = member(obj, field, required, &it, err);

	if (r <= 0)
		return r;
	if (!required && it.t == WJ_NULL) {
		if (out != NULL)
			*out = 0;
		return 0;
	}
	if (it.t != WJ_STRING || it.str == NULL)
		return type_err(err, field, "an ISO-8601 timestamp string", &it);
	if (strnlen(it.str, WIRE_TIME_MAX + 1) > WIRE_TIME_MAX || iso_parse(it.str, &t) != 0) {
		sanitize(it.str, buf, sizeof(buf));
		return srm_err_set(err, SRM_EINVAL,
				   "field '%s': expected an ISO-8601 timestamp, got \"%s\"", field,
				   buf);
	}
	if (t < SRM_TIME_MIN || t >= SRM_TIME_MAX) {
		sanitize(it.str, buf, sizeof(buf));
		return srm_err_set(err, SRM_EINVAL, "field '%s': expected a time in 2000..2099, got \"%s\"",
				   field, buf);
	}
	if (out != NULL)
		*out = t;
	return 0;
}

/* A required or nullable string with the event name prefixed on error. */
#define GETSTR(obj, f, req, nul, dst) get_string(obj, f, req, nul, dst, sizeof(dst), err)

static int account_fields(const struct wj *j, void *dst, struct srm_err *err)
{
	struct px_account *a = dst;

	if (get_id32(j, "id", true, &a->id, err) || GETSTR(j, "name", true, false, a->name) ||
	    MONEY(j, "balance", true, false, &a->balance) ||
	    get_bool(j, "canTrade", true, &a->can_trade, err) ||
	    get_bool(j, "isVisible", true, &a->is_visible, err) ||
	    get_bool(j, "simulated", true, &a->simulated, err))
		return -1;
	return 0;
}

/*
 * A required enum: a value the reference does not list (a new order type, a new status) is
 * not a reason to drop the record (an order in a blocked symbol would never be cancelled):
 * it becomes `other`, and *odd keeps the value for one alert. Not an integer: an error.
 */
static int get_enum(const struct wj *j, const char *field, int min, int max, int other, int *out,
		    bool *odd, int *raw, struct srm_err *err)
{
	double v = 0;
	int r = get_integral(j, field, true, (double)INT32_MIN, (double)INT32_MAX, "an integer",
			     &v, err);

	*odd = false;
	if (r <= 0)
		return r < 0 ? -1 : 0;
	*raw = (int)v;
	*odd = v < min || v > max;
	*out = *odd ? other : (int)v;
	return 0;
}

static int order_fields(const struct wj *j, void *dst, struct srm_err *err)
{
	struct px_order *o = dst;

	o->limit_price = o->stop_price = o->filled_price = PX_NULL;
	if (get_int64(j, "id", true, &o->id, err) ||
	    get_id32(j, "accountId", true, &o->account_id, err) ||
	    GETSTR(j, "contractId", true, false, o->contract_id) ||
	    /* symbolId is cosmetic: tolerate its absence rather than drop an order event */
	    GETSTR(j, "symbolId", false, true, o->symbol_id) ||
	    get_time(j, "creationTimestamp", true, &o->created, err) ||
	    get_time(j, "updateTimestamp", false, &o->updated, err) ||
	    get_enum(j, "status", PX_OS_NONE, PX_OS_SUSPENDED, PX_OS_OTHER, &o->status,
		     &o->odd_status, &o->raw_status, err) ||
	    get_enum(j, "type", PX_OT_UNKNOWN, PX_OT_JOIN_ASK, PX_OT_UNKNOWN, &o->type,
		     &o->odd_type, &o->raw_type, err) ||
	    get_int(j, "side", true, PX_BID, PX_ASK, &o->side, err) ||
	    get_int(j, "size", true, 0, PX_SIZE_MAX, &o->size, err) ||
	    PRICE(j, "limitPrice", false, true, &o->limit_price) ||
	    PRICE(j, "stopPrice", false, true, &o->stop_price) ||
	    get_int(j, "fillVolume", true, 0, PX_SIZE_MAX, &o->fill_volume, err) ||
	    PRICE(j, "filledPrice", false, true, &o->filled_price) ||
	    GETSTR(j, "customTag", false, true, o->custom_tag))
		return -1;
	return 0;
}

static int position_fields(const struct wj *j, void *dst, struct srm_err *err)
{
	struct px_position *p = dst;

	if (get_id32(j, "id", true, &p->id, err) ||
	    get_id32(j, "accountId", true, &p->account_id, err) ||
	    GETSTR(j, "contractId", true, false, p->contract_id) ||
	    get_time(j, "creationTimestamp", true, &p->created, err) ||
	    get_int(j, "type", true, PX_PT_UNDEFINED, PX_PT_SHORT, &p->type, err) ||
	    get_int(j, "size", true, 0, PX_SIZE_MAX, &p->size, err) ||
	    PRICE(j, "averagePrice", true, false, &p->average_price))
		return -1;
	return 0;
}

static int trade_fields(const struct wj *j, void *dst, struct srm_err *err)
{
	struct px_trade *t = dst;

	t->profit_and_loss = PX_NULL;
	if (get_int64(j, "id", true, &t->id, err) ||
	    get_id32(j, "accountId", true, &t->account_id, err) ||
	    GETSTR(j, "contractId", true, false, t->contract_id) ||
	    get_time(j, "creationTimestamp", true, &t->created, err) ||
	    PRICE(j, "price", true, false, &t->price) ||
	    MONEY(j, "profitAndLoss", false, true, &t->profit_and_loss) ||
	    MONEY(j, "fees", true, false, &t->fees) ||
	    get_int(j, "side", true, PX_BID, PX_ASK, &t->side, err) ||
	    get_int(j, "size", true, 0, PX_SIZE_MAX, &t->size, err) ||
	    get_bool(j, "voided", true, &t->voided, err) ||
	    get_int64(j, "orderId", true, &t->order_id, err))
		return -1;
	return 0;
}

static int contract_fields(const struct wj *j, void *dst, struct srm_err *err)
{
	struct px_contract *c = dst;
	struct wj it;
	char buf[48];

	if (GETSTR(j, "id", true, false, c->id) || GETSTR(j, "name", true, false, c->name) ||
	    GETSTR(j, "description", true, true, c->description) ||
	    get_ranged(j, "tickSize", true, false, PX_TICK_SIZE_MIN, PX_TICK_SIZE_MAX, &c->tick_size, err) ||
	    get_ranged(j, "tickValue", true, false, 0, PX_TICK_VALUE_MAX, &c->tick_value, err) ||
	    get_bool(j, "activeContract", true, &c->active, err) ||
	    /* symbolId is absent from the July-2025 schema (API reference §4) */
	    GETSTR(j, "symbolId", false, true, c->symbol_id))
		return -1;
	if (c->id[0] == '\0')
		return srm_err_set(err, SRM_EINVAL, "field 'id': expected a contract id, got \"\"");
	if (!(c->tick_size > 0)) {
		wj_member(j, "tickSize", &it);
		return srm_err_set(err, SRM_EINVAL,
				   "field 'tickSize': expected a positive number, got %s",
				   describe(&it, buf, sizeof(buf)));
	}
	if (!(c->tick_value > 0)) {
		wj_member(j, "tickValue", &it);
		return srm_err_set(err, SRM_EINVAL,
				   "field 'tickValue': expected a positive number, got %s",
				   describe(&it, buf, sizeof(buf)));
	}
	return 0;
}

#undef GETSTR

/* Decode j with fn into tmp (size bytes), then copy to out; errors get the "<name>: " prefix. */
static int decode_model(const char *name,
			int (*fn)(const struct wj *, void *, struct srm_err *),
			const struct wj *j, void *tmp, void *out, size_t size, struct srm_err *err)
{
	struct srm_err dummy;

	if (err == NULL)
		err = &dummy;
	memset(tmp, 0, size);
	if (fn(j, tmp, err) != 0) {
		srm_err_prefix(err, "%s: ", name);
		return -1;
	}
	if (out != NULL)
		memcpy(out, tmp, size);
	return 0;
}

static int decode_account(const struct wj *j, struct px_account *out, struct srm_err *err)
{
	struct px_account tmp;

	return decode_model(NAME_ACCOUNT, account_fields, j, &tmp, out, sizeof(tmp), err);
}

static int decode_order(const struct wj *j, struct px_order *out, struct srm_err *err)
{
	struct px_order tmp;

	return decode_model(NAME_ORDER, order_fields, j, &tmp, out, sizeof(tmp), err);
}

static int decode_position(const struct wj *j, struct px_position *out, struct srm_err *err)
{
	struct px_position tmp;

	return decode_model(NAME_POSITION, position_fields, j, &tmp, out, sizeof(tmp), err);
}

static int decode_trade(const struct wj *j, struct px_trade *out, struct srm_err *err)
{
	struct px_trade tmp;

	return decode_model(NAME_TRADE, trade_fields, j, &tmp, out, sizeof(tmp), err);
}

static int decode_contract(const struct wj *j, struct px_contract *out, struct srm_err *err)
{
	struct px_contract tmp;

	return decode_model(NAME_CONTRACT, contract_fields, j, &tmp, out, sizeof(tmp), err);
}

static int quote_fields(const char *contract_id, const struct wj *j, struct px_quote *q,
			struct srm_err *err)
{
	size_t n;

	q->last_price = q->best_bid = q->best_ask = PX_NULL;
	if (contract_id == NULL)
		return srm_err_set(err, SRM_EMISSING, "missing contract id argument");
	n = strnlen(contract_id, SRM_ID_MAX);
	if (n == 0 || n >= SRM_ID_MAX)
		return srm_err_set(err, SRM_EINVAL,
				   "contract id argument: expected 1..%d bytes, got %s",
				   SRM_ID_MAX - 1, n == 0 ? "an empty string" : "more");
	if (!utf8_valid(contract_id, n))
		return srm_err_set(err, SRM_EINVAL,
				   "contract id argument: expected UTF-8, got invalid UTF-8");
	memcpy(q->contract_id, contract_id, n);
	q->contract_id[n] = '\0';
	if (get_string(j, "symbol", false, true, q->symbol, sizeof(q->symbol), err) ||
	    PRICE(j, "lastPrice", false, true, &q->last_price) ||
	    PRICE(j, "bestBid", false, true, &q->best_bid) ||
	    PRICE(j, "bestAsk", false, true, &q->best_ask) ||
	    get_time(j, "lastUpdated", false, &q->timestamp, err) ||
	    /* timestamp wins over lastUpdated when both are present */
	    get_time(j, "timestamp", false, &q->timestamp, err))
		return -1;
	if (isnan(q->last_price) && isnan(q->best_bid) && isnan(q->best_ask))
		return srm_err_set(err, SRM_EMISSING,
				   "expected at least one of 'lastPrice', 'bestBid', 'bestAsk'");
	return 0;
}

/* GatewayQuote: contract id is the hub's first argument, data the second. */
int wire_decode_quote_v(const char *contract_id, const struct wj *data, struct px_quote *out,
			struct srm_err *err)
{
	struct px_quote tmp;
	struct srm_err dummy;

	if (err == NULL)
		err = &dummy;
	memset(&tmp, 0, sizeof(tmp));
	if (quote_fields(contract_id, data, &tmp, err) != 0) {
		srm_err_prefix(err, NAME_QUOTE ": ");
		return -1;
	}
	if (out != NULL)
		*out = tmp;
	return 0;
}

/* Decode one flat object of a user-hub kind into ev. */
static int decode_kind(enum ev_kind kind, const struct wj *j, struct srm_event *ev,
		       struct srm_err *err)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	switch (kind) {
	case EV_ACCOUNT:
		return decode_account(j, &ev->u.account, err);
	case EV_ORDER:
		return decode_order(j, &ev->u.order, err);
	case EV_POSITION:
		return decode_position(j, &ev->u.position, err);
	case EV_TRADE:
		return decode_trade(j, &ev->u.trade, err);
	case EV_CONTRACT:
		return decode_contract(j, &ev->u.contract, err);
	default:
		return srm_err_set(err, SRM_EINVAL, "%s is not a user-hub event",
				   wire_event_name(kind));
	}
}

/* Flat object, list of objects, or {"action":N,"data":{...}|[...]} (API reference §10.2). */
int wire_decode_user_event_v(enum ev_kind kind, const struct wj *arg, struct srm_event *out,
			     size_t cap, size_t *n, struct srm_err *err)
{
	struct srm_err dummy;
	const char *name = wire_event_name(kind);
	struct wj data, el;
	const struct wj *body = arg;
	char buf[48];
	size_t count = 0, i = 0;

	if (err == NULL)
		err = &dummy;
	if (n != NULL)
		*n = 0;
	if (kind != EV_ACCOUNT && kind != EV_ORDER && kind != EV_POSITION && kind != EV_TRADE &&
	    kind != EV_CONTRACT)
		return srm_err_set(err, SRM_EINVAL, "%s is not a user-hub event", name);
	if (out == NULL && cap > 0)
		return srm_err_set(err, SRM_EINVAL, "%s: no output buffer", name);
	if (wj_member(arg, "data", &data)) {
		/* the {action, data} wrapper: action, when present, must be an integer */
		int action;

		if (get_int(arg, "action", false, INT32_MIN, INT32_MAX, &action, err) != 0) {
			srm_err_prefix(err, "%s: ", name);
			return -1;
		}
		body = &data;
		if (body->t != WJ_OBJECT && body->t != WJ_ARRAY)
			return srm_err_set(err, SRM_EINVAL,
					   "%s: field 'data': expected an object or array, got %s",
					   name, describe(body, buf, sizeof(buf)));
	}
	if (body->t == WJ_OBJECT) {
		if (cap < 1)
			return srm_err_set(err, SRM_EFULL, "%s: no room for 1 event", name);
		if (decode_kind(kind, body, &out[0], err) != 0)
			return -1;
		count = 1;
	} else if (body->t == WJ_ARRAY) {
		size_t size = wj_count(body);

		if (size > cap)
			return srm_err_set(err, SRM_EFULL, "%s: %zu events, room for %zu", name,
					   size, cap);
		for (i = 0; i < size && wj_item(body, i, &el); i++) {
			if (el.t != WJ_OBJECT) {
				srm_err_set(err, SRM_EINVAL, "%s: expected an object, got %s", name,
					    describe(&el, buf, sizeof(buf)));
				srm_err_prefix(err, "[%zu] ", i);
				return -1;
			}
			if (decode_kind(kind, &el, &out[i], err) != 0) {
				srm_err_prefix(err, "[%zu] ", i);
				return -1;
			}
		}
		count = i;
	} else {
		return srm_err_set(err, SRM_EINVAL, "%s: expected an object or array, got %s", name,
				   describe(body, buf, sizeof(buf)));
	}
	if (n != NULL)
		*n = count;
	return 0;
}

/* success (bool, required), errorCode (int, required), errorMessage (string|null, optional). */
static int decode_envelope(const struct wj *j, struct wire_envelope *out, struct srm_err *err)
{
	struct wire_envelope tmp;
	struct srm_err dummy;
	struct wj it;
	const char *s;
	size_t len;

	if (err == NULL)
		err = &dummy;
	memset(&tmp, 0, sizeof(tmp));
	if (get_bool(j, "success", true, &tmp.success, err) ||
	    get_int(j, "errorCode", true, INT32_MIN, INT32_MAX, &tmp.error_code, err))
		goto fail;
	if (member(j, "errorMessage", false, &it, err) > 0) {
		/* no length cap: a long gateway message is truncated, not a broken envelope */
		if (string_value(&it, "errorMessage", true, 0, &s, &len, err) != 0)
			goto fail;
		if (s != NULL) {
			if (len >= sizeof(tmp.error_message)) {
				len = sizeof(tmp.error_message) - 1;
				/* back off to a UTF-8 character boundary */
				while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
					len--;
			}
			memcpy(tmp.error_message, s, len);
			tmp.error_message[len] = '\0';
		}
	}
	if (out != NULL)
		*out = tmp;
	return 0;
fail:
	srm_err_prefix(err, "envelope: ");
	return -1;
}

/* ---- the cJSON entry points: the same decoders on a view of the cJSON value ---- */

/* TradingAccountModel / GatewayUserAccount. */
int wire_decode_account(const cJSON *j, struct px_account *out, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(j, &v);
	return decode_account(&v, out, err);
}

/* OrderModel / GatewayUserOrder. */
int wire_decode_order(const cJSON *j, struct px_order *out, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(j, &v);
	return decode_order(&v, out, err);
}

/* PositionModel / GatewayUserPosition. */
int wire_decode_position(const cJSON *j, struct px_position *out, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(j, &v);
	return decode_position(&v, out, err);
}

/* HalfTradeModel / GatewayUserTrade. */
int wire_decode_trade(const cJSON *j, struct px_trade *out, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(j, &v);
	return decode_trade(&v, out, err);
}

/* ContractModel. */
int wire_decode_contract(const cJSON *j, struct px_contract *out, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(j, &v);
	return decode_contract(&v, out, err);
}

/* GatewayQuote: contract id is the hub's first argument, data the second. */
int wire_decode_quote(const char *contract_id, const cJSON *data, struct px_quote *out,
		      struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(data, &v);
	return wire_decode_quote_v(contract_id, &v, out, err);
}

/* A user-hub event argument in any of its shapes (see wire.h). */
int wire_decode_user_event(enum ev_kind kind, const cJSON *arg, struct srm_event *out, size_t cap,
			   size_t *n, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(arg, &v);
	return wire_decode_user_event_v(kind, &v, out, cap, n, err);
}

/* The REST envelope. */
int wire_decode_envelope(const cJSON *j, struct wire_envelope *out, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(j, &v);
	return decode_envelope(&v, out, err);
}

/* Read an int64 id (integral, within +-2^53). */
int wire_get_int64(const cJSON *obj, const char *field, bool required, int64_t *out,
		   struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(obj, &v);
	return get_int64(&v, field, required, out, err);
}

/* Read an integer within [min, max]. */
int wire_get_int(const cJSON *obj, const char *field, bool required, int min, int max, int *out,
		 struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(obj, &v);
	return get_int(&v, field, required, min, max, out, err);
}

/* Read a finite decimal within +-1e12; null -> PX_NULL when nullable. */
int wire_get_double(const cJSON *obj, const char *field, bool required, bool nullable, double *out,
		    struct srm_err *err)
{
	struct wj v, it;

	wj_from_cjson(obj, &v);
	return get_double_it(&v, field, required, nullable, out, &it, err);
}

/* Read a JSON boolean. */
int wire_get_bool(const cJSON *obj, const char *field, bool required, bool *out,
		  struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(obj, &v);
	return get_bool(&v, field, required, out, err);
}

/* Read a string into out[cap]. */
int wire_get_string(const cJSON *obj, const char *field, bool required, bool nullable, char *out,
		    size_t cap, struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(obj, &v);
	return get_string(&v, field, required, nullable, out, cap, err);
}

/* Read an ISO-8601 timestamp; when optional, null -> 0. */
int wire_get_time(const cJSON *obj, const char *field, bool required, srm_ms *out,
		  struct srm_err *err)
{
	struct wj v;

	wj_from_cjson(obj, &v);
	return get_time(&v, field, required, out, err);
}
