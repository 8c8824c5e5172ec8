/*
 * test_rules_firm.c: RULE-013 (the firm's trailing Maximum Loss Limit) and RULE-003's
 * cap_to_floor, RULE-014 (the week), RULE-015 (consistency), RULE-001/002's weights and
 * scaling plan, on a real engine, and their memory across a restart through a real state file.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"
#include "store/store.h"
#include "util/strutil.h"

#define ACC 1001
#define R003 2
#define R013 12
#define SEC 1000
#define HOUR_MS (3600 * SEC)
#define ANY_RULE_ID (-2)
#define MIN (60 * SEC)
#define T0 "2026-11-24T15:00:00Z"       /* a Tuesday, 09:00 in Chicago */
#define RESET1 "2026-11-24T23:00:00Z"   /* 17:00 America/Chicago */
#define RESET2 "2026-11-25T23:00:00Z"

static void set013(struct tworld *w, enum mll_trailing tr, double buffer)
{
	struct cfg_max_loss_limit *c = &w->cfg.rules.max_loss_limit;

	c->enabled = true;
	c->max_loss = money_from_double(2000);
	c->trailing = tr;
	c->starting_balance = money_from_double(50000);
	c->lock_at_start = true;
	c->buffer = money_from_double(buffer);
	c->floor_seed = c->high_water_seed = 0;
	c->lockout = (struct lockout_spec){.mode = LOCKOUT_UNTIL_RESET};
	tw_restart(w, engine_now(w->eng));
	tw_std_contracts(w, engine_now(w->eng));
}

static double floor_of(struct tworld *w)
{
	money_t f, b, s;

	assert_true(mll_floor(w->eng, engine_acct(w->eng, ACC), &f, &b, &s));
	return (double)f / 100.0;
}

/* A closing fill with a P&L, and the gateway's new balance after it. */
static void closed(struct tworld *w, srm_ms t, int64_t id, double pnl, double balance)
{
	tw_trade(w, t, ACC, id, ES, PX_ASK, 1, 6000, pnl, 0, false);
	tw_account_bal(w, t, ACC, true, balance);
}

/* End of day: the floor moves at the reset, from the day's closing balance, never intraday. */
static void test_eod_trailing(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set013(&w, MLL_END_OF_DAY, 0);
	tw_account_bal(&w, t, ACC, true, 50000);
	assert_true(floor_of(&w) == 48000);
	closed(&w, t + MIN, 1, 1500, 51500);
	assert_true(floor_of(&w) == 48000); /* not intraday */
	tw_advance(&w, T(RESET1) + SEC);
	/* the day closed at 51500: the floor trails to 49500 (under the starting balance) */
	assert_true(floor_of(&w) == 49500);
	/* a second good day: the floor would pass the starting balance, and locks there */
	closed(&w, T(RESET1) + MIN, 2, 1500, 53000);
	tw_advance(&w, T(RESET2) + SEC);
	assert_true(floor_of(&w) == 50000);
	/* a losing day never lowers it */
	closed(&w, T(RESET2) + MIN, 3, -500, 52500);
	tw_advance(&w, T("2026-11-26T23:00:00Z") + SEC);
	assert_true(floor_of(&w) == 50000);
	tw_free(&w);
}

/* Intraday: the highest equity seen, open P&L included, moves the floor at once. */
static void test_intraday_trailing(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set013(&w, MLL_INTRADAY, 0);
	w.cfg.rules.max_loss_limit.lock_at_start = false;
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_account_bal(&w, t, ACC, true, 50000);
	tw_position(&w, t + SEC, ACC, ES, 1, 6000);
	tw_quote(&w, t + 2 * SEC, ES, 6019.75, 6020.25, 6020); /* +20 pts x 50 = +1000 */
	assert_true(floor_of(&w) == 49000);
	tw_quote(&w, t + 3 * SEC, ES, 6009.75, 6010.25, 6010); /* back to +500: the floor stays */
	assert_true(floor_of(&w) == 49000);
	tw_free(&w);
}

/* Static: the starting balance minus max_loss, whatever the account does. */
static void test_static(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set013(&w, MLL_STATIC, 0);
	tw_account_bal(&w, t, ACC, true, 50000);
	closed(&w, t + MIN, 1, 3000, 53000);
	tw_advance(&w, T(RESET1) + SEC);
	assert_true(floor_of(&w) == 48000);
	tw_free(&w);
}

/*
 * The breach: equity (balance + open P&L) at the floor plus the buffer flattens and locks
 * until the reset, with the floor still above what the firm would liquidate at.
 */
static void test_breach_with_buffer(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	const struct srm_action *lk;

	(void)s;
	tw_init(&w, t);
	set013(&w, MLL_END_OF_DAY, 250);
	tw_account_bal(&w, t, ACC, true, 50000);
	closed(&w, t + MIN, 1, -1500, 48500);
	assert_int_equal(t_count(w.last, ACT_LOCKOUT, R013), 0);
	tw_position(&w, t + 2 * MIN, ACC, ES, 1, 6000);
	tw_quote(&w, t + 3 * MIN, ES, 5994.75, 5995.25, 5995); /* -250: equity 48250 = 48000 + 250 */
	lk = t_find(w.last, ACT_LOCKOUT, R013);
	assert_non_null(lk);
	assert_int_equal(lk->until, UNTIL_RESET);
	assert_non_null(strstr(lk->reason, "equity 48250.00 reached the floor 48000.00 + buffer 250.00"));
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, ANY_RULE_ID, ACC), 1);
	tw_free(&w);
}

/* A balance event that lags a loss does not hide it: the day's start plus its fills counts. */
static void test_balance_lag_fails_closed(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set013(&w, MLL_END_OF_DAY, 0);
	tw_account_bal(&w, t, ACC, true, 50000);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -2000, 0, false);
	/* no balance event yet: 50000 - 2000 = the floor */
	assert_int_equal(t_count(w.last, ACT_LOCKOUT, R013), 1);
	tw_free(&w);
}

/* Installing mid-cycle: the seeds place the floor where the firm shows it. */
static void test_seeds(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set013(&w, MLL_END_OF_DAY, 0);
	w.cfg.rules.max_loss_limit.floor_seed = money_from_double(48750);
	w.cfg.rules.max_loss_limit.high_water_seed = money_from_double(50750);
	tw_restart(&w, t);
	tw_account_bal(&w, t, ACC, true, 49900);
	assert_true(floor_of(&w) == 48750);
	tw_free(&w);
}

/* The floor and the high-water mark survive a restart (the state file's rule memory). */
static void test_floor_across_restart(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	struct srm_err err = {0};
	char dir[] = "/tmp/srm-test-firm-XXXXXX", path[64];
	struct store *st;

	(void)s;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/srm.db", dir);
	tw_init(&w, t);
	set013(&w, MLL_END_OF_DAY, 0);
	tw_account_bal(&w, t, ACC, true, 50000);
	closed(&w, t + MIN, 1, 1500, 51500);
	tw_advance(&w, T(RESET1) + SEC);
	assert_true(floor_of(&w) == 49500);
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_save_account(st, w.eng, engine_acct(w.eng, ACC), &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	/* a new engine, the next day, the balance lower: the floor is the saved one */
	tw_restart(&w, T(RESET1) + HOUR_MS);
	tw_std_contracts(&w, T(RESET1) + HOUR_MS);
	assert_int_equal(store_load(st, w.eng, engine_last_reset(w.eng), &err), 0);
	tw_account_bal(&w, T(RESET1) + HOUR_MS, ACC, true, 50500);
	assert_true(floor_of(&w) == 49500);
	store_close(st);
	tw_free(&w);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* RULE-003 cap_to_floor: the day's limit is at most what is left above floor + buffer. */
static void test_cap_to_floor(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	const struct srm_action *lk;

	(void)s;
	tw_init(&w, t);
	set013(&w, MLL_END_OF_DAY, 100);
	w.cfg.rules.daily_realized_loss.enabled = true;
	w.cfg.rules.daily_realized_loss.loss_limit = money_from_double(1000);
	w.cfg.rules.daily_realized_loss.cap_to_floor = true;
	w.cfg.rules.daily_realized_loss.lockout = (struct lockout_spec){.mode = LOCKOUT_UNTIL_RESET};
	w.cfg.rules.max_loss_limit.floor_seed = money_from_double(48500);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_account_bal(&w, t, ACC, true, 49100); /* 49100 - 48500 - 100 = 500 left today */
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -499, 0, false);
	assert_int_equal(t_count(w.last, ACT_LOCKOUT, R003), 0);
	tw_trade(&w, t + 2 * MIN, ACC, 2, ES, PX_ASK, 1, 6000, -1, 0, false);
	lk = t_find(w.last, ACT_LOCKOUT, R003);
	assert_non_null(lk);
	assert_non_null(strstr(lk->reason, "reached limit -500.00 (capped to the floor)"));
	tw_free(&w);
}

/* ======================= RULE-014 weekly_limits ======================= */

#define R014 13
#define WTUE "2026-12-01T15:00:00Z"     /* Tuesday 09:00 in Chicago */
#define WRESET_TUE "2026-12-01T23:00:00Z"
#define WRESET_WED "2026-12-02T23:00:00Z"
#define WRESET_THU "2026-12-03T23:00:00Z"
#define WRESET_SUN "2026-12-06T23:00:00Z" /* the next week opens (no reset Friday, Saturday) */

static void set014(struct tworld *w, double loss, double target, int trades)
{
	struct cfg_weekly_limits *c = &w->cfg.rules.weekly_limits;

	c->enabled = true;
	c->loss_limit = money_from_double(loss);
	c->profit_target = money_from_double(target);
	c->max_trades = trades;
	c->include_fees = false;
	tw_restart(w, engine_now(w->eng));
	tw_std_contracts(w, engine_now(w->eng));
}

static size_t r014_locks(struct tworld *w, srm_ms *until)
{
	const struct lockout *l;
	size_t i = 0, n = 0;

	while ((l = engine_lockout_next(w->eng, &i)) != NULL)
		if (l->rule == R014 && l->account_id == ACC) {
			n++;
			*until = l->until_ts;
		}
	return n;
}

/* Days under their own limit add up to the week's: locked out until the next week opens. */
static void test_week_loss_across_days(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE), until = 0;
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t);
	set014(&w, 1000, 0, 0);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -400, 0, false);
	tw_advance(&w, T(WRESET_TUE) + SEC);
	tw_trade(&w, T(WRESET_TUE) + HOUR_MS, ACC, 2, ES, PX_ASK, 1, 6000, -400, 0, false);
	assert_int_equal(t_count_rule(w.last, R014), 0);
	tw_advance(&w, T(WRESET_WED) + SEC);
	/* an open position and an order: flattened with the lockout */
	tw_position(&w, T(WRESET_WED) + HOUR_MS, ACC, ES, 1, 6000);
	tw_trade(&w, T(WRESET_WED) + HOUR_MS + 1, ACC, 3, ES, PX_ASK, 1, 6000, -300, 0, false);
	a = t_find(w.last, ACT_LOCKOUT, R014);
	assert_non_null(a);
	assert_int_equal(a->until, UNTIL_TIME);
	assert_int_equal(a->until_ts, T(WRESET_SUN));
	assert_non_null(strstr(a->reason, "the week's P&L -1100.00 reached its loss limit -1000.00"));
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R014, ACC), 1);
	/* Thursday's reset is not the week's: still locked out on Friday */
	tw_advance(&w, T(WRESET_THU) + SEC);
	assert_int_equal(r014_locks(&w, &until), 1);
	assert_int_equal(until, T(WRESET_SUN));
	/* the next week opens on Sunday at 17:00 CT: the lockout ends, the week starts at zero */
	tw_advance(&w, T(WRESET_SUN) + SEC);
	assert_int_equal(r014_locks(&w, &until), 0);
	tw_trade(&w, T(WRESET_SUN) + HOUR_MS, ACC, 4, ES, PX_ASK, 1, 6000, -900, 0, false);
	assert_int_equal(t_count_rule(w.last, R014), 0);
	tw_free(&w);
}

/* The profit target and the trade count; fees count when asked. */
static void test_week_target_and_trades(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE), until;

	(void)s;
	tw_init(&w, t);
	set014(&w, 0, 1500, 0);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, 1000, 0, false);
	tw_advance(&w, T(WRESET_TUE) + SEC);
	tw_trade(&w, T(WRESET_TUE) + HOUR_MS, ACC, 2, ES, PX_ASK, 1, 6000, 499, 0, false);
	assert_int_equal(r014_locks(&w, &until), 0);
	tw_trade(&w, T(WRESET_TUE) + HOUR_MS + 1, ACC, 3, ES, PX_ASK, 1, 6000, 1, 0, false);
	assert_int_equal(r014_locks(&w, &until), 1);
	assert_non_null(strstr(t_find(w.last, ACT_LOCKOUT, R014)->reason, "profit target 1500.00"));
	tw_free(&w);

	tw_init(&w, t);
	set014(&w, 0, 0, 3);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, PX_NULL, 0, false);
	tw_trade(&w, t + MIN + 1, ACC, 2, ES, PX_BID, 1, 6000, 10, 0, false);
	tw_advance(&w, T(WRESET_TUE) + SEC);
	tw_trade(&w, T(WRESET_TUE) + MIN, ACC, 3, ES, PX_ASK, 1, 6000, PX_NULL, 0, false);
	assert_int_equal(r014_locks(&w, &until), 0);
	/* a voided fill is no trade */
	tw_trade(&w, T(WRESET_TUE) + MIN + 1, ACC, 4, ES, PX_BID, 1, 6000, 10, 0, true);
	assert_int_equal(r014_locks(&w, &until), 0);
	tw_trade(&w, T(WRESET_TUE) + MIN + 2, ACC, 5, ES, PX_BID, 1, 6000, 10, 0, false);
	assert_int_equal(r014_locks(&w, &until), 1);
	assert_non_null(strstr(t_find(w.last, ACT_LOCKOUT, R014)->reason, "the week's trades 4 reached its trade limit 3"));
	tw_free(&w);
}

/* The week outlives a restart, and a reset srmd slept through still folds its day in. */
static void test_week_across_restart(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE), until;
	struct srm_err err = {0};
	char dir[] = "/tmp/srm-test-week-XXXXXX", path[64];
	struct store *st;

	(void)s;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/srm.db", dir);
	tw_init(&w, t);
	set014(&w, 1000, 0, 0);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -600, 0, false);
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_save_account(st, w.eng, engine_acct(w.eng, ACC), &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	/* srmd was down over Tuesday's reset: it starts again on Wednesday */
	tw_restart(&w, T(WRESET_TUE) + HOUR_MS);
	tw_std_contracts(&w, T(WRESET_TUE) + HOUR_MS);
	assert_int_equal(store_load(st, w.eng, engine_last_reset(w.eng), &err), 0);
	tw_trade(&w, T(WRESET_TUE) + 2 * HOUR_MS, ACC, 2, ES, PX_ASK, 1, 6000, -300, 0, false);
	assert_int_equal(r014_locks(&w, &until), 0);
	tw_trade(&w, T(WRESET_TUE) + 2 * HOUR_MS + 1, ACC, 3, ES, PX_ASK, 1, 6000, -100, 0, false);
	assert_int_equal(r014_locks(&w, &until), 1); /* -600 on Tuesday + -400 today */
	store_close(st);
	tw_free(&w);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* The week's end across the end of DST (1 Nov 2026), and with that Sunday a holiday. */
static void test_week_end_dst_and_holiday(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-10-30T14:00:00Z"), until = 0; /* Friday 09:00 CDT */

	(void)s;
	tw_init(&w, t);
	set014(&w, 500, 0, 0);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -600, 0, false);
	assert_int_equal(r014_locks(&w, &until), 1);
	/* Sunday 17:00 CST (UTC-6, no longer CDT) */
	assert_int_equal(until, T("2026-11-01T23:00:00Z"));
	tw_free(&w);

	tw_init(&w, t);
	w.cfg.daemon.holidays[0] = days_from_civil(2026, 11, 1);
	w.cfg.daemon.n_holidays = 1;
	set014(&w, 500, 0, 0);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -600, 0, false);
	assert_int_equal(r014_locks(&w, &until), 1);
	/* no reset on the holiday: the week opens at Monday's */
	assert_int_equal(until, T("2026-11-02T23:00:00Z"));
	tw_free(&w);
}

/* An admin's reset of the day: the day's P&L so far still counts for the week. */
static void test_week_admin_reset(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE), until;

	(void)s;
	tw_init(&w, t);
	set014(&w, 1000, 0, 0);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -700, 0, false);
	t_admin_reset(w.eng, ACC, t + 2 * MIN);
	tw_trade(&w, t + 3 * MIN, ACC, 2, ES, PX_ASK, 1, 6000, -300, 0, false);
	assert_int_equal(r014_locks(&w, &until), 1);
	tw_free(&w);
}


/* A reload that turns RULE-014 off ends its lockout (rule_def.lockout_unwanted). */
static void test_week_off_ends_lockout(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE), until;

	(void)s;
	tw_init(&w, t);
	set014(&w, 500, 0, 0);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, -600, 0, false);
	assert_int_equal(r014_locks(&w, &until), 1);
	w.cfg.rules.weekly_limits.enabled = false;
	tw_config(&w, t + 2 * MIN, &w.cfg);
	assert_int_equal(r014_locks(&w, &until), 0);
	tw_free(&w);
}

/* ======================= RULE-015 consistency ======================= */

#define R015 14

static void set015(struct tworld *w, double share, double prior, double target, bool flatten)
{
	struct cfg_consistency *c = &w->cfg.rules.consistency;

	c->enabled = true;
	c->max_day_share = (int)(share * CFG_PPM + 0.5);
	c->cycle_start = 0;
	c->cycle_profit = money_from_double(prior);
	c->profit_target = money_from_double(target);
	c->flatten = flatten;
	c->include_fees = false;
	c->lockout = (struct lockout_spec){ .mode = LOCKOUT_UNTIL_RESET };
	tw_restart(w, engine_now(w->eng));
	tw_std_contracts(w, engine_now(w->eng));
}

/* The account's lockouts by this rule. */
static size_t locks_of(struct tworld *w, int rule)
{
	const struct lockout *l;
	size_t i = 0, n = 0;

	while ((l = engine_lockout_next(w->eng, &i)) != NULL)
		n += l->rule == rule && l->account_id == ACC;
	return n;
}

/*
 * Share 0.5 with 1,000 made before today: today may make 1,000 (then it is half of 2,000).
 * An open position's profit counts: the rule closes it to keep the day at the cap.
 */
static void test_consistency_cap(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE);
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t);
	set015(&w, 0.5, 1000, 0, true);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, 900, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	/* long 1 ES from 6000: 2 points = 100.00 open profit reaches the 1,000 cap */
	tw_position(&w, t + 2 * MIN, ACC, ES, 1, 6000);
	tw_quote(&w, t + 3 * MIN, ES, 6001.75, 6002.00, 6001.75);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_quote(&w, t + 4 * MIN, ES, 6002.00, 6002.25, 6002.00);
	a = t_find(w.last, ACT_LOCKOUT, R015);
	assert_non_null(a);
	assert_int_equal(a->until, UNTIL_RESET);
	assert_non_null(strstr(a->reason, "today's profit 1000.00 reached the consistency cap 1000.00"));
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R015, ACC), 1);
	/* the next day: today joins the cycle (2,000): the cap is 2,000 */
	tw_position(&w, t + 5 * MIN, ACC, ES, 0, 0);
	tw_trade(&w, t + 5 * MIN, ACC, 2, ES, PX_ASK, 1, 6002, 100, 0, false);
	tw_advance(&w, T(WRESET_TUE) + SEC);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_trade(&w, T(WRESET_TUE) + HOUR_MS, ACC, 3, ES, PX_ASK, 1, 6000, 1999, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_trade(&w, T(WRESET_TUE) + HOUR_MS + 1, ACC, 4, ES, PX_ASK, 1, 6000, 1, 0, false);
	assert_int_equal(locks_of(&w, R015), 1);
	tw_free(&w);
}

/* No profit in the cycle and no target: no cap. A target: share x target; flatten false. */
static void test_consistency_first_day_and_target(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE);

	(void)s;
	tw_init(&w, t);
	set015(&w, 0.4, 0, 0, true);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, 5000, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_free(&w);

	tw_init(&w, t);
	set015(&w, 0.4, 0, 3000, false); /* 0.4 x 3,000 = 1,200 */
	tw_position(&w, t + MIN, ACC, ES, 1, 6000);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, 1199.99, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_trade(&w, t + 2 * MIN, ACC, 2, ES, PX_ASK, 1, 6000, 0.01, 0, false);
	assert_int_equal(locks_of(&w, R015), 1);
	/* flatten: false locks out without closing */
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R015, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_ALL, R015, ACC), 0);
	tw_free(&w);
}

/* The cycle's days outlive a restart; a new cycle_start begins a new cycle; before it, no cap. */
static void test_consistency_restart_and_new_cycle(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE);
	struct srm_err err = {0};
	char dir[] = "/tmp/srm-test-cycle-XXXXXX", path[64];
	struct store *st;

	(void)s;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/srm.db", dir);
	tw_init(&w, t);
	set015(&w, 0.5, 0, 0, true);
	tw_trade(&w, t + MIN, ACC, 1, ES, PX_ASK, 1, 6000, 800, 0, false);
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_save_account(st, w.eng, engine_acct(w.eng, ACC), &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	/* down over Tuesday's reset: Wednesday's cap is Tuesday's 800 */
	tw_restart(&w, T(WRESET_TUE) + HOUR_MS);
	tw_std_contracts(&w, T(WRESET_TUE) + HOUR_MS);
	assert_int_equal(store_load(st, w.eng, engine_last_reset(w.eng), &err), 0);
	tw_trade(&w, T(WRESET_TUE) + 2 * HOUR_MS, ACC, 2, ES, PX_ASK, 1, 6000, 799, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_trade(&w, T(WRESET_TUE) + 2 * HOUR_MS + 1, ACC, 3, ES, PX_ASK, 1, 6000, 1, 0, false);
	assert_int_equal(locks_of(&w, R015), 1);
	store_close(st);
	/* after a payout the trader names a new cycle from Thursday: Wednesday has no cap */
	w.cfg.rules.consistency.cycle_start = days_from_civil(2026, 12, 3);
	tw_restart(&w, T(WRESET_TUE) + 3 * HOUR_MS);
	tw_std_contracts(&w, T(WRESET_TUE) + 3 * HOUR_MS);
	tw_trade(&w, T(WRESET_TUE) + 4 * HOUR_MS, ACC, 4, ES, PX_ASK, 1, 6000, 900, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	/* Thursday (the session from Wednesday 17:00 CT): the cycle begins with no profit */
	tw_advance(&w, T(WRESET_WED) + SEC);
	tw_trade(&w, T(WRESET_WED) + HOUR_MS, ACC, 5, ES, PX_ASK, 1, 6000, 3000, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_advance(&w, T(WRESET_THU) + SEC);
	tw_trade(&w, T(WRESET_THU) + HOUR_MS, ACC, 6, ES, PX_ASK, 1, 6000, 3000, 0, false);
	assert_int_equal(locks_of(&w, R015), 1); /* half of 6,000 */
	tw_free(&w);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

/* ======================= RULE-001/002 weights and scaling ======================= */

#define R001 0
#define R002 1

static void set_weights(struct cfg_symbol_weight *wt, size_t *n, const char *sym, double w)
{
	snprintf(wt[*n].symbol, sizeof(wt[*n].symbol), "%s", sym);
	wt[(*n)++].ppm = (int)(w * CFG_PPM + 0.5);
}

/* Ten micros count as one mini: 40 MES + ... within 4; the excess closes micros by weight. */
static void test_weights(void **s)
{
	struct tworld w;
	srm_ms t = T(WTUE);
	struct cfg_max_contracts *c;
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t);
	c = &w.cfg.rules.max_contracts;
	c->enabled = true;
	c->limit = 4;
	c->count = COUNT_GROSS;
	c->action = SIZE_REDUCE_TO_LIMIT;
	set_weights(c->weights, &c->n_weights, "MES", 0.1);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t + MIN, ACC, ES, 2, 6000);
	tw_position(&w, t + 2 * MIN, ACC, MES, 20, 6000); /* 2 + 2.0 */
	assert_int_equal(t_count_rule(w.last, R001), 0);
	tw_position(&w, t + 3 * MIN, ACC, MES, 25, 6000); /* 2 + 2.5: 0.5 over: 5 micros */
	a = t_find(w.last, ACT_PARTIAL_CLOSE, R001);
	assert_non_null(a);
	assert_string_equal(a->contract_id, MES);
	assert_int_equal(a->size, 5);
	assert_non_null(strstr(a->reason, "gross contracts 4.5 over limit 4"));
	/* an order of 3 micros would take it to 4.3 (back at 4.0 held): cancelled */
	tw_position(&w, t + 4 * MIN, ACC, MES, 20, 6000);
	tw_order(&w, t + 5 * MIN, ACC, 77, MES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 3, 5990, PX_NULL);
	a = t_find(w.last, ACT_CANCEL_ORDER, R001);
	assert_non_null(a);
	assert_non_null(strstr(a->reason, "order 77 would take gross contracts to 4.3, over limit 4"));
	tw_free(&w);

	/* RULE-002: MES's own limit, counted in weighted contracts */
	tw_init(&w, t);
	struct cfg_max_contracts_per_instrument *p = &w.cfg.rules.max_contracts_per_instrument;

	p->enabled = true;
	p->n_limits = 1;
	snprintf(p->limits[0].symbol, sizeof(p->limits[0].symbol), "MES");
	p->limits[0].limit = 1;
	p->default_limit = 2;
	p->action = SIZE_REDUCE_TO_LIMIT;
	set_weights(p->weights, &p->n_weights, "MES", 0.1);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t + MIN, ACC, MES, 10, 6000);
	assert_int_equal(t_count_rule(w.last, R002), 0);
	tw_position(&w, t + 2 * MIN, ACC, MES, 12, 6000);
	a = t_find(w.last, ACT_PARTIAL_CLOSE, R002);
	assert_non_null(a);
	assert_int_equal(a->size, 2);
	tw_free(&w);
}

/* limit 5, reduce, with the 50K Express Funded plan's steps */
static void set_xfa_scaling(struct cfg_max_contracts *c)
{
	c->enabled = true;
	c->limit = 5;
	c->action = SIZE_REDUCE_TO_LIMIT;
	c->n_scaling = 3;
	c->scaling[0] = (struct cfg_scale_step){ .above = 0, .limit = 2 };
	c->scaling[1] = (struct cfg_scale_step){ .above = money_from_double(1500), .limit = 3 };
	c->scaling[2] = (struct cfg_scale_step){ .above = money_from_double(2000), .limit = 5 };
}

/*
 * Topstep's 50K Express Funded plan: 2 contracts, 3 above 1,500 profit, 5 above 2,000, by
 * the balance at the day's start; a profit made today raises nothing until the reset.
 */
static void test_scaling(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	(void)s;
	tw_init(&w, t);
	set_xfa_scaling(&w.cfg.rules.max_contracts);
	/* without RULE-013's balances the profit is unknown: the lowest step */
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t + MIN, ACC, ES, 3, 6000);
	assert_non_null(strstr(t_find(w.last, ACT_PARTIAL_CLOSE, R001)->reason,
			       "net contracts 3 over limit 2 (scaling plan)"));
	tw_free(&w);

	tw_init(&w, t);
	set_xfa_scaling(&w.cfg.rules.max_contracts);
	set013(&w, MLL_END_OF_DAY, 0);
	tw_account_bal(&w, t, ACC, true, 51600); /* 1,600 above the start: 3 */
	tw_position(&w, t + MIN, ACC, ES, 3, 6000);
	assert_int_equal(t_count_rule(w.last, R001), 0);
	/* a big day: 2,600 above the start now, still 3 until the reset */
	closed(&w, t + 2 * MIN, 1, 1000, 52600);
	tw_position(&w, t + 3 * MIN, ACC, ES, 4, 6000);
	assert_int_equal(t_find(w.last, ACT_PARTIAL_CLOSE, R001)->size, 1);
	tw_position(&w, t + 4 * MIN, ACC, ES, 0, 0);
	tw_advance(&w, T(RESET1) + SEC);
	tw_position(&w, T(RESET1) + MIN, ACC, ES, 5, 6000);
	assert_int_equal(t_count_rule(w.last, R001), 0);
	/* a losing day back under 1,500 above the start: 2 from the next reset */
	closed(&w, T(RESET1) + 2 * MIN, 2, -1200, 51400);
	tw_position(&w, T(RESET1) + 3 * MIN, ACC, ES, 0, 0);
	tw_advance(&w, T(RESET2) + SEC);
	tw_position(&w, T(RESET2) + MIN, ACC, ES, 3, 6000);
	assert_int_equal(t_find(w.last, ACT_PARTIAL_CLOSE, R001)->size, 1);
	tw_free(&w);
}

/* ======================= a closing fill and its position event, in either order ======================= */

/*
 * Between a closing fill (its P&L in realized) and the position event that shows it, the
 * closed contracts are not also open: a losing close near the floor is no breach, whichever
 * comes first; a partial close leaves the rest's open P&L counted; a fill whose position
 * event never comes stops being held against the position after POS_AHEAD_MS.
 */
static void test_close_fill_and_position_order(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	money_t u;

	(void)s;
	for (int first_fill = 0; first_fill < 2; first_fill++) {
		tw_init(&w, t);
		set013(&w, MLL_STATIC, 100); /* floor 48,000: act at 48,100 */
		tw_account_bal(&w, t, ACC, true, 50000);
		tw_position(&w, t + SEC, ACC, ES, 2, 6000);
		tw_quote(&w, t + 2 * SEC, ES, 5981.75, 5982.25, 5982); /* -18 pts x 2 x 50 = -1,800 */
		assert_int_equal(locks_of(&w, R013), 0);
		/* one contract closes at -900: equity 49,100 - 900 open, not 48,200 - 900 */
		if (first_fill) {
			tw_trade(&w, t + 3 * SEC, ACC, 1, ES, PX_ASK, 1, 5982, -900, 0, false);
			assert_int_equal(locks_of(&w, R013), 0);
			assert_int_equal(engine_acct_unrealized(w.eng, engine_acct(w.eng, ACC), false, &u), 0);
			assert_int_equal(u, -90000);
			tw_position(&w, t + 3 * SEC, ACC, ES, 1, 6000);
		} else {
			tw_position(&w, t + 3 * SEC, ACC, ES, 1, 6000);
			tw_trade(&w, t + 3 * SEC, ACC, 1, ES, PX_ASK, 1, 5982, -900, 0, false);
		}
		assert_int_equal(locks_of(&w, R013), 0);
		assert_int_equal(engine_acct_unrealized(w.eng, engine_acct(w.eng, ACC), false, &u), 0);
		assert_int_equal(u, -90000); /* the one still open */
		/* the rest closes: nothing open, realized -1,800: equity 48,200, still above */
		tw_trade(&w, t + 4 * SEC, ACC, 2, ES, PX_ASK, 1, 5982, -900, 0, false);
		assert_int_equal(locks_of(&w, R013), 0);
		tw_position(&w, t + 4 * SEC, ACC, ES, 0, 0);
		assert_int_equal(locks_of(&w, R013), 0);
		/* a real breach still is one: 2 more open at -1,000 */
		tw_position(&w, t + 5 * SEC, ACC, ES, 1, 6002);
		assert_int_equal(locks_of(&w, R013), 1);
		tw_free(&w);
	}

	/* a fill whose position event never comes: after POS_AHEAD_MS the gateway's position counts */
	tw_init(&w, t);
	tw_std_contracts(&w, t);
	tw_account_bal(&w, t, ACC, true, 50000);
	tw_position(&w, t + SEC, ACC, ES, 1, 6000);
	tw_quote(&w, t + 2 * SEC, ES, 5989.75, 5990.25, 5990);
	tw_trade(&w, t + 3 * SEC, ACC, 1, ES, PX_ASK, 1, 5990, -500, 0, false);
	engine_acct_unrealized(w.eng, engine_acct(w.eng, ACC), false, &u);
	assert_int_equal(u, 0);
	tw_advance(&w, t + 3 * SEC + POS_AHEAD_MS + 1);
	engine_acct_unrealized(w.eng, engine_acct(w.eng, ACC), false, &u);
	assert_int_equal(u, -50000);
	tw_free(&w);

	/* RULE-015: a winning close is not counted twice toward the day's cap */
	tw_init(&w, t);
	set015(&w, 0.5, 0, 3000, true); /* cap 1,500 */
	tw_position(&w, t + SEC, ACC, ES, 1, 6000);
	tw_quote(&w, t + 2 * SEC, ES, 6019.75, 6020.25, 6020); /* +1,000 open */
	tw_trade(&w, t + 3 * SEC, ACC, 1, ES, PX_ASK, 1, 6020, 1000, 0, false);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_position(&w, t + 3 * SEC, ACC, ES, 0, 0);
	assert_int_equal(locks_of(&w, R015), 0);
	tw_free(&w);
}

/*
 * A fill is a print: quotes come on the market hub and may lag a fill on the user hub, so a
 * position opened at 6000 is not valued at a quote from before the fill; a fill older than
 * the quote (a reconcile bringing a missed one) leaves the quote's price.
 */
static void test_fill_is_a_print(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	money_t u;

	(void)s;
	tw_init(&w, t);
	tw_std_contracts(&w, t);
	tw_account_bal(&w, t, ACC, true, 50000);
	tw_quote(&w, t + SEC, ES, 6089.75, 6090.25, 6090);
	tw_trade(&w, t + 2 * SEC, ACC, 1, ES, PX_BID, 1, 6000, PX_NULL, 0, false);
	tw_position(&w, t + 2 * SEC, ACC, ES, 1, 6000);
	engine_acct_unrealized(w.eng, engine_acct(w.eng, ACC), false, &u);
	assert_int_equal(u, 0); /* not +4,500 from the quote before the fill */
	tw_quote(&w, t + 3 * SEC, ES, 6001.75, 6002.25, 6002);
	engine_acct_unrealized(w.eng, engine_acct(w.eng, ACC), false, &u);
	assert_int_equal(u, 10000);
	/* a fill stamped before that quote (a reconcile's): the quote stays the mark */
	struct srm_event ev = { .kind = EV_TRADE };

	ev.u.trade = (struct px_trade){ .id = 2, .account_id = ACC, .price = 5950, .profit_and_loss = PX_NULL,
					.side = PX_BID, .size = 1, .created = t + SEC };
	snprintf(ev.u.trade.contract_id, sizeof(ev.u.trade.contract_id), "%s", ES);
	engine_apply(w.eng, &ev, t + 4 * SEC);
	engine_acct_unrealized(w.eng, engine_acct(w.eng, ACC), false, &u);
	assert_int_equal(u, 10000);
	tw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eod_trailing),
		cmocka_unit_test(test_intraday_trailing),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_breach_with_buffer),
		cmocka_unit_test(test_balance_lag_fails_closed),
		cmocka_unit_test(test_seeds),
		cmocka_unit_test(test_floor_across_restart),
		cmocka_unit_test(test_cap_to_floor),
		cmocka_unit_test(test_week_loss_across_days),
		cmocka_unit_test(test_week_target_and_trades),
		cmocka_unit_test(test_week_across_restart),
		cmocka_unit_test(test_week_admin_reset),
		cmocka_unit_test(test_week_end_dst_and_holiday),
		cmocka_unit_test(test_week_off_ends_lockout),
		cmocka_unit_test(test_consistency_cap),
		cmocka_unit_test(test_consistency_first_day_and_target),
		cmocka_unit_test(test_consistency_restart_and_new_cycle),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_scaling),
		cmocka_unit_test(test_close_fill_and_position_order),
		cmocka_unit_test(test_fill_is_a_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
