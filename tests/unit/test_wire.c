/* test_wire.c: gateway JSON decoders/encoders: documented examples, every bad field, fuzz. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strutil.h"
#include "util/timefmt.h"
#include "wire/record.h"
#include "wire/wire.h"

/* ---- documented examples (API reference §4-§6, §10.2), verbatim where the docs give one ---- */

static const char ORDER_DOC[] =
	"{\"id\":36598,\"accountId\":704,\"contractId\":\"CON.F.US.EP.U25\",\"symbolId\":\"F.US.EP\","
	"\"creationTimestamp\":\"2025-07-18T21:00:01.268009+00:00\","
	"\"updateTimestamp\":\"2025-07-18T21:00:01.268009+00:00\",\"status\":2,\"type\":2,"
	"\"side\":0,\"size\":1,\"limitPrice\":null,\"stopPrice\":null,\"fillVolume\":1,"
	"\"filledPrice\":6335.250000000,\"customTag\":null}";

static const char POSITION_DOC[] =
	"{\"id\":6124,\"accountId\":536,\"contractId\":\"CON.F.US.GMET.J25\","
	"\"creationTimestamp\":\"2025-04-21T19:52:32.175721+00:00\",\"type\":1,\"size\":2,"
	"\"averagePrice\":1575.750000000}";

static const char TRADE_OPEN[] =
	"{\"id\":8604,\"accountId\":203,\"contractId\":\"CON.F.US.EP.H25\","
	"\"creationTimestamp\":\"2025-01-21T16:13:52.523293+00:00\",\"price\":6065.250000000,"
	"\"profitAndLoss\":null,\"fees\":1.4000,\"side\":1,\"size\":1,\"voided\":false,"
	"\"orderId\":14328}";

static const char TRADE_CLOSE[] =
	"{\"id\":8605,\"accountId\":203,\"contractId\":\"CON.F.US.EP.H25\","
	"\"creationTimestamp\":\"2025-01-21T16:13:52.523293+00:00\",\"price\":6066.250000000,"
	"\"profitAndLoss\":50.000000000,\"fees\":1.4000,\"side\":0,\"size\":1,\"voided\":false,"
	"\"orderId\":14329}";

static const char ACCOUNT_DOC[] =
	"{\"id\":536,\"name\":\"TEST_ACCOUNT_1\",\"balance\":50000.25,\"canTrade\":true,"
	"\"isVisible\":true,\"simulated\":true}";

static const char CONTRACT_DOC[] =
	"{\"id\":\"CON.F.US.ENQ.U25\",\"name\":\"NQU5\",\"description\":\"E-mini NASDAQ-100: "
	"September 2025\",\"tickSize\":0.25,\"tickValue\":5,\"activeContract\":true,"
	"\"symbolId\":\"F.US.ENQ\"}";

static const char QUOTE_DOC[] =
	"{\"symbol\":\"F.US.EP\",\"symbolName\":\"/ES\",\"lastPrice\":2100.25,\"bestBid\":2100.00,"
	"\"bestAsk\":2100.50,\"change\":25.50,\"changePercent\":0.14,\"open\":2090.00,"
	"\"high\":2110.00,\"low\":2080.00,\"volume\":12000,"
	"\"lastUpdated\":\"2024-07-21T13:45:00Z\",\"timestamp\":\"2024-07-21T13:45:00Z\"}";

#define T_ORDER 1752872401268LL    /* 2025-07-18T21:00:01.268 */
#define T_POSITION 1745265152175LL /* 2025-04-21T19:52:32.175 */
#define T_TRADE 1737476032523LL    /* 2025-01-21T16:13:52.523 */
#define T_QUOTE 1721569500000LL    /* 2024-07-21T13:45:00 */

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	assert_non_null(j);
	return j;
}

static void clear_err(struct srm_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

/* ---- decoding the documented examples ---- */

static void test_order_doc(void **state)
{
	(void)state;
	cJSON *j = parse(ORDER_DOC);
	struct px_order o;
	struct srm_err err;

	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_int_equal(o.id, 36598);
	assert_int_equal(o.account_id, 704);
	assert_string_equal(o.contract_id, "CON.F.US.EP.U25");
	assert_string_equal(o.symbol_id, "F.US.EP");
	assert_int_equal(o.created, T_ORDER);
	assert_int_equal(o.updated, T_ORDER);
	assert_int_equal(o.status, PX_OS_FILLED);
	assert_int_equal(o.type, PX_OT_MARKET);
	assert_int_equal(o.side, PX_BID);
	assert_int_equal(o.size, 1);
	assert_true(isnan(o.limit_price));
	assert_true(isnan(o.stop_price));
	assert_int_equal(o.fill_volume, 1);
	assert_true(o.filled_price == 6335.25);
	assert_string_equal(o.custom_tag, "");
	cJSON_Delete(j);
}

static void test_position_doc(void **state)
{
	(void)state;
	cJSON *j = parse(POSITION_DOC);
	struct px_position p;
	struct srm_err err;

	assert_int_equal(wire_decode_position(j, &p, &err), 0);
	assert_int_equal(p.id, 6124);
	assert_int_equal(p.account_id, 536);
	assert_string_equal(p.contract_id, "CON.F.US.GMET.J25");
	assert_int_equal(p.created, T_POSITION);
	assert_int_equal(p.type, PX_PT_LONG);
	assert_int_equal(p.size, 2);
	assert_true(p.average_price == 1575.75);

	/* a closed position: size 0 is allowed */
	cJSON_ReplaceItemInObjectCaseSensitive(j, "size", cJSON_CreateNumber(0));
	assert_int_equal(wire_decode_position(j, &p, &err), 0);
	assert_int_equal(p.size, 0);
	cJSON_Delete(j);
}

static void test_trade_docs(void **state)
{
	(void)state;
	cJSON *j = parse(TRADE_OPEN);
	struct px_trade t;
	struct srm_err err;

	assert_int_equal(wire_decode_trade(j, &t, &err), 0);
	assert_int_equal(t.id, 8604);
	assert_int_equal(t.account_id, 203);
	assert_string_equal(t.contract_id, "CON.F.US.EP.H25");
	assert_int_equal(t.created, T_TRADE);
	assert_true(t.price == 6065.25);
	assert_true(isnan(t.profit_and_loss));
	assert_true(t.fees == 1.4);
	assert_int_equal(t.side, PX_ASK);
	assert_int_equal(t.size, 1);
	assert_false(t.voided);
	assert_int_equal(t.order_id, 14328);
	cJSON_Delete(j);

	j = parse(TRADE_CLOSE);
	assert_int_equal(wire_decode_trade(j, &t, &err), 0);
	assert_true(t.profit_and_loss == 50.0);
	assert_int_equal(t.side, PX_BID);
	assert_int_equal(t.order_id, 14329);
	cJSON_Delete(j);

	/* profitAndLoss absent: also an opening fill */
	j = parse(TRADE_OPEN);
	cJSON_DeleteItemFromObjectCaseSensitive(j, "profitAndLoss");
	t.profit_and_loss = 7;
	assert_int_equal(wire_decode_trade(j, &t, &err), 0);
	assert_true(isnan(t.profit_and_loss));
	cJSON_Delete(j);
}

static void test_account_doc(void **state)
{
	(void)state;
	cJSON *j = parse(ACCOUNT_DOC);
	struct px_account a;
	struct srm_err err;

	assert_int_equal(wire_decode_account(j, &a, &err), 0);
	assert_int_equal(a.id, 536);
	assert_string_equal(a.name, "TEST_ACCOUNT_1");
	assert_true(a.balance == 50000.25);
	assert_true(a.can_trade);
	assert_true(a.is_visible);
	assert_true(a.simulated);
	cJSON_Delete(j);
}

static void test_contract_doc(void **state)
{
	(void)state;
	cJSON *j = parse(CONTRACT_DOC);
	struct px_contract c;
	struct srm_err err;

	assert_int_equal(wire_decode_contract(j, &c, &err), 0);
	assert_string_equal(c.id, "CON.F.US.ENQ.U25");
	assert_string_equal(c.name, "NQU5");
	assert_string_equal(c.description, "E-mini NASDAQ-100: September 2025");
	assert_true(c.tick_size == 0.25);
	assert_true(c.tick_value == 5.0);
	assert_true(c.active);
	assert_string_equal(c.symbol_id, "F.US.ENQ");

	/* the July-2025 schema has no symbolId */
	cJSON_DeleteItemFromObjectCaseSensitive(j, "symbolId");
	assert_int_equal(wire_decode_contract(j, &c, &err), 0);
	assert_string_equal(c.symbol_id, "");

	/* tickSize / tickValue must be positive, within a range (1e-320 made P&L infinite) */
	cJSON_ReplaceItemInObjectCaseSensitive(j, "tickSize", cJSON_CreateNumber(0));
	assert_int_equal(wire_decode_contract(j, &c, &err), -1);
	assert_string_equal(err.msg, "Contract: field 'tickSize': expected a number in 1e-09..1e+06, got 0");
	cJSON_ReplaceItemInObjectCaseSensitive(j, "tickSize", cJSON_CreateNumber(1e-320));
	assert_int_equal(wire_decode_contract(j, &c, &err), -1);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "tickSize", cJSON_CreateNumber(0.25));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "tickValue", cJSON_CreateNumber(1e8));
	assert_int_equal(wire_decode_contract(j, &c, &err), -1);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "tickSize", cJSON_CreateNumber(0.25));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "tickValue", cJSON_CreateNumber(-5));
	assert_int_equal(wire_decode_contract(j, &c, &err), -1);
	assert_string_equal(err.msg,
			    "Contract: field 'tickValue': expected a number in 0..1e+07, got -5");
	cJSON_Delete(j);
}

static void test_quote_doc(void **state)
{
	(void)state;
	cJSON *j = parse(QUOTE_DOC);
	struct px_quote q;
	struct srm_err err;

	assert_int_equal(wire_decode_quote("CON.F.US.EP.U25", j, &q, &err), 0);
	assert_string_equal(q.contract_id, "CON.F.US.EP.U25");
	assert_string_equal(q.symbol, "F.US.EP");
	assert_true(q.last_price == 2100.25);
	assert_true(q.best_bid == 2100.0);
	assert_true(q.best_ask == 2100.5);
	assert_int_equal(q.timestamp, T_QUOTE);
	cJSON_Delete(j);

	/* partial quotes: one price is enough; timestamps optional; lastUpdated alone works */
	j = parse("{\"bestBid\":10.5,\"lastUpdated\":\"2024-07-21T13:45:00Z\"}");
	assert_int_equal(wire_decode_quote("CON.F.US.EP.U25", j, &q, &err), 0);
	assert_true(q.best_bid == 10.5);
	assert_true(isnan(q.last_price) && isnan(q.best_ask));
	assert_string_equal(q.symbol, "");
	assert_int_equal(q.timestamp, T_QUOTE);
	cJSON_Delete(j);

	j = parse("{\"lastPrice\":-3.5,\"bestBid\":null,\"timestamp\":null}");
	assert_int_equal(wire_decode_quote("X", j, &q, &err), 0);
	assert_true(q.last_price == -3.5);
	assert_int_equal(q.timestamp, 0);
	cJSON_Delete(j);

	j = parse("{\"symbol\":\"F.US.EP\",\"bestBid\":null,\"volume\":3}");
	assert_int_equal(wire_decode_quote("CON.F.US.EP.U25", j, &q, &err), -1);
	assert_string_equal(err.msg, "GatewayQuote: expected at least one of 'lastPrice', "
				     "'bestBid', 'bestAsk'");
	cJSON_Delete(j);

	j = parse(QUOTE_DOC);
	assert_int_equal(wire_decode_quote(NULL, j, &q, &err), -1);
	assert_string_equal(err.msg, "GatewayQuote: missing contract id argument");
	assert_int_equal(wire_decode_quote("", j, &q, &err), -1);
	char longid[80];
	memset(longid, 'A', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(wire_decode_quote(longid, j, &q, &err), -1);
	assert_int_equal(wire_decode_quote("CON\xC3\x28", j, &q, &err), -1);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "lastPrice", cJSON_CreateString("1"));
	assert_int_equal(wire_decode_quote("CON.F.US.EP.U25", j, &q, &err), -1);
	assert_string_equal(err.msg,
			    "GatewayQuote: field 'lastPrice': expected a number or null, got string");
	cJSON_ReplaceItemInObjectCaseSensitive(j, "lastPrice", cJSON_CreateNumber(1));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "timestamp", cJSON_CreateString("noon"));
	assert_int_equal(wire_decode_quote("CON.F.US.EP.U25", j, &q, &err), -1);
	assert_string_equal(err.msg,
			    "GatewayQuote: field 'timestamp': expected an ISO-8601 timestamp, "
			    "got \"noon\"");
	cJSON_Delete(j);

	j = parse("[1,2]");
	assert_int_equal(wire_decode_quote("CON.F.US.EP.U25", j, &q, &err), -1);
	assert_string_equal(err.msg, "GatewayQuote: expected an object, got array");
	cJSON_Delete(j);
}

static void test_envelope(void **state)
{
	(void)state;
	struct wire_envelope e;
	struct srm_err err;
	cJSON *j;

	j = parse("{\"token\":null,\"success\":false,\"errorCode\":3,\"errorMessage\":null}");
	assert_int_equal(wire_decode_envelope(j, &e, &err), 0);
	assert_false(e.success);
	assert_int_equal(e.error_code, 3);
	assert_string_equal(e.error_message, "");
	cJSON_Delete(j);

	j = parse("{\"success\":true,\"errorCode\":0,\"errorMessage\":null,\"newToken\":\"abc\"}");
	assert_int_equal(wire_decode_envelope(j, &e, &err), 0);
	assert_true(e.success);
	assert_int_equal(e.error_code, 0);
	cJSON_Delete(j);

	j = parse("{\"orderId\":9056,\"success\":true,\"errorCode\":0,\"errorMessage\":null}");
	assert_int_equal(wire_decode_envelope(j, &e, &err), 0);
	assert_true(e.success);
	cJSON_Delete(j);

	j = parse("{\"success\":false,\"errorCode\":2,\"errorMessage\":\"Brackets cannot be used "
		  "with Position Brackets. You must enable Auto OCO Brackets.\"}");
	assert_int_equal(wire_decode_envelope(j, &e, &err), 0);
	assert_int_equal(e.error_code, 2);
	assert_string_equal(e.error_message, "Brackets cannot be used with Position Brackets. "
					     "You must enable Auto OCO Brackets.");
	cJSON_Delete(j);

	/* errorMessage optional */
	j = parse("{\"success\":true,\"errorCode\":0}");
	assert_int_equal(wire_decode_envelope(j, &e, &err), 0);
	cJSON_Delete(j);

	/* a long message is truncated at a UTF-8 boundary, not rejected */
	char msg[400];
	memset(msg, 'x', sizeof(msg));
	memcpy(msg + 254, "\xC3\xA9", 2); /* an 'é' straddling byte 255 */
	msg[sizeof(msg) - 1] = '\0';
	j = cJSON_CreateObject();
	cJSON_AddBoolToObject(j, "success", false);
	cJSON_AddNumberToObject(j, "errorCode", 7);
	cJSON_AddStringToObject(j, "errorMessage", msg);
	assert_int_equal(wire_decode_envelope(j, &e, &err), 0);
	assert_int_equal(strlen(e.error_message), 254);
	assert_true(utf8_valid(e.error_message, strlen(e.error_message)));
	cJSON_Delete(j);

	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "{\"errorCode\":0}", "envelope: missing field 'success'" },
		{ "{\"success\":true}", "envelope: missing field 'errorCode'" },
		{ "{\"success\":1,\"errorCode\":0}",
		  "envelope: field 'success': expected a boolean, got 1" },
		{ "{\"success\":true,\"errorCode\":\"0\"}",
		  "envelope: field 'errorCode': expected an integer, got string" },
		{ "{\"success\":true,\"errorCode\":0.5}",
		  "envelope: field 'errorCode': expected an integer, got 0.5" },
		{ "{\"success\":true,\"errorCode\":0,\"errorMessage\":5}",
		  "envelope: field 'errorMessage': expected a string or null, got 5" },
		{ "{\"success\":true,\"errorCode\":0,\"errorMessage\":\"\xC0\xAF\"}",
		  "envelope: field 'errorMessage': expected a UTF-8 string, got invalid UTF-8" },
		{ "[]", "envelope: expected an object, got array" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = parse(bad[i].json);
		clear_err(&err);
		assert_int_equal(wire_decode_envelope(j, &e, &err), -1);
		assert_string_equal(err.msg, bad[i].msg);
		cJSON_Delete(j);
	}
	assert_int_equal(wire_decode_envelope(NULL, &e, &err), -1);
	assert_string_equal(err.msg, "envelope: expected an object, got nothing");
}

/* ---- one decoder per event name, for table-driven tests ---- */

static int decode_named(const char *name, const cJSON *j, struct srm_err *err)
{
	struct srm_event ev;

	if (strcmp(name, "GatewayUserAccount") == 0)
		return wire_decode_account(j, &ev.u.account, err);
	if (strcmp(name, "GatewayUserOrder") == 0)
		return wire_decode_order(j, &ev.u.order, err);
	if (strcmp(name, "GatewayUserPosition") == 0)
		return wire_decode_position(j, &ev.u.position, err);
	if (strcmp(name, "GatewayUserTrade") == 0)
		return wire_decode_trade(j, &ev.u.trade, err);
	if (strcmp(name, "Contract") == 0)
		return wire_decode_contract(j, &ev.u.contract, err);
	if (strcmp(name, "GatewayQuote") == 0)
		return wire_decode_quote("CON.F.US.EP.U25", j, &ev.u.quote, err);
	fail_msg("unknown name %s", name);
	return -2;
}

enum fkind { F_ID, F_INT, F_NUM, F_NUMNULL, F_STR, F_STRNULL, F_BOOL, F_TIME, F_TIMENULL };

struct field {
	const char *name;
	enum fkind kind;
	bool required;
};

struct model {
	const char *name;
	const char *json;
	struct field fields[16];
};

static const struct model models[] = {
	{ "GatewayUserAccount", ACCOUNT_DOC,
	  { { "id", F_ID, true },
	    { "name", F_STR, true },
	    { "balance", F_NUM, true },
	    { "canTrade", F_BOOL, true },
	    { "isVisible", F_BOOL, true },
	    { "simulated", F_BOOL, true } } },
	{ "GatewayUserOrder", ORDER_DOC,
	  { { "id", F_ID, true },
	    { "accountId", F_ID, true },
	    { "contractId", F_STR, true },
	    { "symbolId", F_STRNULL, false },
	    { "creationTimestamp", F_TIME, true },
	    { "updateTimestamp", F_TIMENULL, false },
	    { "status", F_INT, true },
	    { "type", F_INT, true },
	    { "side", F_INT, true },
	    { "size", F_INT, true },
	    { "limitPrice", F_NUMNULL, false },
	    { "stopPrice", F_NUMNULL, false },
	    { "fillVolume", F_INT, true },
	    { "filledPrice", F_NUMNULL, false },
	    { "customTag", F_STRNULL, false } } },
	{ "GatewayUserPosition", POSITION_DOC,
	  { { "id", F_ID, true },
	    { "accountId", F_ID, true },
	    { "contractId", F_STR, true },
	    { "creationTimestamp", F_TIME, true },
	    { "type", F_INT, true },
	    { "size", F_INT, true },
	    { "averagePrice", F_NUM, true } } },
	{ "GatewayUserTrade", TRADE_CLOSE,
	  { { "id", F_ID, true },
	    { "accountId", F_ID, true },
	    { "contractId", F_STR, true },
	    { "creationTimestamp", F_TIME, true },
	    { "price", F_NUM, true },
	    { "profitAndLoss", F_NUMNULL, false },
	    { "fees", F_NUM, true },
	    { "side", F_INT, true },
	    { "size", F_INT, true },
	    { "voided", F_BOOL, true },
	    { "orderId", F_ID, true } } },
	{ "Contract", CONTRACT_DOC,
	  { { "id", F_STR, true },
	    { "name", F_STR, true },
	    { "description", F_STRNULL, true },
	    { "tickSize", F_NUM, true },
	    { "tickValue", F_NUM, true },
	    { "activeContract", F_BOOL, true },
	    { "symbolId", F_STRNULL, false } } },
	{ "GatewayQuote", QUOTE_DOC,
	  { { "symbol", F_STRNULL, false },
	    { "lastPrice", F_NUMNULL, false },
	    { "bestBid", F_NUMNULL, false },
	    { "bestAsk", F_NUMNULL, false },
	    { "lastUpdated", F_TIMENULL, false },
	    { "timestamp", F_TIMENULL, false } } },
};

#define NMODELS (sizeof(models) / sizeof(models[0]))

/* What each field kind expects, as the message says it. */
static const char *expected_of(enum fkind k)
{
	switch (k) {
	case F_ID: return "an integer id";
	case F_INT: return "an integer";
	case F_NUM: return "a number";
	case F_NUMNULL: return "a number or null";
	case F_STR: return "a string";
	case F_STRNULL: return "a string or null";
	case F_BOOL: return "a boolean";
	case F_TIME:
	case F_TIMENULL: return "an ISO-8601 timestamp string";
	}
	return "?";
}

/* Decode m->json with field f replaced by value; return rc and the message. */
static int decode_with(const struct model *m, const char *f, cJSON *value, struct srm_err *err)
{
	cJSON *j = parse(m->json);
	int rc;

	if (value == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(j, f);
	else
		assert_true(cJSON_ReplaceItemInObjectCaseSensitive(j, f, value));
	clear_err(err);
	rc = decode_named(m->name, j, err);
	cJSON_Delete(j);
	return rc;
}

/*
 * A status or type the reference does not list fails closed: the order is kept (status
 * `other`, treated as working; type unknown, not a stop) and flagged for one alert, instead
 * of the record being dropped (an order in a blocked symbol would never be cancelled).
 */
static void test_unknown_enums_kept(void **state)
{
	const struct model *m = NULL;
	struct srm_err err;
	struct px_order o;
	cJSON *j;

	(void)state;
	for (size_t i = 0; i < NMODELS; i++)
		if (strcmp(models[i].name, "GatewayUserOrder") == 0)
			m = &models[i];
	assert_non_null(m);
	j = parse(m->json);
	assert_true(cJSON_ReplaceItemInObjectCaseSensitive(j, "status", cJSON_CreateNumber(9)));
	assert_true(cJSON_ReplaceItemInObjectCaseSensitive(j, "type", cJSON_CreateNumber(-3)));
	clear_err(&err);
	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_int_equal(o.status, PX_OS_OTHER);
	assert_true(o.odd_status);
	assert_int_equal(o.raw_status, 9);
	assert_int_equal(o.type, PX_OT_UNKNOWN);
	assert_true(o.odd_type);
	assert_int_equal(o.raw_type, -3);
	cJSON_Delete(j);
	j = parse(m->json);
	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_false(o.odd_status);
	assert_false(o.odd_type);
	cJSON_Delete(j);
}

static void test_docs_decode(void **state)
{
	(void)state;
	struct srm_err err;

	for (size_t i = 0; i < NMODELS; i++) {
		cJSON *j = parse(models[i].json);

		clear_err(&err);
		if (decode_named(models[i].name, j, &err) != 0)
			fail_msg("%s: %s", models[i].name, err.msg);
		cJSON_Delete(j);
	}
}

static void test_missing_fields(void **state)
{
	(void)state;
	struct srm_err err;
	char want[256];
	int checked = 0;

	for (size_t i = 0; i < NMODELS; i++) {
		const struct model *m = &models[i];

		for (const struct field *f = m->fields; f->name != NULL; f++) {
			int rc = decode_with(m, f->name, NULL, &err);

			if (!f->required) {
				if (rc != 0)
					fail_msg("%s without %s: %s", m->name, f->name, err.msg);
				continue;
			}
			snprintf(want, sizeof(want), "%s: missing field '%s'", m->name, f->name);
			assert_int_equal(rc, -1);
			assert_string_equal(err.msg, want);
			assert_int_equal(err.code, SRM_EMISSING);
			checked++;
		}
	}
	assert_int_equal(checked, 6 + 9 + 7 + 10 + 6);
}

/* Every field given a value of each wrong type, and null where it is not nullable. */
static void test_wrong_types(void **state)
{
	(void)state;
	struct srm_err err;
	char want[256];
	static const struct {
		const char *json, *got;
	} wrong[] = {
		{ "\"12\"", "string" }, { "true", "boolean" }, { "[1]", "array" },
		{ "{\"a\":1}", "object" }, { "7", "7" },   { "null", "null" },
	};

	for (size_t i = 0; i < NMODELS; i++) {
		const struct model *m = &models[i];

		for (const struct field *f = m->fields; f->name != NULL; f++) {
			for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
				bool is_num = strcmp(wrong[w].json, "7") == 0;
				bool is_null = strcmp(wrong[w].json, "null") == 0;
				bool is_str = wrong[w].json[0] == '"';
				bool num_field = f->kind == F_ID || f->kind == F_INT ||
						 f->kind == F_NUM || f->kind == F_NUMNULL;
				bool nullable = f->kind == F_NUMNULL || f->kind == F_STRNULL ||
						f->kind == F_TIMENULL;

				bool is_bool = strcmp(wrong[w].json, "true") == 0;
				bool str_field = f->kind == F_STR || f->kind == F_STRNULL;

				if ((is_num && num_field) || (is_str && str_field) ||
				    (is_bool && f->kind == F_BOOL))
					continue; /* a valid value, not a wrong type */
				if (is_null && nullable)
					continue; /* accepted, tested elsewhere */
				int rc = decode_with(m, f->name, parse(wrong[w].json), &err);

				if (is_str && (f->kind == F_TIME || f->kind == F_TIMENULL))
					snprintf(want, sizeof(want),
						 "%s: field '%s': expected an ISO-8601 timestamp, "
						 "got \"12\"", m->name, f->name);
				else
					snprintf(want, sizeof(want),
						 "%s: field '%s': expected %s, got %s", m->name,
						 f->name, expected_of(f->kind), wrong[w].got);
				if (rc != -1)
					fail_msg("%s.%s = %s accepted", m->name, f->name,
						 wrong[w].json);
				assert_string_equal(err.msg, want);
				assert_int_equal(err.code, SRM_EINVAL);
			}
		}
	}
}

/* Nullable fields take null; the decoded value is the absent one. */
static void test_nullable(void **state)
{
	(void)state;
	struct srm_err err;
	struct px_order o;

	cJSON *j = parse(ORDER_DOC);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "updateTimestamp", cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive(j, "filledPrice", cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive(j, "symbolId", cJSON_CreateNull());
	cJSON_ReplaceItemInObjectCaseSensitive(j, "limitPrice", cJSON_CreateNumber(6300.5));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "customTag", cJSON_CreateString("srm-1"));
	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_int_equal(o.updated, 0);
	assert_true(isnan(o.filled_price));
	assert_string_equal(o.symbol_id, "");
	assert_true(o.limit_price == 6300.5);
	assert_string_equal(o.custom_tag, "srm-1");
	cJSON_Delete(j);

	/* absent nullable fields too */
	j = parse(ORDER_DOC);
	cJSON_DeleteItemFromObjectCaseSensitive(j, "updateTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(j, "filledPrice");
	cJSON_DeleteItemFromObjectCaseSensitive(j, "customTag");
	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_int_equal(o.updated, 0);
	assert_true(isnan(o.filled_price));
	assert_string_equal(o.custom_tag, "");
	cJSON_Delete(j);
}

static const struct model *model_named(const char *name)
{
	for (size_t i = 0; i < NMODELS; i++)
		if (strcmp(models[i].name, name) == 0)
			return &models[i];
	fail_msg("no model %s", name);
	return NULL;
}

/* Bad numbers: non-integral ids, out-of-range ints and enums, inf, absurd prices. */
static void test_bad_numbers(void **state)
{
	(void)state;
	struct srm_err err;
	static const struct {
		const char *model, *field, *json, *msg;
	} cases[] = {
		{ "GatewayUserOrder", "id", "1.5", "field 'id': expected an integer id, got 1.5" },
		{ "GatewayUserOrder", "id", "9007199254740994",
		  "field 'id': expected an integer id in -9007199254740992..9007199254740992, "
		  "got 9007199254740994" },
		{ "GatewayUserOrder", "id", "1e999", "field 'id': expected an integer id, got inf" },
		{ "GatewayUserOrder", "accountId", "3000000000",
		  "field 'accountId': expected an integer id in -2147483648..2147483647, "
		  "got 3000000000" },
		{ "GatewayUserOrder", "status", "1.5", "field 'status': expected an integer, got 1.5" },
		{ "GatewayUserOrder", "type", "3000000000",
		  "field 'type': expected an integer in -2147483648..2147483647, got 3000000000" },
		{ "GatewayUserOrder", "side", "2", "field 'side': expected an integer in 0..1, got 2" },
		{ "GatewayUserOrder", "size", "-1",
		  "field 'size': expected an integer in 0..100000, got -1" },
		{ "GatewayUserOrder", "size", "2147483648",
		  "field 'size': expected an integer in 0..100000, got 2147483648" },
		{ "GatewayUserOrder", "size", "100001",
		  "field 'size': expected an integer in 0..100000, got 100001" },
		{ "GatewayUserOrder", "creationTimestamp", "\"9999-01-01T00:00:00Z\"",
		  "field 'creationTimestamp': expected a time in 2000..2099, got \"9999-01-01T00:00:00Z\"" },
		{ "GatewayUserOrder", "fillVolume", "0.25",
		  "field 'fillVolume': expected an integer, got 0.25" },
		{ "GatewayUserOrder", "limitPrice", "1e999",
		  "field 'limitPrice': expected a finite number, got inf" },
		{ "GatewayUserOrder", "stopPrice", "-1e999",
		  "field 'stopPrice': expected a finite number, got -inf" },
		{ "GatewayUserOrder", "filledPrice", "1e13",
		  "field 'filledPrice': expected a number within +-1e12, got 10000000000000" },
		{ "GatewayUserOrder", "limitPrice", "2e9",
		  "field 'limitPrice': expected a number in -1e+09..1e+09, got 2000000000" },
		{ "GatewayUserPosition", "type", "3", "field 'type': expected an integer in 0..2, got 3" },
		{ "GatewayUserPosition", "id", "-2147483649",
		  "field 'id': expected an integer id in -2147483648..2147483647, got -2147483649" },
		{ "GatewayUserPosition", "averagePrice", "-2e12",
		  "field 'averagePrice': expected a number within +-1e12, got -2000000000000" },
		{ "GatewayUserPosition", "averagePrice", "-2e9",
		  "field 'averagePrice': expected a number in -1e+09..1e+09, got -2000000000" },
		{ "GatewayUserTrade", "orderId", "12.0001",
		  "field 'orderId': expected an integer id, got 12.0001" },
		{ "GatewayUserTrade", "size", "1e10",
		  "field 'size': expected an integer in 0..100000, got 10000000000" },
		{ "GatewayUserTrade", "price", "1e999", "field 'price': expected a finite number, got inf" },
		{ "GatewayUserTrade", "fees", "1e300",
		  "field 'fees': expected a number within +-1e12, got 1e+300" },
		{ "GatewayUserTrade", "profitAndLoss", "1e999",
		  "field 'profitAndLoss': expected a finite number, got inf" },
		{ "GatewayUserAccount", "id", "0.5", "field 'id': expected an integer id, got 0.5" },
		{ "GatewayUserAccount", "balance", "1e999",
		  "field 'balance': expected a finite number, got inf" },
		{ "Contract", "tickSize", "1e999", "field 'tickSize': expected a finite number, got inf" },
		{ "GatewayQuote", "bestAsk", "1e999", "field 'bestAsk': expected a finite number, got inf" },
	};
	char want[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct model *m = model_named(cases[i].model);
		cJSON *v = cJSON_Parse(cases[i].json);

		assert_non_null(v);
		assert_int_equal(decode_with(m, cases[i].field, v, &err), -1);
		snprintf(want, sizeof(want), "%s: %s", m->name, cases[i].msg);
		assert_string_equal(err.msg, want);
		assert_int_equal(err.code, SRM_EINVAL);
	}

	/* the extremes that are in range decode exactly */
	struct px_order o;
	cJSON *j = parse(ORDER_DOC);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "id", cJSON_CreateNumber(9007199254740992.0));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "accountId", cJSON_CreateNumber(2147483647.0));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "size", cJSON_CreateNumber(100000.0));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "limitPrice", cJSON_CreateNumber(-1e9));
	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_true(o.id == 9007199254740992LL);
	assert_int_equal(o.account_id, 2147483647);
	assert_int_equal(o.size, 100000);
	assert_true(o.limit_price == -1e9);
	cJSON_Delete(j);
}

/* Strings: lengths at the edge, invalid UTF-8, valid multibyte. */
static void test_bad_strings(void **state)
{
	(void)state;
	struct srm_err err;
	char s[300];
	struct px_order o;
	struct px_account a;

	/* contractId: 63 bytes fit, 64 do not */
	memset(s, 'C', 63);
	s[63] = '\0';
	cJSON *j = parse(ORDER_DOC);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "contractId", cJSON_CreateString(s));
	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_int_equal(strlen(o.contract_id), 63);
	s[63] = 'C';
	s[64] = '\0';
	cJSON_ReplaceItemInObjectCaseSensitive(j, "contractId", cJSON_CreateString(s));
	assert_int_equal(wire_decode_order(j, &o, &err), -1);
	assert_string_equal(err.msg, "GatewayUserOrder: field 'contractId': expected a string of "
				     "at most 63 bytes, got 64 bytes");
	cJSON_Delete(j);

	/* customTag: 127 fit, 200 do not */
	j = parse(ORDER_DOC);
	memset(s, 't', 127);
	s[127] = '\0';
	cJSON_ReplaceItemInObjectCaseSensitive(j, "customTag", cJSON_CreateString(s));
	assert_int_equal(wire_decode_order(j, &o, &err), 0);
	assert_string_equal(o.custom_tag, s);
	memset(s, 't', 200);
	s[200] = '\0';
	cJSON_ReplaceItemInObjectCaseSensitive(j, "customTag", cJSON_CreateString(s));
	assert_int_equal(wire_decode_order(j, &o, &err), -1);
	assert_string_equal(err.msg, "GatewayUserOrder: field 'customTag': expected a string of "
				     "at most 127 bytes, got 200 bytes");
	cJSON_Delete(j);

	/* invalid UTF-8 through the parser (raw bytes inside a JSON string) */
	static const char *const invalid[] = {
		"\xC3\x28", "\xC0\xAF", "\xA0\xA1", "\xE2\x28\xA1", "\xF0\x28\x8C\xBC",
		"\xED\xA0\x80", "\xF8\xA1\xA1\xA1\xA1", "ab\xFF", "\xE2\x82",
	};
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		snprintf(s, sizeof(s),
			 "{\"id\":1,\"name\":\"%s\",\"balance\":1,\"canTrade\":true,"
			 "\"isVisible\":true,\"simulated\":false}", invalid[i]);
		j = parse(s);
		clear_err(&err);
		assert_int_equal(wire_decode_account(j, &a, &err), -1);
		assert_string_equal(err.msg, "GatewayUserAccount: field 'name': expected a UTF-8 "
					     "string, got invalid UTF-8");
		cJSON_Delete(j);
	}

	/* valid multibyte text, raw and \u-escaped (including a surrogate pair) */
	j = parse("{\"id\":1,\"name\":\"Caf\xC3\xA9 \\u2713 \\ud83d\\ude00\",\"balance\":1,"
		  "\"canTrade\":true,\"isVisible\":true,\"simulated\":false}");
	assert_int_equal(wire_decode_account(j, &a, &err), 0);
	assert_string_equal(a.name, "Caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80");
	cJSON_Delete(j);

	/* a lone surrogate escape is refused by cJSON itself or by our check */
	j = cJSON_Parse("{\"id\":1,\"name\":\"\\udc00\",\"balance\":1,\"canTrade\":true,"
			"\"isVisible\":true,\"simulated\":false}");
	if (j != NULL) {
		assert_int_equal(wire_decode_account(j, &a, &err), -1);
		cJSON_Delete(j);
	}

	/* an empty contract id is not a contract */
	j = parse(CONTRACT_DOC);
	struct px_contract c;
	cJSON_ReplaceItemInObjectCaseSensitive(j, "id", cJSON_CreateString(""));
	assert_int_equal(wire_decode_contract(j, &c, &err), -1);
	assert_string_equal(err.msg, "Contract: field 'id': expected a contract id, got \"\"");
	cJSON_Delete(j);
}

static void test_bad_timestamps(void **state)
{
	(void)state;
	struct srm_err err;
	const struct model *m = model_named("GatewayUserTrade");
	char longs[200];

	assert_int_equal(decode_with(m, "creationTimestamp",
				     cJSON_CreateString("2025-13-01T00:00:00Z"), &err),
			 -1);
	assert_string_equal(err.msg, "GatewayUserTrade: field 'creationTimestamp': expected an "
				     "ISO-8601 timestamp, got \"2025-13-01T00:00:00Z\"");
	assert_int_equal(decode_with(m, "creationTimestamp", cJSON_CreateString(""), &err), -1);
	assert_int_equal(decode_with(m, "creationTimestamp", cJSON_CreateString("\"\x01\xC3\xA9"),
				     &err),
			 -1);
	assert_string_equal(err.msg, "GatewayUserTrade: field 'creationTimestamp': expected an "
				     "ISO-8601 timestamp, got \"????\"");
	memset(longs, '9', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	assert_int_equal(decode_with(m, "creationTimestamp", cJSON_CreateString(longs), &err), -1);
	assert_true(strlen(err.msg) < sizeof(err.msg) - 1);
	assert_non_null(strstr(err.msg, "...\""));
	/* Z, offsets and no fraction are all ISO-8601 */
	assert_int_equal(decode_with(m, "creationTimestamp",
				     cJSON_CreateString("2025-01-21T16:13:52.523Z"), &err),
			 0);
	assert_int_equal(decode_with(m, "creationTimestamp",
				     cJSON_CreateString("2025-01-21T10:13:52-06:00"), &err),
			 0);
}

/* ---- the three user-event shapes ---- */

static void test_user_event_shapes(void **state)
{
	(void)state;
	struct srm_event ev[4];
	struct srm_err err;
	size_t n = 99;
	char buf[2048];
	cJSON *j;

	/* flat */
	j = parse(TRADE_OPEN);
	assert_int_equal(wire_decode_user_event(EV_TRADE, j, ev, 4, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, EV_TRADE);
	assert_int_equal(ev[0].u.trade.id, 8604);
	cJSON_Delete(j);

	/* a list */
	snprintf(buf, sizeof(buf), "[%s,%s]", TRADE_OPEN, TRADE_CLOSE);
	j = parse(buf);
	assert_int_equal(wire_decode_user_event(EV_TRADE, j, ev, 4, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].u.trade.id, 8604);
	assert_int_equal(ev[1].u.trade.id, 8605);
	assert_int_equal(ev[1].kind, EV_TRADE);
	/* ... larger than cap */
	assert_int_equal(wire_decode_user_event(EV_TRADE, j, ev, 1, &n, &err), -1);
	assert_int_equal(n, 0);
	assert_int_equal(err.code, SRM_EFULL);
	assert_string_equal(err.msg, "GatewayUserTrade: 2 events, room for 1");
	cJSON_Delete(j);

	/* {action, data} with an object */
	snprintf(buf, sizeof(buf), "{\"action\":1,\"data\":%s}", POSITION_DOC);
	j = parse(buf);
	assert_int_equal(wire_decode_user_event(EV_POSITION, j, ev, 4, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].kind, EV_POSITION);
	assert_int_equal(ev[0].u.position.id, 6124);
	assert_int_equal(ev[0].u.position.size, 2);
	cJSON_Delete(j);

	/* {action, data} with a list, and without action */
	snprintf(buf, sizeof(buf), "{\"action\":0,\"data\":[%s,%s,%s]}", ORDER_DOC, ORDER_DOC,
		 ORDER_DOC);
	j = parse(buf);
	assert_int_equal(wire_decode_user_event(EV_ORDER, j, ev, 4, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(ev[2].u.order.id, 36598);
	cJSON_Delete(j);
	snprintf(buf, sizeof(buf), "{\"data\":%s}", ACCOUNT_DOC);
	j = parse(buf);
	assert_int_equal(wire_decode_user_event(EV_ACCOUNT, j, ev, 4, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ev[0].u.account.id, 536);
	cJSON_Delete(j);

	/* contracts decode through the same entry point */
	j = parse(CONTRACT_DOC);
	assert_int_equal(wire_decode_user_event(EV_CONTRACT, j, ev, 4, &n, &err), 0);
	assert_int_equal(ev[0].kind, EV_CONTRACT);
	assert_string_equal(ev[0].u.contract.id, "CON.F.US.ENQ.U25");
	cJSON_Delete(j);

	/* an empty list is zero events */
	j = parse("[]");
	n = 5;
	assert_int_equal(wire_decode_user_event(EV_TRADE, j, ev, 4, &n, &err), 0);
	assert_int_equal(n, 0);
	cJSON_Delete(j);

	/* one bad element fails the whole payload, with its index */
	snprintf(buf, sizeof(buf), "[%s,%s]", TRADE_OPEN, TRADE_CLOSE);
	j = parse(buf);
	cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(j, 1), "size",
					       cJSON_CreateString("1"));
	n = 7;
	assert_int_equal(wire_decode_user_event(EV_TRADE, j, ev, 4, &n, &err), -1);
	assert_int_equal(n, 0);
	assert_string_equal(err.msg,
			    "[1] GatewayUserTrade: field 'size': expected an integer, got string");
	cJSON_Delete(j);

	static const struct {
		enum ev_kind kind;
		const char *json, *msg;
	} bad[] = {
		{ EV_TRADE, "[{}, 5]", "[0] GatewayUserTrade: missing field 'id'" },
		{ EV_TRADE, "[5]", "[0] GatewayUserTrade: expected an object, got 5" },
		{ EV_ORDER, "\"x\"", "GatewayUserOrder: expected an object or array, got string" },
		{ EV_ORDER, "{\"action\":1,\"data\":null}",
		  "GatewayUserOrder: field 'data': expected an object or array, got null" },
		{ EV_ORDER, "{\"action\":\"1\",\"data\":{}}",
		  "GatewayUserOrder: field 'action': expected an integer, got string" },
		{ EV_POSITION, "{\"action\":1,\"data\":[1]}",
		  "[0] GatewayUserPosition: expected an object, got 1" },
		{ EV_POSITION, "{\"action\":1,\"data\":{\"action\":1,\"data\":{}}}",
		  "GatewayUserPosition: missing field 'id'" },
		{ EV_QUOTE, "{}", "GatewayQuote is not a user-hub event" },
		{ EV_TIMER, "{}", "Timer is not a user-hub event" },
		{ (enum ev_kind)42, "{}", "unknown is not a user-hub event" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = parse(bad[i].json);
		clear_err(&err);
		n = 3;
		assert_int_equal(wire_decode_user_event(bad[i].kind, j, ev, 4, &n, &err), -1);
		assert_int_equal(n, 0);
		assert_string_equal(err.msg, bad[i].msg);
		cJSON_Delete(j);
	}

	/* a flat object needs room for one; NULL err and NULL arg do not crash */
	j = parse(TRADE_OPEN);
	assert_int_equal(wire_decode_user_event(EV_TRADE, j, ev, 0, &n, &err), -1);
	assert_int_equal(err.code, SRM_EFULL);
	assert_int_equal(wire_decode_user_event(EV_TRADE, j, ev, 4, &n, NULL), 0);
	cJSON_Delete(j);
	assert_int_equal(wire_decode_user_event(EV_TRADE, NULL, ev, 4, &n, &err), -1);
	assert_int_equal(wire_decode_order(NULL, NULL, NULL), -1);
}

static void test_event_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum ev_kind kind;
	} map[] = {
		{ "GatewayUserAccount", EV_ACCOUNT }, { "GatewayUserOrder", EV_ORDER },
		{ "GatewayUserPosition", EV_POSITION }, { "GatewayUserTrade", EV_TRADE },
		{ "GatewayQuote", EV_QUOTE }, { "Contract", EV_CONTRACT },
	};
	enum ev_kind k;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		k = EV_TIMER;
		assert_int_equal(wire_event_kind(map[i].name, &k), 0);
		assert_int_equal(k, map[i].kind);
		assert_string_equal(wire_event_name(map[i].kind), map[i].name);
	}
	assert_int_equal(wire_event_kind("GatewayTrade", &k), -1);
	assert_int_equal(wire_event_kind("gatewayusertrade", &k), -1);
	assert_int_equal(wire_event_kind("Timer", &k), -1);
	assert_int_equal(wire_event_kind(NULL, &k), -1);
}

/* ---- generic getters ---- */

static void test_getters(void **state)
{
	(void)state;
	cJSON *j = parse("{\"a\":5,\"b\":null,\"s\":\"hi\",\"t\":\"2024-07-21T13:45:00Z\","
			 "\"f\":true,\"d\":2.5}");
	struct srm_err err;
	int64_t i64 = 77;
	int i = 77;
	double d = 77;
	bool b = false;
	char s[8] = "zz";
	srm_ms t = 77;

	/* absent optional: untouched, success */
	assert_int_equal(wire_get_int64(j, "x", false, &i64, &err), 0);
	assert_int_equal(i64, 77);
	assert_int_equal(wire_get_int(j, "x", false, 0, 9, &i, &err), 0);
	assert_int_equal(i, 77);
	assert_int_equal(wire_get_double(j, "x", false, true, &d, &err), 0);
	assert_true(d == 77);
	assert_int_equal(wire_get_string(j, "x", false, true, s, sizeof(s), &err), 0);
	assert_string_equal(s, "zz");
	assert_int_equal(wire_get_time(j, "x", false, &t, &err), 0);
	assert_int_equal(t, 77);

	/* present */
	assert_int_equal(wire_get_int64(j, "a", true, &i64, &err), 0);
	assert_int_equal(i64, 5);
	assert_int_equal(wire_get_int(j, "a", true, 0, 9, &i, &err), 0);
	assert_int_equal(i, 5);
	assert_int_equal(wire_get_int(j, "a", true, 0, 4, &i, &err), -1);
	assert_string_equal(err.msg, "field 'a': expected an integer in 0..4, got 5");
	assert_int_equal(wire_get_double(j, "d", true, false, &d, &err), 0);
	assert_true(d == 2.5);
	assert_int_equal(wire_get_bool(j, "f", true, &b, &err), 0);
	assert_true(b);
	assert_int_equal(wire_get_string(j, "s", true, false, s, sizeof(s), &err), 0);
	assert_string_equal(s, "hi");
	assert_int_equal(wire_get_string(j, "s", true, false, s, 2, &err), -1);
	assert_string_equal(err.msg, "field 's': expected a string of at most 1 bytes, got 2 bytes");
	assert_int_equal(wire_get_time(j, "t", true, &t, &err), 0);
	assert_int_equal(t, T_QUOTE);

	/* null */
	assert_int_equal(wire_get_double(j, "b", true, true, &d, &err), 0);
	assert_true(isnan(d));
	assert_int_equal(wire_get_double(j, "b", true, false, &d, &err), -1);
	assert_string_equal(err.msg, "field 'b': expected a number, got null");
	assert_int_equal(wire_get_string(j, "b", true, true, s, sizeof(s), &err), 0);
	assert_string_equal(s, "");
	assert_int_equal(wire_get_time(j, "b", false, &t, &err), 0);
	assert_int_equal(t, 0);
	assert_int_equal(wire_get_time(j, "b", true, &t, &err), -1);
	assert_string_equal(err.msg, "field 'b': expected an ISO-8601 timestamp string, got null");
	assert_int_equal(wire_get_bool(j, "b", true, &b, &err), -1);
	assert_int_equal(wire_get_int64(j, "b", true, &i64, &err), -1);
	assert_string_equal(err.msg, "field 'b': expected an integer id, got null");

	/* missing required, not an object */
	assert_int_equal(wire_get_bool(j, "nope", true, &b, &err), -1);
	assert_string_equal(err.msg, "missing field 'nope'");
	assert_int_equal(err.code, SRM_EMISSING);
	cJSON *arr = parse("[1]");
	assert_int_equal(wire_get_int(arr, "a", false, 0, 9, &i, &err), -1);
	assert_string_equal(err.msg, "expected an object, got array");
	assert_int_equal(wire_get_int(NULL, "a", false, 0, 9, &i, NULL), -1);
	cJSON_Delete(arr);
	cJSON_Delete(j);
}

/* ---- encoders: decode(encode(x)) == x ---- */

static cJSON *reparse(cJSON *j)
{
	assert_non_null(j);
	char *s = cJSON_PrintUnformatted(j);
	assert_non_null(s);
	cJSON *r = parse(s);
	cJSON_free(s);
	cJSON_Delete(j);
	return r;
}

static void check_null(const cJSON *j, const char *k)
{
	if (!cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, k)))
		fail_msg("field %s: expected null", k);
}

static bool same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

static void test_roundtrip_order(void **state)
{
	(void)state;
	struct srm_err err;
	struct px_order in[3], out;

	memset(in, 0, sizeof(in));
	in[0] = (struct px_order){ .id = 36598, .account_id = 704, .contract_id = "CON.F.US.EP.U25",
				   .symbol_id = "F.US.EP", .created = T_ORDER,
				   .updated = T_ORDER + 5, .status = PX_OS_OPEN,
				   .type = PX_OT_LIMIT,
				   .side = PX_ASK, .size = 3, .limit_price = 6335.25,
				   .stop_price = PX_NULL, .fill_volume = 0, .filled_price = PX_NULL,
				   .custom_tag = "srm-\xC3\xA9-1" };
	in[1] = (struct px_order){ .id = 9007199254740992LL, .account_id = 2147483647,
				   .contract_id = "CON.F.US.MNQ.Z26", .symbol_id = "",
				   .created = T_TRADE, .updated = 0, .status = PX_OS_SUSPENDED,
				   .type = PX_OT_STOP_LIMIT, .side = PX_BID, .size = 1,
				   .limit_price = 0.1, .stop_price = 20001.75, .fill_volume = 0,
				   .filled_price = PX_NULL, .custom_tag = "" };
	in[2] = (struct px_order){ .id = 1, .account_id = 1, .contract_id = "C", .symbol_id = "S",
				   .created = T_TRADE, .updated = T_TRADE + 1, .status = PX_OS_FILLED,
				   .type = PX_OT_MARKET, .side = PX_BID, .size = 2,
				   .limit_price = PX_NULL, .stop_price = PX_NULL, .fill_volume = 2,
				   .filled_price = 1e-9, .custom_tag = "x" };
	for (int i = 0; i < 3; i++) {
		cJSON *j = reparse(wire_encode_order(&in[i]));
		if (wire_decode_order(j, &out, &err) != 0)
			fail_msg("%d: %s", i, err.msg);
		assert_int_equal(out.id, in[i].id);
		assert_int_equal(out.account_id, in[i].account_id);
		assert_string_equal(out.contract_id, in[i].contract_id);
		assert_string_equal(out.symbol_id, in[i].symbol_id);
		assert_int_equal(out.created, in[i].created);
		assert_int_equal(out.updated, in[i].updated);
		assert_int_equal(out.status, in[i].status);
		assert_int_equal(out.type, in[i].type);
		assert_int_equal(out.side, in[i].side);
		assert_int_equal(out.size, in[i].size);
		assert_true(same_num(out.limit_price, in[i].limit_price));
		assert_true(same_num(out.stop_price, in[i].stop_price));
		assert_int_equal(out.fill_volume, in[i].fill_volume);
		assert_true(same_num(out.filled_price, in[i].filled_price));
		assert_string_equal(out.custom_tag, in[i].custom_tag);
		/* the gateway's nulls */
		if (in[i].updated == 0)
			check_null(j, "updateTimestamp");
		if (in[i].custom_tag[0] == '\0')
			check_null(j, "customTag");
		if (isnan(in[i].stop_price))
			check_null(j, "stopPrice");
		cJSON_Delete(j);
	}
}

static void test_roundtrip_others(void **state)
{
	(void)state;
	struct srm_err err;
	cJSON *j;

	struct px_account a = { .id = 536, .name = "TEST_ACCOUNT_1", .balance = 49876.37,
				.can_trade = false, .is_visible = true, .simulated = true }, a2;
	j = reparse(wire_encode_account(&a));
	assert_int_equal(wire_decode_account(j, &a2, &err), 0);
	assert_int_equal(a2.id, a.id);
	assert_string_equal(a2.name, a.name);
	assert_true(a2.balance == a.balance);
	assert_true(a2.can_trade == a.can_trade && a2.is_visible == a.is_visible &&
		    a2.simulated == a.simulated);
	cJSON_Delete(j);

	struct px_position p = { .id = 6124, .account_id = 536, .contract_id = "CON.F.US.GMET.J25",
				 .created = T_POSITION, .type = PX_PT_SHORT, .size = 0,
				 .average_price = 1575.75 }, p2;
	j = reparse(wire_encode_position(&p));
	assert_int_equal(wire_decode_position(j, &p2, &err), 0);
	assert_int_equal(p2.id, p.id);
	assert_int_equal(p2.account_id, p.account_id);
	assert_string_equal(p2.contract_id, p.contract_id);
	assert_int_equal(p2.created, p.created);
	assert_int_equal(p2.type, p.type);
	assert_int_equal(p2.size, p.size);
	assert_true(p2.average_price == p.average_price);
	cJSON_Delete(j);

	for (int k = 0; k < 2; k++) {
		struct px_trade t = { .id = 8604 + k, .account_id = 203,
				      .contract_id = "CON.F.US.EP.H25", .created = T_TRADE,
				      .price = 6065.25, .profit_and_loss = k ? -12.5 : PX_NULL,
				      .fees = 1.4, .side = k, .size = 2, .voided = k == 1,
				      .order_id = 14328 }, t2;
		j = reparse(wire_encode_trade(&t));
		assert_int_equal(wire_decode_trade(j, &t2, &err), 0);
		assert_int_equal(t2.id, t.id);
		assert_int_equal(t2.account_id, t.account_id);
		assert_string_equal(t2.contract_id, t.contract_id);
		assert_int_equal(t2.created, t.created);
		assert_true(t2.price == t.price);
		assert_true(same_num(t2.profit_and_loss, t.profit_and_loss));
		assert_true(t2.fees == t.fees);
		assert_int_equal(t2.side, t.side);
		assert_int_equal(t2.size, t.size);
		assert_true(t2.voided == t.voided);
		assert_int_equal(t2.order_id, t.order_id);
		if (k == 0)
			check_null(j, "profitAndLoss");
		cJSON_Delete(j);
	}

	struct px_contract c = { .id = "CON.F.US.BP6.U25", .name = "6BU5",
				 .description = "British Pound", .tick_size = 0.0001,
				 .tick_value = 6.25, .active = false, .symbol_id = "F.US.BP6" }, c2;
	j = reparse(wire_encode_contract(&c));
	assert_int_equal(wire_decode_contract(j, &c2, &err), 0);
	assert_string_equal(c2.id, c.id);
	assert_string_equal(c2.name, c.name);
	assert_string_equal(c2.description, c.description);
	assert_true(c2.tick_size == c.tick_size && c2.tick_value == c.tick_value);
	assert_true(c2.active == c.active);
	assert_string_equal(c2.symbol_id, c.symbol_id);
	cJSON_Delete(j);

	for (int k = 0; k < 2; k++) {
		struct px_quote q = { .contract_id = "CON.F.US.EP.U25", .symbol = "F.US.EP",
				      .last_price = k ? PX_NULL : 2100.25, .best_bid = 2100.0,
				      .best_ask = k ? PX_NULL : 2100.5,
				      .timestamp = k ? 0 : T_QUOTE },
				  q2;
		j = reparse(wire_encode_quote(&q));
		assert_null(cJSON_GetObjectItemCaseSensitive(j, "contractId"));
		assert_int_equal(wire_decode_quote(q.contract_id, j, &q2, &err), 0);
		assert_string_equal(q2.contract_id, q.contract_id);
		assert_string_equal(q2.symbol, q.symbol);
		assert_true(same_num(q2.last_price, q.last_price));
		assert_true(same_num(q2.best_bid, q.best_bid));
		assert_true(same_num(q2.best_ask, q.best_ask));
		assert_int_equal(q2.timestamp, q.timestamp);
		cJSON_Delete(j);
	}

	/* encoders refuse NULL */
	assert_null(wire_encode_order(NULL));
	assert_null(wire_encode_quote(NULL));
}

/* ---- request bodies ---- */

static void check_num(const cJSON *j, const char *k, double v)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, k);

	if (!cJSON_IsNumber(it) || it->valuedouble != v)
		fail_msg("field %s: expected %g", k, v);
}

static void check_str(const cJSON *j, const char *k, const char *v)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(j, k);

	if (!cJSON_IsString(it) || strcmp(it->valuestring, v) != 0)
		fail_msg("field %s: expected \"%s\"", k, v);
}

static void check_fields(const cJSON *j, int n)
{
	assert_int_equal(cJSON_GetArraySize(j), n);
}

static void test_requests(void **state)
{
	(void)state;
	cJSON *j;
	char iso[48];

	j = wire_req_login_key("trader", "k3y");
	check_str(j, "userName", "trader");
	check_str(j, "apiKey", "k3y");
	check_fields(j, 2);
	cJSON_Delete(j);
	assert_null(wire_req_login_key(NULL, "k"));

	j = wire_req_account_search(true);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "onlyActiveAccounts")));
	check_fields(j, 1);
	cJSON_Delete(j);

	j = wire_req_account_id(704);
	check_num(j, "accountId", 704);
	check_fields(j, 1);
	cJSON_Delete(j);

	j = wire_req_contract_by_id("CON.F.US.EP.U25");
	check_str(j, "contractId", "CON.F.US.EP.U25");
	check_fields(j, 1);
	cJSON_Delete(j);

	j = wire_req_trade_search(704, T_TRADE, 0);
	check_num(j, "accountId", 704);
	check_str(j, "startTimestamp", iso_format(T_TRADE, iso, sizeof(iso)));
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "endTimestamp"));
	check_fields(j, 2);
	cJSON_Delete(j);

	j = wire_req_order_search(704, T_TRADE, T_ORDER);
	check_str(j, "startTimestamp", iso_format(T_TRADE, iso, sizeof(iso)));
	check_str(j, "endTimestamp", iso_format(T_ORDER, iso, sizeof(iso)));
	check_fields(j, 3);
	cJSON_Delete(j);

	j = wire_req_close_contract(704, "CON.F.US.EP.U25");
	check_num(j, "accountId", 704);
	check_str(j, "contractId", "CON.F.US.EP.U25");
	check_fields(j, 2);
	cJSON_Delete(j);

	j = wire_req_partial_close(704, "CON.F.US.EP.U25", 2);
	check_num(j, "size", 2);
	check_str(j, "contractId", "CON.F.US.EP.U25");
	check_fields(j, 3);
	cJSON_Delete(j);

	j = wire_req_cancel(465, 9007199254740992LL);
	check_fields(j, 2);
	/* printed exactly (cJSON alone would print 9.00719925474099e+15) */
	char *s = cJSON_PrintUnformatted(j);
	assert_string_equal(s, "{\"accountId\":465,\"orderId\":9007199254740992}");
	cJSON_free(s);
	cJSON_Delete(j);

	j = wire_req_place(465, "CON.F.US.EP.U25", PX_OT_LIMIT, PX_BID, 1, 6300.25, PX_NULL,
			   "srm-7");
	check_num(j, "accountId", 465);
	check_str(j, "contractId", "CON.F.US.EP.U25");
	check_num(j, "type", 1);
	check_num(j, "side", 0);
	check_num(j, "size", 1);
	check_num(j, "limitPrice", 6300.25);
	check_null(j, "stopPrice");
	check_str(j, "customTag", "srm-7");
	check_fields(j, 8);
	cJSON_Delete(j);

	j = wire_req_place(465, "CON.F.US.EP.U25", PX_OT_STOP, PX_ASK, 2, PX_NULL, 6200, NULL);
	check_null(j, "limitPrice");
	check_num(j, "stopPrice", 6200);
	check_null(j, "customTag");
	cJSON_Delete(j);

	/* the docs' modify example */
	j = wire_req_modify(465, 26974, 1, PX_NULL, 1604);
	s = cJSON_PrintUnformatted(j);
	assert_string_equal(s, "{\"accountId\":465,\"orderId\":26974,\"size\":1,\"limitPrice\":null,"
			       "\"stopPrice\":1604}");
	cJSON_free(s);
	cJSON_Delete(j);
}

/* ---- fuzz: mutated and truncated payloads through every decoder ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic across runs and platforms */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static size_t rnd(size_t n)
{
	return n == 0 ? 0 : (size_t)(rng() % n);
}

static unsigned long fuzz_ok, fuzz_fail;

static void check_rc(int rc, const struct srm_err *err)
{
	if (rc == 0) {
		fuzz_ok++;
		return;
	}
	assert_int_equal(rc, -1);
	assert_true(err->msg[0] != '\0');
	assert_true(err->code != 0);
	assert_true(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	fuzz_fail++;
}

static void check_str_field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	assert_true(n < cap);
	assert_true(utf8_valid(s, n));
}

/* Every decoder on one value; invariants of what succeeds. */
static void decode_all_one(const cJSON *j)
{
	struct srm_err err;
	struct srm_event ev[3];
	struct wire_envelope env;
	size_t n;
	int rc;

	clear_err(&err);
	rc = wire_decode_account(j, &ev[0].u.account, &err);
	check_rc(rc, &err);
	if (rc == 0)
		check_str_field(ev[0].u.account.name, SRM_NAME_MAX);

	clear_err(&err);
	rc = wire_decode_order(j, &ev[0].u.order, &err);
	check_rc(rc, &err);
	if (rc == 0) {
		const struct px_order *o = &ev[0].u.order;
		assert_true(o->status >= 0 && o->status <= 8 && o->type >= 0 && o->type <= 7);
		assert_true(o->side == 0 || o->side == 1);
		assert_true(o->size >= 0 && o->fill_volume >= 0);
		check_str_field(o->contract_id, SRM_ID_MAX);
		check_str_field(o->symbol_id, SRM_ID_MAX);
		check_str_field(o->custom_tag, SRM_TAG_MAX);
		assert_true(isnan(o->limit_price) || fabs(o->limit_price) <= 1e12);
	}

	clear_err(&err);
	rc = wire_decode_position(j, &ev[0].u.position, &err);
	check_rc(rc, &err);
	if (rc == 0) {
		assert_true(ev[0].u.position.type >= 0 && ev[0].u.position.type <= 2);
		assert_true(ev[0].u.position.size >= 0);
		assert_true(isfinite(ev[0].u.position.average_price));
	}

	clear_err(&err);
	rc = wire_decode_trade(j, &ev[0].u.trade, &err);
	check_rc(rc, &err);
	if (rc == 0)
		assert_true(isfinite(ev[0].u.trade.price) && isfinite(ev[0].u.trade.fees));

	clear_err(&err);
	rc = wire_decode_contract(j, &ev[0].u.contract, &err);
	check_rc(rc, &err);
	if (rc == 0)
		assert_true(ev[0].u.contract.tick_size > 0 && ev[0].u.contract.tick_value > 0);

	clear_err(&err);
	rc = wire_decode_quote("CON.F.US.EP.U25", j, &ev[0].u.quote, &err);
	check_rc(rc, &err);
	if (rc == 0)
		check_str_field(ev[0].u.quote.symbol, SRM_ID_MAX);

	for (int k = EV_ACCOUNT; k <= EV_CONTRACT; k++) {
		clear_err(&err);
		n = 99;
		rc = wire_decode_user_event((enum ev_kind)k, j, ev, 3, &n, &err);
		check_rc(rc, &err);
		assert_true(rc == 0 ? n <= 3 : n == 0);
		for (size_t e = 0; rc == 0 && e < n; e++)
			assert_int_equal(ev[e].kind, k);
	}

	clear_err(&err);
	rc = wire_decode_envelope(j, &env, &err);
	check_rc(rc, &err);
	if (rc == 0)
		check_str_field(env.error_message, sizeof(env.error_message));
}

/* The value, its direct children, and the market hub's (contractId, data) argument pair. */
static void decode_all(const cJSON *root)
{
	const cJSON *c;
	int i = 0;

	decode_all_one(root);
	cJSON_ArrayForEach(c, root) {
		if (i++ >= 6)
			break;
		decode_all_one(c);
	}
	if (cJSON_IsArray(root) && cJSON_GetArraySize(root) == 2) {
		const cJSON *id = cJSON_GetArrayItem(root, 0);
		struct px_quote q;
		struct srm_err err;

		clear_err(&err);
		check_rc(wire_decode_quote(cJSON_IsString(id) ? id->valuestring : NULL,
					   cJSON_GetArrayItem(root, 1), &q, &err),
			 &err);
	}
}

/* Parse exactly len bytes from a heap copy without a terminator (so overreads are caught). */
static void feed_bytes(const char *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	cJSON *j;

	assert_non_null(copy);
	memcpy(copy, data, len);
	j = cJSON_ParseWithLength(copy, len);
	if (j != NULL) {
		decode_all(j);
		cJSON_Delete(j);
	}
	free(copy);
}

static const char *seeds[16];
static size_t nseeds;
static char seed_buf[8][4096];

static void make_seeds(void)
{
	nseeds = 0;
	seeds[nseeds++] = ORDER_DOC;
	seeds[nseeds++] = POSITION_DOC;
	seeds[nseeds++] = TRADE_OPEN;
	seeds[nseeds++] = TRADE_CLOSE;
	seeds[nseeds++] = ACCOUNT_DOC;
	seeds[nseeds++] = CONTRACT_DOC;
	seeds[nseeds++] = QUOTE_DOC;
	seeds[nseeds++] = "{\"success\":false,\"errorCode\":3,\"errorMessage\":\"nope\"}";
	snprintf(seed_buf[0], sizeof(seed_buf[0]), "[%s,%s]", TRADE_OPEN, TRADE_CLOSE);
	snprintf(seed_buf[1], sizeof(seed_buf[1]), "{\"action\":1,\"data\":%s}", POSITION_DOC);
	snprintf(seed_buf[2], sizeof(seed_buf[2]), "{\"action\":0,\"data\":[%s,%s]}", ORDER_DOC,
		 ORDER_DOC);
	snprintf(seed_buf[3], sizeof(seed_buf[3]), "[\"CON.F.US.EP.U25\",%s]", QUOTE_DOC);
	for (int i = 0; i < 4; i++)
		seeds[nseeds++] = seed_buf[i];
}

/* Values that stress each check, put in place of fields. */
static const char *const nasty[] = {
	"\"x\"", "\"\"", "1.5", "-1", "0", "-0", "1e999", "-1e999", "9007199254740993",
	"3000000000", "-2147483649", "1e300", "null", "true", "false", "[]", "{}", "[{}]",
	"\"\xC3\x28\"", "\"\xC0\xAF\"", "\"2025-13-45T99:99:99Z\"", "\"2025-07-18T21:00:01Z\"",
	"\"\\u0000\"", "\"\\ud800\"", "{\"action\":1,\"data\":{}}", "1e-320", "2147483647",
	"\"CON.F.US.EP.U25 CON.F.US.EP.U25 CON.F.US.EP.U25 CON.F.US.EP.U25 CON\"",
};

/* Replace or delete a random member (of the root or of a child object) with a nasty value. */
static void mutate_tree(cJSON *root)
{
	cJSON *obj = root;

	for (int depth = 0; depth < 3; depth++) {
		int n = cJSON_GetArraySize(obj);
		if (n <= 0)
			return;
		cJSON *child = cJSON_GetArrayItem(obj, (int)rnd((size_t)n));
		if ((cJSON_IsObject(child) || cJSON_IsArray(child)) && rnd(2) == 0) {
			obj = child;
			continue;
		}
		if (rnd(5) == 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, child));
			return;
		}
		cJSON *v = cJSON_Parse(nasty[rnd(sizeof(nasty) / sizeof(nasty[0]))]);
		if (v == NULL)
			return;
		if (!cJSON_ReplaceItemViaPointer(obj, child, v))
			cJSON_Delete(v);
		return;
	}
}

static void test_fuzz(void **state)
{
	(void)state;
	static const char alphabet[] = "{}[]\":,0123456789.eE-+ntrufalse\\ \x01\xC3\xFF";
	char buf[8192];

	rng_state = 0x5eed5eed12345678ULL;
	fuzz_ok = fuzz_fail = 0;
	make_seeds();

	/* 1. every truncation of every seed */
	for (size_t s = 0; s < nseeds; s++)
		for (size_t k = 0; k <= strlen(seeds[s]); k++)
			feed_bytes(seeds[s], k);

	/* 2. byte flips, inserts, deletions */
	for (int it = 0; it < 3000; it++) {
		const char *seed = seeds[rnd(nseeds)];
		size_t len = strlen(seed);
		memcpy(buf, seed, len);
		int edits = 1 + (int)rnd(4);
		for (int e = 0; e < edits; e++) {
			size_t pos = rnd(len);
			switch (rnd(3)) {
			case 0:
				buf[pos] = (char)rnd(256);
				break;
			case 1:
				if (len + 1 < sizeof(buf)) {
					memmove(buf + pos + 1, buf + pos, len - pos);
					buf[pos] = alphabet[rnd(sizeof(alphabet) - 1)];
					len++;
				}
				break;
			default: {
				size_t cut = rnd(8);
				if (cut > len - pos)
					cut = len - pos;
				memmove(buf + pos, buf + pos + cut, len - pos - cut);
				len -= cut;
				break;
			}
			}
		}
		feed_bytes(buf, len);
	}

	/* 3. structured: nasty values in place of fields, several at a time */
	for (int it = 0; it < 3000; it++) {
		cJSON *j = parse(seeds[rnd(nseeds)]);
		int edits = 1 + (int)rnd(3);
		for (int e = 0; e < edits; e++)
			mutate_tree(j);
		decode_all(j);
		cJSON_Delete(j);
	}

	/* 4. deep nesting, at and around cJSON's limit, and nested wrappers */
	static const int depths[] = { 1, 2, 50, 999, 1000, 1001, 3000 };
	for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		size_t n = (size_t)depths[d], len = 0;
		char *deep = malloc(n * 20 + 16);
		assert_non_null(deep);
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(deep + len, 20, "[");
		for (size_t i = 0; i < n; i++)
			deep[len++] = ']';
		feed_bytes(deep, len);
		len = 0;
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(deep + len, 20, "{\"data\":");
		len += (size_t)snprintf(deep + len, 3, "{}");
		for (size_t i = 0; i < n; i++)
			deep[len++] = '}';
		feed_bytes(deep, len);
		free(deep);
	}

	print_message("fuzz: %lu decodes accepted, %lu rejected\n", fuzz_ok, fuzz_fail);
	/* both outcomes were exercised */
	assert_true(fuzz_ok > 100);
	assert_true(fuzz_fail > 1000);
}

/* A recorded Config line (srmd --record): written, parsed to an EV_CONFIG, its text read back. */
static void test_record_config(void **state)
{
	struct srm_event ev = {.kind = EV_CONFIG}, out[2];
	struct srm_err err = {0};
	char *line, *yaml = NULL, *path = NULL;
	bool header = true;
	srm_ms ts = 0;

	(void)state;
	ev.u.config.yaml = "rules:\n  max_contracts: {enabled: true, limit: 2}\n";
	ev.u.config.path = "/home/t/.config/srm/srm.yaml";
	ev.u.config.judge = true;
	line = record_line(1764000000000, &ev);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"event\":\"Config\""));
	assert_int_equal(record_parse(line, &ts, out, 2, &header, &err), 1);
	assert_false(header);
	assert_int_equal(ts, 1764000000000);
	assert_int_equal(out[0].kind, EV_CONFIG);
	assert_true(out[0].u.config.judge);
	assert_null(out[0].u.config.cfg); /* the reader loads the text itself */
	assert_int_equal(record_config_yaml(line, &yaml, &path, &err), 1);
	assert_string_equal(yaml, ev.u.config.yaml);
	assert_string_equal(path, ev.u.config.path);
	free(yaml);
	free(path);
	free(line);
	/* not a Config line; a Config line without its text; nothing to write */
	assert_int_equal(record_config_yaml("{\"ts\":\"2025-11-24T15:00:00Z\",\"event\":\"Recheck\","
					    "\"data\":{\"accountId\":1}}", &yaml, &path, &err), 0);
	assert_null(yaml);
	assert_int_equal(record_parse("{\"ts\":\"2025-11-24T15:00:00Z\",\"event\":\"Config\","
				      "\"data\":{\"yaml\":7}}", &ts, out, 2, &header, &err), -1);
	assert_non_null(strstr(err.msg, "yaml"));
	assert_int_equal(record_config_yaml("{\"ts\":\"2025-11-24T15:00:00Z\",\"event\":\"Config\","
					    "\"data\":{}}", &yaml, &path, &err), -1);
	ev.u.config.yaml = NULL;
	assert_null(record_line(1764000000000, &ev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_doc),
		cmocka_unit_test(test_record_config),
		cmocka_unit_test(test_position_doc),
		cmocka_unit_test(test_trade_docs),
		cmocka_unit_test(test_account_doc),
		cmocka_unit_test(test_contract_doc),
		cmocka_unit_test(test_quote_doc),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_docs_decode),
		cmocka_unit_test(test_missing_fields),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_nullable),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_unknown_enums_kept),
		cmocka_unit_test(test_bad_strings),
		cmocka_unit_test(test_bad_timestamps),
		cmocka_unit_test(test_user_event_shapes),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_roundtrip_order),
		cmocka_unit_test(test_roundtrip_others),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
