/* test_rules_pnl.c: RULE-003..007 (P&L and frequency rules) on real events into a real engine. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"
#include "util/strutil.h"

#define ACC 1001
#define ACC2 2002
#define R003 2
#define R004 3
#define R005 4
#define R006 5
#define R007 6
#define SEC 1000
#define MIN (60 * SEC)
#define T0 "2026-11-24T15:00:00Z" /* a Tuesday, 09:00 in Chicago */
#define RESET_AT "2026-11-24T23:00:00Z" /* 17:00 America/Chicago (CST) */
#define UNKNOWN_C "CON.F.US.ZZZ.Z26"

/* ---- small helpers ---- */

static struct lockout_spec lk_dur(int64_t ms)
{
	return (struct lockout_spec){.mode = LOCKOUT_DURATION, .duration_ms = ms};
}

static struct lockout_spec lk_mode(enum lockout_mode m)
{
	return (struct lockout_spec){.mode = m};
}

/* A fill whose fill time (created) differs from the engine time it arrives at. */
static struct act_list trade_at(struct tworld *w, srm_ms now, srm_ms created, int64_t acct,
				int64_t id, const char *contract, double pnl)
{
	struct srm_event ev = {.kind = EV_TRADE};
	struct px_trade *t = &ev.u.trade;

	t->id = id;
	t->account_id = acct;
	strlcpy_s(t->contract_id, contract, sizeof(t->contract_id));
	t->created = created;
	t->price = 6000;
	t->profit_and_loss = pnl;
	t->fees = 0;
	t->side = PX_ASK;
	t->size = 1;
	t->order_id = id + 100000;
	w->last = engine_apply(w->eng, &ev, now);
	return w->last;
}

/* A closing fill with a P&L and no fees. */
static struct act_list close_fill(struct tworld *w, srm_ms now, int64_t acct, int64_t id,
				  double pnl)
{
	return tw_trade(w, now, acct, id, ES, PX_ASK, 1, 6000, pnl, 0, false);
}

/* An opening fill. */
static struct act_list open_fill(struct tworld *w, srm_ms now, int64_t acct, int64_t id)
{
	return tw_trade(w, now, acct, id, ES, PX_BID, 1, 6000, PX_NULL, 0, false);
}

/* Apply w->cfg (edited) to a fresh engine at T0 with the standard contracts. */
static void restart(struct tworld *w)
{
	tw_restart(w, T(T0));
	tw_std_contracts(w, T(T0));
}

/* ---- per-rule setups shared by the generic tests ---- */

static void set003(struct rules_cfg *r, struct lockout_spec lk)
{
	r->daily_realized_loss.enabled = true;
	r->daily_realized_loss.loss_limit = 50000;
	r->daily_realized_loss.include_fees = false;
	r->daily_realized_loss.include_unrealized = false;
	r->daily_realized_loss.lockout = lk;
}

static void set004(struct rules_cfg *r, struct lockout_spec lk)
{
	r->daily_unrealized_loss.enabled = true;
	r->daily_unrealized_loss.loss_limit = 30000;
	r->daily_unrealized_loss.scope = SCOPE_POSITION;
	r->daily_unrealized_loss.lockout = lk;
}

static void set005(struct rules_cfg *r, struct lockout_spec lk)
{
	r->max_unrealized_profit.enabled = true;
	r->max_unrealized_profit.target = 100000;
	r->max_unrealized_profit.scope = SCOPE_POSITION;
	r->max_unrealized_profit.lockout = lk;
}

static void set006(struct rules_cfg *r, struct lockout_spec lk)
{
	struct cfg_trade_frequency_limit *c = &r->trade_frequency_limit;

	c->enabled = true;
	c->per_minute = 3;
	c->per_hour = 0;
	c->per_session = 0;
	c->cooldown_minute = lk;
}

static void set007(struct rules_cfg *r, struct lockout_spec lk)
{
	struct cfg_cooldown_after_loss *c = &r->cooldown_after_loss;

	c->enabled = true;
	c->n_tiers = 1;
	c->tiers[0].loss = 10000;
	c->tiers[0].cooldown = lk;
	c->consecutive_count = 0;
}

static void loose003(struct rules_cfg *r) { r->daily_realized_loss.loss_limit = 100000; }
static void loose004(struct rules_cfg *r) { r->daily_unrealized_loss.loss_limit = 100000; }
static void loose005(struct rules_cfg *r) { r->max_unrealized_profit.target = 200000; }
static void loose006(struct rules_cfg *r) { r->trade_frequency_limit.per_minute = 10; }
static void loose007(struct rules_cfg *r) { r->cooldown_after_loss.tiers[0].loss = 100000; }

/* Each breach leaves its enforcing actions in w->last (the last call). */
static void breach003(struct tworld *w, int64_t acct, srm_ms t)
{
	tw_position(w, t, acct, ES, 1, 6000);
	close_fill(w, t, acct, acct * 100 + 1, -500.0);
}

static void breach004(struct tworld *w, int64_t acct, srm_ms t)
{
	tw_quote(w, t, ES, PX_NULL, PX_NULL, 6000);
	tw_position(w, t, acct, ES, 1, 6000);
	tw_quote(w, t, ES, PX_NULL, PX_NULL, 5994); /* 24 ticks x 12.50 = -300.00 */
}

static void breach005(struct tworld *w, int64_t acct, srm_ms t)
{
	tw_quote(w, t, ES, PX_NULL, PX_NULL, 6000);
	tw_position(w, t, acct, ES, 1, 6000);
	tw_quote(w, t, ES, PX_NULL, PX_NULL, 6020); /* 80 ticks x 12.50 = +1000.00 */
}

static void breach006(struct tworld *w, int64_t acct, srm_ms t)
{
	for (int i = 0; i < 4; i++)
		open_fill(w, t + i * SEC, acct, acct * 100 + i);
}

static void breach007(struct tworld *w, int64_t acct, srm_ms t)
{
	close_fill(w, t, acct, acct * 100 + 1, -100.0);
}

struct rcase {
	int rule;
	void (*set)(struct rules_cfg *r, struct lockout_spec lk);
	void (*loosen)(struct rules_cfg *r);
	void (*breach)(struct tworld *w, int64_t acct, srm_ms t);
	enum act_kind enforce;  /* the enforcing action besides the lockout */
};

static const struct rcase C003 = {R003, set003, loose003, breach003, ACT_CLOSE_CONTRACT};
static const struct rcase C004 = {R004, set004, loose004, breach004, ACT_CLOSE_CONTRACT};
static const struct rcase C005 = {R005, set005, loose005, breach005, ACT_CLOSE_CONTRACT};
static const struct rcase C006 = {R006, set006, loose006, breach006, ACT_LOCKOUT};
static const struct rcase C007 = {R007, set007, loose007, breach007, ACT_LOCKOUT};

/* ---- generic tests, run for every rule ---- */

/* Breach -> enforcement + lockout; its end -> unlock exactly at the duration. */
static void g_breach_and_expiry(void **s)
{
	const struct rcase *c = *s;
	struct tworld w;

	tw_init(&w, T(T0));
	c->set(&w.cfg.rules, lk_dur(10 * MIN));
	restart(&w);
	c->breach(&w, ACC, T(T0) + SEC);
	assert_true(t_count_acct(w.last, c->enforce, c->rule, ACC) >= 1);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, c->rule, ACC), 1);
	const struct srm_action *lk = t_find(w.last, ACT_LOCKOUT, c->rule);
	srm_ms start = lk->ts;

	assert_int_equal(lk->until, UNTIL_TIME);
	assert_int_equal(lk->until_ts, start + 10 * MIN);
	assert_false(lk->dry_run);
	assert_non_null(engine_locked(w.eng, ACC, NULL));

	tw_advance(&w, start + 10 * MIN - 1);
	assert_int_equal(t_count(w.last, ACT_UNLOCK, c->rule), 0);
	tw_advance(&w, start + 10 * MIN + 5 * SEC);
	assert_int_equal(t_count(w.last, ACT_UNLOCK, c->rule), 1);
	assert_int_equal(t_find(w.last, ACT_UNLOCK, c->rule)->ts, start + 10 * MIN);
	assert_null(engine_locked(w.eng, ACC, NULL));
	tw_free(&w);
}

/* A disabled rule does nothing for the same events. */
static void g_disabled(void **s)
{
	const struct rcase *c = *s;
	struct tworld w;

	tw_init(&w, T(T0));
	c->set(&w.cfg.rules, lk_dur(10 * MIN));
	((bool *)((char *)&w.cfg.rules + rule_table[c->rule]->block.cfg_offset))[0] = false;
	restart(&w);
	c->breach(&w, ACC, T(T0) + SEC);
	assert_int_equal(t_count_rule(w.last, c->rule), 0);
	assert_null(engine_locked(w.eng, ACC, NULL));
	tw_free(&w);
}

/* dry_run on the rule: the same actions, each marked dry_run. */
static void g_dry_run(void **s)
{
	const struct rcase *c = *s;
	struct tworld w;

	tw_init(&w, T(T0));
	c->set(&w.cfg.rules, lk_dur(10 * MIN));
	((bool *)((char *)&w.cfg.rules + rule_table[c->rule]->block.cfg_offset))[1] = true;
	restart(&w);
	c->breach(&w, ACC, T(T0) + SEC);
	assert_true(t_count_acct(w.last, c->enforce, c->rule, ACC) >= 1);
	assert_true(t_count_rule(w.last, c->rule) >= 1);
	for (size_t i = 0; i < w.last.n; i++)
		if (w.last.v[i].rule == c->rule)
			assert_true(w.last.v[i].dry_run);
	tw_free(&w);
}

/* An account override with a looser limit: that account does not breach, the other does. */
static void g_override(void **s)
{
	const struct rcase *c = *s;
	struct tworld w;

	tw_init(&w, T(T0));
	c->set(&w.cfg.rules, lk_dur(10 * MIN));
	w.cfg.overrides = calloc(1, sizeof(*w.cfg.overrides));
	assert_non_null(w.cfg.overrides);
	w.cfg.n_overrides = 1;
	w.cfg.overrides[0].account_id = ACC2;
	w.cfg.overrides[0].rules = w.cfg.rules;
	c->loosen(&w.cfg.overrides[0].rules);
	restart(&w);
	c->breach(&w, ACC2, T(T0) + SEC);
	assert_int_equal(t_count_rule(w.last, c->rule), 0);
	c->breach(&w, ACC, T(T0) + 10 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, c->rule, ACC), 1);
	assert_true(t_count_acct(w.last, c->enforce, c->rule, ACC) >= 1);
	assert_int_equal(t_count_acct(w.last, ACT_KIND_COUNT, c->rule, ACC2), 0);
	assert_null(engine_locked(w.eng, ACC2, NULL));
	tw_free(&w);
}

/* until_reset: the daily reset (17:00 Chicago) ends the lockout, not a moment earlier. */
static void g_reset(void **s)
{
	const struct rcase *c = *s;
	struct tworld w;

	tw_init(&w, T(T0));
	c->set(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	restart(&w);
	c->breach(&w, ACC, T(T0) + SEC);
	const struct srm_action *lk = t_find(w.last, ACT_LOCKOUT, c->rule);

	assert_non_null(lk);
	assert_int_equal(lk->until, UNTIL_RESET);
	tw_advance(&w, T("2026-11-24T22:59:59Z"));
	assert_int_equal(t_count(w.last, ACT_UNLOCK, c->rule), 0);
	tw_advance(&w, T("2026-11-24T23:00:30Z"));
	assert_int_equal(t_count(w.last, ACT_UNLOCK, c->rule), 1);
	assert_int_equal(t_find(w.last, ACT_UNLOCK, c->rule)->ts, T(RESET_AT));
	assert_null(engine_locked(w.eng, ACC, NULL));
	tw_free(&w);
}

/* ---- RULE-003 daily_realized_loss ---- */

static void r003_world(struct tworld *w, struct lockout_spec lk)
{
	tw_init(w, T(T0));
	set003(&w->cfg.rules, lk);
	restart(w);
}

static void test_r003_at_limit_and_below(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r003_world(&w, lk_mode(LOCKOUT_UNTIL_RESET));
	tw_position(&w, t, ACC, ES, 2, 6000);
	tw_order(&w, t, ACC, 7, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	/* -499.99: no breach */
	close_fill(&w, t, ACC, 1, -499.99);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -49999);
	/* one more cent: -500.00 reached -> lockout, cancel_all, close_all (once each) */
	close_fill(&w, t + SEC, ACC, 2, -0.01);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R003, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R003, ACC), 1);
	const struct srm_action *lk = t_find(w.last, ACT_LOCKOUT, R003);

	assert_int_equal(lk->until, UNTIL_RESET);
	assert_string_equal(lk->reason, "realized -500.00 reached limit -500.00");
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R003)->reason,
			    "realized -500.00 reached limit -500.00");
	tw_free(&w);
}

static void test_r003_lockout_none_flattens(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r003_world(&w, lk_mode(LOCKOUT_NONE));
	tw_position(&w, t, ACC, MNQ, -2, 21000);
	close_fill(&w, t, ACC, 1, -612.5);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R003, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R003, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R003)->reason,
			    "realized -612.50 reached limit -500.00");
	assert_null(engine_locked(w.eng, ACC, NULL));
	tw_free(&w);
}

static void test_r003_fees(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	/* -490 gross, 12.00 fees: fees excluded -> no breach */
	r003_world(&w, lk_mode(LOCKOUT_UNTIL_RESET));
	tw_trade(&w, t, ACC, 1, ES, PX_ASK, 1, 6000, -490.0, 12.0, false);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	tw_free(&w);

	/* fees included: -502.00 -> breach */
	tw_init(&w, T(T0));
	set003(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	w.cfg.rules.daily_realized_loss.include_fees = true;
	restart(&w);
	tw_trade(&w, t, ACC, 1, ES, PX_ASK, 1, 6000, -490.0, 12.0, false);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R003)->reason,
			    "realized net of fees -502.00 reached limit -500.00");
	tw_free(&w);
}

static void test_r003_include_unrealized(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	/* without include_unrealized, a losing open position does not count */
	r003_world(&w, lk_mode(LOCKOUT_UNTIL_RESET));
	close_fill(&w, t, ACC, 1, -300.0);
	tw_position(&w, t, ACC, ES, 1, 6000);
	tw_quote(&w, t + SEC, ES, PX_NULL, PX_NULL, 5990);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	tw_free(&w);

	tw_init(&w, T(T0));
	set003(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	w.cfg.rules.daily_realized_loss.include_unrealized = true;
	restart(&w);
	close_fill(&w, t, ACC, 1, -300.0);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	tw_position(&w, t, ACC, ES, 1, 6000);
	/* 5996.25: 15 ticks x 12.50 = -187.50, total -487.50: no breach */
	tw_quote(&w, t + SEC, ES, PX_NULL, PX_NULL, 5996.25);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	/* 5996: -200.00, total -500.00: breach on the quote */
	tw_quote(&w, t + 2 * SEC, ES, PX_NULL, PX_NULL, 5996);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R003, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R003)->reason,
			    "P&L -500.00 reached limit -500.00 incl. unrealized -200.00");
	/* the lockout holds: the next quote asks nothing new (repeat within 2 s) */
	tw_quote(&w, t + 3 * SEC, ES, PX_NULL, PX_NULL, 5995);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 0);
	tw_free(&w);
}

static void test_r003_duplicate_fill(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r003_world(&w, lk_mode(LOCKOUT_UNTIL_RESET));
	close_fill(&w, t, ACC, 10, -300.0);
	close_fill(&w, t + SEC, ACC, 10, -300.0); /* the same trade again */
	assert_int_equal(w.last.n, 0);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -30000);
	assert_null(engine_locked(w.eng, ACC, NULL));
	tw_free(&w);
}

static void test_r003_voided_fill(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r003_world(&w, lk_mode(LOCKOUT_UNTIL_RESET));
	close_fill(&w, t, ACC, 10, -300.0);
	close_fill(&w, t, ACC, 11, -100.0);
	/* trade 10 voided: its -300 is reversed */
	tw_trade(&w, t + SEC, ACC, 10, ES, PX_ASK, 1, 6000, -300.0, 0, true);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -10000);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	/* -300 more: -400 total, no breach (it would have been -700 without the void) */
	close_fill(&w, t + 2 * SEC, ACC, 12, -300.0);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	assert_null(engine_locked(w.eng, ACC, NULL));
	/* and -100 more reaches it */
	close_fill(&w, t + 3 * SEC, ACC, 13, -100.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 1);
	tw_free(&w);
}

static void test_r003_fill_before_reset(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r003_world(&w, lk_mode(LOCKOUT_UNTIL_RESET));
	/* filled yesterday at 16:00 Chicago, before the 17:00 reset that started today */
	trade_at(&w, t, T("2026-11-23T22:00:00Z"), ACC, 5, ES, -800.0);
	assert_int_equal(w.last.n, 0);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, 0);
	/* filled just after the reset: counts */
	trade_at(&w, t, T("2026-11-23T23:00:00Z"), ACC, 6, ES, -500.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 1);
	tw_free(&w);
}

static void test_r003_reset_clears_day(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r003_world(&w, lk_mode(LOCKOUT_UNTIL_RESET));
	close_fill(&w, t, ACC, 1, -520.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R003, ACC), 1);
	tw_advance(&w, T("2026-11-24T23:00:01Z"));
	assert_int_equal(t_count_acct(w.last, ACT_UNLOCK, R003, ACC), 1);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, 0);
	/* a new day: -100 does not breach (yesterday's -520 is gone) */
	close_fill(&w, T("2026-11-24T23:05:00Z"), ACC, 2, -100.0);
	assert_int_equal(t_count_rule(w.last, R003), 0);
	assert_null(engine_locked(w.eng, ACC, NULL));
	tw_free(&w);
}

/* An unvalued contract (no tick size/value): RULE-003/004/005 skip it quietly. */
static void test_unknown_contract_no_valuation(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	tw_init(&w, T(T0));
	set003(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	w.cfg.rules.daily_realized_loss.include_unrealized = true;
	set004(&w.cfg.rules, lk_mode(LOCKOUT_NONE));
	set005(&w.cfg.rules, lk_mode(LOCKOUT_NONE));
	restart(&w);
	close_fill(&w, t, ACC, 1, -400.0);
	tw_position(&w, t, ACC, UNKNOWN_C, 3, 100);
	tw_quote(&w, t + SEC, UNKNOWN_C, PX_NULL, PX_NULL, 1);
	assert_int_equal(w.last.n, 0);
	tw_quote(&w, t + 2 * SEC, UNKNOWN_C, PX_NULL, PX_NULL, 1000);
	assert_int_equal(w.last.n, 0);
	/* account scope too */
	w.cfg.rules.daily_unrealized_loss.scope = SCOPE_ACCOUNT;
	w.cfg.rules.max_unrealized_profit.scope = SCOPE_ACCOUNT;
	tw_config(&w, t + 2 * SEC + 500, &w.cfg);
	assert_int_equal(w.last.n, 0);
	tw_quote(&w, t + 3 * SEC, UNKNOWN_C, PX_NULL, PX_NULL, 1);
	assert_int_equal(w.last.n, 0);
	tw_quote(&w, t + 4 * SEC, UNKNOWN_C, PX_NULL, PX_NULL, 1000);
	assert_int_equal(w.last.n, 0);
	tw_free(&w);
}

/* ---- RULE-004 daily_unrealized_loss ---- */

static void test_r004_position_scope(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	tw_init(&w, T(T0));
	set004(&w.cfg.rules, lk_mode(LOCKOUT_NONE));
	restart(&w);
	tw_position(&w, t, ACC, ES, 1, 6000);
	tw_position(&w, t, ACC, MNQ, 1, 21000);
	/* 5994.25: 23 ticks x 12.50 = -287.50: no breach */
	tw_quote(&w, t, ES, PX_NULL, PX_NULL, 5994.25);
	assert_int_equal(t_count_rule(w.last, R004), 0);
	/* 5994: -300.00 reached: close ES only, no lockout (none) */
	tw_quote(&w, t + SEC, ES, PX_NULL, PX_NULL, 5994);
	assert_int_equal(w.last.n, 1);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R004, ACC), 1);
	assert_string_equal(w.last.v[0].contract_id, ES);
	assert_string_equal(w.last.v[0].reason, "unrealized -300.00 on ES reached limit -300.00");
	/* a losing MNQ quote 3 s later closes MNQ only (the ES quote is not re-checked) */
	tw_quote(&w, t + 4 * SEC, MNQ, 20800, 20800.5, PX_NULL); /* mid 20800.25: -399.50 */
	assert_int_equal(w.last.n, 1);
	assert_string_equal(w.last.v[0].contract_id, MNQ);
	assert_string_equal(w.last.v[0].reason, "unrealized -399.50 on MNQ reached limit -300.00");
	/* a short position loses when the price rises */
	tw_position(&w, t + 5 * SEC, ACC, NQ, -2, 21000);
	tw_quote(&w, t + 5 * SEC, NQ, PX_NULL, PX_NULL, 21030); /* 120 ticks x 5 x -2 = -1200 */
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R004, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R004)->contract_id, NQ);
	tw_free(&w);
}

static void test_r004_account_scope(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	tw_init(&w, T(T0));
	set004(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	w.cfg.rules.daily_unrealized_loss.scope = SCOPE_ACCOUNT;
	restart(&w);
	tw_position(&w, t, ACC, ES, 1, 6000);
	tw_position(&w, t, ACC, MNQ, 1, 21000);
	tw_quote(&w, t, ES, PX_NULL, PX_NULL, 5996); /* -200.00 */
	assert_int_equal(t_count_rule(w.last, R004), 0);
	tw_quote(&w, t, MNQ, PX_NULL, PX_NULL, 20950.25); /* -99.50: sum -299.50 */
	assert_int_equal(t_count_rule(w.last, R004), 0);
	tw_quote(&w, t + SEC, MNQ, PX_NULL, PX_NULL, 20950); /* -100.00: sum -300.00 */
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R004, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R004, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R004, ACC), 2);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R004)->reason,
			    "account unrealized -300.00 reached limit -300.00");
	tw_free(&w);
}

/* A stale quote (older than quote_max_age 10 s) drives the loss rule, never the profit rule. */
static void test_stale_quote_loss_yes_profit_no(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	tw_init(&w, T(T0));
	set004(&w.cfg.rules, lk_mode(LOCKOUT_NONE));
	set005(&w.cfg.rules, lk_mode(LOCKOUT_NONE));
	restart(&w);
	tw_quote(&w, t, ES, PX_NULL, PX_NULL, 6000);
	tw_quote(&w, t, MNQ, PX_NULL, PX_NULL, 20400);
	/* 15 s later, positions appear valued on those stale quotes */
	tw_position(&w, t + 15 * SEC, ACC, ES, 1, 5980); /* +1000.00, stale */
	assert_int_equal(t_count_rule(w.last, R005), 0);
	tw_position(&w, t + 15 * SEC, ACC, MNQ, 1, 21000); /* -1200.00, stale */
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R004, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R004)->contract_id, MNQ);
	/* a fresh ES quote: now the profit is enforced */
	tw_quote(&w, t + 16 * SEC, ES, PX_NULL, PX_NULL, 6000);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R005, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R005)->reason,
			    "unrealized profit 1000.00 on ES reached target 1000.00");
	tw_free(&w);
}

/* ---- RULE-005 max_unrealized_profit ---- */

static void test_r005_position_scope(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	tw_init(&w, T(T0));
	set005(&w.cfg.rules, lk_mode(LOCKOUT_NONE));
	restart(&w);
	tw_position(&w, t, ACC, ES, 1, 6000);
	tw_position(&w, t, ACC, MNQ, -1, 21000);
	tw_quote(&w, t, ES, PX_NULL, PX_NULL, 6019.75); /* +987.50 */
	assert_int_equal(t_count_rule(w.last, R005), 0);
	tw_quote(&w, t, MNQ, PX_NULL, PX_NULL, 18000); /* short: +6000.00 */
	assert_int_equal(w.last.n, 1);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R005)->contract_id, MNQ);
	tw_quote(&w, t + SEC, ES, PX_NULL, PX_NULL, 6020); /* +1000.00 reached */
	assert_int_equal(w.last.n, 1);
	assert_string_equal(t_find(w.last, ACT_CLOSE_CONTRACT, R005)->contract_id, ES);
	tw_free(&w);
}

static void test_r005_account_scope(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	tw_init(&w, T(T0));
	set005(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET)); /* a daily profit target */
	w.cfg.rules.max_unrealized_profit.scope = SCOPE_ACCOUNT;
	restart(&w);
	tw_position(&w, t, ACC, ES, 1, 6000);
	tw_position(&w, t, ACC, MNQ, 1, 20000);
	tw_quote(&w, t, ES, PX_NULL, PX_NULL, 6012); /* +600.00 */
	tw_quote(&w, t, MNQ, PX_NULL, PX_NULL, 20199.75); /* +399.50: sum 999.50 */
	assert_int_equal(t_count_rule(w.last, R005), 0);
	/* 20 s later the ES quote is stale: even at +1000 account-wide, no enforcement */
	tw_quote(&w, t + 20 * SEC, MNQ, PX_NULL, PX_NULL, 20200);
	assert_int_equal(t_count_rule(w.last, R005), 0);
	/* fresh ES: +1000.00 reached -> lockout until reset, cancel_all, close_all */
	tw_quote(&w, t + 21 * SEC, ES, PX_NULL, PX_NULL, 6012);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R005, ACC), 1);
	assert_int_equal(t_find(w.last, ACT_LOCKOUT, R005)->until, UNTIL_RESET);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R005, ACC), 2);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R005, ACC), 0);
	tw_free(&w);
}

/* ---- RULE-006 trade_frequency_limit ---- */

static void r006_world(struct tworld *w)
{
	tw_init(w, T(T0));
	set006(&w->cfg.rules, lk_dur(60 * SEC));
	restart(w);
}

static void test_r006_rolling_minute(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r006_world(&w);
	open_fill(&w, t, ACC, 1);
	open_fill(&w, t + 20 * SEC, ACC, 2);
	open_fill(&w, t + 50 * SEC, ACC, 3);
	assert_int_equal(t_count_rule(w.last, R006), 0); /* 3 = the limit: fine */
	assert_null(engine_locked(w.eng, ACC, NULL));
	open_fill(&w, t + 55 * SEC, ACC, 4);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R006, ACC), 1);
	const struct srm_action *lk = t_find(w.last, ACT_LOCKOUT, R006);

	assert_int_equal(lk->until, UNTIL_TIME);
	assert_int_equal(lk->until_ts, t + 115 * SEC);
	assert_string_equal(lk->reason, "4 fills in the last minute over limit 3");
	assert_int_equal(t_count_rule(w.last, R006), 1); /* flatten=false: nothing else */
	tw_free(&w);

	/* the 4th 65 s after the first: the first has left the window */
	r006_world(&w);
	open_fill(&w, t, ACC, 1);
	open_fill(&w, t + 20 * SEC, ACC, 2);
	open_fill(&w, t + 50 * SEC, ACC, 3);
	open_fill(&w, t + 65 * SEC, ACC, 4);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	/* a 5th at 70 s: 4 in (10 s, 70 s] -> breach */
	open_fill(&w, t + 70 * SEC, ACC, 5);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R006, ACC), 1);
	tw_free(&w);
}

static void test_r006_longest_cooldown(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	/* minute and hour both breach: the hour's 30 m wins */
	r006_world(&w);
	w.cfg.rules.trade_frequency_limit.per_hour = 3;
	w.cfg.rules.trade_frequency_limit.cooldown_hour = lk_dur(30 * MIN);
	restart(&w);
	for (int i = 0; i < 4; i++)
		open_fill(&w, t + i * SEC, ACC, 10 + i);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R006, ACC), 1);
	assert_int_equal(t_find(w.last, ACT_LOCKOUT, R006)->until_ts, t + 3 * SEC + 30 * MIN);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R006)->reason,
			    "4 fills in the last hour over limit 3");
	tw_free(&w);

	/* the session too, until_reset: it beats any duration */
	r006_world(&w);
	w.cfg.rules.trade_frequency_limit.per_hour = 3;
	w.cfg.rules.trade_frequency_limit.cooldown_hour = lk_dur(30 * MIN);
	w.cfg.rules.trade_frequency_limit.per_session = 3;
	w.cfg.rules.trade_frequency_limit.cooldown_session = lk_mode(LOCKOUT_UNTIL_RESET);
	restart(&w);
	for (int i = 0; i < 4; i++)
		open_fill(&w, t + i * SEC, ACC, 10 + i);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R006, ACC), 1);
	assert_int_equal(t_find(w.last, ACT_LOCKOUT, R006)->until, UNTIL_RESET);
	tw_free(&w);

	/* permanent beats all */
	r006_world(&w);
	w.cfg.rules.trade_frequency_limit.per_session = 3;
	w.cfg.rules.trade_frequency_limit.cooldown_session = lk_mode(LOCKOUT_UNTIL_RESET);
	w.cfg.rules.trade_frequency_limit.cooldown_minute = lk_mode(LOCKOUT_PERMANENT);
	restart(&w);
	for (int i = 0; i < 4; i++)
		open_fill(&w, t + i * SEC, ACC, 10 + i);
	assert_int_equal(t_find(w.last, ACT_LOCKOUT, R006)->until, UNTIL_PERMANENT);
	tw_free(&w);
}

/* RULE-006 (3 a minute) and RULE-001 closing everything over 1 contract (dry run or not). */
static void r006_close_world(struct tworld *w, bool close_dry)
{
	r006_world(w);
	w->cfg.rules.max_contracts.enabled = true;
	w->cfg.rules.max_contracts.dry_run = close_dry;
	w->cfg.rules.max_contracts.limit = 1;
	w->cfg.rules.max_contracts.count = COUNT_NET;
	w->cfg.rules.max_contracts.action = SIZE_CLOSE_ALL;
	restart(w);
}

/*
 * The fills of SRM's own closes are not the trader's trades: they neither count toward the
 * windows nor wake a lockout; their P&L counts. The trader's next fill still counts.
 */
static void test_r006_srm_close_fills_not_counted(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r006_close_world(&w, false);
	open_fill(&w, t, ACC, 1);
	tw_trade(&w, t + 100, ACC, 2, ES, PX_ASK, 1, 6000, -10.0, 0, false);
	tw_trade(&w, t + 200, ACC, 3, ES, PX_BID, 2, 6000, PX_NULL, 0, false);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 3);
	/* the position of 2 is over the limit of 1: SRM closes it */
	tw_position(&w, t + 300, ACC, ES, 2, 6000);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, 0, ACC), 1);
	/* the gateway's answer: SRM's closing fill (sell 2), in two parts */
	tw_trade(&w, t + 400, ACC, 4, ES, PX_ASK, 1, 5999, -12.5, 0, false);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	tw_trade(&w, t + 450, ACC, 5, ES, PX_ASK, 1, 5999, -12.5, 0, false);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	tw_position(&w, t + 500, ACC, ES, 0, 0);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 3);
	assert_true(engine_fill(w.eng, 4)->srm);
	assert_true(engine_fill(w.eng, 5)->srm);
	assert_false(engine_fill(w.eng, 2)->srm);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -3500);
	/* SRM's close is used up: the trader's next closing sell is the trader's */
	tw_trade(&w, t + 600, ACC, 6, ES, PX_ASK, 1, 6000, 5.0, 0, false);
	assert_false(engine_fill(w.eng, 6)->srm);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R006, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R006)->reason,
			    "4 fills in the last minute over limit 3");
	tw_free(&w);

	/* a dry-run close sends nothing: a fill then is the trader's */
	r006_close_world(&w, true);
	tw_position(&w, t, ACC, ES, 2, 6000);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, 0, ACC), 1);
	tw_trade(&w, t + 100, ACC, 1, ES, PX_ASK, 2, 6000, 1.0, 0, false);
	assert_false(engine_fill(w.eng, 1)->srm);
	tw_free(&w);

	/* a close sent, but no answer within 10 s: a later closing fill is the trader's */
	r006_close_world(&w, false);
	tw_position(&w, t, ACC, ES, 2, 6000);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, 0, ACC), 1);
	tw_trade(&w, t + 10 * SEC + 1, ACC, 1, ES, PX_ASK, 2, 6000, 1.0, 0, false);
	assert_false(engine_fill(w.eng, 1)->srm);
	tw_free(&w);
}

/* The hour's window holds the last 1024 fill times (it grows as needed); the session counts all. */
static void test_r006_busy_hour(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r006_world(&w);
	w.cfg.rules.trade_frequency_limit.per_minute = 0;
	w.cfg.rules.trade_frequency_limit.per_hour = 5000;
	restart(&w);
	for (int i = 0; i < 1100; i++)
		open_fill(&w, t + i * 1000, ACC, 100 + i);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 1100);
	assert_int_equal(acct_trades_within(engine_acct(w.eng, ACC), t + 1099 * 1000, 3600000),
			 1024);
	assert_int_equal(acct_trades_within(engine_acct(w.eng, ACC), t + 1099 * 1000, 60000), 60);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	tw_free(&w);
}

static void test_r006_duplicates_and_voids(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r006_world(&w);
	open_fill(&w, t, ACC, 1);
	open_fill(&w, t + SEC, ACC, 2);
	open_fill(&w, t + 2 * SEC, ACC, 3);
	open_fill(&w, t + 3 * SEC, ACC, 3); /* the same fill again */
	assert_int_equal(w.last.n, 0);
	open_fill(&w, t + 4 * SEC, ACC, 2);
	assert_int_equal(w.last.n, 0);
	/* fill 2 voided: 2 counted; a new one makes 3 (no breach); a voided new one counts not */
	tw_trade(&w, t + 5 * SEC, ACC, 2, ES, PX_BID, 1, 6000, PX_NULL, 0, true);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	open_fill(&w, t + 6 * SEC, ACC, 4);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	tw_trade(&w, t + 7 * SEC, ACC, 5, ES, PX_BID, 1, 6000, PX_NULL, 0, true);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	assert_null(engine_locked(w.eng, ACC, NULL));
	open_fill(&w, t + 8 * SEC, ACC, 6);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R006, ACC), 1);
	tw_free(&w);
}

static void test_r006_session_and_reset(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	tw_init(&w, T(T0));
	set006(&w.cfg.rules, lk_dur(60 * SEC));
	w.cfg.rules.trade_frequency_limit.per_minute = 0; /* off */
	w.cfg.rules.trade_frequency_limit.per_session = 3;
	w.cfg.rules.trade_frequency_limit.cooldown_session = lk_mode(LOCKOUT_UNTIL_RESET);
	restart(&w);
	/* spread over hours: only the session limit applies; 4 at once would be fine by minute */
	open_fill(&w, t, ACC, 1);
	open_fill(&w, t + 2 * 3600 * SEC, ACC, 2);
	open_fill(&w, t + 4 * 3600 * SEC, ACC, 3);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	/* a fill timestamped before the last reset is not counted */
	trade_at(&w, t + 4 * 3600 * SEC, T("2026-11-23T20:00:00Z"), ACC, 9, ES, PX_NULL);
	assert_int_equal(w.last.n, 0);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 3);
	/* after the reset the session count starts over */
	tw_advance(&w, T("2026-11-24T23:00:01Z"));
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 0);
	open_fill(&w, T("2026-11-24T23:01:00Z"), ACC, 4);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	open_fill(&w, T("2026-11-24T23:02:00Z"), ACC, 5);
	open_fill(&w, T("2026-11-24T23:03:00Z"), ACC, 6);
	assert_int_equal(t_count_rule(w.last, R006), 0);
	open_fill(&w, T("2026-11-24T23:04:00Z"), ACC, 7);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R006, ACC), 1);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R006)->reason,
			    "4 fills in this session over limit 3");
	tw_free(&w);
}

/* ---- RULE-007 cooldown_after_loss ---- */

static void r007_world(struct tworld *w)
{
	tw_init(w, T(T0));
	set007(&w->cfg.rules, lk_dur(5 * MIN));
	w->cfg.rules.cooldown_after_loss.n_tiers = 2;
	w->cfg.rules.cooldown_after_loss.tiers[1].loss = 30000;
	w->cfg.rules.cooldown_after_loss.tiers[1].cooldown = lk_dur(30 * MIN);
	restart(w);
}

/* The cooldown length (ms) of the lockout in the last list, or -1. */
static int64_t last_cooldown(const struct tworld *w)
{
	const struct srm_action *lk = t_find(w->last, ACT_LOCKOUT, R007);

	return lk == NULL ? -1 : lk->until_ts - lk->ts;
}

static void test_r007_tiers(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r007_world(&w);
	close_fill(&w, t, ACC, 1, -99.99);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	open_fill(&w, t, ACC, 2);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	close_fill(&w, t, ACC, 3, 500.0); /* a win */
	assert_int_equal(t_count_rule(w.last, R007), 0);
	close_fill(&w, t, ACC, 4, -100.0); /* reaches tier 100 */
	assert_int_equal(last_cooldown(&w), 5 * MIN);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R007)->reason,
			    "loss -100.00 reached tier -100.00");
	tw_free(&w);

	r007_world(&w);
	close_fill(&w, t, ACC, 1, -299.99); /* tier 100 only */
	assert_int_equal(last_cooldown(&w), 5 * MIN);
	tw_free(&w);

	r007_world(&w);
	close_fill(&w, t, ACC, 1, -450.0); /* both match: the largest tier (300) */
	assert_int_equal(last_cooldown(&w), 30 * MIN);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R007)->reason,
			    "loss -450.00 reached tier -300.00");
	/* a smaller loss within the longer cooldown does not shorten it */
	close_fill(&w, t + SEC, ACC, 2, -150.0);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	tw_free(&w);

	/* a voided losing fill earns nothing */
	r007_world(&w);
	tw_trade(&w, t, ACC, 1, ES, PX_ASK, 1, 6000, -450.0, 0, true);
	assert_int_equal(w.last.n, 0);
	tw_free(&w);
}

static void test_r007_gross_pnl_and_late_fill(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	/* -95 gross with 10 fees: the gross loss does not reach tier 100 */
	r007_world(&w);
	tw_trade(&w, t, ACC, 1, ES, PX_ASK, 1, 6000, -95.0, 10.0, false);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	/* a fill seen 2 minutes late gets what is left of the 5 m cooldown */
	trade_at(&w, t + 2 * MIN, t, ACC, 2, ES, -120.0);
	const struct srm_action *lk = t_find(w.last, ACT_LOCKOUT, R007);

	assert_non_null(lk);
	assert_int_equal(lk->until_ts, t + 5 * MIN);
	tw_free(&w);

	/* one seen after its cooldown would have ended: nothing */
	r007_world(&w);
	trade_at(&w, t + 6 * MIN, t, ACC, 2, ES, -120.0);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	tw_free(&w);
}

static void r007_streak_world(struct tworld *w)
{
	tw_init(w, T(T0));
	set007(&w->cfg.rules, lk_dur(5 * MIN));
	w->cfg.rules.cooldown_after_loss.consecutive_count = 3;
	w->cfg.rules.cooldown_after_loss.consecutive_cooldown = lk_dur(60 * MIN);
	restart(w);
}

static void test_r007_consecutive(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;
	int64_t id = 1;

	(void)s;
	r007_streak_world(&w);
	close_fill(&w, t, ACC, id++, -10.0);
	close_fill(&w, t, ACC, id++, -10.0);
	close_fill(&w, t, ACC, id++, 0.0); /* break-even resets the streak */
	close_fill(&w, t, ACC, id++, -10.0);
	open_fill(&w, t, ACC, id++);  /* opening fills change nothing */
	close_fill(&w, t, ACC, id++, -10.0);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	close_fill(&w, t + SEC, ACC, id++, -10.0); /* the 3rd loss in a row */
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R007, ACC), 1);
	assert_int_equal(last_cooldown(&w), 60 * MIN);
	assert_string_equal(t_find(w.last, ACT_LOCKOUT, R007)->reason,
			    "3 losing trades in a row reached 3 (last -10.00)");
	/* expiry at exactly +1 h */
	tw_advance(&w, t + SEC + 60 * MIN);
	assert_int_equal(t_count_acct(w.last, ACT_UNLOCK, R007, ACC), 1);
	/* the count restarted: two more losses do not lock, the third does */
	close_fill(&w, t + 61 * MIN, ACC, id++, -10.0);
	close_fill(&w, t + 61 * MIN, ACC, id++, -10.0);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	close_fill(&w, t + 61 * MIN, ACC, id++, -10.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R007, ACC), 1);
	tw_free(&w);

	/* a tier and the streak at once: the longer cooldown (the streak's 1 h) */
	r007_streak_world(&w);
	close_fill(&w, t, ACC, 1, -10.0);
	close_fill(&w, t, ACC, 2, -10.0);
	close_fill(&w, t, ACC, 3, -150.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R007, ACC), 1);
	assert_int_equal(last_cooldown(&w), 60 * MIN);
	tw_free(&w);
}

static void test_r007_reset_clears_streak(void **s)
{
	struct tworld w;
	srm_ms t = T(T0) + SEC;

	(void)s;
	r007_streak_world(&w);
	close_fill(&w, t, ACC, 1, -10.0);
	close_fill(&w, t, ACC, 2, -10.0);
	tw_advance(&w, T("2026-11-24T23:00:01Z"));
	close_fill(&w, T("2026-11-24T23:01:00Z"), ACC, 3, -10.0);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	close_fill(&w, T("2026-11-24T23:01:00Z"), ACC, 4, -10.0);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	close_fill(&w, T("2026-11-24T23:01:00Z"), ACC, 5, -10.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R007, ACC), 1);
	tw_free(&w);
}

#define GEN(label, fn, c) {label, fn, NULL, NULL, (void *)&(c)}

/*
 * A position that cannot be valued is left out of the loss rules, and said once (the docs
 * promised it; nothing sent it): the gateway does not know its contract, or no quote 30 s on.
 */
static void test_unvalued_position_alert(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set004(&w.cfg.rules, lk_mode(LOCKOUT_NONE));
	restart(&w);
	tw_position(&w, t, ACC, UNKNOWN_C, 1, 100);
	assert_int_equal(t_count(w.last, ACT_ALERT, R004), 0); /* looked up now */
	w.last = t_contract_missing(w.eng, UNKNOWN_C, t + SEC); /* the position is judged again */
	assert_int_equal(t_count(w.last, ACT_ALERT, R004), 1);
	tw_position(&w, t + 3 * SEC, ACC, UNKNOWN_C, 3, 100);
	assert_int_equal(t_count(w.last, ACT_ALERT, R004), 0); /* once */
	/* a known contract with no quote: only after 30 s */
	tw_position(&w, t, ACC, ES, 1, 6000);
	assert_int_equal(t_count(w.last, ACT_ALERT, R004), 0);
	tw_position(&w, t + 40 * SEC, ACC, ES, 2, 6000);
	assert_int_equal(t_count(w.last, ACT_ALERT, R004), 1);
	assert_non_null(strstr(t_find(w.last, ACT_ALERT, R004)->reason, "no quote for it"));
	tw_free(&w);
}

/* warn_at: an alert when a rule's measure crosses a share of its limit, once a day per share. */
static void test_warn_at(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set003(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	w.cfg.rules.daily_realized_loss.warn_at = (struct cfg_warn_at){ .n = 2, .v = { 0.5, 0.9 } };
	restart(&w);
	close_fill(&w, t + SEC, ACC, 1, -260);
	assert_int_equal(t_count(w.last, ACT_ALERT, R003), 1);
	assert_non_null(strstr(t_find(w.last, ACT_ALERT, R003)->reason,
			       "daily_realized_loss at 52% of its limit (daily loss 260.00 of 500.00)"));
	close_fill(&w, t + 2 * SEC, ACC, 2, -10);
	assert_int_equal(t_count(w.last, ACT_ALERT, R003), 0);
	close_fill(&w, t + 3 * SEC, ACC, 3, -200);
	assert_int_equal(t_count(w.last, ACT_ALERT, R003), 1);
	assert_int_equal(t_count(w.last, ACT_LOCKOUT, R003), 0);
	/* a new day: the shares are said again */
	tw_advance(&w, T(RESET_AT) + SEC);
	close_fill(&w, T(RESET_AT) + 2 * SEC, ACC, 4, -300);
	assert_int_equal(t_count(w.last, ACT_ALERT, R003), 1);
	tw_free(&w);
}

/* ---- money range (issue 11, class 5): hostile sizes and prices saturate, never wrap ---- */

static void test_money_saturates(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	money_t u;

	(void)s;
	tw_init(&w, t);
	restart(&w);
	/* the wire's extremes: a tick of 1e-9 worth 1e7, 100000 contracts, prices +-1e9 */
	tw_contract(&w, t, "CON.F.US.ZZZ.Z26", "ZZZZ6", 1e-9, 1e7);
	tw_position(&w, t, ACC, "CON.F.US.ZZZ.Z26", 100000, -1e9);
	tw_quote(&w, t, "CON.F.US.ZZZ.Z26", 1e9, 1e9, 1e9);
	assert_true(engine_pos_unrealized(w.eng, acct_pos(engine_acct(w.eng, ACC), "CON.F.US.ZZZ.Z26"),
					  false, &u));
	assert_true(u == MONEY_MAX); /* a profit, however large, stays a profit */
	tw_position(&w, t, ACC, "CON.F.US.ZZZ.Z26", -100000, -1e9);
	assert_true(engine_pos_unrealized(w.eng, acct_pos(engine_acct(w.eng, ACC), "CON.F.US.ZZZ.Z26"),
					  false, &u));
	assert_true(u == -MONEY_MAX);
	/* realized: 2000 fills of +1e12 saturate; a loss after it still counts down from there */
	for (int i = 0; i < 2000; i++)
		close_fill(&w, t + i, ACC, 10 + i, 1e12);
	assert_true(engine_acct(w.eng, ACC)->realized == MONEY_MAX);
	close_fill(&w, t + 3000, ACC, 9999, -1e12);
	assert_true(engine_acct(w.eng, ACC)->realized == MONEY_MAX - 100000000000000LL);
	tw_free(&w);
}

/* ---- time (issue 11, class 2): a fill belongs to the trading day of its fill time ---- */

/* Fills stamped 200 ms ahead of our clock (the gateway's clock leads): RULE-006 counts them. */
static void test_time_fills_ahead_counted(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set006(&w.cfg.rules, lk_dur(60 * SEC));
	restart(&w);
	for (int i = 1; i <= 3; i++) {
		t += SEC;
		trade_at(&w, t, t + 200, ACC, i, ES, PX_NULL);
	}
	assert_int_equal(t_count(w.last, ACT_LOCKOUT, R006), 0);
	t += SEC;
	trade_at(&w, t, t + 200, ACC, 4, ES, PX_NULL);
	assert_int_equal(t_count(w.last, ACT_LOCKOUT, R006), 1);
	tw_free(&w);
}

/*
 * A fill stamped 17:00:00.100 that arrives at 16:59:59.900: the new day starts first (within
 * the clock skew), and it counts there; one stamped a minute after 17:00 that arrives before
 * it is kept and counted when its day comes. A restart counts them the same way.
 */
static void test_time_fill_of_the_next_day(void **s)
{
	struct tworld w;
	srm_ms reset = T(RESET_AT);

	(void)s;
	tw_init(&w, T(T0));
	set003(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	restart(&w);
	close_fill(&w, T(T0) + MIN, ACC, 1, -100);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -10000);
	trade_at(&w, reset - 100, reset + 100, ACC, 2, ES, -40);
	assert_int_equal(engine_last_reset(w.eng), reset);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -4000);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 1);
	tw_free(&w);

	tw_init(&w, T(T0));
	set003(&w.cfg.rules, lk_mode(LOCKOUT_UNTIL_RESET));
	restart(&w);
	close_fill(&w, T(T0) + MIN, ACC, 1, -100);
	trade_at(&w, reset - 100, reset + MIN, ACC, 2, ES, -40); /* far ahead: tomorrow's */
	assert_int_equal(engine_last_reset(w.eng), T("2026-11-23T23:00:00Z"));
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -10000);
	tw_advance(&w, reset + SEC);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -4000);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 1);
	tw_free(&w);
}

/* A quote that was already old when sent is old: the older of its arrival and its own time. */
static void test_time_quote_age_from_its_timestamp(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	struct srm_event ev = {.kind = EV_QUOTE};

	(void)s;
	tw_init(&w, t);
	restart(&w);
	strlcpy_s(ev.u.quote.contract_id, ES, sizeof(ev.u.quote.contract_id));
	ev.u.quote.best_bid = ev.u.quote.best_ask = ev.u.quote.last_price = 6000;
	ev.u.quote.timestamp = t - 30 * SEC;
	engine_apply(w.eng, &ev, t);
	assert_false(engine_quote_fresh(w.eng, engine_quote(w.eng, ES)));
	ev.u.quote.timestamp = t + 3 * SEC; /* stamped ahead of our clock: its arrival */
	engine_apply(w.eng, &ev, t + 2 * SEC);
	assert_true(engine_quote_fresh(w.eng, engine_quote(w.eng, ES)));
	assert_int_equal(engine_quote(w.eng, ES)->at, t + 2 * SEC);
	tw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_saturates),
		cmocka_unit_test(test_warn_at),
		cmocka_unit_test(test_unvalued_position_alert),
		cmocka_unit_test(test_time_fills_ahead_counted),
		cmocka_unit_test(test_time_fill_of_the_next_day),
		cmocka_unit_test(test_time_quote_age_from_its_timestamp),
		GEN("r003_breach_and_expiry", g_breach_and_expiry, C003),
		GEN("r004_breach_and_expiry", g_breach_and_expiry, C004),
		GEN("r005_breach_and_expiry", g_breach_and_expiry, C005),
		GEN("r006_breach_and_expiry", g_breach_and_expiry, C006),
		GEN("r007_breach_and_expiry", g_breach_and_expiry, C007),
		GEN("r003_disabled", g_disabled, C003),
		GEN("r004_disabled", g_disabled, C004),
		GEN("r005_disabled", g_disabled, C005),
		GEN("r006_disabled", g_disabled, C006),
		GEN("r007_disabled", g_disabled, C007),
		GEN("r003_dry_run", g_dry_run, C003),
		GEN("r004_dry_run", g_dry_run, C004),
		GEN("r005_dry_run", g_dry_run, C005),
		GEN("r006_dry_run", g_dry_run, C006),
		GEN("r007_dry_run", g_dry_run, C007),
		GEN("r003_override", g_override, C003),
		GEN("r004_override", g_override, C004),
		GEN("r005_override", g_override, C005),
		GEN("r006_override", g_override, C006),
		GEN("r007_override", g_override, C007),
		GEN("r003_reset", g_reset, C003),
		GEN("r004_reset", g_reset, C004),
		GEN("r005_reset", g_reset, C005),
		GEN("r006_reset", g_reset, C006),
		GEN("r007_reset", g_reset, C007),
		cmocka_unit_test(test_r003_at_limit_and_below),
		cmocka_unit_test(test_r003_lockout_none_flattens),
		cmocka_unit_test(test_r003_fees),
		cmocka_unit_test(test_r003_include_unrealized),
		cmocka_unit_test(test_r003_duplicate_fill),
		cmocka_unit_test(test_r003_voided_fill),
		cmocka_unit_test(test_r003_fill_before_reset),
		cmocka_unit_test(test_r003_reset_clears_day),
		cmocka_unit_test(test_unknown_contract_no_valuation),
		cmocka_unit_test(test_r004_position_scope),
		cmocka_unit_test(test_r004_account_scope),
		cmocka_unit_test(test_stale_quote_loss_yes_profit_no),
		cmocka_unit_test(test_r005_position_scope),
		cmocka_unit_test(test_r005_account_scope),
		cmocka_unit_test(test_r006_rolling_minute),
		cmocka_unit_test(test_r006_longest_cooldown),
		cmocka_unit_test(test_r006_srm_close_fills_not_counted),
		cmocka_unit_test(test_r006_busy_hour),
		cmocka_unit_test(test_r006_duplicates_and_voids),
		cmocka_unit_test(test_r006_session_and_reset),
		cmocka_unit_test(test_r007_tiers),
		cmocka_unit_test(test_r007_gross_pnl_and_late_fill),
		cmocka_unit_test(test_r007_consecutive),
		cmocka_unit_test(test_r007_reset_clears_streak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
