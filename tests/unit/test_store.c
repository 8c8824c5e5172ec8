/* test_store.c: the SQLite state file: create 0600, save, reopen, restore into a real engine; bad files refused. */
#include "helpers.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/store.h"

static char dir[256];

static int setup(void **s)
{
	(void)s;
	snprintf(dir, sizeof(dir), "/tmp/srm-test-store-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **s)
{
	char cmd[300];

	(void)s;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void count_row(const struct journal_entry *e, void *ud)
{
	(void)e;
	(*(int *)ud)++;
}

/* store_enforcements: one account's actions in [from, to): no alert, no note, no other account. */
static void test_enforcements_window(void **s)
{
	struct srm_err err = {0};
	char path[300];
	struct store *st;
	srm_ms t0 = T("2026-11-24T15:00:00Z");
	struct srm_action a = {.kind = ACT_CLOSE_CONTRACT, .rule = 2, .account_id = 7};
	int n = 0;

	(void)s;
	path_of(path, sizeof(path), "enf.db");
	st = store_open(path, &err);
	assert_non_null(st);
	strcpy(a.reason, "test");
	for (int i = 0; i < 4; i++) { /* at t0 - 1 ms, t0, t0 + 1 s, and at the end (excluded) */
		a.ts = i == 0 ? t0 - 1 : i == 3 ? t0 + 60000 : t0 + (i - 1) * 1000;
		assert_true(store_journal(st, &a, &err) > 0);
	}
	a.kind = ACT_ALERT;
	a.ts = t0 + 2000;
	assert_true(store_journal(st, &a, &err) > 0);
	a.kind = ACT_LOCKOUT;
	a.account_id = 8;
	assert_true(store_journal(st, &a, &err) > 0);
	assert_int_equal(store_note(st, t0 + 3000, 7, "reconcile", "a note", &err), 0);
	assert_int_equal(store_enforcements(st, 7, t0, t0 + 60000, count_row, &n, &err), 0);
	assert_int_equal(n, 2);
	store_close(st);
}

static void test_roundtrip(void **s)
{
	struct tworld w;
	struct srm_err err = {0};
	char path[300];
	struct stat sb;

	(void)s;
	path_of(path, sizeof(path), "state.db");
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:00:00Z"));
	tw_trade(&w, T("2026-11-24T15:00:01Z"), 7, 100, ES, PX_ASK, 1, 6000, -125.5, 1.4, false);
	tw_trade(&w, T("2026-11-24T15:00:02Z"), 7, 101, ES, PX_ASK, 1, 6000, PX_NULL, 1.4, false);
	t_admin_lockout(w.eng, 7, UNTIL_RESET, 0, "desk", T("2026-11-24T15:00:03Z"));
	t_admin_lockout(w.eng, 8, UNTIL_TIME, T("2026-11-24T16:00:00Z"), "cool", T("2026-11-24T15:00:03Z"));

	struct store *st = store_open(path, &err);

	assert_non_null(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_save_lockouts(st, w.eng, &err), 0);
	size_t i = 0;
	const struct fill_rec *f;

	while ((f = engine_fill_next(w.eng, 7, &i)) != NULL)
		assert_int_equal(store_save_fill(st, 7, ES, f, &err), 0);
	assert_int_equal(store_save_contract(st, &engine_contract(w.eng, ES)->c, &err), 0);
	assert_int_equal(store_save_account(st, w.eng, engine_acct(w.eng, 7), &err), 0);
	struct srm_action a = {.kind = ACT_CLOSE_CONTRACT, .rule = 2, .account_id = 7, .ts = T("2026-11-24T15:00:03Z")};

	strcpy(a.reason, "test");
	strcpy(a.contract_id, ES);
	int64_t jid = store_journal(st, &a, &err);

	assert_true(jid > 0);
	assert_int_equal(store_journal_outcome(st, jid, T("2026-11-24T15:00:03Z"), "ok", 420, &err), 0);
	assert_int_equal(store_audit(st, T("2026-11-24T15:00:04Z"), 1000, "lockout clear 7", true, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT ts_ms,account_id,rule,action,contract_id,"
						    "reason,outcome,latency_us FROM journal WHERE id=?", -1, &q, NULL), SQLITE_OK);
		sqlite3_bind_int64(q, 1, jid);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(q, 0), T("2026-11-24T15:00:03Z"));
		assert_int_equal(sqlite3_column_int64(q, 1), 7);
		assert_string_equal((const char *)sqlite3_column_text(q, 2), "RULE-003");
		assert_string_equal((const char *)sqlite3_column_text(q, 3), "close_contract");
		assert_string_equal((const char *)sqlite3_column_text(q, 4), ES);
		assert_string_equal((const char *)sqlite3_column_text(q, 5), "test");
		assert_string_equal((const char *)sqlite3_column_text(q, 6), "ok");
		assert_int_equal(sqlite3_column_int64(q, 7), 420);
		sqlite3_finalize(q);
	}
	store_close(st);

	/* a new engine (a restart) gets the lockouts, P&L and contracts back */
	engine_free(w.eng);
	w.eng = engine_new(&w.cfg, w.zone, T("2026-11-24T15:30:00Z"));
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_load(st, w.eng, engine_last_reset(w.eng), &err), 0);
	assert_non_null(engine_locked(w.eng, 7, NULL));
	assert_non_null(engine_locked(w.eng, 8, NULL));
	assert_int_equal(engine_acct(w.eng, 7)->realized, -12550);
	assert_int_equal(engine_acct(w.eng, 7)->fees, 280);
	assert_int_equal(engine_acct(w.eng, 7)->tc.session, 2);
	assert_non_null(engine_contract(w.eng, ES));
	/* the restored timed lockout still expires on time; the until_reset one at the reset */
	struct act_list l = tw_advance(&w, T("2026-11-24T16:00:00Z"));

	assert_int_equal(t_count(l, ACT_UNLOCK, -1), 1);
	assert_int_equal(l.v[0].account_id, 8);
	l = tw_advance(&w, T("2026-11-24T23:00:00Z"));
	assert_int_equal(t_count(l, ACT_UNLOCK, -1), 1);
	assert_int_equal(l.v[0].account_id, 7);
	store_close(st);

	/* restarting after the reset: the until_reset lockout of yesterday is gone */
	engine_free(w.eng);
	w.eng = engine_new(&w.cfg, w.zone, T("2026-11-25T15:00:00Z"));
	st = store_open(path, &err);
	assert_int_equal(store_load(st, w.eng, engine_last_reset(w.eng), &err), 0);
	assert_null(engine_locked(w.eng, 7, NULL));
	assert_int_equal(engine_acct(w.eng, 7) ? engine_acct(w.eng, 7)->realized : 0, 0);
	store_close(st);
	tw_free(&w);
}

static void test_garbage_file_refused(void **s)
{
	struct srm_err err = {0};
	char path[300], buf[64];
	const char junk[] = "this is not a database, it is a text file with some words in it....";

	(void)s;
	path_of(path, sizeof(path), "junk.db");
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (int i = 0; i < 100; i++)
		fputs(junk, f);
	fclose(f);
	assert_null(store_open(path, &err));
	assert_true(strlen(err.msg) > 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_memory_equal(buf, junk, 20); /* untouched */
}

static void test_newer_schema_refused(void **s)
{
	struct srm_err err = {0};
	char path[300];
	sqlite3 *db;

	(void)s;
	path_of(path, sizeof(path), "future.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE x(a); PRAGMA user_version=99;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(path, &err));
	assert_non_null(strstr(err.msg, "newer"));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 99);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* A version 1 file (before positions.grew_seq, orders.seen_ms, fills.srm, lockouts.flatten,
 * accounts.reset_at_ms) is migrated in place. */
static void test_migrates_version_1(void **s)
{
	struct srm_err err = {0};
	struct tworld w;
	char path[300];
	sqlite3 *db;
	sqlite3_stmt *q;
	struct store *st;

	(void)s;
	path_of(path, sizeof(path), "v1.db");
	st = store_open(path, &err);
	assert_non_null(st);
	store_close(st);
	/* make it what srmd 0.1.0 wrote: the version 1 schema, with a position in it */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "ALTER TABLE positions DROP COLUMN grew_seq;"
				      "ALTER TABLE orders DROP COLUMN seen_ms;"
				      "ALTER TABLE orders DROP COLUMN grew_seq;"
				      "ALTER TABLE fills DROP COLUMN srm;"
				      "ALTER TABLE lockouts DROP COLUMN flatten;"
				      "ALTER TABLE accounts DROP COLUMN reset_at_ms;"
				      "DROP TABLE rule_memory;"
				      "DROP TABLE pnl_points;"
				      "INSERT INTO accounts(id,name,balance,can_trade,updated_ms)"
				      " VALUES(7,'A',1000,1,1795532400000);"
				      "INSERT INTO positions(account_id,contract_id,id,qty,avg_price,opened_ms)"
				      " VALUES(7,'CON.F.US.EP.Z26',1,2,6000,1795532400000);"
				      "PRAGMA user_version=1;",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "PRAGMA user_version", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), STORE_SCHEMA_VERSION);
	sqlite3_finalize(q);
	/* the old row comes back (grew_seq 0), and the new columns are written */
	tw_init(&w, T("2026-11-24T15:01:00Z"));
	tw_std_contracts(&w, T("2026-11-24T15:01:00Z"));
	assert_int_equal(store_load_book(st, w.eng, 7, engine_last_reset(w.eng), &err), 0);
	assert_non_null(engine_acct(w.eng, 7));
	assert_non_null(acct_pos(engine_acct(w.eng, 7), ES));
	assert_int_equal(acct_pos(engine_acct(w.eng, 7), ES)->opened, T("2026-11-24T15:00:00Z"));
	tw_order(&w, T("2026-11-24T15:01:00Z"), 7, 9, ES, PX_OS_OPEN, PX_OT_STOP, PX_ASK, 2,
		 PX_NULL, 5990);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_save_account(st, w.eng, engine_acct(w.eng, 7), &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT seen_ms FROM orders WHERE id=9",
					    -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(q, 0), T("2026-11-24T15:01:00Z"));
	sqlite3_finalize(q);
	store_close(st);
	tw_free(&w);
}

static void test_unwritable_dir(void **s)
{
	struct srm_err err = {0};

	(void)s;
	assert_null(store_open("/nonexistent-dir/state.db", &err));
	assert_non_null(strstr(err.msg, "/nonexistent-dir/state.db"));
}

static bool exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* States that would silently start from nothing (and forget every lockout) are refused. */
static void test_start_from_nothing_refused(void **s)
{
	struct srm_err err = {0};
	char path[300], cmd[400];
	struct store *st;
	sqlite3 *db;
	FILE *f;

	(void)s;
	/* 0 bytes */
	path_of(path, sizeof(path), "empty.db");
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(store_open(path, &err));
	assert_non_null(strstr(err.msg, "is empty (0 bytes)"));
	assert_non_null(strstr(err.msg, "--new-state"));
	assert_true(exists(path)); /* left as it was */
	/* with --new-state it begins anew and keeps the empty file aside */
	st = store_open_flags(path, STORE_NEW_OK, &err);
	assert_non_null(st);
	store_close(st);
	snprintf(cmd, sizeof(cmd), "ls %s | grep -q 'empty.db.bad-'", dir);
	assert_int_equal(system(cmd), 0);

	/* an SQLite file without our tables */
	path_of(path, sizeof(path), "foreign.db");
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA page_size=4096; VACUUM;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	f = fopen(path, "a"); /* a header page, no schema */
	assert_non_null(f);
	for (int i = 0; i < 4096; i++)
		fputc(0, f);
	fclose(f);
	if (store_open(path, &err) == NULL)
		assert_true(strlen(err.msg) > 0);

	/* missing where srmd ran before (the state directory's lock file said so) */
	path_of(path, sizeof(path), "gone.db");
	assert_null(store_open_flags(path, STORE_USED_BEFORE, &err));
	assert_non_null(strstr(err.msg, "is missing, but srmd has run"));
	assert_false(exists(path)); /* nothing created */
	st = store_open_flags(path, STORE_USED_BEFORE | STORE_NEW_OK, &err);
	assert_non_null(st);
	store_close(st);
}

/* quick_check's complaints are rows, not errors: a damaged page is found and refused. */
static void test_damaged_file_refused(void **s)
{
	struct srm_err err = {0};
	struct tworld w;
	char path[300];
	struct store *st;
	int fd;

	(void)s;
	path_of(path, sizeof(path), "damaged.db");
	tw_init(&w, T("2026-11-24T15:00:00Z"));
	st = store_open(path, &err);
	assert_non_null(st);
	/* enough rows for several b-tree pages */
	assert_int_equal(store_begin(st, &err), 0);
	for (int i = 0; i < 400; i++)
		assert_int_equal(store_note(st, T("2026-11-24T15:00:00Z") + i, 7, "reconcile",
					    "a note long enough to fill the journal's pages quickly, row after row", &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	assert_int_equal(store_checkpoint(st, &err), 0);
	store_close(st);
	/* overwrite the cell pointers of the journal's last leaf page (the file's last page) */
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	assert_true(sb.st_size >= 4096 * 8);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	char junk[40];

	memset(junk, 0xff, sizeof(junk));
	assert_int_equal(pwrite(fd, junk, sizeof(junk), sb.st_size - 4096 + 8), (ssize_t)sizeof(junk));
	close(fd);
	assert_null(store_open(path, &err));
	assert_non_null(strstr(err.msg, "damaged"));
	tw_free(&w);
}

/* A first start that fails halfway leaves no file behind that the next start would refuse. */
static void test_failed_create_leaves_nothing(void **s)
{
	struct srm_err err = {0};
	char path[300];

	(void)s;
	path_of(path, sizeof(path), "ro-dir");
	assert_int_equal(mkdir(path, 0500), 0);
	path_of(path, sizeof(path), "ro-dir/state.db");
	if (geteuid() == 0) /* root writes anywhere: nothing to show here */
		return;
	assert_null(store_open(path, &err));
	assert_false(exists(path));
}

/* State rows are checked like gateway input: out of range is skipped, a lockout fails closed. */
static void test_rows_out_of_range(void **s)
{
	struct srm_err err = {0};
	struct tworld w;
	char path[300];
	struct store *st;
	const struct lockout *l;
	size_t i = 0;

	(void)s;
	path_of(path, sizeof(path), "ranges.db");
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(sqlite3_exec(store_db(st),
		"INSERT INTO lockouts(account_id,symbol,rule,until_kind,since_ms,until_ms,reason,flatten)"
		" VALUES(7,'',99,7,-5,9223372036854775807,'garbage',1);"
		"INSERT INTO lockouts(account_id,symbol,rule,until_kind,since_ms,until_ms,reason,flatten)"
		" VALUES(-3,'',0,3,1795532400000,0,'no account',0);"
		"INSERT INTO fills(id,account_id,contract_id,at_ms,pnl_cents,fees_cents,closing,voided)"
		" VALUES(1,7,'CON.F.US.EP.Z26',1795532460000,9000000000000000000,0,1,0);"
		"INSERT INTO fills(id,account_id,contract_id,at_ms,pnl_cents,fees_cents,closing,voided)"
		" VALUES(2,7,'CON.F.US.EP.Z26',1795532460000,-12550,140,1,0);"
		"INSERT INTO contracts(id,name,description,tick_size,tick_value,active,symbol_id)"
		" VALUES('CON.F.US.MNQ.Z26','MNQZ6','',1e-320,0.5,1,'');",
		NULL, NULL, NULL), SQLITE_OK);
	tw_init(&w, T("2026-11-24T15:02:00Z"));
	assert_int_equal(store_load(st, w.eng, engine_last_reset(w.eng), &err), 0);
	assert_int_equal(store_bad_rows(st, NULL, 0), 4);
	/* the garbled lockout is kept, as a permanent admin one */
	l = engine_lockout_next(w.eng, &i);
	assert_non_null(l);
	assert_int_equal(l->account_id, 7);
	assert_int_equal(l->rule, -1);
	assert_int_equal(l->until, UNTIL_PERMANENT);
	assert_non_null(engine_locked(w.eng, 7, NULL));
	assert_null(engine_lockout_next(w.eng, &i));
	/* the absurd fill is not counted, the sane one is */
	assert_int_equal(engine_acct(w.eng, 7)->realized, -12550);
	/* the contract with an absurd tick size is not trusted */
	assert_null(engine_contract(w.eng, "CON.F.US.MNQ.Z26"));
	store_close(st);
	tw_free(&w);
}

struct pnl_seen {
	size_t n;
	struct pnl_row last;
	int64_t accounts[4];
	size_t per[4];
};

static void pnl_seen_row(const struct pnl_row *r, void *ud)
{
	struct pnl_seen *p = ud;
	size_t k;

	for (k = 0; k < 4 && p->accounts[k] != 0 && p->accounts[k] != r->account_id; k++)
		;
	assert_true(k < 4);
	p->accounts[k] = r->account_id;
	p->per[k]++;
	p->n++;
	p->last = *r;
}

/*
 * The dashboard's P&L series: written in one transaction, read back by day (account, then
 * time) across a reopen, in cents; capped per account and day; other days pruned; absurd
 * values neither written nor read.
 */
static void test_pnl_series(void **s)
{
	struct srm_err err = {0};
	char path[300];
	struct store *st;
	srm_ms day = T("2026-11-23T23:00:00Z"), prev = day - 86400000LL, t;
	struct pnl_row rows[3] = {
		{ .account_id = 8, .t_ms = day + 1000, .realized = -12.5, .total = -40.25 },
		{ .account_id = 7, .t_ms = day + 2000, .realized = 100.004, .total = 99.996 },
		{ .account_id = 7, .t_ms = day + 1000, .realized = 0, .total = -1 },
	};
	struct pnl_row bad = { .account_id = 7, .t_ms = day + 3000, .realized = NAN, .total = 0 };
	struct pnl_seen seen = {0};
	size_t w = 0;
	sqlite3 *db;

	(void)s;
	path_of(path, sizeof(path), "pnl.db");
	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_begin(st, &err), 0);
	assert_int_equal(store_pnl_append(st, day, rows, 3, &w, &err), 0);
	assert_int_equal(w, 3);
	assert_int_equal(store_pnl_append(st, day, &bad, 1, &w, &err), 0);
	assert_int_equal(w, 0);
	assert_int_equal(store_pnl_append(st, prev, rows, 1, &w, &err), 0);
	assert_int_equal(store_commit(st, &err), 0);
	store_close(st);

	st = store_open(path, &err);
	assert_non_null(st);
	assert_int_equal(store_pnl_day(st, day, pnl_seen_row, &seen, &err), 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.accounts[0], 7); /* by account, then time */
	assert_int_equal(seen.per[0], 2);
	assert_int_equal(seen.accounts[1], 8);
	assert_int_equal(seen.last.t_ms, day + 1000);
	assert_true(seen.last.realized == -12.5 && seen.last.total == -40.25);

	/* the cap per account and day: one more is not written, another account's still is */
	assert_int_equal(store_begin(st, &err), 0);
	for (t = 0, w = 0; t < STORE_PNL_DAY_MAX + 5; t++) {
		struct pnl_row r = { .account_id = 7, .t_ms = day + 10000 + t, .realized = 1, .total = 2 };
		size_t one;

		assert_int_equal(store_pnl_append(st, day, &r, 1, &one, &err), 0);
		w += one;
	}
	assert_int_equal(w, STORE_PNL_DAY_MAX - 2);
	assert_int_equal(store_pnl_append(st, day, rows, 1, &w, &err), 0); /* account 8: replaced */
	assert_int_equal(w, 1);
	assert_int_equal(store_commit(st, &err), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_pnl_day(st, day, pnl_seen_row, &seen, &err), 0);
	assert_int_equal(seen.per[0], STORE_PNL_DAY_MAX);

	/* days before the cut go, the day itself stays */
	assert_int_equal(store_pnl_prune(st, day, &err), 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_pnl_day(st, prev, pnl_seen_row, &seen, &err), 0);
	assert_int_equal(seen.n, 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_pnl_day(st, day, pnl_seen_row, &seen, &err), 0);
	assert_int_equal(seen.n, STORE_PNL_DAY_MAX + 1);
	store_close(st);

	/* a row out of range in the file (a hand edit, a bug) is skipped and counted */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "INSERT INTO pnl_points VALUES(1795474800000,9,1795474801000,"
				      "9223372036854775807,0);"
				      "INSERT INTO pnl_points VALUES(1795474800000,9,1,0,0);",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(path, &err);
	assert_non_null(st);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(store_pnl_day(st, day, pnl_seen_row, &seen, &err), 2);
	assert_int_equal(seen.n, STORE_PNL_DAY_MAX + 1);
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_garbage_file_refused),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_migrates_version_1),
		cmocka_unit_test(test_unwritable_dir),
		cmocka_unit_test(test_start_from_nothing_refused),
		cmocka_unit_test(test_damaged_file_refused),
		cmocka_unit_test(test_failed_create_leaves_nothing),
		cmocka_unit_test(test_rows_out_of_range),
		cmocka_unit_test(test_enforcements_window),
		cmocka_unit_test(test_pnl_series),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
