/* test_rules_size.c: RULE-001/002/011 (size limits, symbol blocks) on a real engine. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"
#include "util/strutil.h"

#define ACC 1001
#define ACC2 2002
#define R001 0
#define R002 1
#define R011 10
#define ANY_RULE (-2)
#define SEC 1000
#define MIN (60 * SEC)
#define T0 "2026-11-24T15:00:00Z"       /* a Tuesday, 09:00 in Chicago */
#define RESET_AT "2026-11-24T23:00:00Z" /* 17:00 America/Chicago (CST) */
#define UNKNOWN_C "CON.F.US.ZZZ.Z26"
#define ESH7 "CON.F.US.EP.H27"

/* ---- small helpers ---- */

/* Actions of a kind (ACT_KIND_COUNT = any) by a rule (ANY_RULE = any) for one account. */
static size_t cnt(struct act_list l, enum act_kind kind, int rule, int64_t acct)
{
	size_t n = 0;

	for (size_t i = 0; i < l.n; i++)
		if ((kind == ACT_KIND_COUNT || l.v[i].kind == kind) &&
		    (rule == ANY_RULE || l.v[i].rule == rule) && l.v[i].account_id == acct)
			n++;
	return n;
}

/* The first action of a kind by a rule on a contract, or NULL. */
static const struct srm_action *find_c(struct act_list l, enum act_kind kind, int rule,
				       const char *contract)
{
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].kind == kind && (rule == ANY_RULE || l.v[i].rule == rule) &&
		    strcmp(l.v[i].contract_id, contract) == 0)
			return &l.v[i];
	return NULL;
}

/* The cancel_order of one order (any rule), or NULL. */
static const struct srm_action *find_cancel(struct act_list l, int64_t order_id)
{
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].kind == ACT_CANCEL_ORDER && l.v[i].order_id == order_id)
			return &l.v[i];
	return NULL;
}

static struct lockout_spec lk_dur(int64_t ms)
{
	return (struct lockout_spec){.mode = LOCKOUT_DURATION, .duration_ms = ms};
}

static struct lockout_spec lk_mode(enum lockout_mode m)
{
	return (struct lockout_spec){.mode = m};
}

static struct act_list pos(struct tworld *w, srm_ms t, int64_t acct, const char *c, int qty)
{
	return tw_position(w, t, acct, c, qty, 6000);
}

/* A working limit order. */
static struct act_list ord(struct tworld *w, srm_ms t, int64_t acct, int64_t id, const char *c,
			   int side, int size)
{
	return tw_order(w, t, acct, id, c, PX_OS_OPEN, PX_OT_LIMIT, side, size, 6000, PX_NULL);
}

static struct act_list ord_cancelled(struct tworld *w, srm_ms t, int64_t acct, int64_t id,
				     const char *c, int side, int size)
{
	return tw_order(w, t, acct, id, c, PX_OS_CANCELLED, PX_OT_LIMIT, side, size, 6000,
			PX_NULL);
}

/* Apply w->cfg (edited) to a fresh engine at T0 with the standard contracts. */
static void restart(struct tworld *w)
{
	tw_restart(w, T(T0));
	tw_std_contracts(w, T(T0));
	tw_contract(w, T(T0), ESH7, "ESH7", 0.25, 12.5);
}

static void set001(struct rules_cfg *r, int limit, enum count_mode count, enum size_action act,
		   struct lockout_spec lk)
{
	r->max_contracts.enabled = true;
	r->max_contracts.dry_run = false;
	r->max_contracts.limit = limit;
	r->max_contracts.count = count;
	r->max_contracts.action = act;
	r->max_contracts.lockout = lk;
}

/* limits MNQ 4, ES 1; default 2; unknown_symbol block. */
static void set002(struct rules_cfg *r, enum size_action act, struct lockout_spec lk)
{
	struct cfg_max_contracts_per_instrument *c = &r->max_contracts_per_instrument;

	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->n_limits = 2;
	strlcpy_s(c->limits[0].symbol, "MNQ", sizeof(c->limits[0].symbol));
	c->limits[0].limit = 4;
	strlcpy_s(c->limits[1].symbol, "es", sizeof(c->limits[1].symbol));
	c->limits[1].limit = 1;
	c->default_limit = 2;
	c->unknown_symbol = UNKNOWN_BLOCK;
	c->action = act;
	c->lockout = lk;
}

static void set011(struct rules_cfg *r, bool close_existing, const char *a, const char *b)
{
	struct cfg_symbol_blocks *c = &r->symbol_blocks;

	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->close_existing = close_existing;
	if (a != NULL)
		strlcpy_s(c->symbols[c->n_symbols++], a, sizeof(c->symbols[0]));
	if (b != NULL)
		strlcpy_s(c->symbols[c->n_symbols++], b, sizeof(c->symbols[0]));
}

/* An override for ACC2: the global rules, then edited by the caller. */
static struct rules_cfg *add_override(struct tworld *w)
{
	w->cfg.overrides = calloc(1, sizeof(*w->cfg.overrides));
	assert_non_null(w->cfg.overrides);
	w->cfg.n_overrides = 1;
	w->cfg.overrides[0].account_id = ACC2;
	w->cfg.overrides[0].rules = w->cfg.rules;
	return &w->cfg.overrides[0].rules;
}

/* ================= RULE-001 max_contracts ================= */

static void test_r001_breach_close_all(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R001, ACC), 0);
	pos(&w, t += SEC, ACC, MNQ, 2);
	assert_int_equal(cnt(w.last, ACT_CANCEL_ORDER, R001, ACC), 0);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 2);
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R001, ACC), 0);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R001)->reason,
			    "net contracts 5 over limit 4");
	assert_false(t_find(w.last, ACT_CLOSE_CONTRACT, R001)->dry_run);
	tw_free(&w);
}

static void test_r001_at_limit(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 4);
	assert_int_equal(w.last.n, 0);
	/* A working order that would stay at the limit is fine too. */
	pos(&w, t += SEC, ACC, ES, 3);
	ord(&w, t += SEC, ACC, 1, ES, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, ES, 5);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 1);
	tw_free(&w);
}

static void test_r001_net_vs_gross(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	/* long 3 ES, short 2 MNQ: net 1, gross 5 */
	tw_init(&w, t);
	set001(&w.cfg.rules, 2, COUNT_NET, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, MNQ, -2);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(w.last.n, 0);

	w.cfg.rules.max_contracts.count = COUNT_GROSS;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, MNQ, -2);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 2);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R001)->reason,
			    "gross contracts 5 over limit 2");
	tw_free(&w);
}

static void test_r001_reduce_last_grown(void **s)
{
	struct tworld w;
	const struct srm_action *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 2);
	pos(&w, t += SEC, ACC, MNQ, 2);
	assert_int_equal(w.last.n, 0);
	/* ES grows last: the 1 excess comes off ES. */
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R001, ACC), 1);
	a = find_c(w.last, ACT_PARTIAL_CLOSE, R001, ES);
	assert_non_null(a);
	assert_int_equal(a->size, 1);
	assert_string_equal(a->reason, "net contracts 5 over limit 4");
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 0);

	/* Excess 3 over several positions: MNQ (2, last grown) closed whole, then 1 off ES. */
	w.cfg.rules.max_contracts.limit = 2;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(cnt(w.last, ACT_PARTIAL_CLOSE, R001, ACC), 1);
	/* its answer comes (11 s on, the closes in flight of the first have lapsed too) */
	tw_result(&w, t + 200, ACC, ACT_PARTIAL_CLOSE, ES, 0, 1, OUTCOME_OK);
	pos(&w, t += 11 * SEC, ACC, MNQ, 2);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R001, ACC), 2);
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, R001, MNQ));
	a = find_c(w.last, ACT_PARTIAL_CLOSE, R001, ES);
	assert_non_null(a);
	assert_int_equal(a->size, 1);
	tw_free(&w);
}

/* Net over with long and short: only the net's side is reduced, even if the other grew last. */
/* A new config is an event: with judge, a tighter limit is enforced at once; without, not. */
static void test_r001_config_event(void **s)
{
	struct tworld w;
	struct srm_config cfg2;
	const struct srm_action *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(w.last.n, 0);
	cfg2 = w.cfg;
	cfg2.rules.max_contracts.limit = 2;
	{
		struct srm_event ev = {.kind = EV_CONFIG};

		ev.u.config.cfg = &cfg2;
		ev.u.config.zone = w.zone;
		ev.u.config.judge = false; /* srmd before it is guarding: the reconcile judges */
		w.last = engine_apply(w.eng, &ev, t += SEC);
		assert_int_equal(w.last.n, 0);
	}
	tw_config(&w, t += SEC, &cfg2);
	a = find_c(w.last, ACT_PARTIAL_CLOSE, R001, ES);
	assert_non_null(a);
	assert_int_equal(a->size, 1);
	assert_string_equal(a->reason, "net contracts 3 over limit 2");
	/* an EV_CONFIG without a config changes nothing */
	{
		struct srm_event ev = {.kind = EV_CONFIG};

		w.last = engine_apply(w.eng, &ev, t += SEC);
		assert_ptr_equal(engine_config(w.eng), &cfg2);
	}
	tw_free(&w);
}

static void test_r001_reduce_net_side(void **s)
{
	struct tworld w;
	const struct srm_action *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 2, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 4);
	assert_int_equal(find_c(w.last, ACT_PARTIAL_CLOSE, R001, ES)->size, 2);
	pos(&w, t += 11 * SEC, ACC, MNQ, -1); /* net 3, MNQ grew last; the ES close is old */
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R001, ACC), 1);
	a = find_c(w.last, ACT_PARTIAL_CLOSE, R001, ES);
	assert_non_null(a);
	assert_int_equal(a->size, 1);
	assert_null(find_c(w.last, ACT_CLOSE_CONTRACT, R001, MNQ));

	/* gross: 3 over 2, MNQ (last grown) closed whole, ES untouched */
	w.cfg.rules.max_contracts.count = COUNT_GROSS;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 2);
	pos(&w, t += SEC, ACC, MNQ, -1);
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, R001, MNQ));
	assert_null(find_c(w.last, ACT_PARTIAL_CLOSE, R001, ES));
	assert_null(find_c(w.last, ACT_CLOSE_CONTRACT, R001, ES));
	tw_free(&w);
}

static void test_r001_order_cancel_not_reducing(void **s)
{
	struct tworld w;
	const struct srm_action *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 4);
	/* Selling all 4 only reduces: never cancelled. */
	ord(&w, t += SEC, ACC, 10, ES, PX_ASK, 4);
	assert_int_equal(w.last.n, 0);
	/* Buying 1 more would take it to 5: cancelled before it fills. */
	ord(&w, t += SEC, ACC, 11, ES, PX_BID, 1);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R001, ACC), 1);
	a = find_cancel(w.last, 11);
	assert_non_null(a);
	assert_int_equal(a->rule, R001);
	assert_string_equal(a->contract_id, ES);
	assert_string_equal(a->reason, "order 11 would take net contracts to 5, over limit 4");
	/* An order that is gone (cancelled) wakes nothing. */
	ord_cancelled(&w, t += SEC, ACC, 11, ES, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	/* Selling 5 does not only reduce (it flips to short 1) but stays within: |4 - 5| = 1. */
	ord(&w, t += SEC, ACC, 12, ES, PX_ASK, 5);
	assert_int_equal(w.last.n, 0);
	/* Another sell 1 on top: max(|4|, |4 - 6|) = 4, still fine; a buy 1 is 5. */
	ord(&w, t += SEC, ACC, 13, MNQ, PX_ASK, 1);
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 14, MNQ, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 14));
	tw_free(&w);
}

static void test_r001_two_orders_together(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 2);
	ord(&w, t += SEC, ACC, 21, MNQ, PX_BID, 1); /* 3: fine */
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 22, ES, PX_BID, 2); /* 2 + 1 + 2 = 5 */
	assert_non_null(find_cancel(w.last, 22));
	assert_string_equal(find_cancel(w.last, 22)->reason,
			    "order 22 would take net contracts to 5, over limit 4");
	/* An update of the earlier order does not cancel it for the sake of the newer one. */
	ord(&w, t += SEC, ACC, 21, MNQ, PX_BID, 1);
	assert_null(find_cancel(w.last, 21));
	/* Net: a sell order on another contract counts on the short side only. */
	ord_cancelled(&w, t += SEC, ACC, 22, ES, PX_BID, 2);
	ord(&w, t += SEC, ACC, 23, NQ, PX_ASK, 5); /* max(|2+1|, |2-5|) = 3 */
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 24, NQ, PX_ASK, 2); /* |2-7| = 5 */
	assert_non_null(find_cancel(w.last, 24));

	/* gross: every non-reducing order adds. */
	w.cfg.rules.max_contracts.count = COUNT_GROSS;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 2);
	ord(&w, t += SEC, ACC, 31, NQ, PX_ASK, 2); /* 4 */
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 32, MNQ, PX_BID, 1); /* 5 */
	assert_non_null(find_cancel(w.last, 32));
	assert_string_equal(find_cancel(w.last, 32)->reason,
			    "order 32 would take gross contracts to 5, over limit 4");
	tw_free(&w);
}

static void test_r001_lockout_expiry(void **s)
{
	struct tworld w;
	const struct srm_action *lk;
	srm_ms t = T(T0), start;

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_CLOSE_ALL, lk_dur(10 * MIN));
	restart(&w);
	start = t += SEC;
	pos(&w, start, ACC, ES, 5);
	lk = t_find(w.last, ACT_LOCKOUT, R001);
	assert_non_null(lk);
	assert_int_equal(lk->until, UNTIL_TIME);
	assert_int_equal(lk->until_ts, start + 10 * MIN);
	assert_string_equal(lk->symbol, "");
	assert_string_equal(lk->reason, "net contracts 5 over limit 4");
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 1);
	assert_non_null(engine_locked(w.eng, ACC, ES));
	/* While locked, a new opening order is cancelled by the lockout guard. */
	pos(&w, t += SEC, ACC, ES, 0);
	ord(&w, t += SEC, ACC, 5, MNQ, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 5));
	tw_advance(&w, start + 10 * MIN - 1);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R001, ACC), 0);
	tw_advance(&w, start + 10 * MIN + SEC);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R001, ACC), 1);
	assert_int_equal(t_find(w.last, ACT_UNLOCK, R001)->ts, start + 10 * MIN);
	assert_null(engine_locked(w.eng, ACC, ES));
	tw_free(&w);
}

static void test_r001_daily_reset(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_UNTIL_RESET));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 6);
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R001, ACC), 1);
	assert_int_equal(t_find(w.last, ACT_LOCKOUT, R001)->until, UNTIL_RESET);
	pos(&w, t += SEC, ACC, ES, 0);
	tw_advance(&w, T(RESET_AT) - SEC);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R001, ACC), 0);
	tw_advance(&w, T(RESET_AT) + MIN);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R001, ACC), 1);
	assert_int_equal(t_find(w.last, ACT_UNLOCK, R001)->ts, T(RESET_AT));
	assert_null(engine_locked(w.eng, ACC, NULL));
	/* The new day: the rule still holds the limit (it keeps no counters). */
	pos(&w, T(RESET_AT) + 2 * MIN, ACC, ES, 4);
	assert_int_equal(w.last.n, 0);
	pos(&w, T(RESET_AT) + 3 * MIN, ACC, ES, 5);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 1);
	tw_free(&w);
}

static void test_r001_disabled_dry_run_override(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_UNTIL_RESET));
	w.cfg.rules.max_contracts.enabled = false;
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 9);
	ord(&w, t += SEC, ACC, 1, ES, PX_BID, 9);
	assert_int_equal(w.last.n, 0);

	/* dry_run: the same actions, each marked. */
	w.cfg.rules.max_contracts.enabled = true;
	w.cfg.rules.max_contracts.dry_run = true;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 5);
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R001, ACC), 1);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 1);
	assert_int_equal(cnt(w.last, ACT_CANCEL_ORDER, R001, ACC), 0);
	for (size_t i = 0; i < w.last.n; i++)
		assert_true(w.last.v[i].dry_run);

	/* override: ACC2 may hold 10, ACC still 4. */
	w.cfg.rules.max_contracts.dry_run = false;
	add_override(&w)->max_contracts.limit = 10;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC2, ES, 5);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, ANY_RULE, ACC2), 0);
	ord(&w, t += SEC, ACC2, 7, ES, PX_BID, 5);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, ANY_RULE, ACC2), 0);
	pos(&w, t += SEC, ACC2, ES, 11);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC2), 1);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R001)->reason,
			    "net contracts 11 over limit 10");
	pos(&w, t += SEC, ACC, ES, 5);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R001, ACC), 1);
	tw_free(&w);
}

/* ================= RULE-002 max_contracts_per_instrument ================= */

static void test_r002_symbol_limits(void **s)
{
	struct tworld w;
	const struct srm_action *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	/* at each limit: nothing */
	pos(&w, t += SEC, ACC, MNQ, 4);
	pos(&w, t += SEC, ACC, ES, 1);
	pos(&w, t += SEC, ACC, NQ, -2);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R002, ACC), 0);
	/* one over each */
	pos(&w, t += SEC, ACC, MNQ, 5);
	a = find_c(w.last, ACT_PARTIAL_CLOSE, R002, MNQ);
	assert_non_null(a);
	assert_int_equal(a->size, 1);
	assert_string_equal(a->reason, "MNQ contracts 5 over limit 4");
	pos(&w, t += SEC, ACC, ES, 2);
	a = find_c(w.last, ACT_PARTIAL_CLOSE, R002, ES);
	assert_non_null(a);
	assert_int_equal(a->size, 1);
	assert_string_equal(a->reason, "ES contracts 2 over limit 1");
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R002, ACC), 1);
	pos(&w, t += SEC, ACC, NQ, -3);
	a = find_c(w.last, ACT_PARTIAL_CLOSE, R002, NQ);
	assert_non_null(a);
	assert_int_equal(a->size, 1);
	assert_string_equal(a->reason, "NQ contracts 3 over limit 2");
	/* MES is not MNQ nor ES: default 2 */
	pos(&w, t += SEC, ACC, MES, 2);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R002, ACC), 0);
	tw_free(&w);
}

static void test_r002_close_all_and_expiries(void **s)
{
	struct tworld w;
	const struct srm_action *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	/* ESZ6 and ESH7 are both ES: 2 over limit 1; ESH7 grew last and goes. */
	pos(&w, t += SEC, ACC, ES, 1);
	pos(&w, t += SEC, ACC, ESH7, -1);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R002, ACC), 1);
	a = find_c(w.last, ACT_CLOSE_CONTRACT, R002, ESH7);
	assert_non_null(a);
	assert_string_equal(a->reason, "ES contracts 2 over limit 1");

	/* close_all: every position of the symbol, none of another. */
	w.cfg.rules.max_contracts_per_instrument.action = SIZE_CLOSE_ALL;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, MNQ, 3);
	pos(&w, t += SEC, ACC, ES, 1);
	pos(&w, t += SEC, ACC, ESH7, 1);
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, R002, ACC), 2);
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, R002, ES));
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, R002, ESH7));
	assert_null(find_c(w.last, ACT_CLOSE_CONTRACT, R002, MNQ));
	tw_free(&w);
}

static void test_r002_orders(void **s)
{
	struct tworld w;
	const struct srm_action *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 1);
	ord(&w, t += SEC, ACC, 1, ES, PX_ASK, 1); /* reducing */
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 2, ESH7, PX_BID, 1); /* another ES expiry: 2 */
	a = find_cancel(w.last, 2);
	assert_non_null(a);
	assert_int_equal(a->rule, R002);
	assert_string_equal(a->reason, "order 2 would take ES contracts to 2, over limit 1");
	/* MNQ: 3 + 1 fine, + another 1 is 5 */
	ord(&w, t += SEC, ACC, 3, MNQ, PX_BID, 3);
	ord(&w, t += SEC, ACC, 4, MNQ, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 5, MNQ, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 5));
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R002, ACC), 1);
	/* NQ sell 2 and buy 2 on one contract: worst side 2, within the default */
	ord(&w, t += SEC, ACC, 6, NQ, PX_ASK, 2);
	ord(&w, t += SEC, ACC, 7, NQ, PX_BID, 2);
	assert_int_equal(w.last.n, 0);
	tw_free(&w);
}

/* Metadata arriving after the position: the rule looks again with the real symbol. */
static void test_r002_reevaluated_when_contract_arrives(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	tw_restart(&w, t);
	/* ES's limit is 1, but before the contract is known only its id root (EP) is: default 2 */
	pos(&w, t += SEC, ACC, ES, 2);
	assert_int_equal(w.last.n, 0);
	tw_contract(&w, t += SEC, ES, "ESZ6", 0.25, 12.5);
	assert_non_null(find_c(w.last, ACT_PARTIAL_CLOSE, R002, ES));
	assert_int_equal(find_c(w.last, ACT_PARTIAL_CLOSE, R002, ES)->size, 1);
	tw_free(&w);
}

static void test_r002_unknown_and_alias(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	/* block: a contract the gateway does not know has limit 0 */
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	/* not looked up yet: pending, the default limit (2) applies, not 0 */
	ord(&w, t += SEC, ACC, 9, UNKNOWN_C, PX_BID, 2);
	assert_int_equal(w.last.n, 0);
	/* the gateway says it does not exist: the waiting order is cancelled at once */
	w.last = t_contract_missing(w.eng, UNKNOWN_C, t += SEC);
	assert_non_null(find_cancel(w.last, 9));
	tw_order(&w, t += SEC, ACC, 9, UNKNOWN_C, PX_OS_CANCELLED, PX_OT_LIMIT, PX_BID, 2, 100, PX_NULL);
	ord(&w, t += SEC, ACC, 1, UNKNOWN_C, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 1));
	assert_string_equal(find_cancel(w.last, 1)->reason, "order 1 would take ZZZ contracts "
			    "to 1, over limit 0 (unknown contract)");
	pos(&w, t += SEC, ACC, UNKNOWN_C, 1);
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, R002, UNKNOWN_C));
	assert_string_equal(find_c(w.last, ACT_CLOSE_CONTRACT, R002, UNKNOWN_C)->reason,
			    "ZZZ contracts 1 over limit 0 (unknown contract)");
	/* once the contract is known, its default applies */
	tw_contract(&w, t += SEC, UNKNOWN_C, "ZZZZ6", 1, 1);
	pos(&w, t += SEC, ACC, UNKNOWN_C, 2);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R002, ACC), 0);

	/* allow: default 2 */
	w.cfg.rules.max_contracts_per_instrument.unknown_symbol = UNKNOWN_ALLOW;
	t = T(T0);
	restart(&w);
	ord(&w, t += SEC, ACC, 1, UNKNOWN_C, PX_BID, 2);
	assert_int_equal(w.last.n, 0);
	tw_order(&w, t += SEC, ACC, 1, UNKNOWN_C, PX_OS_FILLED, PX_OT_LIMIT, PX_BID, 2, 6000, PX_NULL);
	pos(&w, t += SEC, ACC, UNKNOWN_C, 2);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, UNKNOWN_C, 3);
	assert_non_null(find_c(w.last, ACT_PARTIAL_CLOSE, R002, UNKNOWN_C));

	/* the id root alias: "EP" limits ES */
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	strlcpy_s(w.cfg.rules.max_contracts_per_instrument.limits[1].symbol, "Ep",
		  sizeof(w.cfg.rules.max_contracts_per_instrument.limits[1].symbol));
	w.cfg.rules.max_contracts_per_instrument.limits[1].limit = 3;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, ES, 4);
	assert_string_equal(find_c(w.last, ACT_PARTIAL_CLOSE, R002, ES)->reason,
			    "ES contracts 4 over limit 3");
	tw_free(&w);
}

static void test_r002_symbol_lockout_expiry(void **s)
{
	struct tworld w;
	const struct srm_action *lk;
	srm_ms t = T(T0), start;

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_dur(5 * MIN));
	restart(&w);
	start = t += SEC;
	pos(&w, start, ACC, ES, 2);
	lk = t_find(w.last, ACT_LOCKOUT, R002);
	assert_non_null(lk);
	assert_string_equal(lk->symbol, "ES");
	assert_int_equal(lk->until, UNTIL_TIME);
	assert_int_equal(lk->until_ts, start + 5 * MIN);
	assert_non_null(find_c(w.last, ACT_PARTIAL_CLOSE, R002, ES));
	/* the lockout covers ES only: an MNQ order is fine, a new ES order is not */
	ord(&w, t += SEC, ACC, 1, MNQ, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, ES, 0);
	ord(&w, t += SEC, ACC, 2, ESH7, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 2));
	assert_int_equal(find_cancel(w.last, 2)->rule, R002);
	ord_cancelled(&w, t += SEC, ACC, 2, ESH7, PX_BID, 1);
	tw_advance(&w, start + 5 * MIN + SEC);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R002, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_UNLOCK, R002)->symbol, "ES");
	ord(&w, start + 6 * MIN, ACC, 3, ES, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	tw_free(&w);
}

static void test_r002_daily_reset(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_CLOSE_ALL, lk_mode(LOCKOUT_UNTIL_RESET));
	restart(&w);
	pos(&w, t += SEC, ACC, MNQ, 5);
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R002, ACC), 1);
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, R002, MNQ));
	pos(&w, t += SEC, ACC, MNQ, 0);
	tw_advance(&w, T(RESET_AT) - SEC);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R002, ACC), 0);
	tw_advance(&w, T(RESET_AT) + SEC);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R002, ACC), 1);
	assert_int_equal(t_find(w.last, ACT_UNLOCK, R002)->ts, T(RESET_AT));
	assert_null(engine_locked(w.eng, ACC, MNQ));
	tw_free(&w);
}

static void test_r002_disabled_dry_run_override(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_UNTIL_RESET));
	w.cfg.rules.max_contracts_per_instrument.enabled = false;
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 5);
	ord(&w, t += SEC, ACC, 1, UNKNOWN_C, PX_BID, 1);
	assert_int_equal(w.last.n, 0);

	w.cfg.rules.max_contracts_per_instrument.enabled = true;
	w.cfg.rules.max_contracts_per_instrument.dry_run = true;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 3);
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R002, ACC), 1);
	assert_int_equal(cnt(w.last, ACT_PARTIAL_CLOSE, R002, ACC), 1);
	for (size_t i = 0; i < w.last.n; i++)
		assert_true(w.last.v[i].dry_run);

	w.cfg.rules.max_contracts_per_instrument.dry_run = false;
	add_override(&w)->max_contracts_per_instrument.limits[1].limit = 5;
	t = T(T0);
	restart(&w);
	pos(&w, t += SEC, ACC2, ES, 5);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, ANY_RULE, ACC2), 0);
	pos(&w, t += SEC, ACC2, ES, 6);
	assert_string_equal(find_c(w.last, ACT_PARTIAL_CLOSE, R002, ES)->reason,
			    "ES contracts 6 over limit 5");
	pos(&w, t += SEC, ACC, ES, 2);
	assert_int_equal(cnt(w.last, ACT_PARTIAL_CLOSE, R002, ACC), 1);
	tw_free(&w);
}

/* ================= RULE-011 symbol_blocks ================= */

static void test_r011_blocked_order(void **s)
{
	struct tworld w;
	const struct srm_action *lk, *a;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, true, "rty", NULL);
	restart(&w);
	ord(&w, t += SEC, ACC, 1, ES, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 2, RTY, PX_BID, 1);
	lk = t_find(w.last, ACT_LOCKOUT, R011);
	assert_non_null(lk);
	assert_int_equal(lk->until, UNTIL_PERMANENT);
	assert_string_equal(lk->symbol, "rty");
	assert_string_equal(lk->reason, "symbol RTY is blocked");
	a = find_cancel(w.last, 2);
	assert_non_null(a);
	assert_int_equal(a->rule, R011);
	assert_int_equal(cnt(w.last, ACT_CANCEL_ORDER, ANY_RULE, ACC), 1);
	/* the lockout holds: ES is free, every new RTY order is cancelled */
	assert_non_null(engine_locked(w.eng, ACC, RTY));
	assert_null(engine_locked(w.eng, ACC, ES));
	ord_cancelled(&w, t += SEC, ACC, 2, RTY, PX_BID, 1);
	ord(&w, t += SEC, ACC, 3, RTY, PX_ASK, 2);
	assert_non_null(find_cancel(w.last, 3));
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R011, ACC), 0); /* already held */
	tw_free(&w);
}

static void test_r011_glob(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, true, "RTY", "M*");
	restart(&w);
	ord(&w, t += SEC, ACC, 1, MNQ, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 1));
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R011)->symbol, "M*");
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R011)->reason,
			    "symbol MNQ is blocked by M*");
	ord(&w, t += SEC, ACC, 2, MES, PX_ASK, 1);
	assert_non_null(find_cancel(w.last, 2));
	ord(&w, t += SEC, ACC, 3, ES, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, ES, 1);
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 4, NQ, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	tw_free(&w);
}

static void test_r011_close_existing(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, true, "RTY", NULL);
	restart(&w);
	pos(&w, t += SEC, ACC, RTY, 2);
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R011, ACC), 1);
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, R011, RTY));
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, ANY_RULE, ACC), 1);
	/* a reducing order is never cancelled, even with close_existing */
	ord(&w, t += SEC, ACC, 1, RTY, PX_ASK, 2);
	assert_null(find_cancel(w.last, 1));
	tw_free(&w);
}

static void test_r011_keep_existing(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, false, "RTY", NULL);
	restart(&w);
	/* a position held (e.g. since before the block) is left alone */
	pos(&w, t += SEC, ACC, RTY, 2);
	assert_int_equal(w.last.n, 0);
	/* the way out stays open */
	ord(&w, t += SEC, ACC, 1, RTY, PX_ASK, 1);
	assert_null(find_cancel(w.last, 1));
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, ANY_RULE, ACC), 0);
	/* a new order that adds is cancelled; the position still is not closed */
	ord(&w, t += SEC, ACC, 2, RTY, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 2));
	assert_int_equal(cnt(w.last, ACT_CLOSE_CONTRACT, ANY_RULE, ACC), 0);
	assert_non_null(engine_locked(w.eng, ACC, RTY));
	/* the position reduced: nothing */
	pos(&w, t += SEC, ACC, RTY, 1);
	assert_int_equal(w.last.n, 0);
	/* it grew anyway (the cancel lost the race): closed */
	pos(&w, t += SEC, ACC, RTY, 3);
	assert_non_null(find_c(w.last, ACT_CLOSE_CONTRACT, ANY_RULE, RTY));
	tw_free(&w);
}

/* Permanent: neither time nor the daily reset ends it; a config without the symbol does. */
static void test_r011_permanent_and_reload(void **s)
{
	struct tworld w;
	struct srm_config cfg2;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, true, "RTY", "CL");
	restart(&w);
	ord(&w, t += SEC, ACC, 1, RTY, PX_BID, 1);
	ord(&w, t += SEC, ACC, 2, CL, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 2));
	tw_advance(&w, T(RESET_AT) + 3 * 24 * 60 * MIN);
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R011, ACC), 0);
	assert_non_null(engine_locked(w.eng, ACC, RTY));

	cfg2 = w.cfg;
	cfg2.rules.symbol_blocks.n_symbols = 1; /* CL leaves the list */
	tw_config(&w, T(RESET_AT) + 3 * 24 * 60 * MIN + SEC, &cfg2);
	assert_null(engine_locked(w.eng, ACC, CL));
	assert_int_equal(cnt(w.last, ACT_UNLOCK, R011, ACC), 1); /* the release is an action */
	assert_non_null(engine_locked(w.eng, ACC, RTY));
	tw_free(&w);
}

static void test_r011_disabled_dry_run_override(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, true, "RTY", NULL);
	w.cfg.rules.symbol_blocks.enabled = false;
	restart(&w);
	pos(&w, t += SEC, ACC, RTY, 1);
	ord(&w, t += SEC, ACC, 1, RTY, PX_BID, 1);
	assert_int_equal(w.last.n, 0);

	w.cfg.rules.symbol_blocks.enabled = true;
	w.cfg.rules.symbol_blocks.dry_run = true;
	t = T(T0);
	restart(&w);
	ord(&w, t += SEC, ACC, 1, RTY, PX_BID, 1);
	assert_int_equal(cnt(w.last, ACT_LOCKOUT, R011, ACC), 1);
	assert_non_null(find_cancel(w.last, 1));
	for (size_t i = 0; i < w.last.n; i++)
		assert_true(w.last.v[i].dry_run);

	w.cfg.rules.symbol_blocks.dry_run = false;
	add_override(&w)->symbol_blocks.n_symbols = 0;
	t = T(T0);
	restart(&w);
	ord(&w, t += SEC, ACC2, 1, RTY, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 2, RTY, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 2));
	tw_free(&w);
}

/* ---- working exposure (issue 11, class 1): the account's worst case judged whole ---- */

/* What is left of a partly filled order counts once: size 4, 2 filled, long 2 = worst 4. */
static void test_expo_partial_fill_counted_once(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 3, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	tw_order_fv(&w, t += SEC, ACC, 1, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 4, 0, 6000, PX_NULL);
	/* 4 would take it over 3 */
	assert_non_null(find_cancel(w.last, 1));
	tw_free(&w);
	tw_init(&w, t); /* again, under 4: half filled, then the fill's position */
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	ord(&w, t += SEC, ACC, 2, ES, PX_BID, 4);
	assert_null(find_cancel(w.last, 2));
	tw_order_fv(&w, t += SEC, ACC, 2, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 4, 2, 6000, PX_NULL);
	pos(&w, t += SEC, ACC, ES, 2);
	assert_int_equal(w.last.n, 0);
	/* long 2 + 2 left = 4: at the limit. One more contract anywhere is over. */
	ord(&w, t += SEC, ACC, 3, MNQ, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 3));
	assert_string_equal(find_cancel(w.last, 3)->reason,
			    "order 3 would take net contracts to 5, over limit 4");
	tw_free(&w);
}

/* An order enlarged by a modify is judged again, and it is the one cancelled (last grown). */
static void test_expo_modify_up(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	ord(&w, t += SEC, ACC, 1, ES, PX_BID, 2);
	ord(&w, t += SEC, ACC, 2, ES, PX_BID, 2);
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 1, ES, PX_BID, 3); /* the modify: 2 -> 3 */
	assert_non_null(find_cancel(w.last, 1));
	assert_null(find_cancel(w.last, 2));
	tw_free(&w);
}

/*
 * A bracket under the limit: the entry's stop and target legs wait Suspended (not
 * exposure); once the entry fills, each leg alone is no larger than the position: reducing,
 * though both together exceed it. No leg is ever cancelled (every Auto-OCO user).
 */
static void test_expo_bracket_legs(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 3, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	w.cfg.rules.max_contracts_per_instrument.enabled = true;
	w.cfg.rules.max_contracts_per_instrument.default_limit = 3;
	w.cfg.rules.max_contracts_per_instrument.n_limits = 0;
	w.cfg.rules.max_contracts_per_instrument.action = SIZE_REDUCE_TO_LIMIT;
	restart(&w);
	ord(&w, t += SEC, ACC, 10, ES, PX_BID, 2);
	tw_order(&w, t += SEC, ACC, 11, ES, PX_OS_SUSPENDED, PX_OT_STOP, PX_ASK, 2, PX_NULL, 5990);
	assert_int_equal(w.last.n, 0);
	tw_order(&w, t += SEC, ACC, 12, ES, PX_OS_SUSPENDED, PX_OT_LIMIT, PX_ASK, 2, 6010, PX_NULL);
	assert_int_equal(w.last.n, 0);
	tw_order(&w, t += SEC, ACC, 10, ES, PX_OS_FILLED, PX_OT_LIMIT, PX_BID, 2, 6000, PX_NULL);
	pos(&w, t, ACC, ES, 2);
	assert_int_equal(w.last.n, 0);
	tw_order(&w, t += SEC, ACC, 11, ES, PX_OS_OPEN, PX_OT_STOP, PX_ASK, 2, PX_NULL, 5990);
	assert_int_equal(w.last.n, 0);
	tw_order(&w, t += SEC, ACC, 12, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_ASK, 2, 6010, PX_NULL);
	assert_int_equal(w.last.n, 0);
	tw_free(&w);
}

/* A resting order that fit is judged again when the position changes under it. */
static void test_expo_position_change_rejudges(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, MNQ, 3);
	ord(&w, t += SEC, ACC, 5, ES, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	pos(&w, t += SEC, ACC, MNQ, 4); /* another platform's fill */
	assert_non_null(find_cancel(w.last, 5));
	assert_string_equal(find_cancel(w.last, 5)->reason,
			    "order 5 would take net contracts to 5, over limit 4");
	tw_free(&w);
}

/* Over: the newest orders go first, as many as needed, and never a reducing one. */
static void test_expo_newest_first_never_reducing(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_GROSS, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	pos(&w, t += SEC, ACC, ES, 2);
	ord(&w, t += SEC, ACC, 1, MNQ, PX_BID, 1);
	ord(&w, t += SEC, ACC, 2, ES, PX_ASK, 2);  /* reducing */
	ord(&w, t += SEC, ACC, 3, MNQ, PX_BID, 1);
	assert_int_equal(w.last.n, 0);
	/* the position grows to 4 with two orders of 1 working: both go, newest first */
	pos(&w, t += SEC, ACC, ES, 4);
	assert_int_equal(cnt(w.last, ACT_CANCEL_ORDER, R001, ACC), 2);
	assert_non_null(find_cancel(w.last, 3));
	assert_non_null(find_cancel(w.last, 1));
	assert_null(find_cancel(w.last, 2));
	assert_true(find_cancel(w.last, 3) < find_cancel(w.last, 1));
	tw_free(&w);
}

/*
 * An order whose status and type this build does not know (a new gateway value) fails
 * closed: kept as a working order, cancelled in a blocked symbol, one alert per value.
 */
static void test_unknown_enum_fails_closed(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	struct srm_event ev = {.kind = EV_ORDER};
	struct px_order *o = &ev.u.order;

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, true, "RTY", NULL);
	restart(&w);
	o->id = 77;
	o->account_id = ACC;
	strlcpy_s(o->contract_id, RTY, sizeof(o->contract_id));
	o->created = o->updated = t;
	o->status = PX_OS_OTHER;
	o->odd_status = true;
	o->raw_status = 9;
	o->type = PX_OT_UNKNOWN;
	o->odd_type = true;
	o->raw_type = 8;
	o->side = PX_BID;
	o->size = 1;
	o->limit_price = o->stop_price = o->filled_price = PX_NULL;
	w.last = engine_apply(w.eng, &ev, t += SEC);
	assert_non_null(find_cancel(w.last, 77));
	assert_int_equal(cnt(w.last, ACT_ALERT, -1, ACC), 2);
	o->id = 78;
	w.last = engine_apply(w.eng, &ev, t += SEC);
	assert_non_null(find_cancel(w.last, 78));
	assert_int_equal(cnt(w.last, ACT_ALERT, -1, ACC), 0); /* once per value */
	tw_free(&w);
}

/* News of a contract reaches every account that holds or works it (it stopped at 64). */
static void test_r002_contract_news_reaches_all(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	for (int i = 0; i < 100; i++)
		ord(&w, t, 5000 + i, 1 + i, UNKNOWN_C, PX_BID, 1);
	w.last = t_contract_missing(w.eng, UNKNOWN_C, t + SEC);
	assert_int_equal(t_count(w.last, ACT_CANCEL_ORDER, R002), 100);
	tw_free(&w);
}

/*
 * A recheck judges each position with an event built in the same place: the contract
 * lookup must not answer one contract's symbol for another's (a pointer cache once did,
 * and RTY 1 was closed as "CL contracts 7 over limit 6").
 */
static void test_recheck_contracts_not_mixed(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	w.cfg.rules.max_contracts_per_instrument.default_limit = 6;
	restart(&w);
	pos(&w, t += SEC, ACC, CL, 6);
	pos(&w, t += SEC, ACC, RTY, 1);
	assert_int_equal(w.last.n, 0);
	tw_recheck(&w, t += SEC, ACC);
	assert_int_equal(cnt(w.last, ACT_KIND_COUNT, R002, ACC), 0);
	tw_free(&w);
}

/* A block entry written as a contract (its month: RTYZ6) or a whole contract id matches it. */
static void test_r011_contract_entries_match(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set011(&w.cfg.rules, true, "RTYZ6", "CON.F.US.CLE.Z26");
	restart(&w);
	ord(&w, t += SEC, ACC, 1, RTY, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 1));
	ord(&w, t += SEC, ACC, 2, CL, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 2));
	assert_non_null(engine_locked(w.eng, ACC, CL));
	ord(&w, t += SEC, ACC, 3, ES, PX_BID, 1);
	assert_null(find_cancel(w.last, 3));
	tw_free(&w);
}

/*
 * The position of a fill can come before its order's own event (fillVolume not updated
 * yet): counted twice, the order would look over the limit. The cancel waits 300 ms for
 * that event (it then fits); an order whose own event never says so is cancelled then.
 */
static void test_expo_waits_for_the_order_event(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set001(&w.cfg.rules, 4, COUNT_NET, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE));
	restart(&w);
	ord(&w, t, ACC, 1, ES, PX_BID, 4);
	pos(&w, t + 10, ACC, ES, 2); /* 2 of the 4 filled; the order still says 0 filled */
	assert_null(find_cancel(w.last, 1));
	tw_order_fv(&w, t + 50, ACC, 1, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 4, 2, 6000, PX_NULL);
	tw_advance(&w, t + 400);
	assert_null(find_cancel(w.last, 1));
	/* again, and the order's event does not come: cancelled at the settle time */
	ord(&w, t + 500, ACC, 2, ES, PX_BID, 2); /* long 2 + 2 left of 1 + 2 = 6 > 4: cancel 2 */
	assert_non_null(find_cancel(w.last, 2));
	tw_order(&w, t + 510, ACC, 2, ES, PX_OS_CANCELLED, PX_OT_LIMIT, PX_BID, 2, 6000, PX_NULL);
	pos(&w, t + 600, ACC, ES, 3); /* one more of order 1: its event lags */
	assert_null(find_cancel(w.last, 1));
	tw_advance(&w, t + 1000);
	assert_int_equal(t_count(w.last, ACT_CANCEL_ORDER, R001), 1);
	assert_non_null(find_cancel(w.last, 1));
	tw_free(&w);
}

/* RULE-002: what is left of a partly filled order counts once in its symbol. */
static void test_expo_r002_partial(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set002(&w.cfg.rules, SIZE_REDUCE_TO_LIMIT, lk_mode(LOCKOUT_NONE)); /* MNQ 4 */
	restart(&w);
	tw_order_fv(&w, t += SEC, ACC, 1, MNQ, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 4, 2, 6000, PX_NULL);
	pos(&w, t += SEC, ACC, MNQ, 2);
	assert_int_equal(w.last.n, 0);
	ord(&w, t += SEC, ACC, 2, MNQ, PX_BID, 1);
	assert_non_null(find_cancel(w.last, 2));
	assert_null(find_cancel(w.last, 1));
	tw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expo_partial_fill_counted_once),
		cmocka_unit_test(test_expo_modify_up),
		cmocka_unit_test(test_expo_bracket_legs),
		cmocka_unit_test(test_expo_position_change_rejudges),
		cmocka_unit_test(test_expo_newest_first_never_reducing),
		cmocka_unit_test(test_expo_r002_partial),
		cmocka_unit_test(test_expo_waits_for_the_order_event),
		cmocka_unit_test(test_unknown_enum_fails_closed),
		cmocka_unit_test(test_r011_contract_entries_match),
		cmocka_unit_test(test_recheck_contracts_not_mixed),
		cmocka_unit_test(test_r002_contract_news_reaches_all),
		cmocka_unit_test(test_r001_breach_close_all),
		cmocka_unit_test(test_r001_at_limit),
		cmocka_unit_test(test_r001_net_vs_gross),
		cmocka_unit_test(test_r001_reduce_last_grown),
		cmocka_unit_test(test_r001_config_event),
		cmocka_unit_test(test_r001_reduce_net_side),
		cmocka_unit_test(test_r001_order_cancel_not_reducing),
		cmocka_unit_test(test_r001_two_orders_together),
		cmocka_unit_test(test_r001_lockout_expiry),
		cmocka_unit_test(test_r001_daily_reset),
		cmocka_unit_test(test_r001_disabled_dry_run_override),
		cmocka_unit_test(test_r002_symbol_limits),
		cmocka_unit_test(test_r002_close_all_and_expiries),
		cmocka_unit_test(test_r002_orders),
		cmocka_unit_test(test_r002_unknown_and_alias),
		cmocka_unit_test(test_r002_reevaluated_when_contract_arrives),
		cmocka_unit_test(test_r002_symbol_lockout_expiry),
		cmocka_unit_test(test_r002_daily_reset),
		cmocka_unit_test(test_r002_disabled_dry_run_override),
		cmocka_unit_test(test_r011_blocked_order),
		cmocka_unit_test(test_r011_glob),
		cmocka_unit_test(test_r011_close_existing),
		cmocka_unit_test(test_r011_keep_existing),
		cmocka_unit_test(test_r011_permanent_and_reload),
		cmocka_unit_test(test_r011_disabled_dry_run_override),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
