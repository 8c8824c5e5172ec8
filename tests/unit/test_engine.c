/* test_engine.c: the engine core with real events: state book, P&L, dedup, lockout guard, reset, timers. */
#include "helpers.h"

#include <string.h>

#include "engine/rule.h"
#include "wire/wire.h"

#define ACC 1001

static void test_state_book(void **s)
{
	struct tworld w;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_account(&w, T("2026-11-24T15:00:01Z"), ACC, true);
	const struct acct *a = engine_acct(w.eng, ACC);

	assert_non_null(a);
	assert_true(a->can_trade);
	assert_string_equal(a->name, "ACC-1001");

	tw_position(&w, T("2026-11-24T15:00:02Z"), ACC, ES, 2, 6000.25);
	tw_position(&w, T("2026-11-24T15:00:02Z"), ACC, MNQ, -3, 21000);
	assert_int_equal(a->n_pos, 2);
	assert_int_equal(acct_pos(a, MNQ)->qty, -3);
	assert_true(acct_pos(a, ES)->grew_seq < acct_pos(a, MNQ)->grew_seq);

	/* reduce ES: grew_seq unchanged; close MNQ: removed */
	uint64_t g = acct_pos(a, ES)->grew_seq;

	tw_position(&w, T("2026-11-24T15:00:03Z"), ACC, ES, 1, 6000.25);
	assert_int_equal(acct_pos(a, ES)->grew_seq, g);
	tw_position(&w, T("2026-11-24T15:00:04Z"), ACC, MNQ, 0, 0);
	assert_null(acct_pos(a, MNQ));
	assert_int_equal(a->n_pos, 1);

	/* orders: working kept, terminal removed; partial fill leaves the remainder */
	tw_order(&w, T("2026-11-24T15:00:05Z"), ACC, 77, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 3, 5990, PX_NULL);
	assert_non_null(acct_ord(a, 77));
	assert_int_equal(acct_ord(a, 77)->size, 3);
	tw_order(&w, T("2026-11-24T15:00:06Z"), ACC, 77, ES, PX_OS_CANCELLED, PX_OT_LIMIT, PX_BID, 3, 5990, PX_NULL);
	assert_null(acct_ord(a, 77));
	tw_free(&w);
}

static void test_reducing_orders(void **s)
{
	struct tworld w;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_position(&w, T("2026-11-24T15:00:00Z"), ACC, ES, 2, 6000);
	const struct acct *a = engine_acct(w.eng, ACC);
	struct ord o = {.id = 1, .side = PX_ASK, .size = 2, .type = PX_OT_LIMIT};

	strcpy(o.contract_id, ES);
	assert_true(acct_ord_is_reducing(a, &o));
	o.size = 3;
	assert_false(acct_ord_is_reducing(a, &o));
	o.size = 1;
	o.side = PX_BID;
	assert_false(acct_ord_is_reducing(a, &o));
	strcpy(o.contract_id, MNQ);
	o.side = PX_ASK;
	assert_false(acct_ord_is_reducing(a, &o));
	tw_free(&w);
}

static void test_fills_dedup_and_void(void **s)
{
	struct tworld w;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_trade(&w, T("2026-11-24T15:00:01Z"), ACC, 10, ES, PX_BID, 1, 6000, PX_NULL, 1.40, false);
	tw_trade(&w, T("2026-11-24T15:00:02Z"), ACC, 11, ES, PX_ASK, 1, 5990, -500.0, 1.40, false);
	const struct acct *a = engine_acct(w.eng, ACC);

	assert_int_equal(a->realized, -50000);
	assert_int_equal(a->fees, 280);
	assert_int_equal(a->tc.session, 2);

	/* the same fill again (a resend, or a replay) counts once */
	tw_trade(&w, T("2026-11-24T15:00:03Z"), ACC, 11, ES, PX_ASK, 1, 5990, -500.0, 1.40, false);
	assert_int_equal(a->realized, -50000);
	assert_int_equal(a->tc.session, 2);
	assert_int_equal(engine_stats(w.eng).fills_dup, 1);

	/* voided: reversed */
	tw_trade(&w, T("2026-11-24T15:00:04Z"), ACC, 11, ES, PX_ASK, 1, 5990, -500.0, 1.40, true);
	assert_int_equal(a->realized, 0);
	assert_int_equal(a->fees, 140);
	assert_int_equal(a->tc.session, 1);
	assert_int_equal(acct_trades_within(a, T("2026-11-24T15:00:04Z"), 60000), 1);
	/* voided again, and the non-voided original resent: no change */
	tw_trade(&w, T("2026-11-24T15:00:05Z"), ACC, 11, ES, PX_ASK, 1, 5990, -500.0, 1.40, true);
	tw_trade(&w, T("2026-11-24T15:00:05Z"), ACC, 11, ES, PX_ASK, 1, 5990, -500.0, 1.40, false);
	assert_int_equal(a->realized, 0);

	/* first seen voided: never counts */
	tw_trade(&w, T("2026-11-24T15:00:06Z"), ACC, 12, ES, PX_ASK, 1, 5990, -100.0, 1.40, true);
	assert_int_equal(a->realized, 0);
	assert_int_equal(a->tc.session, 1);
	tw_free(&w);
}

static void test_fill_before_reset_not_counted(void **s)
{
	struct tworld w;

	(void)s;
	/* Tuesday 2026-11-24 15:00Z = 09:00 CST; the trading day began Monday 17:00 CST = 23:00Z */
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	assert_int_equal(engine_last_reset(w.eng), T("2026-11-23T23:00:00Z"));
	assert_int_equal(engine_next_reset(w.eng), T("2026-11-24T23:00:00Z"));
	struct srm_event ev = {.kind = EV_TRADE};

	ev.u.trade.id = 5;
	ev.u.trade.account_id = ACC;
	strcpy(ev.u.trade.contract_id, ES);
	ev.u.trade.created = T("2026-11-23T22:59:59Z");
	ev.u.trade.profit_and_loss = -250;
	ev.u.trade.fees = 0;
	ev.u.trade.size = 1;
	engine_apply(w.eng, &ev, T("2026-11-24T15:00:00Z"));
	assert_int_equal(engine_acct(w.eng, ACC)->realized, 0);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 0);
	tw_free(&w);
}

static void test_reset_clears_day(void **s)
{
	struct tworld w;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_trade(&w, T("2026-11-24T15:00:01Z"), ACC, 1, ES, PX_ASK, 1, 5990, -300.0, 0, false);
	struct act_list l = t_admin_lockout(w.eng, ACC, UNTIL_RESET, 0, "desk says stop",
						 T("2026-11-24T15:00:02Z"));

	assert_int_equal(t_count(l, ACT_LOCKOUT, -1), 1);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 0); /* no working order to cancel */
	assert_non_null(engine_locked(w.eng, ACC, NULL));
	/* one ms before the reset: nothing */
	l = tw_advance(&w, T("2026-11-24T22:59:59.999Z"));
	assert_int_equal(l.n, 0);
	l = tw_advance(&w, T("2026-11-24T23:00:00Z"));
	assert_int_equal(t_count(l, ACT_UNLOCK, -1), 1);
	assert_int_equal(l.v[0].ts, T("2026-11-24T23:00:00Z"));
	assert_null(engine_locked(w.eng, ACC, NULL));
	assert_int_equal(engine_acct(w.eng, ACC)->realized, 0);
	assert_int_equal(engine_next_reset(w.eng), T("2026-11-25T23:00:00Z"));
	tw_free(&w);
}

static void test_reset_across_dst(void **s)
{
	struct tworld w;

	(void)s;
	/* Friday 2026-10-30 (CDT): next reset is Sunday 2026-11-01 17:00 CST = 23:00Z (DST ended that morning) */
	tw_init(&w, T("2026-10-30T20:00:00Z"));
	assert_int_equal(engine_last_reset(w.eng), T("2026-10-29T22:00:00Z"));
	assert_int_equal(engine_next_reset(w.eng), T("2026-11-01T23:00:00Z"));
	tw_advance(&w, T("2026-11-02T00:00:00Z"));
	assert_int_equal(engine_next_reset(w.eng), T("2026-11-02T23:00:00Z"));
	tw_free(&w);

	/* spring forward: Sunday 2026-03-08 17:00 CDT = 22:00Z */
	tw_init(&w, T("2026-03-07T12:00:00Z"));
	assert_int_equal(engine_next_reset(w.eng), T("2026-03-08T22:00:00Z"));
	tw_free(&w);
}

static void test_holiday_skips_reset(void **s)
{
	struct tworld w;

	(void)s;
	tw_init(&w, T("2026-12-24T12:00:00Z"));
	w.cfg.daemon.holidays[0] = 20811; /* 2026-12-24 (Thursday) */
	w.cfg.daemon.n_holidays = 1;
	tw_restart(&w, T("2026-12-24T12:00:00Z"));
	/* no reset on Thursday the 24th; Friday and Saturday never; next is Sunday the 27th */
	assert_int_equal(engine_next_reset(w.eng), T("2026-12-27T23:00:00Z"));
	tw_free(&w);
}

static void test_guard_while_locked(void **s)
{
	struct tworld w;
	struct act_list l;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_position(&w, T("2026-11-24T15:00:00Z"), ACC, ES, 2, 6000);
	l = t_admin_lockout(w.eng, ACC, UNTIL_TIME, T("2026-11-24T16:00:00Z"), "admin",
				 T("2026-11-24T15:00:01Z"));
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 1);

	/* the trader's exit (reducing) stays */
	l = tw_order(&w, T("2026-11-24T15:00:02Z"), ACC, 1, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_ASK, 2, 6010, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 0);
	/* a protective stop on the position (reducing) stays */
	l = tw_order(&w, T("2026-11-24T15:00:02Z"), ACC, 2, ES, PX_OS_OPEN, PX_OT_STOP, PX_ASK, 1, PX_NULL, 5990);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 0);
	/* an order that adds is cancelled */
	l = tw_order(&w, T("2026-11-24T15:00:03Z"), ACC, 3, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 1);
	assert_int_equal(t_find(l, ACT_CANCEL_ORDER, -1)->order_id, 3);
	/* an order in another contract opens: cancelled */
	l = tw_order(&w, T("2026-11-24T15:00:03Z"), ACC, 4, MNQ, PX_OS_OPEN, PX_OT_MARKET, PX_BID, 1, PX_NULL, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 1);
	/* a new position is closed (the ES close_all was sent 3 s ago: it may still be working) */
	l = tw_position(&w, T("2026-11-24T15:00:04Z"), ACC, MNQ, 1, 21000);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 1);
	assert_string_equal(t_find(l, ACT_CLOSE_CONTRACT, -1)->contract_id, MNQ);
	/*
	 * The gateway refused the close_all's close of ES (after the executor's retries), and
	 * the trader sold 1 of 2: this flattening lockout keeps the account flat, so the rest
	 * is asked for at the account's next event...
	 */
	tw_result(&w, T("2026-11-24T15:00:05Z"), ACC, ACT_CLOSE_CONTRACT, ES, 0, 0, OUTCOME_FAILED);
	l = tw_position(&w, T("2026-11-24T15:00:06Z"), ACC, ES, 1, 6000);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 1);
	assert_string_equal(t_find(l, ACT_CLOSE_CONTRACT, -1)->contract_id, ES);
	/* ...and not again while that close is in flight */
	l = tw_position(&w, T("2026-11-24T15:00:07Z"), ACC, ES, 1, 6000);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 0);
	/*
	 * 8 s after its close, MNQ (never answered, never refused) still counts as in flight:
	 * not asked again; nor is ES while a reducing market order works on it.
	 */
	l = tw_order(&w, T("2026-11-24T15:00:12Z"), ACC, 6, ES, PX_OS_OPEN, PX_OT_MARKET, PX_ASK,
		     1, PX_NULL, PX_NULL);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 0);
	l = tw_position(&w, T("2026-11-24T15:00:12Z"), ACC, ES, 1, 6000);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 0);
	/* 10 s after it, a close not seen through is asked for again (its REST answer came, its
	 * position event did not) */
	tw_result(&w, T("2026-11-24T15:00:14Z"), ACC, ACT_CLOSE_CONTRACT, MNQ, 0, 0, OUTCOME_OK);
	l = tw_order(&w, T("2026-11-24T15:00:15Z"), ACC, 6, ES, PX_OS_FILLED, PX_OT_MARKET, PX_ASK,
		     1, PX_NULL, PX_NULL);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 1);
	assert_string_equal(t_find(l, ACT_CLOSE_CONTRACT, -1)->contract_id, MNQ);
	l = tw_position(&w, T("2026-11-24T15:00:15Z"), ACC, ES, 0, 0);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 0);
	/* other accounts are not affected */
	l = tw_order(&w, T("2026-11-24T15:00:05Z"), 2002, 9, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	assert_int_equal(l.n, 0);
	/* expiry */
	l = tw_advance(&w, T("2026-11-24T16:00:00Z"));
	assert_int_equal(t_count(l, ACT_UNLOCK, -1), 1);
	l = tw_order(&w, T("2026-11-24T16:00:01Z"), ACC, 5, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	assert_int_equal(l.n, 0);
	tw_free(&w);
}

static void test_repeat_suppressed(void **s)
{
	struct tworld w;
	struct act_list l;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_position(&w, T("2026-11-24T15:00:00Z"), ACC, ES, 2, 6000);
	t_admin_lockout(w.eng, ACC, UNTIL_PERMANENT, 0, "admin", T("2026-11-24T15:00:00Z"));
	l = tw_order(&w, T("2026-11-24T15:00:01Z"), ACC, 3, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 1);
	/* the same working order reported again before the cancel's answer: it is on the wire,
	 * not asked again (SPEC §6) */
	l = tw_order(&w, T("2026-11-24T15:00:01.100Z"), ACC, 3, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 0);
	/* it succeeded: the order event will show it; nothing is asked meanwhile */
	l = tw_result(&w, T("2026-11-24T15:00:01.150Z"), ACC, ACT_CANCEL_ORDER, ES, 3, 0, OUTCOME_OK);
	assert_int_equal(l.n, 0);
	/* refused instead: asked again when the retry timer fires, without any event */
	l = tw_order(&w, T("2026-11-24T15:00:01.160Z"), ACC, 3, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 1);
	l = tw_result(&w, T("2026-11-24T15:00:01.170Z"), ACC, ACT_CANCEL_ORDER, ES, 3, 0, OUTCOME_FAILED);
	assert_int_equal(l.n, 0);
	l = tw_advance(&w, T("2026-11-24T15:00:01.419Z"));
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 0);
	l = tw_advance(&w, T("2026-11-24T15:00:01.420Z"));
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -1), 1);
	assert_int_equal(t_find(l, ACT_CANCEL_ORDER, -1)->order_id, 3);
	/* two different orders are not confused */
	l = tw_order(&w, T("2026-11-24T15:00:01.200Z"), ACC, 4, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	assert_int_equal(t_find(l, ACT_CANCEL_ORDER, -1)->order_id, 4);
	/* permanent lockouts survive the reset */
	l = tw_advance(&w, T("2026-11-25T00:00:00Z"));
	assert_int_equal(t_count(l, ACT_UNLOCK, -2), 0);
	assert_non_null(engine_locked(w.eng, ACC, ES));
	l = t_admin_clear(w.eng, ACC, T("2026-11-25T00:00:01Z"));
	assert_int_equal(t_count(l, ACT_UNLOCK, -1), 1);
	assert_null(engine_locked(w.eng, ACC, ES));
	tw_free(&w);
}

/*
 * Our own closing order is reported (filled) before the position shrinks: that order event
 * must not re-arm the close, or the position would be reduced twice.
 */
static void test_no_double_close(void **s)
{
	struct tworld w;
	struct act_list l;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	w.cfg.rules.max_contracts.enabled = true;
	w.cfg.rules.max_contracts.limit = 4;
	w.cfg.rules.max_contracts.action = SIZE_REDUCE_TO_LIMIT;
	tw_restart(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	l = tw_position(&w, T("2026-11-24T15:00:01Z"), ACC, MNQ, 6, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	/* the gateway reports the closing market order, filled, then its fill */
	l = tw_order(&w, T("2026-11-24T15:00:01.002Z"), ACC, 900, MNQ, PX_OS_FILLED, PX_OT_MARKET, PX_ASK, 2, PX_NULL, PX_NULL);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	l = tw_trade(&w, T("2026-11-24T15:00:01.003Z"), ACC, 901, MNQ, PX_ASK, 2, 21000, 0, 0.74, false);
	assert_int_equal(l.n, 0);
	/* then the position: at the limit, nothing more */
	l = tw_position(&w, T("2026-11-24T15:00:01.004Z"), ACC, MNQ, 4, 21000);
	assert_int_equal(l.n, 0);
	/* a later real breach is acted on again */
	l = tw_position(&w, T("2026-11-24T15:00:01.500Z"), ACC, MNQ, 5, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 1);
	tw_free(&w);
}

/* srm admin enforce: one rule, now, even when disabled; dry run marks the actions. */
/* RULE-001 alone, reducing to `limit` contracts, with the standard contracts, at 15:00. */
static void r001_world(struct tworld *w, int limit)
{
	tw_init(w, T("2026-11-24T15:00:00Z"));
	w->cfg.rules.max_contracts.enabled = true;
	w->cfg.rules.max_contracts.limit = limit;
	w->cfg.rules.max_contracts.action = SIZE_REDUCE_TO_LIMIT;
	tw_restart(w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(w, T("2026-11-24T15:00:00Z"));
}

/*
 * A close that fills in parts: the position event between the parts shows the breach still
 * there, but the close in flight will remove the rest, so nothing more is asked; asking
 * would close twice and leave the trader under the limit (or flip a position).
 */
static void test_half_filled_close_not_doubled(void **s)
{
	struct tworld w;
	struct act_list l;
	srm_ms t = T("2026-11-24T15:00:01Z");

	(void)s;
	r001_world(&w, 4);
	l = tw_position(&w, t, ACC, MNQ, 6, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 2);
	/* the first of its two fills, then the position: 5, still over, but 1 is on its way */
	tw_trade(&w, t + 2, ACC, 901, MNQ, PX_ASK, 1, 21000, 0, 0.37, false);
	l = tw_position(&w, t + 3, ACC, MNQ, 5, 21000);
	assert_int_equal(l.n, 0);
	/* even past the 2 s repeat window, while the position has not got there */
	l = tw_position(&w, t + 2500, ACC, MNQ, 5, 21000);
	assert_int_equal(l.n, 0);
	/* the second fill: at the limit */
	tw_trade(&w, t + 2600, ACC, 902, MNQ, PX_ASK, 1, 21000, 0, 0.37, false);
	l = tw_position(&w, t + 2601, ACC, MNQ, 4, 21000);
	assert_int_equal(l.n, 0);
	/* the trader adds one: that is new, and reduced again */
	l = tw_position(&w, t + 3000, ACC, MNQ, 5, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 1);
	/* the gateway refuses that one: the next event asks for it whole again */
	tw_result(&w, t + 3050, ACC, ACT_PARTIAL_CLOSE, MNQ, 0, 1, OUTCOME_FAILED);
	l = tw_position(&w, t + 3100, ACC, MNQ, 5, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 1);
	tw_free(&w);

	/*
	 * Two rules at once on one contract: RULE-001 takes 2 off 6 and RULE-011 (MNQ blocked)
	 * closes it: one request, the one that removes the most (the whole position), not two
	 * that could be taken for repeats of each other.
	 */
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	w.cfg.rules.max_contracts.enabled = true;
	w.cfg.rules.max_contracts.limit = 4;
	w.cfg.rules.max_contracts.action = SIZE_REDUCE_TO_LIMIT;
	w.cfg.rules.symbol_blocks.enabled = true;
	w.cfg.rules.symbol_blocks.n_symbols = 1;
	strcpy(w.cfg.rules.symbol_blocks.symbols[0], "MNQ");
	w.cfg.rules.symbol_blocks.close_existing = true;
	tw_restart(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	l = tw_position(&w, t, ACC, MNQ, 6, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2), 1);
	assert_string_equal(t_find(l, ACT_CLOSE_CONTRACT, -2)->contract_id, MNQ);
	tw_free(&w);

	/*
	 * A lockout from before (RULE-006: too many fills) and a size rule on the same event:
	 * the new position is closed whole, not only reduced to the size limit (the guard's
	 * close and the size rule's partial close of the same size once looked like a repeat,
	 * and the rest stayed open under the lockout).
	 */
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	w.cfg.rules.trade_frequency_limit.enabled = true;
	w.cfg.rules.trade_frequency_limit.per_minute = 1;
	w.cfg.rules.trade_frequency_limit.cooldown_minute = (struct lockout_spec){.mode = LOCKOUT_DURATION, .duration_ms = 60000};
	w.cfg.rules.max_contracts_per_instrument.enabled = true;
	w.cfg.rules.max_contracts_per_instrument.default_limit = 1;
	w.cfg.rules.max_contracts_per_instrument.action = SIZE_REDUCE_TO_LIMIT;
	tw_restart(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_trade(&w, t, ACC, 801, ES, PX_BID, 1, 6000, PX_NULL, 0, false);
	l = tw_trade(&w, t + 10, ACC, 802, ES, PX_BID, 1, 6000, PX_NULL, 0, false);
	assert_int_equal(t_count(l, ACT_LOCKOUT, 5), 1);
	l = tw_position(&w, t + 20, ACC, ES, 2, 6000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2), 1);
	assert_string_equal(t_find(l, ACT_CLOSE_CONTRACT, -2)->contract_id, ES);
	tw_free(&w);

	/*
	 * The guard's close of a position grown under a lockout is refused; a second, longer
	 * lockout starts meanwhile (RULE-007). The retry still closes it: the position grew
	 * under the first one, whichever lockout is the longest now (the chaos day found a
	 * position left open under a RULE-006 lockout for 10 s this way).
	 */
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	w.cfg.rules.trade_frequency_limit.enabled = true;
	w.cfg.rules.trade_frequency_limit.per_minute = 1;
	w.cfg.rules.trade_frequency_limit.cooldown_minute = (struct lockout_spec){.mode = LOCKOUT_DURATION, .duration_ms = 60000};
	w.cfg.rules.cooldown_after_loss.enabled = true;
	w.cfg.rules.cooldown_after_loss.n_tiers = 1;
	w.cfg.rules.cooldown_after_loss.tiers[0].loss = 100;
	w.cfg.rules.cooldown_after_loss.tiers[0].cooldown = (struct lockout_spec){.mode = LOCKOUT_DURATION, .duration_ms = 300000};
	w.cfg.rules.cooldown_after_loss.consecutive_count = 0;
	tw_restart(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_trade(&w, t, ACC, 811, MNQ, PX_ASK, 1, 21000, PX_NULL, 0, false);
	tw_trade(&w, t + 10, ACC, 812, MNQ, PX_ASK, 1, 21000, PX_NULL, 0, false); /* RULE-006 locks */
	l = tw_position(&w, t + 20, ACC, MNQ, -2, 21000);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2), 1);
	tw_result(&w, t + 30, ACC, ACT_CLOSE_CONTRACT, MNQ, 0, 0, OUTCOME_FAILED);
	/* a losing fill elsewhere: RULE-007's 5-minute lockout, longer than RULE-006's (which that
	 * fill extends: locked since its first breach) */
	l = tw_trade(&w, t + 100, ACC, 813, ES, PX_ASK, 1, 6000, -150.0, 0, false);
	assert_int_equal(t_count(l, ACT_LOCKOUT, 6), 1);
	l = tw_advance(&w, t + 30 + 250);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2), 1);
	assert_string_equal(t_find(l, ACT_CLOSE_CONTRACT, -2)->contract_id, MNQ);
	tw_free(&w);

	/*
	 * The same with a size rule on the contract: at the retry RULE-001 asks to reduce 5 to 4
	 * and the guard to close the position grown under the lockout: one close of the whole,
	 * not the size rule's partial (the guard used to step aside for any close already asked).
	 */
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	w.cfg.rules.trade_frequency_limit.enabled = true;
	w.cfg.rules.trade_frequency_limit.per_minute = 1;
	w.cfg.rules.trade_frequency_limit.cooldown_minute = (struct lockout_spec){.mode = LOCKOUT_DURATION, .duration_ms = 60000};
	w.cfg.rules.max_contracts.enabled = true;
	w.cfg.rules.max_contracts.limit = 4;
	w.cfg.rules.max_contracts.action = SIZE_REDUCE_TO_LIMIT;
	tw_restart(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_trade(&w, t, ACC, 821, MNQ, PX_ASK, 2, 21000, PX_NULL, 0, false);
	tw_trade(&w, t + 10, ACC, 822, MNQ, PX_ASK, 3, 21000, PX_NULL, 0, false);
	l = tw_position(&w, t + 20, ACC, MNQ, -5, 21000);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2), 1);
	tw_result(&w, t + 30, ACC, ACT_CLOSE_CONTRACT, MNQ, 0, 0, OUTCOME_FAILED);
	l = tw_advance(&w, t + 30 + 250);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2), 1);
	tw_free(&w);

	/*
	 * A lockout's close_all while a reduction of MNQ is half filled: one close per position,
	 * MNQ's trimmed to what is not already on its way (5 - 1), ES's whole.
	 */
	r001_world(&w, 5);
	tw_position(&w, t, ACC, ES, 1, 6000);
	l = tw_position(&w, t + 1, ACC, MNQ, 6, 21000);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 2);
	tw_trade(&w, t + 2, ACC, 903, MNQ, PX_ASK, 1, 21000, 0, 0.37, false);
	tw_position(&w, t + 3, ACC, MNQ, 5, 21000);
	l = t_admin_lockout(w.eng, ACC, UNTIL_RESET, 0, "desk", t + 4);
	assert_int_equal(t_count(l, ACT_CLOSE_ALL, -2), 0);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, -1), 1);
	assert_string_equal(t_find(l, ACT_PARTIAL_CLOSE, -1)->contract_id, MNQ);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, -1)->size, 4);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 1);
	assert_string_equal(t_find(l, ACT_CLOSE_CONTRACT, -1)->contract_id, ES);
	tw_free(&w);

	/*
	 * The events of a close went missing (a hub drop): the book still says 6 with a close
	 * to 4 "in flight" when the trader adds 1 (really 4 + 3 = 7). Growth ends what was in
	 * flight: the whole excess is asked for, not trimmed to nothing.
	 */
	r001_world(&w, 4);
	l = tw_position(&w, t, ACC, MNQ, 6, 21000);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 2);
	l = tw_position(&w, t + 1000, ACC, MNQ, 7, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 3);
	tw_free(&w);

	/*
	 * A close trimmed to nothing by one in flight that never lands (its events lost): when
	 * that one lapses (10 s), the rules look again by themselves, no event needed.
	 */
	r001_world(&w, 4);
	tw_position(&w, t, ACC, MNQ, 6, 21000);                   /* partial close 2 */
	tw_result(&w, t + 100, ACC, ACT_PARTIAL_CLOSE, MNQ, 0, 2, OUTCOME_OK); /* the REST answer */
	l = tw_position(&w, t + 2500, ACC, MNQ, 6, 21000);        /* reported again: covered */
	assert_int_equal(l.n, 0);
	l = tw_advance(&w, t + 10000);
	assert_int_equal(l.n, 0);
	l = tw_advance(&w, t + 10001);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	assert_int_equal(t_find(l, ACT_PARTIAL_CLOSE, 0)->size, 2);
	tw_free(&w);

	/* the close's market order is rejected: what it covered is asked for at once */
	r001_world(&w, 4);
	tw_position(&w, t, ACC, MNQ, 6, 21000);
	tw_result(&w, t + 3, ACC, ACT_PARTIAL_CLOSE, MNQ, 0, 2, OUTCOME_OK);
	tw_order(&w, t + 5, ACC, 950, MNQ, PX_OS_REJECTED, PX_OT_MARKET, PX_ASK, 2, PX_NULL,
		 PX_NULL);
	l = tw_position(&w, t + 2500, ACC, MNQ, 6, 21000);
	assert_int_equal(t_count(l, ACT_PARTIAL_CLOSE, 0), 1);
	tw_free(&w);
}

/*
 * SRM's own close in progress is never cancelled (chaos seed 7): the daily loss limit locks
 * and flattens (cancel_all + close_all); the closing market order closeContract made shows
 * up working, and a fill of it (a loss) judges RULE-003 again. Its cancel_all must leave
 * that order alone: cancelling it stopped the close half way and the next close asked for
 * the same contracts a second time.
 */
static void test_own_close_not_cancelled(void **s)
{
	struct tworld w;
	struct act_list l;
	srm_ms t = T("2026-11-24T15:00:01Z");
	const char *mes = "CON.F.US.MES.Z26";

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	w.cfg.rules.daily_realized_loss.enabled = true;
	w.cfg.rules.daily_realized_loss.loss_limit = 50000;
	w.cfg.rules.daily_realized_loss.lockout = (struct lockout_spec){.mode = LOCKOUT_UNTIL_RESET};
	tw_restart(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_account(&w, t, ACC, true);
	/* a limit order of the trader's working beside the short */
	tw_order(&w, t, ACC, 500, mes, PX_OS_OPEN, PX_OT_LIMIT, PX_ASK, 1, 6100, PX_NULL);
	tw_position(&w, t + 1, ACC, mes, -3, 6000);
	/* an ES loss past the limit: lock, cancel the limit order, close MES */
	l = tw_trade(&w, t + 2, ACC, 1, ES, PX_BID, 1, 6000, -600, 0, false);
	assert_int_equal(t_count(l, ACT_LOCKOUT, -2), 1);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2), 1);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 1);
	assert_int_equal(t_find(l, ACT_CANCEL_ORDER, -2)->order_id, 500);
	/* closeContract's market order appears: it only reduces, nothing is asked of it */
	l = tw_order_fv(&w, t + 3, ACC, 70141, mes, PX_OS_OPEN, PX_OT_MARKET, PX_BID, 3, 0,
			PX_NULL, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 0);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2) + t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	/* its first fill, at a loss: RULE-003 again, and past the 2 s repeat window */
	l = tw_trade(&w, t + 2500, ACC, 2, mes, PX_BID, 1, 6000.25, -1.25, 0, false);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 0);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2) + t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	l = tw_order_fv(&w, t + 2501, ACC, 70141, mes, PX_OS_OPEN, PX_OT_MARKET, PX_BID, 3, 1,
			PX_NULL, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 0);
	l = tw_position(&w, t + 2502, ACC, mes, -2, 6000);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2) + t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	/* the close's answer: judged again, and what is on its way still covers the rest */
	l = tw_result(&w, t + 2503, ACC, ACT_CLOSE_CONTRACT, mes, 0, 0, OUTCOME_OK);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 0);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -2) + t_count(l, ACT_PARTIAL_CLOSE, -2), 0);
	/* a market order of the trader's that would turn the position round is cancelled */
	l = tw_order_fv(&w, t + 2600, ACC, 70150, mes, PX_OS_OPEN, PX_OT_MARKET, PX_BID, 5, 0,
			PX_NULL, PX_NULL);
	assert_int_equal(t_count(l, ACT_CANCEL_ORDER, -2), 1);
	assert_int_equal(t_find(l, ACT_CANCEL_ORDER, -2)->order_id, 70150);
	tw_free(&w);
}

static void test_admin_enforce(void **s)
{
	struct tworld w;
	struct act_list l;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	/* max_contracts is disabled (limit 4, close_all): a 6-lot goes unnoticed */
	l = tw_position(&w, T("2026-11-24T15:00:01Z"), ACC, ES, 6, 6000);
	assert_int_equal(l.n, 0);
	l = t_admin_enforce(w.eng, ACC, 0, true, T("2026-11-24T15:00:02Z"));
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, 0), 1);
	assert_true(t_find(l, ACT_CLOSE_CONTRACT, 0)->dry_run);
	l = t_admin_enforce(w.eng, ACC, 0, false, T("2026-11-24T15:00:05Z"));
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, 0), 1);
	assert_false(t_find(l, ACT_CLOSE_CONTRACT, 0)->dry_run);
	/* nothing to do for an account within its limits, or an unknown one */
	tw_position(&w, T("2026-11-24T15:00:06Z"), ACC, ES, 2, 6000);
	l = t_admin_enforce(w.eng, ACC, 0, false, T("2026-11-24T15:00:08Z"));
	assert_int_equal(l.n, 0);
	l = t_admin_enforce(w.eng, 999, 0, false, T("2026-11-24T15:00:09Z"));
	assert_int_equal(l.n, 0);
	tw_free(&w);
}

static void test_unrealized_and_quotes(void **s)
{
	struct tworld w;
	money_t v = 0;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_position(&w, T("2026-11-24T15:00:00Z"), ACC, ES, 2, 6000);
	const struct acct *a = engine_acct(w.eng, ACC);

	/* unknown contract: no tick value, cannot be valued */
	tw_quote(&w, T("2026-11-24T15:00:01Z"), ES, 5990, 5990.5, 5990.25);
	assert_false(engine_pos_unrealized(w.eng, &a->pos[0], false, &v));
	tw_std_contracts(&w, T("2026-11-24T15:00:01Z"));
	/* (5990.25 - 6000) / 0.25 * 12.5 * 2 = -975.00 */
	assert_true(engine_pos_unrealized(w.eng, &a->pos[0], true, &v));
	assert_int_equal(v, -97500);
	/* short MNQ 3 @ 21000, last 20990: +3 * 40 ticks * 0.5 = +60.00 */
	tw_position(&w, T("2026-11-24T15:00:02Z"), ACC, MNQ, -3, 21000);
	tw_quote(&w, T("2026-11-24T15:00:02Z"), MNQ, 20989.75, 20990.25, PX_NULL);
	assert_true(engine_pos_unrealized(w.eng, acct_pos(a, MNQ), true, &v));
	assert_int_equal(v, 6000);
	assert_int_equal(engine_acct_unrealized(w.eng, a, false, &v), 0);
	assert_int_equal(v, -91500);
	/* 11 s later the ES quote is stale: unusable fresh, usable otherwise */
	tw_advance(&w, T("2026-11-24T15:00:12Z"));
	assert_false(engine_pos_unrealized(w.eng, &a->pos[0], true, &v));
	assert_true(engine_pos_unrealized(w.eng, &a->pos[0], false, &v));
	tw_free(&w);
}

static void test_symbols(void **s)
{
	struct tworld w;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	/* before the contract is cached: the id root */
	assert_true(engine_symbol_matches(w.eng, "CON.F.US.RTY.Z26", "rty"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_contract(&w, T("2026-11-24T15:00:00Z"), "CON.F.US.BP6.U25", "6BU5", 0.0001, 6.25);
	assert_string_equal(engine_symbol(w.eng, ES), "ES");
	assert_string_equal(engine_symbol(w.eng, MNQ), "MNQ");
	assert_string_equal(engine_symbol(w.eng, "CON.F.US.BP6.U25"), "6B");
	assert_true(engine_symbol_matches(w.eng, ES, "es"));
	assert_true(engine_symbol_matches(w.eng, ES, "EP"));
	assert_true(engine_symbol_matches(w.eng, MNQ, "M*"));
	assert_false(engine_symbol_matches(w.eng, ES, "M*"));
	tw_free(&w);
}

static void test_many_accounts(void **s)
{
	struct tworld w;

	(void)s;
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	for (int64_t id = 1; id <= 500; id++) {
		tw_account(&w, T("2026-11-24T15:00:00Z"), id, true);
		tw_position(&w, T("2026-11-24T15:00:00Z"), id, id % 2 ? ES : MNQ, (int)(id % 5) + 1, 6000);
		tw_trade(&w, T("2026-11-24T15:00:01Z"), id, id * 10, ES, PX_ASK, 1, 6000, -(double)id, 0, false);
	}
	for (int64_t id = 1; id <= 500; id++) {
		const struct acct *a = engine_acct(w.eng, id);

		assert_non_null(a);
		assert_int_equal(a->realized, -id * 100);
		assert_int_equal(a->pos[0].qty, (int)(id % 5) + 1);
	}
	size_t i = 0, n = 0;

	while (engine_acct_next(w.eng, &i) != NULL)
		n++;
	assert_int_equal(n, 500);
	tw_free(&w);
}

static void test_action_json(void **s)
{
	struct srm_action a = {.kind = ACT_LOCKOUT, .rule = 2, .account_id = 7, .until = UNTIL_RESET};
	char buf[512];

	(void)s;
	a.ts = T("2026-11-24T15:00:00Z");
	a.stop_price = PX_NULL;
	strcpy(a.reason, "realized \"-500.00\" reached");
	assert_true(action_to_json(&a, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{\"ts\":\"2026-11-24T15:00:00Z\",\"accountId\":7,\"rule\":\"RULE-003\","
				 "\"action\":\"lockout\",\"until\":\"reset\",\"reason\":\"realized \\\"-500.00\\\" reached\"}");
	assert_int_equal(action_to_json(&a, buf, 10), -1);
	char m[24];

	assert_string_equal(money_str(-41250, m), "-412.50");
	assert_string_equal(money_str(5, m), "0.05");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_book),
		cmocka_unit_test(test_reducing_orders),
		cmocka_unit_test(test_fills_dedup_and_void),
		cmocka_unit_test(test_fill_before_reset_not_counted),
		cmocka_unit_test(test_reset_clears_day),
		cmocka_unit_test(test_reset_across_dst),
		cmocka_unit_test(test_holiday_skips_reset),
		cmocka_unit_test(test_guard_while_locked),
		cmocka_unit_test(test_repeat_suppressed),
		cmocka_unit_test(test_no_double_close),
		cmocka_unit_test(test_half_filled_close_not_doubled),
		cmocka_unit_test(test_own_close_not_cancelled),
		cmocka_unit_test(test_admin_enforce),
		cmocka_unit_test(test_unrealized_and_quotes),
		cmocka_unit_test(test_symbols),
		cmocka_unit_test(test_many_accounts),
		cmocka_unit_test(test_action_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
