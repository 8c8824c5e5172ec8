/* test_rules_time.c: RULE-008/009/010/012 (grace, session, auth, trade management), real engine. */
#include "helpers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rule.h"

#define ACC 1001
#define ACC2 2002
#define R008 7
#define ANY_RULE (-2)
#define R009 8
#define R010 9
#define R012 11
#define SEC 1000
#define MIN (60 * SEC)
#define T0 "2026-11-24T15:00:00Z"       /* a Tuesday, 09:00 CST in Chicago */
#define RESET_AT "2026-11-24T23:00:00Z" /* 17:00 CST */
#define UNKNOWN_C "CON.F.US.ZZZ.Z26"

/* ---- helpers ---- */

/* cmocka here has only a float compare: prices need doubles. */
#define assert_price(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-9)

/* The first action of a kind by a rule for an account (fails the test when absent). */
static const struct srm_action *get(struct act_list l, enum act_kind kind, int rule, int64_t acct)
{
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].kind == kind && l.v[i].rule == rule && l.v[i].account_id == acct)
			return &l.v[i];
	t_dump(l);
	fail_msg("no %s by rule %d for %lld", act_kind_name(kind), rule, (long long)acct);
	return NULL;
}

static void restart(struct tworld *w)
{
	tw_restart(w, T(T0));
	tw_std_contracts(w, T(T0));
}

/* One override for ACC2: a copy of the global rules, returned for editing. */
static struct rules_cfg *add_override(struct tworld *w)
{
	w->cfg.overrides = calloc(1, sizeof(*w->cfg.overrides));
	assert_non_null(w->cfg.overrides);
	w->cfg.n_overrides = 1;
	w->cfg.overrides[0].account_id = ACC2;
	w->cfg.overrides[0].rules = w->cfg.rules;
	return &w->cfg.overrides[0].rules;
}

/* A working sell (long: side ASK) or buy stop order. */
static struct act_list stop_order(struct tworld *w, srm_ms t, int64_t acct, int64_t id,
				  const char *c, int side, int size, double px)
{
	return tw_order(w, t, acct, id, c, PX_OS_OPEN, PX_OT_STOP, side, size, PX_NULL, px);
}

static struct act_list limit_order(struct tworld *w, srm_ms t, int64_t acct, int64_t id,
				   const char *c, int side, int size, double px)
{
	return tw_order(w, t, acct, id, c, PX_OS_OPEN, PX_OT_LIMIT, side, size, px, PX_NULL);
}

/* ======================= RULE-008 no_stop_loss_grace ======================= */

static void set008(struct tworld *w, enum grace_action act)
{
	w->cfg.rules.no_stop_loss_grace.enabled = true;
	w->cfg.rules.no_stop_loss_grace.grace_ms = 30 * SEC;
	w->cfg.rules.no_stop_loss_grace.action = act;
	w->cfg.rules.trade_management.stop_ticks = 20;
	restart(w);
}

static void test_r008_timer_fires_exactly_at_grace(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_CLOSE_POSITION);
	assert_int_equal(t_count_rule(tw_position(&w, t0, ACC, ES, 2, 5000), R008), 0);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 29999), R008), 0);
	tw_advance(&w, t0 + 30 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 1);
	a = get(w.last, ACT_CLOSE_CONTRACT, R008, ACC);
	assert_string_equal(a->contract_id, ES);
	assert_int_equal(a->ts, t0 + 30 * SEC);
	assert_false(a->dry_run);
	assert_non_null(strstr(a->reason, "without a stop for 30.0s"));
	/* Nothing more later on (the timer is one-shot). */
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 10 * MIN), R008), 0);
	tw_free(&w);
}

static void test_r008_stop_within_grace(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_CLOSE_POSITION);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	stop_order(&w, t0 + 10 * SEC, ACC, 501, ES, PX_ASK, 1, 4990);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 31 * SEC), R008), 0);
	/* A buy stop (same side as the long) protects nothing. */
	tw_position(&w, t0 + 31 * SEC, ACC2, ES, 1, 5000);
	stop_order(&w, t0 + 40 * SEC, ACC2, 502, ES, PX_BID, 1, 5010);
	assert_int_equal(t_count_rule(w.last, R008), 0);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 61 * SEC - 1), R008), 0);
	tw_advance(&w, t0 + 61 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC2), 1);
	tw_free(&w);
}

/* What the views show: the deadline of a stop-less position, none with a stop. */
static void test_r008_deadline_for_views(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0), at = 0;
	const char *what = NULL;
	int rule = -1;

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_PLACE_STOP);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	const struct acct *a = engine_acct(w.eng, ACC);

	assert_true(engine_pos_deadline(w.eng, a, acct_pos(a, ES), &at, &rule, &what));
	assert_int_equal(at, t0 + 30 * SEC);
	assert_int_equal(rule, R008);
	assert_string_equal(what, "gets a stop");
	assert_null(engine_pos_stop(a, ES));
	stop_order(&w, t0 + 5 * SEC, ACC, 501, ES, PX_ASK, 1, 4990);
	a = engine_acct(w.eng, ACC);
	assert_non_null(engine_pos_stop(a, ES));
	assert_false(engine_pos_deadline(w.eng, a, acct_pos(a, ES), &at, &rule, &what));
	/* the rule off: no deadline */
	w.cfg.rules.no_stop_loss_grace.enabled = false;
	restart(&w);
	tw_position(&w, t0 + 6 * SEC, ACC2, ES, 1, 5000);
	a = engine_acct(w.eng, ACC2);
	assert_false(engine_pos_deadline(w.eng, a, acct_pos(a, ES), &at, &rule, &what));
	tw_free(&w);
}

static void test_r008_stop_cancelled_after_deadline(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_CLOSE_POSITION);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	stop_order(&w, t0 + 5 * SEC, ACC, 501, ES, PX_ASK, 1, 4990);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 40 * SEC), R008), 0);
	tw_order(&w, t0 + 50 * SEC, ACC, 501, ES, PX_OS_CANCELLED, PX_OT_STOP, PX_ASK, 1, PX_NULL,
		 4990);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 1);
	tw_free(&w);
}

static void test_r008_closed_before_grace(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_CLOSE_POSITION);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_position(&w, t0 + 10 * SEC, ACC, ES, 0, 0);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 32 * SEC), R008), 0);
	/* A new position at +35s has its own deadline at +65s (the old timer does not hit it). */
	tw_position(&w, t0 + 35 * SEC, ACC, ES, 1, 5000);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 64 * SEC), R008), 0);
	assert_int_equal(t_count_acct(tw_advance(&w, t0 + 65 * SEC), ACT_CLOSE_CONTRACT, R008, ACC), 1);
	tw_free(&w);
}

static void test_r008_place_stop_long_short(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_PLACE_STOP);
	tw_position(&w, t0, ACC, ES, 2, 5000.25);
	tw_position(&w, t0, ACC, CL, -3, 70.37);
	tw_advance(&w, t0 + 30 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_PLACE_STOP, R008, ACC), 2);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 0);
	for (size_t i = 0; i < w.last.n; i++) {
		a = &w.last.v[i];
		if (strcmp(a->contract_id, ES) == 0) {
			assert_int_equal(a->side, PX_ASK); /* sell stop below a long */
			assert_int_equal(a->size, 2);
			assert_price(a->stop_price, 4995.25);
		} else {
			assert_string_equal(a->contract_id, CL);
			assert_int_equal(a->side, PX_BID); /* buy stop above a short */
			assert_int_equal(a->size, 3);
			assert_price(a->stop_price, 70.57);
		}
	}
	tw_free(&w);
}

static void test_r008_place_stop_unknown_tick(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_PLACE_STOP);
	tw_position(&w, t0, ACC, UNKNOWN_C, 1, 100);
	tw_advance(&w, t0 + 30 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_PLACE_STOP, R008, ACC), 0);
	a = get(w.last, ACT_CLOSE_CONTRACT, R008, ACC);
	assert_string_equal(a->contract_id, UNKNOWN_C);
	assert_non_null(strstr(a->reason, "tick size unknown"));
	tw_free(&w);
}

static void test_r008_override_disabled_dry(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	w.cfg.rules.no_stop_loss_grace.enabled = true;
	w.cfg.rules.no_stop_loss_grace.grace_ms = 30 * SEC;
	add_override(&w)->no_stop_loss_grace.grace_ms = 60 * SEC;
	restart(&w);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_position(&w, t0, ACC2, ES, 1, 5000);
	tw_advance(&w, t0 + 30 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC2), 0);
	tw_advance(&w, t0 + 60 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC2), 1);
	tw_free(&w);

	/* Disabled: nothing at all. */
	tw_init(&w, t0);
	restart(&w);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 10 * MIN), R008), 0);
	tw_free(&w);

	/* dry_run: the action carries the flag. */
	tw_init(&w, t0);
	w.cfg.rules.no_stop_loss_grace.dry_run = true;
	set008(&w, GRACE_CLOSE_POSITION);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_advance(&w, t0 + 30 * SEC);
	assert_true(get(w.last, ACT_CLOSE_CONTRACT, R008, ACC)->dry_run);
	tw_free(&w);
}

static void test_r008_timer_across_reset(void **s)
{
	struct tworld w;
	srm_ms r = T(RESET_AT);

	(void)s;
	tw_init(&w, T(T0));
	set008(&w, GRACE_CLOSE_POSITION);
	/* A position 10 s before the daily reset: the grace runs on across it. */
	tw_position(&w, r - 10 * SEC, ACC, ES, 1, 5000);
	assert_int_equal(t_count_rule(tw_advance(&w, r + 19 * SEC), R008), 0);
	assert_int_equal(t_count_acct(tw_advance(&w, r + 20 * SEC), ACT_CLOSE_CONTRACT, R008, ACC), 1);
	tw_free(&w);
}

/* ======================= RULE-009 session_block_outside ======================= */

/* Windows sun..thu 17:00-15:10, flatten_at (minutes or -1), lockout until_next_window. */
static void set009(struct tworld *w, int flatten_at)
{
	struct cfg_session_block_outside *c = &w->cfg.rules.session_block_outside;

	c->enabled = true;
	c->n_windows = 1;
	c->windows[0] = (struct cfg_window){.days = 0x1f, .start_min = 17 * 60,
					    .end_min = 15 * 60 + 10};
	c->flatten_at_min = flatten_at;
	c->lockout = (struct lockout_spec){.mode = LOCKOUT_UNTIL_NEXT_WINDOW};
}

/* A buy limit at t outside the windows: cancelled, locked until `until`. */
static void order_outside(const char *at, const char *until)
{
	struct tworld w;
	srm_ms t = T(at);
	const struct srm_action *a;

	tw_init(&w, t);
	set009(&w, -1);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	limit_order(&w, t, ACC, 701, ES, PX_BID, 1, 4900);
	a = get(w.last, ACT_CANCEL_ORDER, R009, ACC);
	assert_int_equal(a->order_id, 701);
	assert_string_equal(a->contract_id, ES);
	assert_non_null(strstr(a->reason, "15:30 America/Chicago"));
	a = get(w.last, ACT_LOCKOUT, R009, ACC);
	assert_int_equal(a->until, UNTIL_TIME);
	assert_int_equal(a->until_ts, T(until));
	/* Exactly one cancel (the lockout guard's identical cancel is a suppressed repeat). */
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R009, ACC), 1);
	/* The lockout ends at the window open. */
	assert_int_equal(t_count_acct(tw_advance(&w, T(until) - 1), ACT_UNLOCK, R009, ACC), 0);
	assert_int_equal(t_count_acct(tw_advance(&w, T(until)), ACT_UNLOCK, R009, ACC), 1);
	tw_free(&w);
}

static void test_r009_order_outside_dst(void **s)
{
	(void)s;
	/* Tuesday 15:30 CST -> 17:00 CST. */
	order_outside("2026-11-24T21:30:00Z", "2026-11-24T23:00:00Z");
	/* Monday after the switch back (2026-11-01): CST, UTC-6. */
	order_outside("2026-11-02T21:30:00Z", "2026-11-02T23:00:00Z");
	/* Tuesday before it: CDT, UTC-5. */
	order_outside("2026-10-27T20:30:00Z", "2026-10-27T22:00:00Z");
}

/* A reload that widens the window (the same config in place) is seen at once, not at the
 * next window edge the rule remembered. */
static void test_r009_reload_seen_at_once(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T21:30:00Z"); /* Tuesday 15:30 CST: outside 17:00-15:10 */

	(void)s;
	tw_init(&w, t);
	set009(&w, -1);
	w.cfg.rules.session_block_outside.lockout = (struct lockout_spec){.mode = LOCKOUT_NONE};
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	assert_int_equal(t_count_acct(limit_order(&w, t, ACC, 701, ES, PX_BID, 1, 4900), ACT_CANCEL_ORDER,
				      R009, ACC), 1);
	w.cfg.rules.session_block_outside.windows[0].end_min = 16 * 60;
	tw_config(&w, t + 500, &w.cfg);
	assert_int_equal(t_count_rule(limit_order(&w, t + 1000, ACC, 702, ES, PX_BID, 1, 4900), R009), 0);
	tw_free(&w);
}

static void test_r009_inside_no_action(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set009(&w, -1);
	restart(&w);
	/* 09:00 and 15:09:59 CST Tuesday are inside the Monday 17:00 window. */
	assert_int_equal(t_count_rule(limit_order(&w, t0, ACC, 1, ES, PX_BID, 1, 4900), R009), 0);
	assert_int_equal(t_count_rule(tw_position(&w, t0, ACC, ES, 1, 5000), R009), 0);
	assert_int_equal(t_count_rule(limit_order(&w, T("2026-11-24T21:09:59Z"), ACC, 2, ES, PX_BID, 1,
					      4900), R009), 0);
	/* 17:00 exactly opens the next window. */
	tw_position(&w, T("2026-11-24T21:09:59Z"), ACC, ES, 0, 0);
	tw_order(&w, T("2026-11-24T21:09:59Z"), ACC, 1, ES, PX_OS_CANCELLED, PX_OT_LIMIT, PX_BID, 1,
		 4900, PX_NULL);
	tw_order(&w, T("2026-11-24T21:09:59Z"), ACC, 2, ES, PX_OS_CANCELLED, PX_OT_LIMIT, PX_BID, 1,
		 4900, PX_NULL);
	assert_int_equal(t_count_rule(limit_order(&w, T("2026-11-24T23:00:00Z"), ACC, 3, ES, PX_BID, 1,
					      4900), R009), 0);
	tw_order(&w, T("2026-11-24T23:00:01Z"), ACC, 3, ES, PX_OS_CANCELLED, PX_OT_LIMIT, PX_BID, 1,
		 4900, PX_NULL);
	/* Friday 17:00 is not a window (sun..thu): outside. */
	limit_order(&w, T("2026-11-27T23:30:00Z"), ACC, 4, ES, PX_BID, 1, 4900);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R009, ACC), 1);
	/* Locked until Sunday 17:00 CST. */
	assert_int_equal(get(w.last, ACT_LOCKOUT, R009, ACC)->until_ts, T("2026-11-29T23:00:00Z"));
	tw_free(&w);
}

static void test_r009_reducing_order_allowed(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T21:30:00Z");

	(void)s;
	tw_init(&w, t);
	set009(&w, -1);
	w.cfg.rules.session_block_outside.lockout.mode = LOCKOUT_NONE;
	tw_restart(&w, t);
	/* A sell that only reduces a long is the trader's way out. */
	tw_position(&w, t, ACC, ES, 2, 5000);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R009, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R009, ACC), 0); /* lockout: none */
	limit_order(&w, t + SEC, ACC, 9, ES, PX_ASK, 2, 5100);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R009, ACC), 0);
	assert_int_equal(t_count_acct(limit_order(&w, t + SEC, ACC, 10, ES, PX_ASK, 3, 5100),
			     ACT_CANCEL_ORDER, R009, ACC), 1);
	tw_free(&w);
}

static void test_r009_position_outside(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T21:30:00Z");
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t);
	set009(&w, -1);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t, ACC, MNQ, -2, 20000);
	a = get(w.last, ACT_CLOSE_CONTRACT, R009, ACC);
	assert_string_equal(a->contract_id, MNQ);
	assert_non_null(strstr(a->reason, "MNQ -2"));
	assert_int_equal(get(w.last, ACT_LOCKOUT, R009, ACC)->until_ts, T("2026-11-24T23:00:00Z"));
	tw_free(&w);
}

static void test_r009_holiday(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-25T00:00:00Z"); /* Tuesday 18:00 CST: a window would be open */

	(void)s;
	tw_init(&w, t);
	set009(&w, -1);
	w.cfg.daemon.n_holidays = 1;
	w.cfg.daemon.holidays[0] = days_from_civil(2026, 11, 24);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	limit_order(&w, t, ACC, 77, ES, PX_BID, 1, 4900);
	assert_int_equal(get(w.last, ACT_CANCEL_ORDER, R009, ACC)->order_id, 77);
	assert_non_null(strstr(get(w.last, ACT_CANCEL_ORDER, R009, ACC)->reason, "holiday"));
	/* Locked until Wednesday's window opens, 17:00 CST. */
	assert_int_equal(get(w.last, ACT_LOCKOUT, R009, ACC)->until_ts, T("2026-11-25T23:00:00Z"));
	tw_free(&w);

	/* Without the holiday, the same order is inside. */
	tw_init(&w, t);
	set009(&w, -1);
	tw_restart(&w, t);
	assert_int_equal(t_count_rule(limit_order(&w, t, ACC, 77, ES, PX_BID, 1, 4900), R009), 0);
	tw_free(&w);
}

static void test_r009_flatten_at(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T20:00:00Z"); /* Tuesday 14:00 CST */
	srm_ms flat = T("2026-11-24T21:10:00Z");
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t);
	set009(&w, 15 * 60 + 10);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	assert_int_equal(t_count_rule(tw_position(&w, t, ACC, ES, 1, 5000), R009), 0);
	limit_order(&w, t, ACC, 5, ES, PX_BID, 1, 4900);
	assert_int_equal(t_count_rule(tw_advance(&w, flat - 1), R009), 0);
	tw_advance(&w, flat);
	a = get(w.last, ACT_CLOSE_CONTRACT, R009, ACC);
	assert_int_equal(a->ts, flat);
	assert_non_null(strstr(a->reason, "flatten_at 15:10"));
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R009, ACC), 1);
	/* The window closed at the same instant: locked until it opens again, no extra closes
	 * (the close of ES is asked once: flatten_at's). */
	assert_int_equal(get(w.last, ACT_LOCKOUT, R009, ACC)->until_ts, T("2026-11-24T23:00:00Z"));
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R009, ACC), 1);
	/* Timers re-arm by themselves: the next day's flatten_at fires with no further event. */
	tw_advance(&w, T("2026-11-24T23:00:00Z"));
	assert_int_equal(t_count_acct(w.last, ACT_UNLOCK, R009, ACC), 1);
	assert_int_equal(t_count_rule(tw_advance(&w, T("2026-11-25T21:09:59Z")), R009), 0);
	tw_advance(&w, T("2026-11-25T21:10:00Z"));
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R009, ACC), 1);
	tw_free(&w);
}

/*
 * A long gap (a replay line decades ahead, a laptop asleep all night): one reset, and each
 * timer due fires once, late; the daily flatten_at timer does not fire once per day of the
 * gap (a line dated 9999 once took 60 s and 2.3 GB).
 */
static void test_r009_long_gap(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T20:00:00Z");

	(void)s;
	tw_init(&w, t);
	set009(&w, 15 * 60 + 10);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t, ACC, ES, 1, 5000);
	tw_advance(&w, T("2099-12-30T15:00:00Z"));
	assert_true(w.last.n < 20);
	/* the flatten_at armed before the gap fires late, once, and still counts */
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R009, ACC), 1);
	assert_int_equal(engine_last_reset(w.eng), T("2099-12-29T23:00:00Z"));
	/* and the rules go on from there: the next flatten_at is the next day's */
	assert_int_equal(t_count_rule(tw_advance(&w, T("2099-12-30T21:09:00Z")), R009), 0);
	tw_advance(&w, T("2099-12-30T21:10:00Z"));
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R009, ACC), 1);
	tw_free(&w);
}

/*
 * Hours with no event (no quotes, a quiet account) are lived through: flatten_at fires at
 * 15:10 Chicago, not when the next event comes (a 6 h bound once made it 17:30).
 */
static void test_r009_quiet_hours_lived_through(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T14:00:00Z");
	struct act_list l;
	bool at_time = false;

	(void)s;
	tw_init(&w, t);
	set009(&w, 15 * 60 + 10);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t, ACC, ES, 1, 5000);
	l = tw_advance(&w, T("2026-11-24T23:30:00Z"));
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].kind == ACT_CLOSE_CONTRACT && l.v[i].rule == R009)
			at_time = l.v[i].ts == T("2026-11-24T21:10:00Z");
	assert_true(at_time);
	tw_free(&w);
}

static void test_r009_window_close_closes(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T20:00:00Z");
	srm_ms close = T("2026-11-24T21:10:00Z");

	(void)s;
	tw_init(&w, t);
	set009(&w, -1);
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t, ACC, ES, 1, 5000);
	tw_position(&w, t, ACC, MNQ, -1, 20000);
	assert_int_equal(t_count_rule(tw_advance(&w, close - 1), R009), 0);
	tw_advance(&w, close);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R009, ACC), 2);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R009, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R009, ACC), 2);
	tw_free(&w);

	/* No position at the close: nothing. */
	tw_init(&w, t);
	set009(&w, -1);
	tw_restart(&w, t);
	tw_account(&w, t, ACC, true); /* arms the timer */
	assert_int_equal(t_count_rule(tw_advance(&w, close + MIN), R009), 0);
	tw_free(&w);
}

static void test_r009_override_disabled_dry_reset(void **s)
{
	struct tworld w;
	srm_ms t = T("2026-11-24T21:30:00Z");
	struct rules_cfg *o;

	(void)s;
	/* Override: ACC2 trades 08:00-16:00 every day. */
	tw_init(&w, t);
	set009(&w, -1);
	o = add_override(&w);
	o->session_block_outside.windows[0] = (struct cfg_window){.days = 0x7f, .start_min = 8 * 60,
								  .end_min = 16 * 60};
	tw_restart(&w, t);
	limit_order(&w, t, ACC, 1, ES, PX_BID, 1, 4900);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R009, ACC), 1);
	limit_order(&w, t, ACC2, 2, ES, PX_BID, 1, 4900);
	assert_int_equal(t_count_rule(w.last, R009), 0);
	tw_free(&w);

	/* Disabled. */
	tw_init(&w, t);
	tw_restart(&w, t);
	assert_int_equal(t_count_rule(limit_order(&w, t, ACC, 1, ES, PX_BID, 1, 4900), R009), 0);
	tw_free(&w);

	/* dry_run. */
	tw_init(&w, t);
	set009(&w, -1);
	w.cfg.rules.session_block_outside.dry_run = true;
	tw_restart(&w, t);
	limit_order(&w, t, ACC, 1, ES, PX_BID, 1, 4900);
	assert_true(get(w.last, ACT_CANCEL_ORDER, R009, ACC)->dry_run);
	assert_true(get(w.last, ACT_LOCKOUT, R009, ACC)->dry_run);
	tw_free(&w);

	/* lockout until_reset: the daily reset at 17:00 CST ends it. */
	tw_init(&w, t);
	set009(&w, -1);
	w.cfg.rules.session_block_outside.lockout.mode = LOCKOUT_UNTIL_RESET;
	tw_restart(&w, t);
	limit_order(&w, t, ACC, 1, ES, PX_BID, 1, 4900);
	assert_int_equal(get(w.last, ACT_LOCKOUT, R009, ACC)->until, UNTIL_RESET);
	assert_int_equal(t_count_acct(tw_advance(&w, T(RESET_AT) - 1), ACT_UNLOCK, R009, ACC), 0);
	assert_int_equal(t_count_acct(tw_advance(&w, T(RESET_AT)), ACT_UNLOCK, R009, ACC), 1);
	tw_free(&w);
}

/* ======================= RULE-010 auth_loss_guard ======================= */

static void set010(struct tworld *w, bool flatten, bool auto_clear)
{
	w->cfg.rules.auth_loss_guard.enabled = true;
	w->cfg.rules.auth_loss_guard.flatten = flatten;
	w->cfg.rules.auth_loss_guard.auto_clear = auto_clear;
	restart(w);
}

static void test_r010_lock_unlock(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t0);
	set010(&w, true, true);
	assert_int_equal(t_count_rule(tw_account(&w, t0, ACC, true), R010), 0);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_account(&w, t0 + SEC, ACC, false);
	a = get(w.last, ACT_LOCKOUT, R010, ACC);
	assert_int_equal(a->until, UNTIL_PERMANENT);
	assert_string_equal(a->reason, "broker reports canTrade=false");
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R010, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R010, ACC), 1);
	/* Still false: no repeat, even long after the dedup window. */
	assert_int_equal(t_count_rule(tw_account(&w, t0 + 2 * SEC, ACC, false), R010), 0);
	assert_int_equal(t_count_rule(tw_account(&w, t0 + MIN, ACC, false), R010), 0);
	/* Meanwhile the lockout guard cancels a new opening order. */
	limit_order(&w, t0 + MIN, ACC, 9, ES, PX_BID, 1, 4900);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R010, ACC), 1);
	/* The daily reset does not end it. */
	assert_int_equal(t_count_acct(tw_advance(&w, T(RESET_AT) + SEC), ACT_UNLOCK, R010, ACC), 0);
	/* canTrade returns: auto_clear unlocks once. */
	tw_account(&w, T(RESET_AT) + 2 * SEC, ACC, true);
	assert_int_equal(t_count_acct(w.last, ACT_UNLOCK, R010, ACC), 1);
	assert_null(engine_locked(w.eng, ACC, NULL));
	assert_int_equal(t_count_rule(tw_account(&w, T(RESET_AT) + 3 * SEC, ACC, true), R010), 0);
	/* And a new loss acts again. */
	tw_account(&w, T(RESET_AT) + 4 * SEC, ACC, false);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R010, ACC), 1);
	tw_free(&w);
}

static void test_r010_no_flatten_no_clear(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set010(&w, false, false);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_account(&w, t0, ACC, false);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R010, ACC), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, R010, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R010, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R010, ACC), 0);
	/* auto_clear off: canTrade true leaves the lockout to an admin. */
	assert_int_equal(t_count_rule(tw_account(&w, t0 + SEC, ACC, true), R010), 0);
	assert_non_null(engine_locked(w.eng, ACC, NULL));
	tw_free(&w);
}

/*
 * flatten: false keeps the positions, so it keeps their protective stop and target: only
 * the orders that could open or add are cancelled (a cancel-all stripped the stops).
 */
static void test_r010_no_flatten_keeps_stops(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set010(&w, false, true);
	tw_position(&w, t0, ACC, ES, 2, 5000);
	tw_order(&w, t0, ACC, 1, ES, PX_OS_OPEN, PX_OT_STOP, PX_ASK, 2, PX_NULL, 4990);
	tw_order(&w, t0, ACC, 2, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_ASK, 2, 5010, PX_NULL);
	tw_order(&w, t0, ACC, 3, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 4980, PX_NULL);
	tw_account(&w, t0 + SEC, ACC, false);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ALL, R010, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_CANCEL_ORDER, ANY_RULE, ACC), 1);
	for (size_t i = 0; i < w.last.n; i++)
		if (w.last.v[i].kind == ACT_CANCEL_ORDER)
			assert_int_equal(w.last.v[i].order_id, 3);
	tw_free(&w);
}

static void test_r010_override_disabled_dry(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	w.cfg.rules.auth_loss_guard.enabled = true;
	w.cfg.rules.auth_loss_guard.flatten = true;
	add_override(&w)->auth_loss_guard.flatten = false;
	restart(&w);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_position(&w, t0, ACC2, ES, 1, 5000);
	tw_account(&w, t0, ACC, false);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R010, ACC), 1);
	tw_account(&w, t0, ACC2, false);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R010, ACC2), 1);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R010, ACC2), 0);
	tw_free(&w);

	tw_init(&w, t0);
	restart(&w);
	assert_int_equal(t_count_rule(tw_account(&w, t0, ACC, false), R010), 0);
	tw_free(&w);

	tw_init(&w, t0);
	w.cfg.rules.auth_loss_guard.dry_run = true;
	set010(&w, true, true);
	limit_order(&w, t0, ACC, 9, ES, PX_BID, 1, 4900);
	tw_account(&w, t0, ACC, false);
	assert_true(get(w.last, ACT_LOCKOUT, R010, ACC)->dry_run);
	assert_true(get(w.last, ACT_CANCEL_ORDER, R010, ACC)->dry_run);
	tw_free(&w);
}

/* ======================= RULE-012 trade_management ======================= */

static void set012(struct tworld *w, bool autos, bool be, bool trail)
{
	struct cfg_trade_management *c = &w->cfg.rules.trade_management;

	c->enabled = true;
	c->auto_stop_enabled = autos;
	c->stop_ticks = 20;
	c->breakeven_enabled = be;
	c->trigger_ticks = 10;
	c->offset_ticks = 1;
	c->trailing_enabled = trail;
	c->activation_ticks = 20;
	c->distance_ticks = 10;
	restart(w);
}

static void test_r012_auto_stop(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct srm_action *a;

	(void)s;
	tw_init(&w, t0);
	set012(&w, true, false, false);
	tw_position(&w, t0, ACC, ES, 2, 5000);
	a = get(w.last, ACT_PLACE_STOP, R012, ACC);
	assert_string_equal(a->contract_id, ES);
	assert_int_equal(a->side, PX_ASK);
	assert_int_equal(a->size, 2);
	assert_price(a->stop_price, 4995.0);
	/* Growing the position is not a new position. */
	assert_int_equal(t_count_rule(tw_position(&w, t0 + 5 * SEC, ACC, ES, 3, 5000), R012), 0);
	/* Short RTY (tick 0.1). */
	tw_position(&w, t0, ACC, RTY, -1, 2400.3);
	a = get(w.last, ACT_PLACE_STOP, R012, ACC);
	assert_int_equal(a->side, PX_BID);
	assert_int_equal(a->size, 1);
	assert_price(a->stop_price, 2402.3);
	/* A stop already working: no auto stop. */
	stop_order(&w, t0, ACC, 600, MNQ, PX_ASK, 1, 19990);
	assert_int_equal(t_count_rule(tw_position(&w, t0, ACC, MNQ, 1, 20000), R012), 0);
	/* Unknown tick size: an alert instead. */
	tw_position(&w, t0, ACC, UNKNOWN_C, 1, 100);
	assert_int_equal(t_count_acct(w.last, ACT_PLACE_STOP, R012, ACC), 0);
	assert_int_equal(t_count_acct(w.last, ACT_ALERT, R012, ACC), 1);
	tw_free(&w);
}

/* Long ES 1 @5000 with a sell stop 501 @4995, quotes from t0. */
static void long_with_stop(struct tworld *w, srm_ms t0, int64_t acct)
{
	tw_position(w, t0, acct, ES, 1, 5000);
	stop_order(w, t0, acct, 501 + acct, ES, PX_ASK, 1, 4995);
}

static void test_r012_breakeven_once(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct srm_action *a;
	int64_t oid = 501 + ACC;

	(void)s;
	tw_init(&w, t0);
	set012(&w, false, true, false);
	long_with_stop(&w, t0, ACC);
	/* 9.0 ticks: below the trigger. */
	assert_int_equal(t_count_rule(tw_quote(&w, t0 + SEC, ES, PX_NULL, PX_NULL, 5002.25), R012), 0);
	/* 10 ticks exactly: move to entry + 1 tick. */
	tw_quote(&w, t0 + 2 * SEC, ES, PX_NULL, PX_NULL, 5002.50);
	a = get(w.last, ACT_MODIFY_STOP, R012, ACC);
	assert_int_equal(a->order_id, oid);
	assert_price(a->stop_price, 5000.25);
	assert_non_null(strstr(a->reason, "breakeven"));
	/* the gateway's answer, then the order event that shows the new stop */
	tw_result(&w, t0 + 2 * SEC + 50, ACC, ACT_MODIFY_STOP, ES, oid, 0, OUTCOME_OK);
	stop_order(&w, t0 + 3 * SEC, ACC, oid, ES, PX_ASK, 1, 5000.25);
	assert_int_equal(t_count_rule(tw_quote(&w, t0 + 5 * SEC, ES, PX_NULL, PX_NULL, 5004), R012), 0);
	/* Once per position: the trader moves the stop back, it stays there. */
	stop_order(&w, t0 + 6 * SEC, ACC, oid, ES, PX_ASK, 1, 4990);
	assert_int_equal(t_count_rule(tw_quote(&w, t0 + 8 * SEC, ES, PX_NULL, PX_NULL, 5004), R012), 0);
	/* A new position (closed and reopened) gets breakeven again. */
	tw_position(&w, t0 + 9 * SEC, ACC, ES, 0, 0);
	tw_position(&w, t0 + 10 * SEC, ACC, ES, 1, 5001);
	/* The last mark (5004, 2 s old) is fresh and 12 ticks up: moved at once. */
	assert_price(get(w.last, ACT_MODIFY_STOP, R012, ACC)->stop_price, 5001.25);
	assert_int_equal(t_count_rule(tw_quote(&w, t0 + 11 * SEC, ES, PX_NULL, PX_NULL, 5004), R012), 0);
	tw_free(&w);
}

static void test_r012_breakeven_short_and_tighter(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set012(&w, false, true, false);
	tw_position(&w, t0, ACC, ES, -1, 5000);
	stop_order(&w, t0, ACC, 900, ES, PX_BID, 1, 5005);
	tw_quote(&w, t0 + SEC, ES, 4997.25, 4997.75, PX_NULL); /* mid 4997.50: 10 ticks */
	assert_price(get(w.last, ACT_MODIFY_STOP, R012, ACC)->stop_price, 4999.75);
	tw_free(&w);

	/* A stop already tighter than breakeven is never moved back. */
	tw_init(&w, t0);
	set012(&w, false, true, false);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	stop_order(&w, t0, ACC, 901, ES, PX_ASK, 1, 5001);
	assert_int_equal(t_count_rule(tw_quote(&w, t0 + SEC, ES, PX_NULL, PX_NULL, 5003), R012), 0);
	tw_free(&w);
}

static void test_r012_trailing(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	int64_t oid = 501 + ACC;
	srm_ms t = t0 + 10 * SEC;

	(void)s;
	tw_init(&w, t0);
	set012(&w, false, false, true);
	long_with_stop(&w, t0, ACC);
	/* 19 ticks: not active yet. */
	assert_int_equal(t_count_rule(tw_quote(&w, t - SEC, ES, PX_NULL, PX_NULL, 5004.75), R012), 0);
	/* 20 ticks: active, stop to best - 10 ticks. */
	tw_quote(&w, t, ES, PX_NULL, PX_NULL, 5005);
	assert_price(get(w.last, ACT_MODIFY_STOP, R012, ACC)->stop_price, 5002.5);
	tw_result(&w, t + 50, ACC, ACT_MODIFY_STOP, ES, oid, 0, OUTCOME_OK);
	stop_order(&w, t + 100, ACC, oid, ES, PX_ASK, 1, 5002.5);
	/* Within a second of the last modify of this order: no modify (engine dedup cleared). */
	assert_int_equal(t_count_rule(tw_quote(&w, t + 500, ES, PX_NULL, PX_NULL, 5006), R012), 0);
	assert_int_equal(t_count_rule(tw_quote(&w, t + 999, ES, PX_NULL, PX_NULL, 5006), R012), 0);
	/* After a second: follows the best mark since activation (5006), though now 5005.50. */
	tw_quote(&w, t + 1000, ES, PX_NULL, PX_NULL, 5005.5);
	assert_price(get(w.last, ACT_MODIFY_STOP, R012, ACC)->stop_price, 5003.5);
	tw_result(&w, t + 1050, ACC, ACT_MODIFY_STOP, ES, oid, 0, OUTCOME_OK);
	stop_order(&w, t + 1100, ACC, oid, ES, PX_ASK, 1, 5003.5);
	/* Price falls back: never loosen. */
	assert_int_equal(t_count_rule(tw_quote(&w, t + 3000, ES, PX_NULL, PX_NULL, 5004), R012), 0);
	assert_int_equal(t_count_rule(tw_quote(&w, t + 5000, ES, PX_NULL, PX_NULL, 5003.75), R012), 0);
	/* The trader tightens it beyond the trail: left alone. */
	stop_order(&w, t + 6000, ACC, oid, ES, PX_ASK, 1, 5005.25);
	assert_int_equal(t_count_rule(tw_quote(&w, t + 8000, ES, PX_NULL, PX_NULL, 5007.5), R012), 0);
	/* New high: trail passes it again. */
	tw_quote(&w, t + 9000, ES, PX_NULL, PX_NULL, 5008.5);
	assert_price(get(w.last, ACT_MODIFY_STOP, R012, ACC)->stop_price, 5006.0);
	tw_free(&w);
}

static void test_r012_stale_quote(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	/* A quote 20 s old (max age 10 s) never moves a stop. */
	tw_init(&w, t0);
	set012(&w, false, true, true);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_quote(&w, t0, ES, PX_NULL, PX_NULL, 5006); /* no stop yet: nothing to move */
	assert_int_equal(t_count_rule(w.last, R012), 0);
	stop_order(&w, t0 + 20 * SEC, ACC, 77, ES, PX_ASK, 1, 4995);
	assert_int_equal(t_count_rule(w.last, R012), 0);
	tw_free(&w);

	/* The same within 10 s moves it. */
	tw_init(&w, t0);
	set012(&w, false, true, true);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	tw_quote(&w, t0, ES, PX_NULL, PX_NULL, 5006);
	stop_order(&w, t0 + 10 * SEC, ACC, 77, ES, PX_ASK, 1, 4995);
	/* Both due: the trail (5003.50) is tighter than breakeven (5000.25). */
	assert_price(get(w.last, ACT_MODIFY_STOP, R012, ACC)->stop_price, 5003.5);
	tw_free(&w);
}

static void test_r012_override_disabled_dry(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	w.cfg.rules.trade_management.enabled = true;
	w.cfg.rules.trade_management.auto_stop_enabled = true;
	w.cfg.rules.trade_management.stop_ticks = 20;
	add_override(&w)->trade_management.stop_ticks = 8;
	restart(&w);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	assert_price(get(w.last, ACT_PLACE_STOP, R012, ACC)->stop_price, 4995.0);
	tw_position(&w, t0, ACC2, ES, 1, 5000);
	assert_price(get(w.last, ACT_PLACE_STOP, R012, ACC2)->stop_price, 4998.0);
	tw_free(&w);

	tw_init(&w, t0);
	restart(&w);
	long_with_stop(&w, t0, ACC);
	tw_position(&w, t0, ACC, MNQ, 1, 20000);
	assert_int_equal(t_count_rule(w.last, R012), 0);
	assert_int_equal(t_count_rule(tw_quote(&w, t0, ES, PX_NULL, PX_NULL, 5010), R012), 0);
	tw_free(&w);

	tw_init(&w, t0);
	w.cfg.rules.trade_management.dry_run = true;
	set012(&w, true, true, false);
	tw_position(&w, t0, ACC, ES, 1, 5000);
	assert_true(get(w.last, ACT_PLACE_STOP, R012, ACC)->dry_run);
	tw_free(&w);
}

/*
 * Identity (issue 11, class 3): positions are keyed by contract. A new position id for the
 * contract (the old one's size-0 event was lost) is a new position: its own grace. A late
 * size-0 event of the old id is stale: it does not delete the live position.
 */
static void test_r008_new_position_id(void **s)
{
	struct tworld w;
	srm_ms t0 = T("2026-11-24T15:00:00Z");

	(void)s;
	tw_init(&w, t0);
	set008(&w, GRACE_CLOSE_POSITION);
	tw_position_id(&w, t0, ACC, ES, 501, 1, 5000);
	tw_position_id(&w, t0 + 10 * SEC, ACC, ES, 502, 1, 5010);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 30 * SEC), R008), 0);
	tw_advance(&w, t0 + 40 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 1);
	/* the old id's late size 0 */
	tw_position_id(&w, t0 + 41 * SEC, ACC, ES, 501, 0, 0);
	assert_non_null(acct_pos(engine_acct(w.eng, ACC), ES));
	assert_int_equal(acct_pos(engine_acct(w.eng, ACC), ES)->qty, 1);
	assert_int_equal(engine_stats(w.eng).positions_stale, 1);
	/* its own size 0 closes it */
	tw_position_id(&w, t0 + 42 * SEC, ACC, ES, 502, 0, 0);
	assert_null(acct_pos(engine_acct(w.eng, ACC), ES));
	tw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_r008_timer_fires_exactly_at_grace),
		cmocka_unit_test(test_r008_stop_within_grace),
		cmocka_unit_test(test_r008_deadline_for_views),
		cmocka_unit_test(test_r008_stop_cancelled_after_deadline),
		cmocka_unit_test(test_r008_closed_before_grace),
		cmocka_unit_test(test_r008_place_stop_long_short),
		cmocka_unit_test(test_r008_place_stop_unknown_tick),
		cmocka_unit_test(test_r008_override_disabled_dry),
		cmocka_unit_test(test_r008_timer_across_reset),
		cmocka_unit_test(test_r009_order_outside_dst),
		cmocka_unit_test(test_r009_inside_no_action),
		cmocka_unit_test(test_r009_reload_seen_at_once),
		cmocka_unit_test(test_r009_reducing_order_allowed),
		cmocka_unit_test(test_r009_position_outside),
		cmocka_unit_test(test_r009_holiday),
		cmocka_unit_test(test_r009_flatten_at),
		cmocka_unit_test(test_r009_window_close_closes),
		cmocka_unit_test(test_r009_override_disabled_dry_reset),
		cmocka_unit_test(test_r010_lock_unlock),
		cmocka_unit_test(test_r010_no_flatten_no_clear),
		cmocka_unit_test(test_r010_override_disabled_dry),
		cmocka_unit_test(test_r012_auto_stop),
		cmocka_unit_test(test_r009_long_gap),
		cmocka_unit_test(test_r008_new_position_id),
		cmocka_unit_test(test_r010_no_flatten_keeps_stops),
		cmocka_unit_test(test_r009_quiet_hours_lived_through),
		cmocka_unit_test(test_r012_breakeven_once),
		cmocka_unit_test(test_r012_breakeven_short_and_tighter),
		cmocka_unit_test(test_r012_trailing),
		cmocka_unit_test(test_r012_stale_quote),
		cmocka_unit_test(test_r012_override_disabled_dry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
