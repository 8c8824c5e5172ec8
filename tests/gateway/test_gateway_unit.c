/* test_gateway_unit.c: the gateway client's pure parts: rate budget, breaker, backoff, JWT, framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/budget.h"
#include "gateway/frame.h"
#include "gateway/rest.h"
#include "gateway/token.h"

static void test_budget_priorities(void **state)
{
	struct gw_budget b;
	struct gw_budget_cfg cfg = {.limit = 10, .window_ms = 1000, .reserve_enforce = 2,
				    .reserve_reconcile = 3};
	int64_t t = 5000;

	(void)state;
	gw_budget_init(&b, &cfg);
	/* LOOKUP may use 10 - 2 - 3 = 5 */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(gw_budget_wait(&b, GW_PRIO_LOOKUP, t + i), 0);
		gw_budget_take(&b, GW_PRIO_LOOKUP, t + i);
	}
	/* the 6th lookup waits until the first send leaves the window */
	assert_int_equal(gw_budget_wait(&b, GW_PRIO_LOOKUP, t + 10), 1000 - 10);
	/* RECONCILE still has 8 - 5 = 3 */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(gw_budget_wait(&b, GW_PRIO_RECONCILE, t + 20), 0);
		gw_budget_take(&b, GW_PRIO_RECONCILE, t + 20);
	}
	assert_true(gw_budget_wait(&b, GW_PRIO_RECONCILE, t + 20) > 0);
	/* ENFORCE never waits, even over the limit */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(gw_budget_wait(&b, GW_PRIO_ENFORCE, t + 30), 0);
		gw_budget_take(&b, GW_PRIO_ENFORCE, t + 30);
	}
	assert_int_equal(gw_budget_used(&b, t + 30), 28);
	/* everything has left the window a second later */
	assert_int_equal(gw_budget_used(&b, t + 1031), 0);
	assert_int_equal(gw_budget_wait(&b, GW_PRIO_LOOKUP, t + 1031), 0);
	assert_int_equal(b.sent[GW_PRIO_ENFORCE], 20);
}

static void test_budget_429_pause(void **state)
{
	struct gw_budget b;

	(void)state;
	gw_budget_init(&b, NULL);
	assert_int_equal(b.cfg.limit, 190);
	assert_int_equal(b.cfg.window_ms, 60000);
	gw_budget_on_429(&b, 100, 500);
	assert_int_equal(gw_budget_wait(&b, GW_PRIO_LOOKUP, 100), 500);
	assert_int_equal(gw_budget_wait(&b, GW_PRIO_RECONCILE, 300), 300);
	assert_int_equal(gw_budget_wait(&b, GW_PRIO_ENFORCE, 300), 0);
	assert_int_equal(gw_budget_wait(&b, GW_PRIO_LOOKUP, 600), 0);
	/* defaults keep lookups well under the gateway's 200 */
	for (int i = 0; i < 300; i++) {
		if (gw_budget_wait(&b, GW_PRIO_LOOKUP, 1000) == 0)
			gw_budget_take(&b, GW_PRIO_LOOKUP, 1000);
	}
	assert_int_equal(gw_budget_used(&b, 1000), 190 - 30 - 40);
}

static void test_breaker_cycle(void **state)
{
	struct gw_breaker br;
	struct gw_breaker_cfg cfg = {.fail_threshold = 3, .open_ms = 100, .open_max_ms = 350};

	(void)state;
	gw_breaker_init(&br, &cfg);
	assert_true(gw_breaker_allow(&br, 0));
	gw_breaker_failure(&br, 0);
	gw_breaker_failure(&br, 1);
	assert_int_equal(gw_breaker_state_at(&br, 1), GW_BREAKER_CLOSED);
	gw_breaker_success(&br); /* resets the count */
	gw_breaker_failure(&br, 2);
	gw_breaker_failure(&br, 3);
	assert_int_equal(br.state, GW_BREAKER_CLOSED);
	gw_breaker_failure(&br, 4);
	assert_int_equal(br.state, GW_BREAKER_OPEN);
	assert_int_equal(br.trips, 1);
	assert_false(gw_breaker_allow(&br, 50));
	assert_int_equal(gw_breaker_state_at(&br, 104), GW_BREAKER_HALF_OPEN);
	assert_string_equal(gw_breaker_state_name(gw_breaker_state_at(&br, 104)), "half-open");
	/* one probe only */
	assert_true(gw_breaker_allow(&br, 104));
	assert_false(gw_breaker_allow(&br, 105));
	/* failed probe: open for twice as long */
	gw_breaker_failure(&br, 110);
	assert_int_equal(br.state, GW_BREAKER_OPEN);
	assert_false(gw_breaker_allow(&br, 300));
	assert_true(gw_breaker_allow(&br, 310));
	gw_breaker_failure(&br, 311);
	assert_int_equal(br.open_until, 311 + 350); /* capped */
	assert_true(gw_breaker_allow(&br, 700));
	gw_breaker_success(&br);
	assert_int_equal(br.state, GW_BREAKER_CLOSED);
	assert_true(gw_breaker_allow(&br, 701));
	assert_true(gw_breaker_allow(&br, 701));
	/* a cancelled probe lets another through */
	for (int i = 0; i < 3; i++)
		gw_breaker_failure(&br, 800);
	assert_true(gw_breaker_allow(&br, 900));
	assert_false(gw_breaker_allow(&br, 900));
	gw_breaker_release(&br);
	assert_true(gw_breaker_allow(&br, 901));
}

static void test_backoff(void **state)
{
	uint64_t rng = 42;

	(void)state;
	for (int round = 0; round < 200; round++) {
		for (int a = 0; a < 12; a++) {
			int64_t d = gw_backoff_ms(100, 5000, a, &rng);
			int64_t full = 100LL << (a < 6 ? a : 6);

			if (full > 5000)
				full = 5000;
			assert_true(d >= full / 2);
			assert_true(d <= full);
		}
	}
	/* jitter: not all the same */
	{
		int64_t first = gw_backoff_ms(1000, 1000, 0, &rng);
		int differ = 0;

		for (int i = 0; i < 20; i++)
			differ += gw_backoff_ms(1000, 1000, 0, &rng) != first;
		assert_true(differ > 0);
	}
	assert_true(gw_backoff_ms(0, 0, 3, &rng) >= 0);
}

/* base64url without padding. */
static void b64url(const char *in, char *out)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = strlen(in), o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)(unsigned char)in[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = tab[(v >> 6) & 63];
		if (i + 2 < n)
			out[o++] = tab[v & 63];
	}
	out[o] = '\0';
}

static void make_jwt(const char *payload, char *out, size_t cap)
{
	char h[256], p[1024];

	b64url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", h);
	b64url(payload, p);
	snprintf(out, cap, "%s.%s.c2lnbmF0dXJl", h, p);
}

static void test_jwt_exp(void **state)
{
	char jwt[2048];
	int64_t exp = 0;
	struct srm_err err = {0};

	(void)state;
	make_jwt("{\"sub\":\"demo\",\"exp\":1767225600,\"name\":\"\xc3\xa9t\xc3\xa9\"}", jwt,
		 sizeof(jwt));
	assert_int_equal(gw_jwt_exp(jwt, &exp, &err), 0);
	assert_int_equal(exp, 1767225600);
	make_jwt("{\"sub\":\"demo\"}", jwt, sizeof(jwt));
	assert_int_equal(gw_jwt_exp(jwt, &exp, &err), -1);
	assert_non_null(strstr(err.msg, "exp"));
	make_jwt("{\"exp\":\"soon\"}", jwt, sizeof(jwt));
	assert_int_equal(gw_jwt_exp(jwt, &exp, &err), -1);
	make_jwt("[1,2]", jwt, sizeof(jwt));
	assert_int_equal(gw_jwt_exp(jwt, &exp, &err), -1);
	assert_int_equal(gw_jwt_exp("not-a-jwt", &exp, &err), -1);
	assert_int_equal(gw_jwt_exp("a.!!!.c", &exp, &err), -1);
	assert_int_equal(gw_jwt_exp(NULL, &exp, &err), -1);
	assert_int_equal(gw_jwt_exp("..", &exp, &err), -1);
}

static void test_refresh_delay(void **state)
{
	(void)state;
	/* 24 h token: refresh 5 min before exp */
	assert_int_equal(gw_token_refresh_delay_ms(0, 86400), (86400 - 300) * 1000LL);
	/* 8 s test token: at 3/4 of its life */
	assert_int_equal(gw_token_refresh_delay_ms(1000000, 1008), 6000);
	assert_int_equal(gw_token_refresh_delay_ms(2000000, 1000), 0);
	/* a clock before 1970 counts in whole milliseconds: 0 * 1000 - (-1) */
	assert_int_equal(gw_token_refresh_delay_ms(-1, 0), 1);
	/* fuzz_token: exp_s * 1000 - now_ms used to overflow int64 (UB); now it saturates */
	assert_int_equal(gw_token_refresh_delay_ms(0, INT64_MAX), INT64_MAX - 300000);
	assert_int_equal(gw_token_refresh_delay_ms(INT64_MIN, INT64_MAX), INT64_MAX - 300000);
	assert_int_equal(gw_token_refresh_delay_ms(INT64_MIN, 0), INT64_MAX - 300000);
	assert_int_equal(gw_token_refresh_delay_ms(INT64_MAX, INT64_MIN), 0);
	/* INT64_MAX s is long after INT64_MAX ms; INT64_MAX / 1000 s is 807 ms before it */
	assert_int_equal(gw_token_refresh_delay_ms(INT64_MAX, INT64_MAX), INT64_MAX - 300000);
	assert_int_equal(gw_token_refresh_delay_ms(INT64_MAX, INT64_MAX / 1000), 0);
	assert_int_equal(gw_token_refresh_delay_ms(INT64_MAX - 1000, INT64_MAX / 1000), 145);
	assert_int_equal(gw_token_refresh_delay_ms(0, INT64_MIN), 0);
	assert_int_equal(gw_token_refresh_delay_ms(1767225600000LL, 7287435673448834404LL),
			 INT64_MAX - 300000);
}

struct recs {
	char out[16][64];
	int n;
	int stop_at;
};

static int rec_cb(void *ud, const char *rec, size_t len)
{
	struct recs *r = ud;

	assert_true(len < 64);
	memcpy(r->out[r->n], rec, len);
	r->out[r->n][len] = '\0';
	r->n++;
	return r->n == r->stop_at;
}

static void test_frame(void **state)
{
	struct gw_frame f;
	struct recs r = {.n = 0};
	struct srm_err err = {0};
	const char stream[] = "{}\x1e{\"type\":6}\x1e{\"type\":1,\"target\":\"X\"}\x1e";

	(void)state;
	gw_frame_init(&f, 32);
	/* several records in one frame */
	assert_int_equal(gw_frame_feed(&f, stream, sizeof(stream) - 1, rec_cb, &r, &err), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.out[0], "{}");
	assert_string_equal(r.out[1], "{\"type\":6}");
	assert_string_equal(r.out[2], "{\"type\":1,\"target\":\"X\"}");
	/* byte by byte: records split across frames */
	r.n = 0;
	for (size_t i = 0; i < sizeof(stream) - 1; i++)
		assert_int_equal(gw_frame_feed(&f, stream + i, 1, rec_cb, &r, &err), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.out[2], "{\"type\":1,\"target\":\"X\"}");
	/* a record split with the next one in the same frame */
	r.n = 0;
	assert_int_equal(gw_frame_feed(&f, "{\"a\":", 5, rec_cb, &r, &err), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(gw_frame_feed(&f, "1}\x1e{\"b\":2}\x1e{\"c", 15, rec_cb, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.out[0], "{\"a\":1}");
	assert_string_equal(r.out[1], "{\"b\":2}");
	assert_int_equal(f.len, 4);
	gw_frame_reset(&f);
	/* stop requested by the callback */
	r.n = 0;
	r.stop_at = 1;
	assert_int_equal(gw_frame_feed(&f, "a\x1e" "b\x1e", 4, rec_cb, &r, &err), 1);
	assert_int_equal(r.n, 1);
	r.stop_at = 0;
	/* over the cap, both carried and in one piece */
	r.n = 0;
	gw_frame_reset(&f);
	char big[80];

	memset(big, 'x', sizeof(big));
	assert_int_equal(gw_frame_feed(&f, big, 20, rec_cb, &r, &err), 0);
	assert_int_equal(gw_frame_feed(&f, big, 20, rec_cb, &r, &err), -1);
	assert_int_equal(err.code, SRM_EFULL);
	gw_frame_reset(&f);
	big[40] = 0x1e;
	assert_int_equal(gw_frame_feed(&f, big, 41, rec_cb, &r, &err), -1);
	/* empty records are passed on (the hub rejects them as malformed) */
	gw_frame_reset(&f);
	r.n = 0;
	assert_int_equal(gw_frame_feed(&f, "\x1e\x1e", 2, rec_cb, &r, &err), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.out[0], "");
	/* fuzz_frame: an empty receive as (NULL, 0) did NULL + 0 (UB); it changes nothing */
	r.n = 0;
	assert_int_equal(gw_frame_feed(&f, NULL, 0, rec_cb, &r, &err), 0);
	assert_int_equal(gw_frame_feed(&f, "{}", 2, rec_cb, &r, &err), 0);
	assert_int_equal(gw_frame_feed(&f, NULL, 0, rec_cb, &r, &err), 0);
	assert_int_equal(f.len, 2);
	assert_int_equal(gw_frame_feed(&f, "\x1e", 1, rec_cb, &r, &err), 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.out[0], "{}");
	gw_frame_free(&f);
}

static void test_error_names(void **state)
{
	(void)state;
	assert_string_equal(gw_error_name(GW_EP_ORDER_CANCEL, 2), "OrderNotFound");
	assert_string_equal(gw_error_name(GW_EP_POSITION_CLOSE, 8), "AccountRejected");
	assert_string_equal(gw_error_name(GW_EP_POSITION_PARTIAL_CLOSE, 5), "InvalidCloseSize");
	assert_string_equal(gw_error_name(GW_EP_ORDER_PLACE, 10), "AccountRejected");
	assert_string_equal(gw_error_name(GW_EP_ORDER_MODIFY, 7), "ContractNotFound");
	assert_string_equal(gw_error_name(GW_EP_LOGIN_KEY, 3), "InvalidCredentials");
	assert_string_equal(gw_error_name(GW_EP_VALIDATE, 3), "ExpiredToken");
	assert_string_equal(gw_error_name(GW_EP_CONTRACT_SEARCH_BY_ID, 1), "ContractNotFound");
	assert_null(gw_error_name(GW_EP_ACCOUNT_SEARCH, 1));
	assert_null(gw_error_name(GW_EP_ORDER_CANCEL, -1));
	assert_string_equal(gw_endpoint_path(GW_EP_POSITION_PARTIAL_CLOSE),
			    "/api/Position/partialCloseContract");
	assert_string_equal(gw_status_name(GW_EBREAKER), "breaker");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget_priorities),
		cmocka_unit_test(test_budget_429_pause),
		cmocka_unit_test(test_breaker_cycle),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_jwt_exp),
		cmocka_unit_test(test_refresh_delay),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_error_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
