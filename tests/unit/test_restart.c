/*
 * test_restart.c: what a restart keeps of the rules' memory, through a real SQLite state file
 * and a fresh engine: the saved book (positions with their open time, working orders), so
 * RULE-008's grace runs on across a restart and a known stop is not forgotten before the
 * reconcile; and RULE-007's losing streak, rebuilt from today's fills.
 */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/strutil.h"

#define ACC 1001
#define R007 6
#define R008 7
#define SEC 1000
#define MIN (60 * SEC)
#define T0 "2026-11-24T15:00:00Z" /* a Tuesday, 09:00 in Chicago */

static char dir[256], path[300];

static int setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/srm-test-restart-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/state.db", dir);
	return 0;
}

static int teardown(void **s)
{
	char cmd[300];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* What srmd persists of account ACC: its book, the lockouts, and every fill of today. */
static void save(struct tworld *w)
{
	struct srm_err err = {0};
	struct store *st = store_open(path, &err);
	const struct fill_rec *f;
	size_t i = 0;

	assert_non_null(st);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_save_account(st, w->eng, engine_acct(w->eng, ACC), &err), 0);
	assert_int_equal(store_save_lockouts(st, w->eng, &err), 0);
	while ((f = engine_fill_next(w->eng, ACC, &i)) != NULL)
		assert_int_equal(store_save_fill(st, ACC, ES, f, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	store_close(st);
}

/* A restart at `now`: a new engine, then what srmd does before the first reconcile. */
static void restart_from_file(struct tworld *w, srm_ms now, bool book)
{
	struct srm_err err = {0};
	struct store *st;

	tw_restart(w, now);
	tw_std_contracts(w, now);
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_load(st, w->eng, engine_last_reset(w->eng), &err), 0);
	if (book)
		assert_int_equal(store_load_book(st, w->eng, ACC, engine_last_reset(w->eng), &err), 0);
	store_close(st);
}

/* Which working order grew last outlives a restart (a modify that enlarged an older one). */
static void test_order_growth_roundtrip(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct acct *a;

	(void)s;
	tw_init(&w, t0);
	tw_std_contracts(&w, t0);
	tw_order(&w, t0, ACC, 601, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5990, PX_NULL);
	tw_order(&w, t0 + SEC, ACC, 602, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 1, 5980, PX_NULL);
	/* the older order is modified up: it grew last */
	tw_order(&w, t0 + 2 * SEC, ACC, 601, ES, PX_OS_OPEN, PX_OT_LIMIT, PX_BID, 2, 5990, PX_NULL);
	a = engine_acct(w.eng, ACC);
	assert_true(acct_ord(a, 601)->grew_seq > acct_ord(a, 602)->grew_seq);
	save(&w);
	restart_from_file(&w, t0 + 60 * SEC, true);
	a = engine_acct(w.eng, ACC);
	assert_non_null(acct_ord(a, 601));
	assert_non_null(acct_ord(a, 602));
	assert_true(acct_ord(a, 601)->grew_seq > acct_ord(a, 602)->grew_seq);
	assert_int_equal(acct_ord(a, 601)->seen, t0);
	tw_free(&w);
}

static void test_book_roundtrip(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);
	const struct acct *a;
	const struct pos *p;
	const struct ord *o;

	(void)s;
	tw_init(&w, t0);
	tw_std_contracts(&w, t0);
	tw_position(&w, t0, ACC, NQ, 1, 21000);
	tw_position(&w, t0 + 5 * SEC, ACC, ES, -2, 6000);
	tw_position(&w, t0 + 9 * SEC, ACC, NQ, 3, 21010); /* NQ grew last */
	tw_order(&w, t0 + 10 * SEC, ACC, 501, ES, PX_OS_OPEN, PX_OT_STOP, PX_BID, 2, PX_NULL, 6010);
	tw_order(&w, t0 + 11 * SEC, ACC, 502, NQ, PX_OS_OPEN, PX_OT_LIMIT, PX_ASK, 1, 21100, PX_NULL);
	save(&w);

	restart_from_file(&w, t0 + 60 * SEC, true);
	a = engine_acct(w.eng, ACC);
	assert_non_null(a);
	assert_int_equal(a->n_pos, 2);
	p = acct_pos(a, ES);
	assert_non_null(p);
	assert_int_equal(p->qty, -2);
	assert_true(p->avg_price == 6000);
	assert_int_equal(p->opened, t0 + 5 * SEC);
	p = acct_pos(a, NQ);
	assert_non_null(p);
	assert_int_equal(p->qty, 3);
	assert_int_equal(p->opened, t0);
	assert_true(p->grew_seq > acct_pos(a, ES)->grew_seq);
	assert_int_equal(a->n_ord, 2);
	o = acct_ord(a, 501);
	assert_non_null(o);
	assert_string_equal(o->contract_id, ES);
	assert_int_equal(o->type, PX_OT_STOP);
	assert_int_equal(o->side, PX_BID);
	assert_int_equal(o->size, 2);
	assert_true(isnan(o->limit_price));
	assert_true(o->stop_price == 6010);
	assert_int_equal(o->seen, t0 + 10 * SEC);
	assert_int_equal(acct_ord(a, 502)->seen, t0 + 11 * SEC);
	o = acct_ord(a, 502);
	assert_non_null(o);
	assert_true(o->limit_price == 21100);
	assert_true(isnan(o->stop_price));

	/* the next trading day: a book saved before the reset is not trusted */
	restart_from_file(&w, T("2026-11-25T15:00:00Z"), true);
	a = engine_acct(w.eng, ACC);
	assert_true(a == NULL || (a->n_pos == 0 && a->n_ord == 0));
	tw_free(&w);
}

static void set008(struct tworld *w, srm_ms now)
{
	w->cfg.rules.no_stop_loss_grace.enabled = true;
	w->cfg.rules.no_stop_loss_grace.grace_ms = 30 * SEC;
	w->cfg.rules.no_stop_loss_grace.action = GRACE_CLOSE_POSITION;
	tw_restart(w, now);
	tw_std_contracts(w, now);
}

static void test_r008_grace_runs_on_across_restart(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set008(&w, t0);
	assert_int_equal(t_count_rule(tw_position(&w, t0, ACC, ES, 2, 6000), R008), 0);
	save(&w);

	/* srmd down at +10 s, up again at +20 s; the reconcile sees the position still open */
	restart_from_file(&w, t0 + 20 * SEC, true);
	assert_int_equal(t_count_rule(tw_position(&w, t0 + 20 * SEC, ACC, ES, 2, 6000), R008), 0);
	/* the grace ends 30 s after the position opened, not 30 s after the restart */
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 30 * SEC - 1), R008), 0);
	tw_advance(&w, t0 + 30 * SEC);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 1);

	/* down past the grace: the reconcile's position closes it at once */
	restart_from_file(&w, t0 + 45 * SEC, true);
	tw_position(&w, t0 + 45 * SEC, ACC, ES, 2, 6000);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 1);

	/* without the saved book (the behaviour before), the grace would start over */
	restart_from_file(&w, t0 + 45 * SEC, false);
	assert_int_equal(t_count_rule(tw_position(&w, t0 + 45 * SEC, ACC, ES, 2, 6000), R008), 0);
	tw_free(&w);
}

static void test_r008_restored_stop_is_known(void **s)
{
	struct tworld w;
	srm_ms t0 = T(T0);

	(void)s;
	tw_init(&w, t0);
	set008(&w, t0);
	tw_position(&w, t0, ACC, ES, 2, 6000);
	tw_order(&w, t0 + SEC, ACC, 77, ES, PX_OS_OPEN, PX_OT_STOP, PX_ASK, 2, PX_NULL, 5990);
	save(&w);

	/* restarted after the grace: the position's reconcile comes before the orders' */
	restart_from_file(&w, t0 + 60 * SEC, true);
	assert_int_equal(t_count_rule(tw_position(&w, t0 + 60 * SEC, ACC, ES, 2, 6000), R008), 0);
	assert_int_equal(t_count_rule(tw_advance(&w, t0 + 5 * MIN), R008), 0);
	/* the orders' reconcile: the stop was cancelled while srmd was down -> closed now */
	tw_order(&w, t0 + 5 * MIN, ACC, 77, ES, PX_OS_CANCELLED, PX_OT_STOP, PX_ASK, 2, PX_NULL,
		 5990);
	assert_int_equal(t_count_acct(w.last, ACT_CLOSE_CONTRACT, R008, ACC), 1);
	tw_free(&w);
}

static void close_fill(struct tworld *w, srm_ms now, int64_t id, double pnl)
{
	tw_trade(w, now, ACC, id, ES, PX_ASK, 1, 6000, pnl, 0, false);
}

static void set007(struct tworld *w, srm_ms now)
{
	struct cfg_cooldown_after_loss *c = &w->cfg.rules.cooldown_after_loss;

	c->enabled = true;
	c->n_tiers = 0;
	c->consecutive_count = 3;
	c->consecutive_cooldown = (struct lockout_spec){.mode = LOCKOUT_DURATION,
							.duration_ms = 60 * MIN};
	tw_restart(w, now);
	tw_std_contracts(w, now);
}

static void test_r007_streak_across_restart(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	set007(&w, t);
	close_fill(&w, t + 1 * SEC, 1, -10.0);
	close_fill(&w, t + 2 * SEC, 2, 5.0);   /* a win: the streak starts over */
	close_fill(&w, t + 3 * SEC, 3, -10.0);
	tw_trade(&w, t + 4 * SEC, ACC, 4, ES, PX_BID, 1, 6000, PX_NULL, 0, false); /* opening */
	close_fill(&w, t + 5 * SEC, 5, -10.0);
	tw_trade(&w, t + 6 * SEC, ACC, 6, ES, PX_ASK, 1, 6000, -10.0, 0, true); /* voided */
	assert_int_equal(t_count_rule(w.last, R007), 0);
	save(&w);

	/* two losses in a row survive the restart: the next loss is the third */
	restart_from_file(&w, t + MIN, false);
	close_fill(&w, t + MIN, 7, -10.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R007, ACC), 1);

	/* a streak that already locked out started over: after a restart, 2 more do not lock */
	save(&w);
	restart_from_file(&w, t + 2 * MIN, false);
	close_fill(&w, t + 2 * MIN, 8, -10.0);
	close_fill(&w, t + 2 * MIN, 9, -10.0);
	assert_int_equal(t_count_rule(w.last, R007), 0);
	close_fill(&w, t + 2 * MIN, 10, -10.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R007, ACC), 1);
	tw_free(&w);
}

/* A fill that answered SRM's own close stays SRM's after a restart: not a trade of the trader. */
static void test_srm_fill_flag_survives_restart(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);

	(void)s;
	tw_init(&w, t);
	w.cfg.rules.max_contracts.enabled = true;
	w.cfg.rules.max_contracts.limit = 1;
	w.cfg.rules.max_contracts.count = COUNT_NET;
	w.cfg.rules.max_contracts.action = SIZE_CLOSE_ALL;
	tw_restart(&w, t);
	tw_std_contracts(&w, t);
	tw_trade(&w, t + SEC, ACC, 1, ES, PX_BID, 2, 6000, PX_NULL, 0, false);
	tw_position(&w, t + SEC, ACC, ES, 2, 6000); /* over 1: SRM closes */
	tw_trade(&w, t + 2 * SEC, ACC, 2, ES, PX_ASK, 2, 5990, -50.0, 0, false);
	assert_true(engine_fill(w.eng, 2)->srm);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 1);
	save(&w);

	restart_from_file(&w, t + MIN, false);
	assert_non_null(engine_fill(w.eng, 2));
	assert_true(engine_fill(w.eng, 2)->srm);
	assert_false(engine_fill(w.eng, 1)->srm);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 1);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -5000);
	tw_free(&w);
}

/*
 * A lockout that flattened the account keeps it flat across a restart: a position its close
 * did not get (srmd killed first, or the close failed) is closed at the reconcile. A lockout
 * that did not flatten (a cooldown) leaves a position it found alone, restart or not.
 */
static void test_flattening_lockout_across_restart(void **s)
{
	struct tworld w;
	srm_ms t = T(T0);
	struct act_list l;

	(void)s;
	tw_init(&w, t);
	tw_std_contracts(&w, t);
	tw_position(&w, t, ACC, ES, 2, 6000);
	l = t_admin_lockout(w.eng, ACC, UNTIL_RESET, 0, "desk", t + SEC);
	assert_int_equal(t_count(l, ACT_CLOSE_CONTRACT, -1), 1);
	save(&w); /* srmd is killed before the close is answered */

	restart_from_file(&w, t + MIN, true);
	assert_non_null(engine_locked(w.eng, ACC, NULL));
	assert_true(engine_locked(w.eng, ACC, NULL)->flatten);
	l = tw_position(&w, t + MIN, ACC, ES, 2, 6000); /* the reconcile: still open */
	assert_int_equal(t_count_acct(l, ACT_CLOSE_CONTRACT, -1, ACC), 1);
	tw_free(&w);

	/* a cooldown (RULE-007, no flatten) with a position open: after a restart it stays */
	tw_init(&w, t);
	set007(&w, t);
	tw_position(&w, t, ACC, ES, 2, 6000);
	close_fill(&w, t + SEC, 1, -10.0);
	close_fill(&w, t + SEC, 2, -10.0);
	close_fill(&w, t + SEC, 3, -10.0);
	assert_int_equal(t_count_acct(w.last, ACT_LOCKOUT, R007, ACC), 1);
	assert_int_equal(t_count_rule(w.last, R007), 1); /* no flatten */
	save(&w);
	restart_from_file(&w, t + MIN, true);
	assert_non_null(engine_locked(w.eng, ACC, NULL));
	assert_false(engine_locked(w.eng, ACC, NULL)->flatten);
	l = tw_position(&w, t + MIN, ACC, ES, 2, 6000);
	assert_int_equal(l.n, 0);
	tw_free(&w);
}

/*
 * An admin's reset is remembered: after a restart the fills before it are not today's (it
 * was forgotten, and the day's losses came back). A fill stamped past the daily reset that
 * came before it is counted in its own day, live and restored alike.
 */
static void test_admin_reset_and_day_across_restart(void **s)
{
	struct tworld w;
	srm_ms t = T(T0), reset = T("2026-11-24T23:00:00Z");

	(void)s;
	tw_init(&w, t);
	close_fill(&w, t + SEC, 1, -300.0);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -30000);
	t_admin_reset(w.eng, ACC, t + MIN);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, 0);
	close_fill(&w, t + 2 * MIN, 2, -50.0);
	save(&w);
	restart_from_file(&w, t + 3 * MIN, true);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -5000);
	assert_int_equal(engine_acct(w.eng, ACC)->tc.session, 1);
	tw_free(&w);

	tw_init(&w, t);
	close_fill(&w, t + SEC, 11, -300.0);
	{
		struct srm_event ev = {.kind = EV_TRADE};
		struct px_trade *x = &ev.u.trade;

		x->id = 12;
		x->account_id = ACC;
		strlcpy_s(x->contract_id, ES, sizeof(x->contract_id));
		x->created = reset + MIN; /* tomorrow's, far ahead of our clock */
		x->price = 6000;
		x->profit_and_loss = -20;
		x->side = PX_ASK;
		x->size = 1;
		engine_apply(w.eng, &ev, reset - SEC);
	}
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -30000);
	save(&w);
	restart_from_file(&w, reset + 2 * MIN, false);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -2000);
	tw_advance(&w, reset + 3 * MIN);
	tw_free(&w);
	tw_init(&w, t); /* and live: the same */
	close_fill(&w, t + SEC, 21, -300.0);
	{
		struct srm_event ev = {.kind = EV_TRADE};
		struct px_trade *x = &ev.u.trade;

		x->id = 22;
		x->account_id = ACC;
		strlcpy_s(x->contract_id, ES, sizeof(x->contract_id));
		x->created = reset + MIN;
		x->price = 6000;
		x->profit_and_loss = -20;
		x->side = PX_ASK;
		x->size = 1;
		engine_apply(w.eng, &ev, reset - SEC);
	}
	tw_advance(&w, reset + 2 * MIN);
	assert_int_equal(engine_acct(w.eng, ACC)->realized, -2000);
	tw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_book_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_growth_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r008_grace_runs_on_across_restart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_r008_restored_stop_is_known, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r007_streak_across_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_srm_fill_flag_survives_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_reset_and_day_across_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flattening_lockout_across_restart, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
