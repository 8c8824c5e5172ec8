/* test_store_faults.c: the state file under SQLite I/O errors (the fault VFS): failures reported, nothing committed lost, the file intact. */
#include "helpers.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/faultvfs.h"
#include "store/store.h"

static char dir[256];
static int db_seq;

static int setup(void **s)
{
	(void)s;
	/* tmpfs when there is one: hundreds of files are created and synced */
	snprintf(dir, sizeof(dir), "/dev/shm/srm-test-faults-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/srm-test-faults-XXXXXX");
		if (mkdtemp(dir) == NULL)
			return -1;
	}
	/* store_open() passes no VFS name: the shim must be the default (disarmed it forwards) */
	return faultvfs_register_default() == SQLITE_OK ? 0 : -1;
}

static int teardown(void **s)
{
	char cmd[300];

	(void)s;
	faultvfs_unregister();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Arm from a spec (every other arm is dropped); the spec must be good. */
static void arm(const char *spec)
{
	struct srm_err err = {0};

	if (faultvfs_arm_spec(spec, &err) != 0)
		fail_msg("%s", err.msg);
}

/* A fresh database path for each case. */
static void new_path(char *out, size_t cap)
{
	snprintf(out, cap, "%s/state-%d.db", dir, ++db_seq);
}

/* What a run of turns left: which turns committed, and what happened. */
struct ledger {
	bool ran[64];       /* a restart that failed to open skips its turn */
	bool committed[64];
	long rows[64];      /* journal rows each turn wrote: its actions and the note */
	int failed_turns;
	int failed_steps;   /* checkpoints and opens that failed */
	int reported_but_saved; /* commit said -1, yet the rows are there after a reopen */
};

static srm_ms t0(void)
{
	return T("2026-11-24T15:00:00Z");
}

/*
 * One loop turn as srmd's persist_and_execute does it: a losing fill on account 100 + k and
 * an admin lockout of it (real records and actions from the engine), a reconcile note long
 * enough to span pages; the fill, the journal rows, the lockouts; commit, or roll back what
 * was begun. About 20 writes to the WAL. 0 or -1 + err.
 */
static int turn(struct store *st, struct tworld *w, int k, long *rows, struct srm_err *err)
{
	char reason[64], note[8000];
	const struct fill_rec *f;
	struct fill_rec fill;
	struct act_list l;
	srm_ms now = t0() + k * 1000;

	snprintf(reason, sizeof(reason), "turn-%03d", k);
	memset(note, 'x', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	memcpy(note, reason, strlen(reason));
	tw_trade(w, now, 100 + k, 5000 + k, ES, PX_ASK, 1, 6000, -50, 1.4, false);
	f = engine_fill(w->eng, 5000 + k);
	assert_non_null(f);
	fill = *f;
	l = t_admin_lockout(w->eng, 100 + k, UNTIL_TIME, now + 3600 * 1000, reason, now);
	assert_true(l.n >= 1);
	if (rows != NULL)
		*rows = (long)l.n + 1;
	memset(err, 0, sizeof(*err));
	if (store_begin(st, err) != 0)
		return -1;
	if (store_save_fill(st, 100 + k, ES, &fill, err) != 0)
		goto rollback;
	for (size_t i = 0; i < l.n; i++)
		if (store_journal(st, &l.v[i], err) < 0)
			goto rollback;
	if (store_note(st, now, 100 + k, "reconcile", note, err) != 0)
		goto rollback;
	if (store_save_lockouts(st, w->eng, err) != 0)
		goto rollback;
	return store_commit(st, err);
rollback:
	store_rollback(st);
	return -1;
}

/* Run a turn and check how it reports: 0, or -1 with a message (never a crash). */
static void turn_checked(struct store *st, struct tworld *w, int k, struct ledger *lg)
{
	struct srm_err err;
	int rc;

	assert_in_range(k, 1, 63);
	lg->ran[k] = true;
	rc = turn(st, w, k, &lg->rows[k], &err);
	if (rc == 0) {
		lg->committed[k] = true;
		return;
	}
	assert_int_equal(rc, -1);
	assert_true(strlen(err.msg) > 0);
	lg->failed_turns++;
}

static long count_rows(sqlite3 *db, const char *sql, const char *arg)
{
	sqlite3_stmt *q = NULL;
	long n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	if (arg != NULL)
		sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

static void assert_integrity(struct store *st)
{
	sqlite3_stmt *q = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "PRAGMA integrity_check", -1, &q, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
	assert_int_equal(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
}

/*
 * Reopen (disarmed) and check the file: integrity ok; every committed turn's rows all there,
 * a failed turn's rows all there or none (a transaction is atomic; "there" is counted as
 * reported-but-saved); the lockouts table is the engine's set (the last turn committed it).
 */
static void verify(const char *path, struct tworld *w, struct ledger *lg, int last_turn)
{
	struct srm_err err = {0};
	struct store *st = store_open(path, &err);
	char tag[16];
	long n_locks = 0;
	size_t i = 0;

	if (st == NULL)
		fail_msg("reopen after the faults: %s", err.msg);
	assert_integrity(st);
	for (int k = 1; k <= last_turn; k++) {
		long n;

		if (!lg->ran[k])
			continue;
		snprintf(tag, sizeof(tag), "turn-%03d", k);
		n = count_rows(store_db(st), "SELECT count(*) FROM journal WHERE substr(reason,1,8)=?",
			       tag);
		if (lg->committed[k] && n != lg->rows[k])
			fail_msg("%s committed (store said 0) but %ld of its %ld journal rows are there",
				 tag, n, lg->rows[k]);
		if (!lg->committed[k] && n != 0 && n != lg->rows[k])
			fail_msg("%s failed but %ld of its %ld journal rows are there (not atomic)", tag,
				 n, lg->rows[k]);
		if (!lg->committed[k] && n == lg->rows[k])
			lg->reported_but_saved++;
		/* the fill goes with its turn's journal rows */
		snprintf(tag, sizeof(tag), "%d", 5000 + k);
		assert_int_equal(count_rows(store_db(st),
					    "SELECT count(*) FROM fills WHERE id=CAST(? AS INTEGER)", tag),
				 n == 0 ? 0 : 1);
	}
	while (engine_lockout_next(w->eng, &i) != NULL)
		n_locks++;
	assert_int_equal(count_rows(store_db(st), "SELECT count(*) FROM lockouts", NULL), n_locks);
	for (int k = 1; k <= last_turn; k++) {
		char acct[16];

		if (!lg->ran[k])
			continue;
		snprintf(acct, sizeof(acct), "%d", 100 + k);
		assert_int_equal(count_rows(store_db(st),
					    "SELECT count(*) FROM lockouts WHERE account_id=CAST(? AS INTEGER)",
					    acct),
				 1);
	}
	store_close(st);
}

/* The checkpoint and reopen of a shutdown and a start, run under the fault. */
static struct store *restart_checked(struct store *st, const char *path, struct ledger *lg)
{
	struct srm_err err = {0};

	if (store_checkpoint(st, &err) != 0) {
		assert_true(strlen(err.msg) > 0);
		lg->failed_steps++;
	}
	store_close(st);
	memset(&err, 0, sizeof(err));
	st = store_open(path, &err);
	if (st == NULL) {
		assert_true(strlen(err.msg) > 0);
		lg->failed_steps++;
	}
	return st;
}

/*
 * One case: a committed turn, then under the fault a turn, a checkpoint, a close and an
 * open, a turn; after disarming, the same connection's next turn succeeds, and so does one
 * after a reopen; the file is intact and nothing committed is missing.
 */
static void fault_case_spec(const char *spec)
{
	struct tworld w;
	struct ledger lg = {0};
	char path[300];
	struct store *st;
	struct srm_err err = {0};
	long fails;

	new_path(path, sizeof(path));
	tw_init(&w, t0());
	tw_std_contracts(&w, t0());
	st = store_open(path, &err);
	if (st == NULL)
		fail_msg("open: %s", err.msg);
	turn_checked(st, &w, 1, &lg);
	assert_true(lg.committed[1]);

	/* a fault inside a loop turn on the open connection; the next turn must work again */
	fails = faultvfs_failures();
	arm(spec);
	turn_checked(st, &w, 2, &lg);
	faultvfs_disarm();
	long w3 = faultvfs_calls(FAULTVFS_WRITE), r3 = faultvfs_calls(FAULTVFS_READ);

	turn_checked(st, &w, 3, &lg);
	w3 = faultvfs_calls(FAULTVFS_WRITE) - w3;
	r3 = faultvfs_calls(FAULTVFS_READ) - r3;
	if (!lg.committed[3])
		fail_msg("%s: the turn after the fault failed (%d turns failed)", spec,
			 lg.failed_turns);

	/* the same fault across a shutdown's checkpoint, a restart's open and its first turn */
	arm(spec);
	st = restart_checked(st, path, &lg);
	if (st != NULL)
		turn_checked(st, &w, 4, &lg);
	faultvfs_disarm();
	if (st == NULL) {
		st = store_open(path, &err);
		if (st == NULL)
			fail_msg("%s: open after disarming: %s", spec, err.msg);
	}
	turn_checked(st, &w, 5, &lg);
	if (!lg.committed[5])
		fail_msg("%s: the turn after a faulted restart failed", spec);
	store_close(st);
	verify(path, &w, &lg, 5);
	print_message("  %-32s: %ld faults, %d turns failed, %d steps failed, "
		      "%d reported failed but saved (a turn: %ld writes, %ld reads)\n",
		      spec, faultvfs_failures() - fails, lg.failed_turns,
		      lg.failed_steps, lg.reported_but_saved, w3, r3);
	tw_free(&w);
}

static void fault_case(enum faultvfs_op op, long nth, long count)
{
	char spec[64];

	snprintf(spec, sizeof(spec), "%s:%ld:%ld", faultvfs_op_name(op), nth, count);
	fault_case_spec(spec);
}

static const long nths[] = {1, 2, 5, 20};

static void run_op(enum faultvfs_op op)
{
	for (size_t i = 0; i < sizeof(nths) / sizeof(nths[0]); i++) {
		fault_case(op, nths[i], 1);
		fault_case(op, nths[i], 3);
		fault_case(op, nths[i], -1);
	}
}

static const enum faultvfs_op op_read = FAULTVFS_READ, op_write = FAULTVFS_WRITE,
			     op_sync = FAULTVFS_SYNC;

/* The operation comes as the test's initial state (test_fault_read, _write, _sync in main). */
static void test_fault_op(void **s)
{
	run_op(*(const enum faultvfs_op *)*s);
}

static void test_fault_other_ops(void **s)
{
	static const enum faultvfs_op ops[] = {
		FAULTVFS_TRUNCATE, FAULTVFS_FILESIZE, FAULTVFS_LOCK, FAULTVFS_SHMMAP, FAULTVFS_OPEN,
	};

	(void)s;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		run_op(ops[i]);
}

/* Several operations at once, as SRM_FAULT_VFS can arm them (a failed write drops the cache: reads follow). */
static void test_fault_combined(void **s)
{
	static const char *const specs[] = {
		"write:3:1,read:1:2",
		"write:1:1,read:1:-1",
		"write:15:2,shmmap:1:1",
		"read:1:1,write:10:1,sync:1:1",
		"lock:1:2,write:5:1",
		"write:7:-1,filesize:2:1,err=full",
		"sync:1:-1,truncate:1:-1,read:3:1:nomem",
		"lock:1:1:busy,write:2:1",
	};

	(void)s;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		fault_case_spec(specs[i]);
}

/* A full disk (SQLITE_FULL on writes) rather than an I/O error. */
static void test_fault_disk_full(void **s)
{
	struct srm_err err = {0};

	(void)s;
	assert_int_equal(faultvfs_arm_spec("write:1:-1,err=full", &err), 0);
	faultvfs_disarm();
	for (size_t i = 0; i < sizeof(nths) / sizeof(nths[0]); i++) {
		struct tworld w;
		struct ledger lg = {0};
		char path[300];
		struct store *st;

		new_path(path, sizeof(path));
		tw_init(&w, t0());
	tw_std_contracts(&w, t0());
		st = store_open(path, &err);
		assert_non_null(st);
		turn_checked(st, &w, 1, &lg);
		faultvfs_arm_rc(FAULTVFS_WRITE, nths[i], -1, SQLITE_FULL);
		turn_checked(st, &w, 2, &lg);
		turn_checked(st, &w, 3, &lg);
		faultvfs_disarm();
		turn_checked(st, &w, 4, &lg);
		assert_true(lg.committed[4]);
		store_close(st);
		verify(path, &w, &lg, 4);
		tw_free(&w);
	}
}

/* Remove a state file and its -wal/-shm/-journal (what --new-state amounts to, for a test). */
static void remove_state(const char *path)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	char p[320];

	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

/*
 * SQLite's I/O-error test style: fail the Nth call of op (once, or from then on) for N = 1,
 * 2, ... over a whole life of the file (open, three turns, checkpoint, close, open, turn)
 * until a run sees no fault; each run must report its failures, keep the file intact and
 * lose nothing, and the next start and turn must work. fresh: the life starts by creating
 * the file (srmd's first start), else from a file a clean start created. Returns the number
 * of first starts whose failure left a file the next start refused (see loop_first_start).
 */
static int loop_op(enum faultvfs_op op, long count, bool fresh)
{
	long n, max_n = 2000;
	int refused = 0;

	for (n = 1; n <= max_n; n++) {
		struct tworld w;
		struct ledger lg = {0};
		char path[300];
		struct store *st;
		struct srm_err err = {0};
		long before;
		bool clean, first_failed = false;
		int k = 0;

		new_path(path, sizeof(path));
		tw_init(&w, t0());
		tw_std_contracts(&w, t0());
		if (!fresh) {
			st = store_open(path, &err);
			if (st == NULL)
				fail_msg("clean first start: %s", err.msg);
			store_close(st);
		}
		before = faultvfs_failures();
		faultvfs_arm(op, n, count);
		st = store_open(path, &err);
		if (st == NULL) {
			assert_true(strlen(err.msg) > 0);
			first_failed = true;
		} else {
			for (k = 1; k <= 3; k++)
				turn_checked(st, &w, k, &lg);
			st = restart_checked(st, path, &lg);
			if (st != NULL) {
				turn_checked(st, &w, k++, &lg);
				store_close(st);
			}
		}
		faultvfs_disarm();
		clean = faultvfs_failures() == before;
		if (clean) {
			/* nothing failed: every step must have worked */
			assert_int_equal(lg.failed_turns, 0);
			assert_int_equal(lg.failed_steps, 0);
			assert_true(k == 5);
		}
		/* after the faults, the next start and turn work */
		memset(&err, 0, sizeof(err));
		st = store_open(path, &err);
		if (st == NULL && fresh && first_failed) {
			/*
			 * The first start failed half way: the next may refuse the file it left
			 * (empty, or SQLite without our tables) rather than start from nothing; it
			 * must say so and leave the file where it is.
			 */
			if (strstr(err.msg, path) == NULL)
				fail_msg("%s:%ld:%ld: refused without naming the file: %s",
					 faultvfs_op_name(op), n, count, err.msg);
			assert_int_equal(access(path, F_OK), 0);
			refused++;
			remove_state(path);
			st = store_open(path, &err);
		}
		if (st == NULL)
			fail_msg("%s:%ld:%ld: open after disarming: %s", faultvfs_op_name(op), n, count,
				 err.msg);
		if (k == 0)
			k = 1;
		turn_checked(st, &w, k, &lg);
		if (!lg.committed[k])
			fail_msg("%s:%ld:%ld: the turn after the faults failed", faultvfs_op_name(op), n,
				 count);
		store_close(st);
		verify(path, &w, &lg, k);
		tw_free(&w);
		remove_state(path);
		if (clean)
			break;
	}
	print_message("  loop %-8s count=%-2ld %-8s: a whole life has %ld calls; %d failed first "
		      "starts left a file the next start refused\n",
		      faultvfs_op_name(op), count, fresh ? "fresh" : "existing", n - 1, refused);
	assert_true(n <= max_n);
	assert_true(n > 1);
	return refused;
}

static void test_loop_write(void **s)
{
	(void)s;
	loop_op(FAULTVFS_WRITE, 1, false);
	loop_op(FAULTVFS_WRITE, -1, false);
	loop_op(FAULTVFS_WRITE, 1, true);
	loop_op(FAULTVFS_WRITE, -1, true);
}

static void test_loop_other_ops(void **s)
{
	static const enum faultvfs_op ops[] = {
		FAULTVFS_READ, FAULTVFS_SYNC, FAULTVFS_TRUNCATE, FAULTVFS_FILESIZE,
		FAULTVFS_LOCK, FAULTVFS_SHMMAP, FAULTVFS_OPEN,
	};

	(void)s;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		loop_op(ops[i], 1, false);
		loop_op(ops[i], -1, false);
		loop_op(ops[i], 1, true);
		loop_op(ops[i], -1, true);
	}
}

/* The shim itself: nth/count counted exactly, the io_methods version kept, WAL through it. */
static void test_shim_counts(void **s)
{
	char path[300], *vfsname = NULL, buf[16] = "0123456789abcde";
	sqlite3 *db = NULL;
	sqlite3_file *f = NULL;
	sqlite3_stmt *q = NULL;
	int rcs[6];

	(void)s;
	new_path(path, sizeof(path));
	assert_int_equal(faultvfs_register(), SQLITE_OK); /* idempotent, stays the default */
	assert_ptr_equal(sqlite3_vfs_find(NULL), sqlite3_vfs_find(FAULTVFS_NAME));
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
					 FAULTVFS_NAME),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a); INSERT INTO t VALUES(1);", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_file_control(db, "main", SQLITE_FCNTL_VFSNAME, &vfsname), SQLITE_OK);
	assert_non_null(vfsname);
	assert_non_null(strstr(vfsname, FAULTVFS_NAME "/"));
	sqlite3_free(vfsname);
	assert_int_equal(sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f), SQLITE_OK);
	assert_non_null(f);
	assert_true(f->pMethods->iVersion >= 2); /* xShm* there: WAL works */
	assert_true(faultvfs_calls(FAULTVFS_SHMMAP) > 0);

	/* calls 3 and 4 from the arm fail, 1, 2, 5 and 6 go through */
	long w0 = faultvfs_calls(FAULTVFS_WRITE), f0 = faultvfs_failures();

	faultvfs_arm(FAULTVFS_WRITE, 3, 2);
	for (int i = 0; i < 6; i++)
		rcs[i] = f->pMethods->xWrite(f, buf, (int)sizeof(buf), 1 << 20);
	assert_int_equal(rcs[0], SQLITE_OK);
	assert_int_equal(rcs[1], SQLITE_OK);
	assert_int_equal(rcs[2], SQLITE_IOERR_WRITE);
	assert_int_equal(rcs[3], SQLITE_IOERR_WRITE);
	assert_int_equal(rcs[4], SQLITE_OK);
	assert_int_equal(rcs[5], SQLITE_OK);
	assert_int_equal(faultvfs_calls(FAULTVFS_WRITE) - w0, 6);
	assert_int_equal(faultvfs_failures() - f0, 2);

	/* forever until disarmed, with the arm's own code */
	faultvfs_arm_rc(FAULTVFS_SYNC, 1, -1, SQLITE_FULL);
	for (int i = 0; i < 5; i++)
		assert_int_equal(f->pMethods->xSync(f, SQLITE_SYNC_NORMAL), SQLITE_FULL);
	faultvfs_disarm();
	assert_int_equal(f->pMethods->xSync(f, SQLITE_SYNC_NORMAL), SQLITE_OK);
	/* a fault on the -wal file: the statement fails, the connection goes on */
	faultvfs_arm(FAULTVFS_WRITE, 1, 1);
	assert_int_not_equal(sqlite3_exec(db, "INSERT INTO t VALUES(2)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_extended_errcode(db), SQLITE_IOERR_WRITE);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO t VALUES(3)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM t", NULL), 2);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);

	faultvfs_reset();
	assert_int_equal(faultvfs_calls(FAULTVFS_WRITE), 0);
	assert_int_equal(faultvfs_failures(), 0);
}

/* Specs from SRM_FAULT_VFS: good ones arm, bad ones say what is wrong and arm nothing. */
static void test_spec(void **s)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{"", "empty"},
		{"write", "expected OP:NTH"},
		{"write:", "NTH"},
		{"write:0", "NTH: expected an integer from 1"},
		{"write:x", "got \"x\""},
		{"write:5x", "got \"5x\""},
		{"write:99999999999999999999", "NTH"},
		{"write:1:0", "COUNT: expected -1"},
		{"write:1:-2", "COUNT"},
		{"write:1:1:oops", "ERR: expected ioerr"},
		{"write:1:1:full:9", "expected OP:NTH"},
		{"wrte:5", "unknown operation \"wrte\""},
		{"write:1,,sync:1", "item 2: empty"},
		{"write:1,", "item 2: empty"},
		{"write:1,write:2", "armed twice"},
		{"err=full", "no operation"},
		{"write:1,err=full,err=nomem", "err= given twice"},
		{"write:1,err=bogus", "expected err=ioerr"},
	};
	struct srm_err err;
	char longspec[FAULTVFS_SPEC_MAX + 8];
	long f0;

	(void)s;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(faultvfs_arm_spec(bad[i].spec, &err), -1);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("spec \"%s\": expected \"%s\" in \"%s\"", bad[i].spec, bad[i].msg,
				 err.msg);
	}
	memset(longspec, '1', sizeof(longspec) - 1);
	longspec[sizeof(longspec) - 1] = '\0';
	memcpy(longspec, "write:", 6);
	assert_int_equal(faultvfs_arm_spec(longspec, &err), -1);
	assert_non_null(strstr(err.msg, "longer than"));

	/* a good spec is taken (no reads happen here: the next read would fail SQLITE_BUSY) */
	assert_int_equal(faultvfs_arm_spec("write:5:3,sync:2:-1,read:1:1:busy,err=full", &err), 0);
	assert_int_equal(faultvfs_arm_spec("write:bad", &err), -1);

	struct tworld w;
	struct ledger lg = {0};
	char path[300];
	struct store *st;

	/* env: unset is nothing; set arms (here: every write fails, SQLITE_FULL) */
	unsetenv(FAULTVFS_ENV);
	faultvfs_disarm();
	assert_int_equal(faultvfs_arm_from_env(FAULTVFS_ENV, &err), 0);
	setenv(FAULTVFS_ENV, "writ:1", 1);
	assert_int_equal(faultvfs_arm_from_env(FAULTVFS_ENV, &err), -1);
	assert_non_null(strstr(err.msg, FAULTVFS_ENV ": fault spec item 1"));
	new_path(path, sizeof(path));
	tw_init(&w, t0());
	tw_std_contracts(&w, t0());
	st = store_open(path, &err);
	assert_non_null(st);
	setenv(FAULTVFS_ENV, "write:1:-1,err=full", 1);
	assert_int_equal(faultvfs_arm_from_env(FAULTVFS_ENV, &err), 0);
	unsetenv(FAULTVFS_ENV);
	f0 = faultvfs_failures();
	memset(&err, 0, sizeof(err));
	assert_int_equal(turn(st, &w, 1, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "full"));
	assert_true(faultvfs_failures() > f0);
	faultvfs_disarm();
	turn_checked(st, &w, 2, &lg);
	assert_true(lg.committed[2]);
	store_close(st);
	tw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shim_counts),
		cmocka_unit_test(test_spec),
		{"test_fault_read", test_fault_op, NULL, NULL, (void *)&op_read},
		{"test_fault_write", test_fault_op, NULL, NULL, (void *)&op_write},
		{"test_fault_sync", test_fault_op, NULL, NULL, (void *)&op_sync},
		cmocka_unit_test(test_fault_other_ops),
		cmocka_unit_test(test_fault_combined),
		cmocka_unit_test(test_fault_disk_full),
		cmocka_unit_test(test_loop_write),
		cmocka_unit_test(test_loop_other_ops),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
