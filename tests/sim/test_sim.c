/*
 * test_sim.c: black-box tests of srm-sim: start the real binary on port 0 and talk to it over
 * real sockets (REST contract, auth, matching and P&L, bad input, hubs, faults, control API).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "simclient.h"

#define ES "CON.F.US.EP.Z26"
#define MNQ "CON.F.US.MNQ.Z26"
#define CL "CON.F.US.CLE.Z26"

static struct simproc P;
static char *TOK;
static int64_t ACC1, ACC2;

static int group_setup(void **state)
{
	const char *args[] = { "--quote-interval-ms", "0", "--no-rate-limit", "--accounts", "3",
			       "--ping-ms", "400", NULL };

	(void)state;
	if (simproc_start(&P, args) != 0)
		return -1;
	TOK = sim_login(P.port);
	ACC1 = P.accounts[0];
	ACC2 = P.accounts[1];
	return TOK != NULL && P.naccounts == 3 ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	free(TOK);
	/* A clean exit (status 0) on SIGTERM is part of the contract. */
	return simproc_stop(&P) == 0 ? 0 : -1;
}

static cJSON *post(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static cJSON *post(const char *path, const char *fmt, ...)
{
	char body[4096];
	va_list ap;
	int st;
	cJSON *j;

	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	j = api_post(P.port, path, strncmp(path, "/api/", 5) == 0 ? TOK : NULL, body, &st);
	assert_int_equal(st, 200);
	assert_non_null(j);
	return j;
}

static int test_setup(void **state)
{
	struct http_res r;

	(void)state;
	cJSON_Delete(post("/sim/reset", "{}"));
	if (http_do(P.port, "DELETE", "/sim/fault", NULL, NULL, 0, &r) != 0 || r.status != 200)
		return -1;
	http_res_free(&r);
	return 0;
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v))
		fail_msg("field '%s' is not a number", k);
	return v->valuedouble;
}

/* Check field names and types: "id:n,name:s,ok:b,price:N(number|null),tag:S(string|null)". */
static void check_fields(const cJSON *o, const char *spec)
{
	char buf[512];

	assert_true(cJSON_IsObject(o));
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *f = buf; f != NULL && *f != '\0';) {
		char *comma = strchr(f, ',');
		char *colon = strchr(f, ':');

		if (comma != NULL)
			*comma = '\0';
		assert_non_null(colon);
		*colon = '\0';
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, f);
		bool ok = false;

		switch (colon[1]) {
		case 'n': ok = cJSON_IsNumber(v); break;
		case 's': ok = cJSON_IsString(v); break;
		case 'b': ok = cJSON_IsBool(v); break;
		case 'a': ok = cJSON_IsArray(v); break;
		case 'N': ok = cJSON_IsNumber(v) || cJSON_IsNull(v); break;
		case 'S': ok = cJSON_IsString(v) || cJSON_IsNull(v); break;
		case 'z': ok = cJSON_IsNull(v); break;
		}
		if (!ok)
			fail_msg("field '%s' missing or not of type %c", f, colon[1]);
		f = comma != NULL ? comma + 1 : NULL;
	}
}

static void check_env(const cJSON *j, int code)
{
	check_fields(j, "success:b,errorCode:n,errorMessage:S");
	assert_int_equal((int)num(j, "errorCode"), code);
	assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(j, "success")), code == 0);
}

static const char *ORDER_F = "id:n,accountId:n,contractId:s,symbolId:s,creationTimestamp:s,"
			     "updateTimestamp:S,status:n,type:n,side:n,size:n,limitPrice:N,"
			     "stopPrice:N,fillVolume:n,filledPrice:N,customTag:S";
static const char *TRADE_F = "id:n,accountId:n,contractId:s,creationTimestamp:s,price:n,"
			     "profitAndLoss:N,fees:n,side:n,size:n,voided:b,orderId:n";
static const char *POS_F = "id:n,accountId:n,contractId:s,creationTimestamp:s,type:n,size:n,"
			   "averagePrice:n";
static const char *ACC_F = "id:n,name:s,balance:n,canTrade:b,isVisible:b,simulated:b";
static const char *CON_F = "id:s,name:s,description:s,tickSize:n,tickValue:n,activeContract:b,"
			   "symbolId:s";

static void quote(const char *cid, double bid, double ask)
{
	cJSON_Delete(post("/sim/quote", "{\"contractId\":\"%s\",\"bid\":%.4f,\"ask\":%.4f}", cid,
			  bid, ask));
}

static int64_t place(int64_t acc, const char *cid, int type, int side, int size,
		     const char *extra)
{
	cJSON *j = post("/api/Order/place",
			"{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":%d,\"side\":%d,"
			"\"size\":%d%s}", (long long)acc, cid, type, side, size,
			extra != NULL ? extra : "");
	check_env(j, 0);
	int64_t id = (int64_t)num(j, "orderId");
	cJSON_Delete(j);
	return id;
}

/* The account's trades, newest last. */
static cJSON *trades(int64_t acc)
{
	cJSON *j = post("/api/Trade/search", "{\"accountId\":%lld,\"startTimestamp\":"
			"\"2020-01-01T00:00:00Z\"}", (long long)acc);
	check_env(j, 0);
	return j;
}

static const cJSON *last_trade(const cJSON *j)
{
	const cJSON *arr = cJSON_GetObjectItem(j, "trades");
	int n = cJSON_GetArraySize(arr);

	assert_true(n > 0);
	return cJSON_GetArrayItem(arr, n - 1);
}

static double balance(int64_t acc)
{
	cJSON *j = post("/api/Account/search", "{\"onlyActiveAccounts\":false}");
	const cJSON *a;
	double b = NAN;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(j, "accounts"))
		if ((int64_t)num(a, "id") == acc)
			b = num(a, "balance");
	cJSON_Delete(j);
	return b;
}

/* --- auth --- */

static void test_login(void **state)
{
	int st;
	cJSON *j;

	(void)state;
	j = api_post(P.port, "/api/Auth/loginKey", NULL, "{\"userName\":\"demo\",\"apiKey\":\"demo\"}",
		     &st);
	assert_int_equal(st, 200);
	check_env(j, 0);
	check_fields(j, "token:s");
	const char *tok = cJSON_GetObjectItem(j, "token")->valuestring;
	const char *d1 = strchr(tok, '.');
	assert_non_null(d1);
	assert_non_null(strchr(d1 + 1, '.')); /* header.payload.sig */
	cJSON_Delete(j);

	j = api_post(P.port, "/api/Auth/loginKey", NULL, "{\"userName\":\"demo\",\"apiKey\":\"x\"}",
		     &st);
	assert_int_equal(st, 200); /* a failed login is HTTP 200 */
	check_env(j, 3);
	check_fields(j, "token:z");
	cJSON_Delete(j);

	j = api_post(P.port, "/api/Auth/loginKey", NULL, "{\"userName\":\"demo\"}", &st);
	assert_int_equal(st, 400);
	cJSON_Delete(j);
	j = api_post(P.port, "/api/Auth/loginKey", NULL, "{\"userName\":", &st);
	assert_int_equal(st, 400);
	cJSON_Delete(j);
}

static void test_401(void **state)
{
	int st;
	cJSON *j;

	(void)state;
	j = api_post(P.port, "/api/Account/search", NULL, "{\"onlyActiveAccounts\":true}", &st);
	assert_int_equal(st, 401);
	cJSON_Delete(j);
	j = api_post(P.port, "/api/Account/search", "abc.def.ghi", "{\"onlyActiveAccounts\":true}",
		     &st);
	assert_int_equal(st, 401);
	cJSON_Delete(j);

	/* validate gives a new token; logout kills the one used. */
	char *t2 = sim_login(P.port);
	j = api_post(P.port, "/api/Auth/validate", t2, NULL, &st);
	assert_int_equal(st, 200);
	check_env(j, 0);
	check_fields(j, "newToken:s");
	char *t3 = strdup(cJSON_GetObjectItem(j, "newToken")->valuestring);
	cJSON_Delete(j);
	j = api_post(P.port, "/api/Auth/logout", t2, NULL, &st);
	assert_int_equal(st, 200);
	check_env(j, 0);
	cJSON_Delete(j);
	j = api_post(P.port, "/api/Account/search", t2, "{\"onlyActiveAccounts\":true}", &st);
	assert_int_equal(st, 401);
	cJSON_Delete(j);
	j = api_post(P.port, "/api/Account/search", t3, "{\"onlyActiveAccounts\":true}", &st);
	assert_int_equal(st, 200);
	cJSON_Delete(j);
	free(t2);
	free(t3);
}

static void test_token_expiry(void **state)
{
	const char *args[] = { "--token-ttl", "1", "--quote-interval-ms", "0", NULL };
	struct simproc q;
	int st;

	(void)state;
	assert_int_equal(simproc_start(&q, args), 0);
	char *t = sim_login(q.port);
	assert_non_null(t);
	cJSON *j = api_post(q.port, "/api/Contract/available", t, "{\"live\":false}", &st);
	assert_int_equal(st, 200);
	cJSON_Delete(j);
	usleep(2100000);
	j = api_post(q.port, "/api/Contract/available", t, "{\"live\":false}", &st);
	assert_int_equal(st, 401);
	cJSON_Delete(j);
	free(t);
	assert_int_equal(simproc_stop(&q), 0);
}

static void test_rate_limit(void **state)
{
	const char *args[] = { "--quote-interval-ms", "0", NULL };
	struct simproc q;
	struct http_res r;

	(void)state;
	assert_int_equal(simproc_start(&q, args), 0);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(http_do(q.port, "GET", "/api/Status/ping", NULL, NULL, 0, &r), 0);
		assert_int_equal(r.status, 200);
		http_res_free(&r);
	}
	assert_int_equal(http_do(q.port, "GET", "/api/Status/ping", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 429);
	http_res_free(&r);
	assert_int_equal(simproc_stop(&q), 0);
}

/* --- REST contract --- */

static void test_rest_contract(void **state)
{
	cJSON *j;
	const cJSON *it;
	struct http_res r;

	(void)state;
	assert_int_equal(http_do(P.port, "GET", "/api/Status/ping", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "pong");
	http_res_free(&r);

	j = post("/api/Account/search", "{\"onlyActiveAccounts\":true}");
	check_env(j, 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "accounts")), 3);
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "accounts")) {
		check_fields(it, ACC_F);
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(it, "simulated")));
		assert_true(num(it, "balance") == 50000);
	}
	cJSON_Delete(j);

	j = post("/api/Contract/available", "{\"live\":false}");
	check_env(j, 0);
	bool es = false;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "contracts")) {
		check_fields(it, CON_F);
		if (strcmp(cJSON_GetObjectItem(it, "id")->valuestring, ES) == 0) {
			es = true;
			assert_string_equal(cJSON_GetObjectItem(it, "name")->valuestring, "ESZ6");
			assert_string_equal(cJSON_GetObjectItem(it, "symbolId")->valuestring, "F.US.EP");
			assert_true(num(it, "tickSize") == 0.25 && num(it, "tickValue") == 12.5);
		}
	}
	assert_true(es);
	cJSON_Delete(j);

	j = post("/api/Contract/search", "{\"searchText\":\"MNQ\",\"live\":false}");
	check_env(j, 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "contracts")), 1);
	cJSON_Delete(j);

	j = post("/api/Contract/searchById", "{\"contractId\":\"%s\"}", CL);
	check_env(j, 0);
	check_fields(cJSON_GetObjectItem(j, "contract"), CON_F);
	assert_true(num(cJSON_GetObjectItem(j, "contract"), "tickValue") == 10.0);
	cJSON_Delete(j);
	j = post("/api/Contract/searchById", "{\"contractId\":\"CON.F.US.XX.Z26\"}");
	check_env(j, 1);
	cJSON_Delete(j);

	int64_t lim = place(ACC1, ES, 1, 0, 1, ",\"limitPrice\":6700,\"customTag\":\"t1\"");
	j = post("/api/Order/searchOpen", "{\"accountId\":%lld}", (long long)ACC1);
	check_env(j, 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "orders")), 1);
	it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "orders"), 0);
	check_fields(it, ORDER_F);
	assert_true(num(it, "id") == (double)lim && num(it, "status") == 1 &&
		    num(it, "limitPrice") == 6700);
	assert_string_equal(cJSON_GetObjectItem(it, "customTag")->valuestring, "t1");
	cJSON_Delete(j);

	j = post("/api/Order/modify", "{\"accountId\":%lld,\"orderId\":%lld,\"size\":2,"
		 "\"limitPrice\":6701.5,\"stopPrice\":null,\"trailPrice\":null}", (long long)ACC1,
		 (long long)lim);
	check_env(j, 0);
	cJSON_Delete(j);
	j = post("/api/Order/cancel", "{\"accountId\":%lld,\"orderId\":%lld}", (long long)ACC1,
		 (long long)lim);
	check_env(j, 0);
	cJSON_Delete(j);
	j = post("/api/Order/cancel", "{\"accountId\":%lld,\"orderId\":999999999}", (long long)ACC1);
	check_env(j, 2);
	cJSON_Delete(j);
	j = post("/api/Order/search", "{\"accountId\":%lld,\"startTimestamp\":\"2020-01-01T00:00:00Z\"}",
		 (long long)ACC1);
	check_env(j, 0);
	it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "orders"), 0);
	check_fields(it, ORDER_F);
	assert_true(num(it, "status") == 3 && num(it, "size") == 2 && num(it, "limitPrice") == 6701.5);
	cJSON_Delete(j);

	place(ACC1, ES, 2, 0, 1, NULL);
	j = post("/api/Position/searchOpen", "{\"accountId\":%lld}", (long long)ACC1);
	check_env(j, 0);
	it = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "positions"), 0);
	check_fields(it, POS_F);
	assert_true(num(it, "type") == 1 && num(it, "size") == 1);
	cJSON_Delete(j);
	j = trades(ACC1);
	check_fields(last_trade(j), TRADE_F);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(last_trade(j), "profitAndLoss")));
	cJSON_Delete(j);
	j = post("/api/Position/closeContract", "{\"accountId\":%lld,\"contractId\":\"%s\"}",
		 (long long)ACC1, ES);
	check_env(j, 0);
	cJSON_Delete(j);
	j = post("/api/Position/closeContract", "{\"accountId\":%lld,\"contractId\":\"%s\"}",
		 (long long)ACC1, ES);
	check_env(j, 2); /* PositionNotFound */
	cJSON_Delete(j);
	j = post("/api/Position/partialCloseContract", "{\"accountId\":%lld,\"contractId\":\"%s\","
		 "\"size\":1}", (long long)ACC1, ES);
	check_env(j, 2);
	cJSON_Delete(j);
}

/* --- matching and P&L --- */

static void round_turn(const char *cid, int side, double b0, double a0, double b1, double a1,
		       double expect_pnl, double fee)
{
	double bal0 = balance(ACC1);

	quote(cid, b0, a0);
	place(ACC1, cid, 2, side, 2, NULL);
	quote(cid, b1, a1);
	place(ACC1, cid, 2, 1 - side, 2, NULL);
	cJSON *j = trades(ACC1);
	const cJSON *t = last_trade(j);
	assert_true(fabs(num(t, "profitAndLoss") - expect_pnl) < 1e-9);
	assert_true(fabs(num(t, "fees") - 2 * fee) < 1e-9);
	cJSON_Delete(j);
	assert_true(fabs(balance(ACC1) - (bal0 + expect_pnl - 4 * fee)) < 1e-6);
}

static void test_pnl_round_turns(void **state)
{
	(void)state;
	/* ES long 2 @ 6800.25, out @ 6810.00: 39 ticks x 12.50 x 2 = 975. */
	round_turn(ES, 0, 6800.00, 6800.25, 6810.00, 6810.25, 975.0, 1.40);
	/* MNQ short 2 @ 25000.00, cover @ 25010.25: -41 ticks x 0.50 x 2 = -41. */
	round_turn(MNQ, 1, 25000.00, 25000.25, 25010.00, 25010.25, -41.0, 0.37);
	/* CL long 2 @ 62.01, out @ 61.95: -6 ticks x 10 x 2 = -120. */
	round_turn(CL, 0, 62.00, 62.01, 61.95, 61.96, -120.0, 1.40);
}

static void test_partial_close(void **state)
{
	cJSON *j;

	(void)state;
	quote(ES, 6800.00, 6800.25);
	place(ACC1, ES, 2, 0, 3, NULL);
	quote(ES, 6801.00, 6801.25);
	j = post("/api/Position/partialCloseContract", "{\"accountId\":%lld,\"contractId\":\"%s\","
		 "\"size\":5}", (long long)ACC1, ES);
	check_env(j, 5); /* InvalidCloseSize */
	cJSON_Delete(j);
	j = post("/api/Position/partialCloseContract", "{\"accountId\":%lld,\"contractId\":\"%s\","
		 "\"size\":1}", (long long)ACC1, ES);
	check_env(j, 0);
	cJSON_Delete(j);
	j = trades(ACC1);
	assert_true(num(last_trade(j), "profitAndLoss") == 37.5); /* 3 ticks x 12.5 x 1 */
	assert_true(num(last_trade(j), "size") == 1);
	cJSON_Delete(j);
	j = post("/api/Position/searchOpen", "{\"accountId\":%lld}", (long long)ACC1);
	const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "positions"), 0);
	assert_true(num(p, "size") == 2 && num(p, "averagePrice") == 6800.25 && num(p, "type") == 1);
	cJSON_Delete(j);
}

static void test_stop_and_limit(void **state)
{
	cJSON *j;

	(void)state;
	quote(ES, 6800.00, 6800.25);
	place(ACC1, ES, 2, 0, 1, NULL);                         /* long 1 @ 6800.25 */
	int64_t stop = place(ACC1, ES, 4, 1, 1, ",\"stopPrice\":6795.00");
	int64_t lim = place(ACC2, ES, 1, 0, 1, ",\"limitPrice\":6796.00");
	quote(ES, 6797.00, 6797.25);                            /* nothing triggers */
	j = post("/api/Order/searchOpen", "{\"accountId\":%lld}", (long long)ACC1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "orders")), 1);
	cJSON_Delete(j);
	quote(ES, 6794.75, 6795.00);                            /* stop sells at the bid */
	j = trades(ACC1);
	const cJSON *t = last_trade(j);
	assert_true(num(t, "orderId") == (double)stop && num(t, "price") == 6794.75);
	assert_true(num(t, "profitAndLoss") == -275.0);         /* -22 ticks x 12.5 */
	cJSON_Delete(j);
	j = trades(ACC2);                                       /* limit bought at its price */
	t = last_trade(j);
	assert_true(num(t, "orderId") == (double)lim && num(t, "price") == 6796.00);
	cJSON_Delete(j);
	j = post("/api/Position/searchOpen", "{\"accountId\":%lld}", (long long)ACC1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "positions")), 0);
	cJSON_Delete(j);
}

/* --- bad input --- */

static void test_bad_input(void **state)
{
	int st;
	cJSON *j;
	struct http_res r;

	(void)state;
	const char *bad[] = {
		"{\"accountId\":\"abc\",\"contractId\":\"" ES "\",\"type\":2,\"side\":0,\"size\":1}",
		"{\"accountId\":1.5,\"contractId\":\"" ES "\",\"type\":2,\"side\":0,\"size\":1}",
		"{\"contractId\":\"" ES "\",\"type\":2,\"side\":0,\"size\":1}",
		"[1,2,3]", "nul", "{\"accountId\":", "\xff\xfe", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = api_post(P.port, "/api/Order/place", TOK, bad[i], &st);
		assert_int_equal(st, 400);
		cJSON_Delete(j);
	}
	/* Unknown fields are ignored. */
	j = post("/api/Account/search", "{\"onlyActiveAccounts\":true,\"zzz\":[1,{}]}");
	check_env(j, 0);
	cJSON_Delete(j);
	/* Unknown account / contract: the envelope with the endpoint's code. */
	j = post("/api/Order/place", "{\"accountId\":1,\"contractId\":\"%s\",\"type\":2,\"side\":0,"
		 "\"size\":1}", ES);
	check_env(j, 1);
	check_fields(j, "orderId:z");
	cJSON_Delete(j);
	j = post("/api/Order/place", "{\"accountId\":%lld,\"contractId\":\"X\",\"type\":2,\"side\":0,"
		 "\"size\":1}", (long long)ACC1);
	check_env(j, 8);
	cJSON_Delete(j);
	j = post("/api/Order/place", "{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":2,\"side\":0,"
		 "\"size\":0}", (long long)ACC1, ES);
	check_env(j, 2);
	cJSON_Delete(j);
	j = post("/api/Order/place", "{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":1,\"side\":0,"
		 "\"size\":1,\"limitPrice\":6800.1}", (long long)ACC1, ES);
	check_env(j, 2); /* off the tick grid */
	cJSON_Delete(j);
	j = post("/api/Position/searchOpen", "{\"accountId\":42}");
	check_env(j, 1);
	cJSON_Delete(j);
	j = post("/api/Trade/search", "{\"accountId\":42}");
	check_env(j, 1);
	cJSON_Delete(j);
	/* Huge body: 413, and the server lives on. */
	size_t big = 2u << 20;
	char *huge = malloc(big);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	assert_int_equal(http_do(P.port, "POST", "/api/Account/search", NULL, huge, big, &r), 0);
	assert_int_equal(r.status, 413);
	http_res_free(&r);
	free(huge);
	assert_int_equal(http_do(P.port, "GET", "/api/Nope", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 404);
	http_res_free(&r);
	assert_int_equal(http_do(P.port, "GET", "/api/Status/ping", NULL, NULL, 0, &r), 0);
	assert_int_equal(r.status, 200);
	http_res_free(&r);
	/* Control API: bad bodies are 400, never a crash. */
	j = api_post(P.port, "/sim/quote", NULL, "{\"contractId\":5}", &st);
	assert_int_equal(st, 400);
	cJSON_Delete(j);
	j = api_post(P.port, "/sim/trader/order", NULL, "garbage", &st);
	assert_int_equal(st, 400);
	cJSON_Delete(j);
}

/* --- hubs --- */

static const char *target_of(const cJSON *m)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "target");

	return cJSON_IsString(t) ? t->valuestring : "";
}

static void test_hub_user_events(void **state)
{
	struct wsc a, b;
	char arg[32];
	cJSON *m;

	(void)state;
	assert_int_equal(hub_open(&a, P.port, "user", TOK), 0);
	assert_int_equal(hub_open(&b, P.port, "user", TOK), 0);
	snprintf(arg, sizeof(arg), "[%lld]", (long long)ACC1);
	assert_int_equal(hub_invoke(&a, "SubscribeAccounts", "[]", "1"), 0);
	assert_int_equal(hub_invoke(&a, "SubscribeOrders", arg, "2"), 0);
	assert_int_equal(hub_invoke(&a, "SubscribePositions", arg, NULL), 0); /* no completion */
	assert_int_equal(hub_invoke(&a, "SubscribeTrades", arg, "3"), 0);
	snprintf(arg, sizeof(arg), "[%lld]", (long long)ACC2);
	assert_int_equal(hub_invoke(&b, "SubscribeOrders", arg, "1"), 0);
	assert_int_equal(hub_invoke(&b, "SubscribeTrades", arg, "2"), 0);
	/* An unknown method gets a Completion with an error. */
	assert_int_not_equal(hub_invoke(&a, "Nope", "[]", "9"), 0);

	cJSON *r = post("/sim/trader/order", "{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":2,"
			"\"side\":0,\"size\":1}", (long long)ACC1, ES);
	check_fields(r, "orderId:n,eventsSentNs:n");
	cJSON_Delete(r);
	const char *want[] = { "GatewayUserOrder", "GatewayUserTrade", "GatewayUserPosition",
			       "GatewayUserAccount" };
	const char *fields[] = { ORDER_F, TRADE_F, POS_F, ACC_F };
	for (int i = 0; i < 4; i++) {
		m = wsc_msg(&a, 3000);
		assert_non_null(m);
		assert_int_equal((int)num(m, "type"), 1);
		assert_string_equal(target_of(m), want[i]);
		assert_null(cJSON_GetObjectItem(m, "invocationId"));
		const cJSON *args = cJSON_GetObjectItem(m, "arguments");
		assert_int_equal(cJSON_GetArraySize(args), 1);
		check_fields(cJSON_GetArrayItem(args, 0), fields[i]);
		if (i == 0)
			assert_true(num(cJSON_GetArrayItem(args, 0), "status") == 2);
		cJSON_Delete(m);
	}
	/* b is subscribed to another account: the next thing it sees is its own completion. */
	assert_int_equal(hub_invoke(&b, "SubscribePositions", arg, "3"), 0);
	/* Unsubscribe: no more order events on a. */
	snprintf(arg, sizeof(arg), "[%lld]", (long long)ACC1);
	assert_int_equal(hub_invoke(&a, "UnsubscribeOrders", arg, "4"), 0);
	assert_int_equal(hub_invoke(&a, "UnsubscribeTrades", arg, "5"), 0);
	assert_int_equal(hub_invoke(&a, "UnsubscribePositions", arg, "6"), 0);
	assert_int_equal(hub_invoke(&a, "UnsubscribeAccounts", "[]", "7"), 0);
	cJSON_Delete(post("/sim/trader/order", "{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":2,"
			  "\"side\":1,\"size\":1}", (long long)ACC1, ES));
	assert_int_equal(hub_invoke(&a, "SubscribeAccounts", "[]", "8"), 0);
	wsc_close(&a);
	wsc_close(&b);
}

static void test_hub_market_and_pings(void **state)
{
	struct wsc w;
	cJSON *m;

	(void)state;
	assert_int_equal(hub_open(&w, P.port, "market", TOK), 0);
	assert_int_equal(hub_invoke(&w, "SubscribeContractQuotes", "[\"" ES "\"]", "1"), 0);
	assert_int_equal(hub_invoke(&w, "SubscribeContractTrades", "[\"" ES "\"]", "2"), 0);
	assert_int_not_equal(hub_invoke(&w, "SubscribeContractQuotes", "[\"CON.X\"]", "3"), 0);
	assert_int_not_equal(hub_invoke(&w, "SubscribeOrders", "[1]", "4"), 0); /* user-hub method */
	quote(MNQ, 25000, 25000.25); /* not subscribed */
	quote(ES, 6805.00, 6805.25);
	m = wsc_msg(&w, 3000);
	assert_non_null(m);
	assert_string_equal(target_of(m), "GatewayQuote");
	const cJSON *args = cJSON_GetObjectItem(m, "arguments");
	assert_int_equal(cJSON_GetArraySize(args), 2);
	assert_string_equal(cJSON_GetArrayItem(args, 0)->valuestring, ES);
	check_fields(cJSON_GetArrayItem(args, 1),
		     "symbol:s,symbolName:s,lastPrice:n,bestBid:n,bestAsk:n,change:n,changePercent:n,"
		     "open:n,high:n,low:n,volume:n,lastUpdated:s,timestamp:s");
	assert_true(num(cJSON_GetArrayItem(args, 1), "bestBid") == 6805.00);
	cJSON_Delete(m);
	cJSON_Delete(post("/sim/trader/order", "{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":2,"
			  "\"side\":0,\"size\":1}", (long long)ACC1, ES));
	m = wsc_msg(&w, 3000);
	assert_string_equal(target_of(m), "GatewayTrade");
	check_fields(cJSON_GetArrayItem(cJSON_GetArrayItem(cJSON_GetObjectItem(m, "arguments"), 1), 0),
		     "symbolId:s,price:n,timestamp:s,type:n,volume:n");
	cJSON_Delete(m);

	/* The server pings (type 6) when idle (--ping-ms 400). */
	char *rec = wsc_record(&w, 2000);
	assert_non_null(rec);
	assert_string_equal(rec, "{\"type\":6}");
	free(rec);
	/* Client pings are accepted; a close message ends the connection. */
	assert_int_equal(wsc_send(&w, "{\"type\":6}\x1e", 11), 0);
	assert_int_equal(wsc_send(&w, "{\"type\":7}\x1e", 11), 0);
	while ((rec = wsc_record(&w, 3000)) != NULL)
		free(rec);
	assert_true(w.closed);
	wsc_close(&w);
}

static void test_hub_framing(void **state)
{
	struct wsc w;
	char path[1024];
	cJSON *m;

	(void)state;
	snprintf(path, sizeof(path), "/hubs/market?access_token=%s", TOK);
	assert_int_equal(wsc_open(&w, P.port, path, NULL), 0);
	/* Handshake and two invocations in one frame. */
	const char three[] = "{\"protocol\":\"json\",\"version\":1}\x1e"
			     "{\"type\":1,\"invocationId\":\"a\",\"target\":\"SubscribeContractQuotes\","
			     "\"arguments\":[\"" ES "\"]}\x1e"
			     "{\"type\":1,\"invocationId\":\"b\",\"target\":\"SubscribeContractQuotes\","
			     "\"arguments\":[\"" MNQ "\"]}\x1e";
	assert_int_equal(wsc_send(&w, three, sizeof(three) - 1), 0);
	char *rec = wsc_record(&w, 3000);
	assert_string_equal(rec, "{}");
	free(rec);
	for (int i = 0; i < 2; i++) {
		m = wsc_msg(&w, 3000);
		assert_non_null(m);
		assert_int_equal((int)num(m, "type"), 3);
		assert_string_equal(cJSON_GetObjectItem(m, "invocationId")->valuestring,
				    i == 0 ? "a" : "b");
		cJSON_Delete(m);
	}
	/* One record split across three WebSocket messages. */
	const char *parts[] = { "{\"type\":1,\"invocationId\":\"c\",\"tar",
				"get\":\"UnsubscribeContractQuotes\",\"argu",
				"ments\":[\"" MNQ "\"]}\x1e" };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(wsc_send(&w, parts[i], strlen(parts[i])), 0);
		usleep(20000);
	}
	m = wsc_msg(&w, 3000);
	assert_non_null(m);
	assert_string_equal(cJSON_GetObjectItem(m, "invocationId")->valuestring, "c");
	assert_null(cJSON_GetObjectItem(m, "error"));
	cJSON_Delete(m);
	/* A record split across WebSocket continuation frames. */
	assert_int_equal(wsc_send_op(&w, 1, false, "{\"type\":1,\"invocationId\":\"d\",", 30), 0);
	const char rest[] = "\"target\":\"SubscribeContractQuotes\",\"arguments\":[\"" CL "\"]}\x1e";
	assert_int_equal(wsc_send_op(&w, 0, true, rest, sizeof(rest) - 1), 0);
	m = wsc_msg(&w, 3000);
	assert_string_equal(cJSON_GetObjectItem(m, "invocationId")->valuestring, "d");
	cJSON_Delete(m);
	/* The hub invocations show up in /sim/requests. */
	int st;
	cJSON *log = sim_get(P.port, "/sim/requests?since=0", &st);
	assert_int_equal(st, 200);
	const cJSON *e;
	int hub_entries = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(log, "requests")) {
		const cJSON *k = cJSON_GetObjectItem(e, "kind");
		if (strcmp(k->valuestring, "hub") == 0) {
			check_fields(e, "seq:n,tsNs:n,kind:s,target:s,arguments:a,status:n");
			hub_entries++;
		} else {
			check_fields(e, "seq:n,tsNs:n,kind:s,path:s,status:n");
		}
	}
	assert_true(hub_entries >= 4);
	cJSON_Delete(log);
	wsc_close(&w);
}

static void test_hub_auth(void **state)
{
	struct wsc w;

	(void)state;
	assert_int_not_equal(wsc_open(&w, P.port, "/hubs/user", NULL), 0);
	assert_int_equal(w.status, 401);
	assert_int_not_equal(wsc_open(&w, P.port, "/hubs/user?access_token=bad", NULL), 0);
	assert_int_equal(w.status, 401);
	/* Authorization: Bearer works too (the Node client sends the token that way). */
	char hdr[1200];
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s\r\n", TOK);
	assert_int_equal(wsc_open(&w, P.port, "/hubs/user", hdr), 0);
	wsc_close(&w);
	/* A wrong protocol in the handshake gets an error and the connection closes. */
	char path[1024];
	snprintf(path, sizeof(path), "/hubs/user?access_token=%s", TOK);
	assert_int_equal(wsc_open(&w, P.port, path, NULL), 0);
	assert_int_equal(wsc_send(&w, "{\"protocol\":\"messagepack\",\"version\":1}\x1e", 39), 0);
	char *rec = wsc_record(&w, 3000);
	assert_non_null(rec);
	assert_non_null(strstr(rec, "\"error\""));
	free(rec);
	wsc_close(&w);
}

/* Garbage on a hub: errors or a close, never a crash. */
static void test_hub_bad_input(void **state)
{
	struct wsc w;
	char *rec;

	(void)state;
	assert_int_equal(hub_open(&w, P.port, "user", TOK), 0);
	assert_int_not_equal(hub_invoke(&w, "SubscribeOrders", "[\"x\"]", "1"), 0);
	assert_int_not_equal(hub_invoke(&w, "SubscribeOrders", "[1,2]", "2"), 0);
	assert_int_not_equal(hub_invoke(&w, "SubscribeOrders", "[1.5]", "3"), 0);
	assert_int_equal(hub_invoke(&w, "SubscribeOrders", "[12345]", "4"), 0);
	const char si[] = "{\"type\":4,\"invocationId\":\"s\",\"target\":\"X\",\"arguments\":[]}\x1e";
	assert_int_equal(wsc_send(&w, si, sizeof(si) - 1), 0);
	cJSON *m = wsc_msg(&w, 3000);
	assert_non_null(cJSON_GetObjectItem(m, "error"));
	cJSON_Delete(m);
	/* Not JSON: the server closes with a close message (type 7). */
	assert_int_equal(wsc_send(&w, "\x01\x02garbage\x1e", 10), 0);
	m = wsc_msg(&w, 3000);
	assert_non_null(m);
	assert_int_equal((int)num(m, "type"), 7);
	cJSON_Delete(m);
	while ((rec = wsc_record(&w, 3000)) != NULL)
		free(rec);
	assert_true(w.closed);
	wsc_close(&w);

	/* A record that never ends (over the 256 KiB input bound): the connection is closed. */
	assert_int_equal(hub_open(&w, P.port, "user", TOK), 0);
	size_t big = 300 * 1024;
	char *junk = malloc(big);
	memset(junk, 'a', big);
	for (size_t off = 0; off < big; off += 60000)
		if (wsc_send(&w, junk + off, big - off < 60000 ? big - off : 60000) != 0)
			break;
	free(junk);
	while ((rec = wsc_record(&w, 3000)) != NULL)
		free(rec);
	assert_true(w.closed);
	wsc_close(&w);
	/* Still serving. */
	assert_int_equal(hub_open(&w, P.port, "market", TOK), 0);
	wsc_close(&w);
}

/* --- faults and control --- */

static void test_faults(void **state)
{
	int st;
	cJSON *j;
	struct wsc w;

	(void)state;
	cJSON_Delete(post("/sim/fault", "{\"kind\":\"http\",\"path\":\"/api/Account/search\","
			  "\"status\":500,\"count\":2}"));
	for (int i = 0; i < 3; i++) {
		j = api_post(P.port, "/api/Account/search", TOK, "{\"onlyActiveAccounts\":true}", &st);
		assert_int_equal(st, i < 2 ? 500 : 200);
		cJSON_Delete(j);
	}
	cJSON_Delete(post("/sim/fault", "{\"kind\":\"latency\",\"path\":\"/api/Contract/*\","
			  "\"ms\":300,\"count\":1}"));
	int64_t t0 = mono_ns();
	cJSON_Delete(post("/api/Contract/available", "{\"live\":false}"));
	assert_true(mono_ns() - t0 >= 280000000);
	cJSON_Delete(post("/sim/fault", "{\"kind\":\"reject_auth\",\"count\":1}"));
	j = api_post(P.port, "/api/Auth/loginKey", NULL, "{\"userName\":\"demo\",\"apiKey\":\"demo\"}",
		     &st);
	check_env(j, 3);
	cJSON_Delete(j);
	char *t = sim_login(P.port);
	assert_non_null(t);
	free(t);

	/* drop_hubs: the socket closes without a close message. */
	assert_int_equal(hub_open(&w, P.port, "user", TOK), 0);
	cJSON_Delete(post("/sim/fault", "{\"kind\":\"drop_hubs\"}"));
	char *rec;
	while ((rec = wsc_record(&w, 3000)) != NULL)
		free(rec);
	assert_true(w.closed);
	assert_false(w.got_close_frame);
	wsc_close(&w);

	/* stall_hubs: events wait until the stall ends. */
	assert_int_equal(hub_open(&w, P.port, "market", TOK), 0);
	assert_int_equal(hub_invoke(&w, "SubscribeContractQuotes", "[\"" ES "\"]", "1"), 0);
	cJSON_Delete(post("/sim/fault", "{\"kind\":\"stall_hubs\",\"ms\":600}"));
	t0 = mono_ns();
	quote(ES, 6790, 6790.25);
	j = wsc_msg(&w, 3000);
	assert_non_null(j);
	assert_true(mono_ns() - t0 >= 450000000);
	cJSON_Delete(j);
	wsc_close(&w);

	/* partial_fills: a market order of 4 fills 2 now (still working), 2 after ~300 ms */
	quote(ES, 6800.00, 6800.25);
	cJSON_Delete(post("/sim/fault", "{\"kind\":\"partial_fills\",\"count\":1,\"ms\":300}"));
	int64_t oid = place(ACC2, ES, 2, 0, 4, NULL);
	j = post("/api/Order/searchOpen", "{\"accountId\":%lld}", (long long)ACC2);
	const cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "orders"), 0);
	assert_non_null(o);
	assert_true(num(o, "id") == (double)oid && num(o, "status") == 1 &&
		    num(o, "fillVolume") == 2);
	cJSON_Delete(j);
	j = post("/api/Position/searchOpen", "{\"accountId\":%lld}", (long long)ACC2);
	assert_true(num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "positions"), 0), "size") == 2);
	cJSON_Delete(j);
	t0 = mono_ns();
	for (;;) {
		j = post("/api/Position/searchOpen", "{\"accountId\":%lld}", (long long)ACC2);
		double size = num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "positions"), 0), "size");

		cJSON_Delete(j);
		if (size == 4)
			break;
		assert_true(size == 2 && mono_ns() - t0 < 3000000000LL);
		usleep(20000);
	}
	assert_true(mono_ns() - t0 >= 200000000);
	j = post("/api/Order/searchOpen", "{\"accountId\":%lld}", (long long)ACC2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "orders")), 0);
	cJSON_Delete(j);
	/* only one order was split: the next fills whole */
	place(ACC2, ES, 2, 1, 4, NULL);
	j = post("/api/Position/searchOpen", "{\"accountId\":%lld}", (long long)ACC2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "positions")), 0);
	cJSON_Delete(j);

	j = api_post(P.port, "/sim/fault", NULL, "{\"kind\":\"nope\"}", &st);
	assert_int_equal(st, 400);
	cJSON_Delete(j);
}

static void test_control(void **state)
{
	int st;
	cJSON *j;

	(void)state;
	j = post("/sim/account", "{\"accountId\":%lld,\"canTrade\":false,\"balance\":48000}",
		 (long long)ACC1);
	cJSON_Delete(j);
	j = post("/api/Order/place", "{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":2,\"side\":0,"
		 "\"size\":1}", (long long)ACC1, ES);
	check_env(j, 2);
	cJSON_Delete(j);
	assert_true(balance(ACC1) == 48000);

	j = post("/sim/trader/order", "{\"accountId\":%lld,\"contractId\":\"%s\",\"type\":1,"
		 "\"side\":0,\"size\":1,\"limitPrice\":6000}", (long long)ACC2, ES);
	int64_t oid = (int64_t)num(j, "orderId");
	cJSON_Delete(j);
	j = post("/sim/trader/cancel", "{\"accountId\":%lld,\"orderId\":%lld}", (long long)ACC2,
		 (long long)oid);
	assert_true(num(j, "errorCode") == 0);
	cJSON_Delete(j);

	j = sim_get(P.port, "/sim/state", &st);
	assert_int_equal(st, 200);
	check_fields(j, "accounts:a,positions:a,orders:a,trades:a,contracts:a");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "orders")), 1);
	check_fields(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "orders"), 0), ORDER_F);
	assert_true(num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "orders"), 0), "status") == 3);
	cJSON_Delete(j);

	cJSON_Delete(post("/sim/reset", "{}"));
	j = sim_get(P.port, "/sim/state", &st);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "orders")), 0);
	assert_true(num(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "accounts"), 0), "balance") ==
		    50000);
	cJSON_Delete(j);
}

static double load_sent(void)
{
	cJSON *j = post("/sim/bench/quote-load", "{\"rate\":0}");
	double n = num(j, "quotesSent");

	cJSON_Delete(j);
	return n;
}

/* Bench tools: background quotes (a bounded walk) and WebSocket ping round trips. */
static void test_bench_load_and_ping(void **state)
{
	struct wsc m, u;
	char arg[32];
	int st, quotes = 0;
	cJSON *j;

	(void)state;
	/* bad input */
	j = api_post(P.port, "/sim/bench/quote-load", NULL, "{\"rate\":-1}", &st);
	assert_int_equal(st, 400);
	cJSON_Delete(j);
	j = api_post(P.port, "/sim/bench/quote-load", NULL, "{\"rate\":100001}", &st);
	assert_int_equal(st, 400);
	cJSON_Delete(j);
	j = api_post(P.port, "/sim/bench/quote-load", NULL,
		     "{\"rate\":10,\"contracts\":[\"ES\",\"NOPE\"]}", &st);
	assert_int_equal(st, 400);
	assert_non_null(strstr(cJSON_GetObjectItem(j, "error")->valuestring, "NOPE"));
	cJSON_Delete(j);
	j = api_post(P.port, "/sim/bench/ping", NULL, "{\"accountId\":1}", &st);
	assert_int_equal(st, 409); /* nobody subscribed to that account */
	cJSON_Delete(j);

	/* 2,000 quotes/s over ES and MNQ (by symbol and by id): the subscriber of ES gets them */
	assert_int_equal(hub_open(&m, P.port, "market", TOK), 0);
	assert_int_equal(hub_invoke(&m, "SubscribeContractQuotes", "[\"" ES "\"]", "1"), 0);
	cJSON_Delete(post("/sim/bench/quote-load", "{\"rate\":2000,\"contracts\":[\"es\",\"%s\"]}",
			  MNQ));
	while (quotes < 100) {
		cJSON *q = wsc_msg(&m, 3000);

		assert_non_null(q);
		if (strcmp(target_of(q), "GatewayQuote") == 0) {
			const cJSON *a = cJSON_GetObjectItem(q, "arguments");
			double bid = num(cJSON_GetArrayItem(a, 1), "bestBid");

			assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring, ES);
			/* the walk stays within 4 ticks of where it began (6800.00 after the reset) */
			assert_true(fabs(bid - 6800.00) <= 4 * 0.25 + 1e-9);
			quotes++;
		}
		cJSON_Delete(q);
	}
	double n1 = load_sent(); /* rate 0: stopped */
	assert_true(n1 >= 199);  /* ES is half of them */
	usleep(20000);
	assert_true(load_sent() == n1);
	wsc_close(&m);

	/* a ping on the user hub of an account's order subscriber; the client's pong is timed */
	assert_int_equal(hub_open(&u, P.port, "user", TOK), 0);
	snprintf(arg, sizeof(arg), "[%lld]", (long long)ACC1);
	assert_int_equal(hub_invoke(&u, "SubscribeOrders", arg, "1"), 0);
	j = post("/sim/bench/ping", "{\"accountId\":%lld}", (long long)ACC1);
	double seq = num(j, "seq");
	cJSON_Delete(j);
	assert_true(seq >= 1);
	bool answered = false;
	for (int i = 0; i < 50 && !answered; i++) {
		free(wsc_record(&u, 100)); /* reads the ping frame and answers it (simclient) */
		j = sim_get(P.port, "/sim/bench/pings", &st);
		assert_int_equal(st, 200);
		const cJSON *pg, *arr = cJSON_GetObjectItem(j, "pings");
		cJSON_ArrayForEach(pg, arr) {
			if (num(pg, "seq") != seq || !cJSON_IsNumber(cJSON_GetObjectItem(pg, "pongNs")))
				continue;
			assert_true(num(pg, "pongNs") >= num(pg, "sentNs"));
			answered = true;
		}
		cJSON_Delete(j);
	}
	assert_true(answered);
	wsc_close(&u);
}

/* The demo scenario, played 100x faster: account 1 ends the day beyond the $500 loss limit. */
static void test_scenario_demo_day(void **state)
{
	const char *args[] = { "--scenario", SRM_SOURCE_DIR "/scenarios/demo-day.jsonl", "--speed",
			       "100", "--accounts", "2", NULL };
	struct simproc q;
	int st;

	(void)state;
	assert_int_equal(simproc_start(&q, args), 0);
	usleep(3500000);
	cJSON *j = sim_get(q.port, "/sim/state", &st);
	assert_int_equal(st, 200);
	double pnl = 0, fees = 0;
	int n = 0, losses = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItem(j, "trades")) {
		if ((int64_t)num(t, "accountId") != q.accounts[0])
			continue;
		n++;
		fees += num(t, "fees");
		const cJSON *p = cJSON_GetObjectItem(t, "profitAndLoss");
		if (cJSON_IsNumber(p)) {
			pnl += p->valuedouble;
			losses += p->valuedouble < 0;
		}
	}
	assert_true(n >= 20);
	assert_true(losses >= 5);
	assert_true(pnl <= -500);
	const cJSON *a = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "accounts"), 0);
	assert_true(fabs(num(a, "balance") - (50000 + pnl - fees)) < 0.01);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "positions")), 0);
	cJSON_Delete(j);
	assert_int_equal(simproc_stop(&q), 0);
}

/* A malformed scenario is refused at start-up with file:line. */
static void test_scenario_bad(void **state)
{
	char path[] = "/tmp/srm-sim-scn-XXXXXX";
	int fd = mkstemp(path);
	const char txt[] = "{\"at\":\"+1s\",\"kind\":\"quote\"}\n{\"at\":\"soon\",\"kind\":\"quote\"}\n";
	const char *args[] = { "--scenario", path, NULL };
	struct simproc q;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, txt, sizeof(txt) - 1), (ssize_t)(sizeof(txt) - 1));
	close(fd);
	assert_int_not_equal(simproc_start(&q, args), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_login, test_setup),
		cmocka_unit_test_setup(test_401, test_setup),
		cmocka_unit_test_setup(test_token_expiry, test_setup),
		cmocka_unit_test_setup(test_rate_limit, test_setup),
		cmocka_unit_test_setup(test_rest_contract, test_setup),
		cmocka_unit_test_setup(test_pnl_round_turns, test_setup),
		cmocka_unit_test_setup(test_partial_close, test_setup),
		cmocka_unit_test_setup(test_stop_and_limit, test_setup),
		cmocka_unit_test_setup(test_bad_input, test_setup),
		cmocka_unit_test_setup(test_hub_user_events, test_setup),
		cmocka_unit_test_setup(test_hub_market_and_pings, test_setup),
		cmocka_unit_test_setup(test_hub_framing, test_setup),
		cmocka_unit_test_setup(test_hub_auth, test_setup),
		cmocka_unit_test_setup(test_hub_bad_input, test_setup),
		cmocka_unit_test_setup(test_faults, test_setup),
		cmocka_unit_test_setup(test_control, test_setup),
		cmocka_unit_test_setup(test_bench_load_and_ping, test_setup),
		cmocka_unit_test(test_scenario_demo_day),
		cmocka_unit_test(test_scenario_bad),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
