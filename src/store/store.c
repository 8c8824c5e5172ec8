/* store.c: srmd's SQLite state file: schema, migrations, durable writes, the journal, restore. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/strutil.h"
#include "util/xalloc.h"
#include "engine/rule.h"

/* Statements prepared once and kept (the journal write is on the enforcement path). */
#define STMT_CACHE 64

struct store {
	sqlite3 *db;
	char *path;
	struct {
		const char *sql;            /* the statement's text (a string literal of this file) */
		sqlite3_stmt *s;
	} cache[STMT_CACHE];
	size_t n_cache;
	size_t bad_rows;            /* rows out of range found by the last load */
	char bad_first[160];        /* what the first of them was */
};

/* Migration N takes a version N-1 file to version N. Append only; never edit a shipped one. */
static const char *const migrations[] = {
	/* 1 */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE accounts(id INTEGER PRIMARY KEY, name TEXT NOT NULL, balance REAL,"
	"  can_trade INTEGER NOT NULL, realized_cents INTEGER NOT NULL DEFAULT 0,"
	"  fees_cents INTEGER NOT NULL DEFAULT 0, trades_session INTEGER NOT NULL DEFAULT 0,"
	"  updated_ms INTEGER NOT NULL);"
	"CREATE TABLE positions(account_id INTEGER NOT NULL, contract_id TEXT NOT NULL,"
	"  id INTEGER, qty INTEGER NOT NULL, avg_price REAL NOT NULL, opened_ms INTEGER,"
	"  PRIMARY KEY(account_id, contract_id));"
	"CREATE TABLE orders(id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,"
	"  contract_id TEXT NOT NULL, status INTEGER, type INTEGER, side INTEGER, size INTEGER,"
	"  limit_price REAL, stop_price REAL);"
	"CREATE TABLE fills(id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,"
	"  contract_id TEXT, at_ms INTEGER NOT NULL, pnl_cents INTEGER NOT NULL,"
	"  fees_cents INTEGER NOT NULL, closing INTEGER NOT NULL, voided INTEGER NOT NULL);"
	"CREATE INDEX fills_at ON fills(at_ms);"
	"CREATE TABLE daily_pnl(account_id INTEGER NOT NULL, day_start_ms INTEGER NOT NULL,"
	"  realized_cents INTEGER NOT NULL, fees_cents INTEGER NOT NULL, trades INTEGER NOT NULL,"
	"  PRIMARY KEY(account_id, day_start_ms));"
	"CREATE TABLE lockouts(account_id INTEGER NOT NULL, symbol TEXT NOT NULL, rule INTEGER NOT NULL,"
	"  until_kind INTEGER NOT NULL, since_ms INTEGER NOT NULL, until_ms INTEGER NOT NULL,"
	"  reason TEXT NOT NULL);"
	"CREATE TABLE contracts(id TEXT PRIMARY KEY, name TEXT NOT NULL, description TEXT,"
	"  tick_size REAL NOT NULL, tick_value REAL NOT NULL, active INTEGER, symbol_id TEXT);"
	"CREATE TABLE journal(id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER NOT NULL,"
	"  account_id INTEGER, rule TEXT, action TEXT NOT NULL, contract_id TEXT, order_id INTEGER,"
	"  size INTEGER, until TEXT, reason TEXT, dry_run INTEGER NOT NULL DEFAULT 0,"
	"  sent_ms INTEGER, outcome TEXT, latency_us INTEGER);"
	"CREATE INDEX journal_ts ON journal(ts_ms);"
	"CREATE TABLE audit(id INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER NOT NULL,"
	"  uid INTEGER, what TEXT NOT NULL, ok INTEGER NOT NULL);",
	/*
	 * 2: what a restart needs to put the book back as it was (positions, working orders),
	 * which fills answered SRM's own closes, and which lockouts keep their scope flat
	 */
	"ALTER TABLE positions ADD COLUMN grew_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE orders ADD COLUMN seen_ms INTEGER;"
	"ALTER TABLE fills ADD COLUMN srm INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE lockouts ADD COLUMN flatten INTEGER NOT NULL DEFAULT 0;",
	/* 3: an admin's reset of an account today (the fills before it are not today's) */
	"ALTER TABLE accounts ADD COLUMN reset_at_ms INTEGER NOT NULL DEFAULT 0;",
	/* 4: what a rule keeps of an account across restarts (RULE-013's trailing floor) */
	"CREATE TABLE rule_memory(account_id INTEGER NOT NULL, rule TEXT NOT NULL, version INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(account_id, rule));",
	/* 5: which working order grew last (a modify, a bracket leg activated), as for positions */
	"ALTER TABLE orders ADD COLUMN grew_seq INTEGER NOT NULL DEFAULT 0;",
	/* 6: the dashboard's P&L series of the day, so that a restart keeps the chart's morning */
	"CREATE TABLE pnl_points(day_start_ms INTEGER NOT NULL, account_id INTEGER NOT NULL,"
	"  t_ms INTEGER NOT NULL, realized_cents INTEGER NOT NULL, total_cents INTEGER NOT NULL,"
	"  PRIMARY KEY(day_start_ms, account_id, t_ms)) WITHOUT ROWID;",
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
_Static_assert(N_MIGRATIONS == STORE_SCHEMA_VERSION, "STORE_SCHEMA_VERSION is the last migration");

static int db_err(struct store *st, struct srm_err *err, const char *what)
{
	return srm_err_set(err, SRM_EIO, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static int exec(struct store *st, const char *sql, struct srm_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		srm_err_set(err, SRM_EIO, "%s: %s", st->path, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int user_version(struct store *st, int *v, struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "not a readable SQLite database");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_err(st, err, "not a readable SQLite database");
	}
	*v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int migrate(struct store *st, struct srm_err *err)
{
	int v = 0;

	if (user_version(st, &v, err) != 0)
		return -1;
	if (v > N_MIGRATIONS)
		return srm_err_set(err, SRM_EINVAL,
				   "%s: schema version %d is newer than this srmd knows (%d); refusing to touch it",
				   st->path, v, N_MIGRATIONS);
	for (; v < N_MIGRATIONS; v++) {
		char pragma[64];

		if (exec(st, "BEGIN IMMEDIATE", err) != 0)
			return -1;
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
		if (exec(st, migrations[v], err) != 0 || exec(st, pragma, err) != 0) {
			exec(st, "ROLLBACK", NULL);
			return -1;
		}
		if (exec(st, "COMMIT", err) != 0)
			return -1;
	}
	return 0;
}

/*
 * PRAGMA quick_check answers with rows: "ok", or one row per problem found. Anything but a
 * single "ok" is a damaged file, refused untouched.
 */
static int quick_check(struct store *st, struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	char first[200] = "";
	int rows = 0;

	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "not a readable SQLite database");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		if (rows++ == 0)
			strlcpy_s(first, t ? (const char *)t : "", sizeof(first));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "not a readable SQLite database");
	if (rows != 1 || strcmp(first, "ok") != 0)
		return srm_err_set(err, SRM_EINVAL, "%s is damaged (quick_check: %s%s); refusing to touch "
				   "it: restore it from a copy, or start with --new-state to begin anew",
				   st->path, first, rows > 1 ? ", ..." : "");
	return 0;
}

/* Does the file hold no SQLite schema at all (0 bytes, or a database with no tables)? */
static bool no_schema(struct store *st)
{
	sqlite3_stmt *s = NULL;
	bool none = false;

	if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM sqlite_master", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		none = sqlite3_column_int(s, 0) == 0;
	sqlite3_finalize(s);
	return none;
}

/* Keep what is at path as path.bad-SECONDS (with its -wal and -shm): nothing is deleted. */
static int set_aside(const char *path, struct srm_err *err)
{
	char to[4200];
	long t = (long)time(NULL);
	static const char *const sfx[] = {"", "-wal", "-shm"};

	for (size_t i = 0; i < 3; i++) {
		char from[4200];

		snprintf(from, sizeof(from), "%s%s", path, sfx[i]);
		snprintf(to, sizeof(to), "%s.bad-%ld%s", path, t, sfx[i]);
		if (rename(from, to) != 0 && errno != ENOENT)
			return srm_err_set(err, SRM_EIO, "%s: cannot set it aside: %s", from, strerror(errno));
	}
	return 0;
}

struct store *store_open(const char *path, struct srm_err *err)
{
	return store_open_flags(path, 0, err);
}

struct store *store_open_flags(const char *path, unsigned flags, struct srm_err *err)
{
	struct store *st = xcalloc(1, sizeof(*st));
	struct stat sb;
	bool existed = stat(path, &sb) == 0;
	int fd;

	st->path = xstrdup(path);
	if (!existed && (flags & STORE_USED_BEFORE) && !(flags & STORE_NEW_OK)) {
		srm_err_set(err, SRM_EINVAL, "%s is missing, but srmd has run with this state directory "
			    "before: starting from nothing would forget every lockout and today's fills. "
			    "Put the file back, or start with --new-state to begin anew", path);
		goto fail;
	}
	if (existed && sb.st_size == 0) {
		if (!(flags & STORE_NEW_OK)) {
			srm_err_set(err, SRM_EINVAL, "%s is empty (0 bytes): not a state file srmd wrote; "
				    "refusing to start from nothing, which would forget every lockout. "
				    "Restore it, or start with --new-state to begin anew (it is kept aside)", path);
			goto fail;
		}
		if (set_aside(path, err) != 0)
			goto fail;
		existed = false;
	}
reopen:
	/* Create the file 0600 ourselves so SQLite never creates it with the umask's mode. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		srm_err_set(err, SRM_EIO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) !=
	    SQLITE_OK) {
		db_err(st, err, "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 2000);
	/* A corrupt or foreign file fails here, before anything is written to it. */
	if (quick_check(st, err) != 0) {
		if (!existed || !(flags & STORE_NEW_OK))
			goto fail;
		/* --new-state: keep the damaged file aside and begin with a new one */
		sqlite3_close(st->db);
		st->db = NULL;
		if (set_aside(path, err) != 0)
			goto fail;
		existed = false;
		goto reopen;
	}
	int v = 0;

	if (user_version(st, &v, err) != 0)
		goto fail;
	if (v > N_MIGRATIONS) {
		srm_err_set(err, SRM_EINVAL,
			    "%s: schema version %d is newer than this srmd knows (%d); refusing to touch it",
			    path, v, N_MIGRATIONS);
		goto fail;
	}
	if (existed && sb.st_size > 0 && v == 0 && no_schema(st) && !(flags & STORE_NEW_OK)) {
		srm_err_set(err, SRM_EINVAL, "%s is an SQLite file without srmd's tables: refusing to "
			    "start from nothing; start with --new-state to begin anew", path);
		goto fail;
	}
	if (exec(st, "PRAGMA journal_mode=WAL", err) != 0 ||
	    exec(st, "PRAGMA synchronous=NORMAL", err) != 0 ||
	    exec(st, "PRAGMA foreign_keys=ON", err) != 0 ||
	    exec(st, "PRAGMA cache_size=-1024", err) != 0) /* 1 MiB: the hot set is small */
		goto fail;
	if (migrate(st, err) != 0)
		goto fail;
	return st;
fail:
	store_close(st);
	/* a file this call created and could not make a state file of must not stay behind:
	 * the next start would refuse it as "empty" */
	if (!existed) {
		char side[4200];

		unlink(path);
		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	return NULL;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->n_cache; i++)
		sqlite3_finalize(st->cache[i].s);
	if (st->db != NULL)
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int store_checkpoint(struct store *st, struct srm_err *err)
{
	return st == NULL ? 0 : exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", err);
}

struct sqlite3 *store_db(struct store *st)
{
	return st->db;
}

static int run(struct store *st, struct srm_err *err, const char *sql, const char *types, ...);

int store_begin(struct store *st, struct srm_err *err)
{
	return run(st, err, "BEGIN IMMEDIATE", "");
}

int store_commit(struct store *st, struct srm_err *err)
{
	if (run(st, err, "COMMIT", "") != 0) {
		run(st, NULL, "ROLLBACK", "");
		return -1;
	}
	return 0;
}

int store_rollback(struct store *st)
{
	return run(st, NULL, "ROLLBACK", "");
}

/*
 * The prepared statement for sql, from the cache (prepared on first use, kept for the
 * store's life; *cached false when the cache is full: the caller finalizes it). NULL on error.
 */
static sqlite3_stmt *stmt(struct store *st, const char *sql, bool *cached)
{
	sqlite3_stmt *s = NULL;

	for (size_t i = 0; i < st->n_cache; i++)
		if (st->cache[i].sql == sql || strcmp(st->cache[i].sql, sql) == 0) {
			*cached = true;
			return st->cache[i].s;
		}
	*cached = st->n_cache < STMT_CACHE;
	if (sqlite3_prepare_v3(st->db, sql, -1, *cached ? SQLITE_PREPARE_PERSISTENT : 0, &s, NULL) !=
	    SQLITE_OK)
		return NULL;
	if (*cached) {
		st->cache[st->n_cache].sql = sql;
		st->cache[st->n_cache++].s = s;
	}
	return s;
}

/* Done with a statement of stmt(): reset for its next use, or finalized when not cached. */
static void stmt_done(sqlite3_stmt *s, bool cached)
{
	if (cached) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	} else {
		sqlite3_finalize(s);
	}
}

/* Prepare (once), bind by printf-like type string, step once. Types: i=int64 d=double t=text. */
static int run(struct store *st, struct srm_err *err, const char *sql, const char *types, ...)
{
	sqlite3_stmt *s;
	bool cached;
	va_list ap;
	int rc;

	s = stmt(st, sql, &cached);
	if (s == NULL)
		return db_err(st, err, "prepare");
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
			break;
		case 'd': {
			double d = va_arg(ap, double);

			if (isnan(d))
				sqlite3_bind_null(s, i + 1);
			else
				sqlite3_bind_double(s, i + 1, d);
			break;
		}
		case 't': {
			const char *t = va_arg(ap, const char *);

			if (t == NULL)
				sqlite3_bind_null(s, i + 1);
			else
				sqlite3_bind_text(s, i + 1, t, -1, SQLITE_TRANSIENT);
			break;
		}
		default:
			break;
		}
	}
	va_end(ap);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		int ret = db_err(st, err, "write"); /* the message before reset() clears it */

		stmt_done(s, cached);
		return ret;
	}
	stmt_done(s, cached);
	return 0;
}

int store_save_lockouts(struct store *st, const struct engine *e, struct srm_err *err)
{
	const struct lockout *l;
	size_t i = 0;

	if (run(st, err, "DELETE FROM lockouts", "") != 0)
		return -1;
	while ((l = engine_lockout_next(e, &i)) != NULL)
		if (run(st, err,
			"INSERT INTO lockouts(account_id,symbol,rule,until_kind,since_ms,until_ms,reason,"
			"flatten) VALUES(?,?,?,?,?,?,?,?)",
			"itiiiiti", l->account_id, l->symbol, (int64_t)l->rule, (int64_t)l->until,
			l->since, l->until_ts, l->reason, (int64_t)l->flatten) != 0)
			return -1;
	return 0;
}

int store_save_fill(struct store *st, int64_t account_id, const char *contract_id,
		    const struct fill_rec *f, struct srm_err *err)
{
	return run(st, err,
		   "INSERT INTO fills(id,account_id,contract_id,at_ms,pnl_cents,fees_cents,closing,voided,"
		   "srm) VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET voided=excluded.voided",
		   "iitiiiiii", f->id, account_id, contract_id, f->at, f->pnl, f->fees,
		   (int64_t)f->closing, (int64_t)f->voided, (int64_t)f->srm);
}

int store_save_contract(struct store *st, const struct px_contract *c, struct srm_err *err)
{
	return run(st, err,
		   "INSERT OR REPLACE INTO contracts(id,name,description,tick_size,tick_value,active,symbol_id)"
		   " VALUES(?,?,?,?,?,?,?)",
		   "tttddit", c->id, c->name, c->description, c->tick_size, c->tick_value,
		   (int64_t)c->active, c->symbol_id);
}

static int save_rule_memory(struct store *st, int64_t account_id, int rule, const void *mem,
			    size_t len, struct srm_err *err)
{
	bool cached;
	sqlite3_stmt *s = stmt(st, "INSERT OR REPLACE INTO rule_memory(account_id,rule,version,data)"
				   " VALUES(?,?,?,?)", &cached);
	int rc;

	if (s == NULL)
		return db_err(st, err, "save rule memory");
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_text(s, 2, rule_block(rule)->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, rule_table[rule]->persist_version);
	sqlite3_bind_blob(s, 4, mem, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_DONE) {
		int ret = db_err(st, err, "save rule memory");

		stmt_done(s, cached);
		return ret;
	}
	stmt_done(s, cached);
	return 0;
}

int store_save_account(struct store *st, const struct engine *e, const struct acct *a,
		       struct srm_err *err)
{
	if (run(st, err,
		"INSERT OR REPLACE INTO accounts(id,name,balance,can_trade,realized_cents,fees_cents,"
		"trades_session,updated_ms,reset_at_ms) VALUES(?,?,?,?,?,?,?,?,?)",
		"itdiiiiii", a->id, a->name, a->balance, (int64_t)a->can_trade, a->realized, a->fees,
		(int64_t)a->tc.session, engine_now(e), a->reset_at) != 0)
		return -1;
	if (run(st, err,
		"INSERT OR REPLACE INTO daily_pnl(account_id,day_start_ms,realized_cents,fees_cents,trades)"
		" VALUES(?,?,?,?,?)",
		"iiiii", a->id, engine_last_reset(e), a->realized, a->fees, (int64_t)a->tc.session) != 0)
		return -1;
	for (int r = 0; r < RULE_COUNT; r++) {
		size_t len;
		const void *mem = engine_rule_memory(e, a, r, &len);

		if (mem != NULL && save_rule_memory(st, a->id, r, mem, len, err) != 0)
			return -1;
	}
	if (run(st, err, "DELETE FROM positions WHERE account_id=?", "i", a->id) != 0 ||
	    run(st, err, "DELETE FROM orders WHERE account_id=?", "i", a->id) != 0)
		return -1;
	for (size_t i = 0; i < a->n_pos; i++) {
		const struct pos *p = &a->pos[i];

		if (run(st, err,
			"INSERT INTO positions(account_id,contract_id,id,qty,avg_price,opened_ms,grew_seq)"
			" VALUES(?,?,?,?,?,?,?)",
			"itiidii", a->id, p->contract_id, p->id, (int64_t)p->qty, p->avg_price,
			p->opened, (int64_t)p->grew_seq) != 0)
			return -1;
	}
	for (size_t i = 0; i < a->n_ord; i++) {
		const struct ord *o = &a->ord[i];

		if (run(st, err,
			"INSERT OR REPLACE INTO orders(id,account_id,contract_id,status,type,side,size,"
			"limit_price,stop_price,seen_ms,grew_seq) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
			"iitiiiiddii", o->id, a->id, o->contract_id, (int64_t)o->status,
			(int64_t)o->type, (int64_t)o->side, (int64_t)ord_remaining(o), o->limit_price,
			o->stop_price, o->seen, (int64_t)o->grew_seq) != 0)
			return -1;
	}
	return 0;
}

int64_t store_journal(struct store *st, const struct srm_action *a, struct srm_err *err)
{
	char until[48] = "";

	if (a->kind == ACT_LOCKOUT) {
		if (a->until == UNTIL_TIME)
			snprintf(until, sizeof(until), "%lld", (long long)a->until_ts);
		else
			strlcpy_s(until, a->until == UNTIL_RESET ? "reset" : "permanent", sizeof(until));
	}
	if (run(st, err,
		"INSERT INTO journal(ts_ms,account_id,rule,action,contract_id,order_id,size,until,reason,dry_run)"
		" VALUES(?,?,?,?,?,?,?,?,?,?)",
		"iitttiitti", a->ts, a->account_id, rule_id_name(a->rule), act_kind_name(a->kind),
		a->contract_id[0] ? a->contract_id : NULL, a->order_id, (int64_t)a->size,
		until[0] ? until : NULL, a->reason, (int64_t)a->dry_run) != 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

int store_journal_outcome(struct store *st, int64_t id, srm_ms sent, const char *outcome,
			  int64_t latency_us, struct srm_err *err)
{
	return run(st, err, "UPDATE journal SET sent_ms=?, outcome=?, latency_us=? WHERE id=?",
		   "itii", sent, outcome, latency_us, id);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

/* A journal row from SELECT id,account_id,action,contract_id,order_id,dry_run. */
static void journal_row_read(sqlite3_stmt *s, struct journal_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->account_id = sqlite3_column_int64(s, 1);
	strlcpy_s(r->action, col_text(s, 2), sizeof(r->action));
	strlcpy_s(r->contract_id, col_text(s, 3), sizeof(r->contract_id));
	r->order_id = sqlite3_column_int64(s, 4);
	r->dry_run = sqlite3_column_int(s, 5) != 0;
}

int store_journal_unanswered(struct store *st, struct journal_row *out, size_t cap, size_t *n,
			     struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id,coalesce(account_id,0),action,coalesce(contract_id,''),"
			       "coalesce(order_id,0),dry_run FROM journal WHERE outcome IS NULL ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "prepare");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < cap)
		journal_row_read(s, &out[(*n)++]);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(st, err, "read the journal");
	return 0;
}


int store_day_pnl(struct store *st, int64_t account_id, srm_ms from_ms, srm_ms to_ms,
		  struct day_pnl *out, struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT day_start_ms,realized_cents,fees_cents,trades FROM daily_pnl WHERE"
			       " account_id=? AND day_start_ms>=? AND day_start_ms<? ORDER BY day_start_ms DESC"
			       " LIMIT 1", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "read the daily P&L");
	sqlite3_bind_int64(s, 1, account_id);
	sqlite3_bind_int64(s, 2, from_ms);
	sqlite3_bind_int64(s, 3, to_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->day_start_ms = sqlite3_column_int64(s, 0);
		out->realized_cents = sqlite3_column_int64(s, 1);
		out->fees_cents = sqlite3_column_int64(s, 2);
		out->trades = sqlite3_column_int64(s, 3);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return 1;
	return db_err(st, err, "read the daily P&L");
}

/* Money in cents that a P&L point can hold: far beyond any account (an absurd row is skipped). */
#define PNL_CENTS_MAX 100000000000000LL
/* A trading day is at most this long (a holiday weekend runs from Friday's reset to Monday's). */
#define PNL_DAY_SPAN_MS (4LL * 24 * 3600 * 1000)

int store_pnl_append(struct store *st, srm_ms day_ms, const struct pnl_row *rows, size_t n,
		     size_t *written, struct srm_err *err)
{
	*written = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pnl_row *r = &rows[i];

		if (!isfinite(r->realized) || !isfinite(r->total) ||
		    fabs(r->realized) * 100 >= (double)PNL_CENTS_MAX ||
		    fabs(r->total) * 100 >= (double)PNL_CENTS_MAX)
			continue;
		/* the cap is checked in the same statement: a restart loop cannot grow a day without bound */
		if (run(st, err,
			"INSERT OR REPLACE INTO pnl_points(day_start_ms,account_id,t_ms,realized_cents,"
			"total_cents) SELECT ?1,?2,?3,?4,?5 WHERE (SELECT count(*) FROM pnl_points WHERE"
			" day_start_ms=?1 AND account_id=?2) < ?6",
			"iiiiii", day_ms, r->account_id, r->t_ms, (int64_t)llround(r->realized * 100),
			(int64_t)llround(r->total * 100), (int64_t)STORE_PNL_DAY_MAX) != 0)
			return -1;
		*written += (size_t)sqlite3_changes(st->db);
	}
	return 0;
}

int store_pnl_day(struct store *st, srm_ms day_ms, void (*fn)(const struct pnl_row *r, void *ud),
		  void *ud, struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc, skipped = 0;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT account_id,t_ms,realized_cents,total_cents FROM pnl_points WHERE"
			       " day_start_ms=? ORDER BY account_id,t_ms", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "read the P&L series");
	sqlite3_bind_int64(s, 1, day_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pnl_row r = {
			.account_id = sqlite3_column_int64(s, 0),
			.t_ms = sqlite3_column_int64(s, 1),
		};
		int64_t re = sqlite3_column_int64(s, 2), tot = sqlite3_column_int64(s, 3);

		if (r.account_id <= 0 || r.t_ms < day_ms || r.t_ms >= day_ms + PNL_DAY_SPAN_MS ||
		    llabs(re) >= PNL_CENTS_MAX || llabs(tot) >= PNL_CENTS_MAX) {
			skipped++;
			continue;
		}
		r.realized = (double)re / 100;
		r.total = (double)tot / 100;
		fn(&r, ud);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? skipped : db_err(st, err, "read the P&L series");
}

int store_pnl_prune(struct store *st, srm_ms before_ms, struct srm_err *err)
{
	return run(st, err, "DELETE FROM pnl_points WHERE day_start_ms<?", "i", before_ms);
}

#define JOURNAL_COLS "id,ts_ms,account_id,rule,action,contract_id,order_id,size,until,reason," \
		     "dry_run,outcome,latency_us"

/* Step a query of JOURNAL_COLS, each row to fn; the statement is finalized. */
static int journal_rows(struct store *st, sqlite3_stmt *s,
			void (*fn)(const struct journal_entry *e, void *ud), void *ud, struct srm_err *err)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct journal_entry e;

		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(s, 0);
		e.ts_ms = sqlite3_column_int64(s, 1);
		e.account_id = sqlite3_column_int64(s, 2);
		strlcpy_s(e.rule, col_text(s, 3), sizeof(e.rule));
		strlcpy_s(e.action, col_text(s, 4), sizeof(e.action));
		strlcpy_s(e.contract_id, col_text(s, 5), sizeof(e.contract_id));
		e.order_id = sqlite3_column_int64(s, 6);
		e.size = sqlite3_column_int64(s, 7);
		strlcpy_s(e.until, col_text(s, 8), sizeof(e.until));
		strlcpy_s(e.reason, col_text(s, 9), sizeof(e.reason));
		e.dry_run = sqlite3_column_int(s, 10) != 0;
		e.has_outcome = sqlite3_column_type(s, 11) != SQLITE_NULL;
		strlcpy_s(e.outcome, col_text(s, 11), sizeof(e.outcome));
		e.has_latency = sqlite3_column_type(s, 12) != SQLITE_NULL;
		e.latency_us = sqlite3_column_int64(s, 12);
		fn(&e, ud);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "read the journal");
	return 0;
}

int store_history(struct store *st, srm_ms since_ms, int64_t account_id, int64_t limit,
		  void (*fn)(const struct journal_entry *e, void *ud), void *ud, struct srm_err *err)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT * FROM (SELECT " JOURNAL_COLS " FROM journal WHERE ts_ms >= ? AND (?=0 OR account_id=?)"
			       " ORDER BY id DESC LIMIT ?) ORDER BY id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "read the journal");
	sqlite3_bind_int64(s, 1, since_ms);
	sqlite3_bind_int64(s, 2, account_id);
	sqlite3_bind_int64(s, 3, account_id);
	sqlite3_bind_int64(s, 4, limit);
	return journal_rows(st, s, fn, ud, err);
}

struct enforcement_filter {
	void (*fn)(const struct journal_entry *e, void *ud);
	void *ud;
};

/* An action SRM took (any kind the model names but alert), not a note or an alert. */
static void enforcement_row(const struct journal_entry *e, void *ud)
{
	const struct enforcement_filter *f = ud;
	int k = act_kind_parse(e->action);

	if (k >= 0 && k != ACT_ALERT)
		f->fn(e, f->ud);
}

int store_enforcements(struct store *st, int64_t account_id, srm_ms from_ms, srm_ms to_ms,
		       void (*fn)(const struct journal_entry *e, void *ud), void *ud, struct srm_err *err)
{
	struct enforcement_filter f = { fn, ud };
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT " JOURNAL_COLS " FROM journal WHERE ts_ms >= ? AND ts_ms < ? AND"
			       " account_id = ? ORDER BY id", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "read the journal");
	sqlite3_bind_int64(s, 1, from_ms);
	sqlite3_bind_int64(s, 2, to_ms);
	sqlite3_bind_int64(s, 3, account_id);
	return journal_rows(st, s, enforcement_row, &f, err);
}

int store_journal_get(struct store *st, int64_t id, struct journal_row *r, struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	if (sqlite3_prepare_v2(st->db,
			       "SELECT id,coalesce(account_id,0),action,coalesce(contract_id,''),"
			       "coalesce(order_id,0),dry_run FROM journal WHERE id=?", -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "prepare");
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		journal_row_read(s, r);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return srm_err_set(err, SRM_ENOTFOUND, "journal row %lld not found", (long long)id);
	return 0;
}

int store_journal_settle_all(struct store *st, srm_ms now, const char *outcome, struct srm_err *err)
{
	return run(st, err, "UPDATE journal SET sent_ms=?, outcome=? WHERE outcome IS NULL", "it", now,
		   outcome);
}

int store_meta_get(struct store *st, const char *key, char *out, size_t cap)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	out[0] = '\0';
	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key=?", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		strlcpy_s(out, t ? (const char *)t : "", cap);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

int store_meta_set(struct store *st, const char *key, const char *value, struct srm_err *err)
{
	return run(st, err, "INSERT INTO meta(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET "
		   "value=excluded.value", "tt", key, value);
}

int store_note(struct store *st, srm_ms ts, int64_t account_id, const char *kind, const char *text,
	       struct srm_err *err)
{
	return run(st, err,
		   "INSERT INTO journal(ts_ms,account_id,rule,action,reason,outcome) VALUES(?,?,'ENGINE',?,?,'noted')",
		   "iitt", ts, account_id, kind, text);
}

int store_audit(struct store *st, srm_ms ts, long uid, const char *what, bool ok,
		struct srm_err *err)
{
	return run(st, err, "INSERT INTO audit(ts_ms,uid,what,ok) VALUES(?,?,?,?)", "iiti", ts,
		   (int64_t)uid, what, (int64_t)ok);
}


/* A price column: NULL is "absent" (PX_NULL), as the 'd' binding of run() stored it. */
static double col_price(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) == SQLITE_NULL ? PX_NULL : sqlite3_column_double(s, i);
}

/* A row out of range: counted, the first one described (the file is not trusted blindly). */
static void bad_row(struct store *st, const char *table, long long id, const char *what)
{
	if (st->bad_rows++ == 0)
		snprintf(st->bad_first, sizeof(st->bad_first), "%s row %lld: %s", table, id, what);
}

size_t store_bad_rows(const struct store *st, char *first, size_t cap)
{
	if (first != NULL && cap > 0)
		strlcpy_s(first, st->bad_first, cap);
	return st->bad_rows;
}

static bool time_ok(srm_ms t)
{
	return t >= SRM_TIME_MIN && t < SRM_TIME_MAX;
}

static bool price_ok(double p)
{
	return isnan(p) || (isfinite(p) && fabs(p) <= PX_PRICE_MAX);
}

static bool cents_ok(money_t c)
{
	return c >= -(money_t)(PX_MONEY_MAX * 100) && c <= (money_t)(PX_MONEY_MAX * 100);
}

int store_load(struct store *st, struct engine *e, srm_ms since_ms, struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;

	st->bad_rows = 0;
	st->bad_first[0] = '\0';

	if (sqlite3_prepare_v2(st->db,
			       "SELECT id,name,description,tick_size,tick_value,active,symbol_id FROM contracts",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "load contracts");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct px_contract c = {0};

		strlcpy_s(c.id, col_text(s, 0), sizeof(c.id));
		strlcpy_s(c.name, col_text(s, 1), sizeof(c.name));
		strlcpy_s(c.description, col_text(s, 2), sizeof(c.description));
		c.tick_size = sqlite3_column_double(s, 3);
		c.tick_value = sqlite3_column_double(s, 4);
		c.active = sqlite3_column_int(s, 5) != 0;
		strlcpy_s(c.symbol_id, col_text(s, 6), sizeof(c.symbol_id));
		if (c.id[0] == '\0' || !(c.tick_size >= PX_TICK_SIZE_MIN && c.tick_size <= PX_TICK_SIZE_MAX) ||
		    !(c.tick_value > 0 && c.tick_value <= PX_TICK_VALUE_MAX)) {
			bad_row(st, "contracts", 0, "tick size or value out of range (looked up again)");
			continue;
		}
		engine_restore_contract(e, &c);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "load contracts");

	if (sqlite3_prepare_v2(st->db,
			       "SELECT account_id,symbol,rule,until_kind,since_ms,until_ms,reason,flatten"
			       " FROM lockouts",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "load lockouts");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct lockout l = {0};

		l.account_id = sqlite3_column_int64(s, 0);
		strlcpy_s(l.symbol, col_text(s, 1), sizeof(l.symbol));
		l.rule = sqlite3_column_int(s, 2);
		l.until = (enum until_kind)sqlite3_column_int(s, 3);
		l.since = sqlite3_column_int64(s, 4);
		l.until_ts = sqlite3_column_int64(s, 5);
		strlcpy_s(l.reason, col_text(s, 6), sizeof(l.reason));
		l.flatten = sqlite3_column_int(s, 7) != 0;
		if (l.account_id <= 0 || l.account_id > INT32_MAX) {
			bad_row(st, "lockouts", l.account_id, "no such account id (dropped)");
			continue;
		}
		/*
		 * A lockout row out of range fails closed: it is kept, stricter (an admin lockout
		 * that an admin clears), never dropped and never shortened by garbage.
		 */
		bool fixed = false;

		if (l.rule < -1 || l.rule >= RULE_COUNT) {
			l.rule = -1;
			fixed = true;
		}
		if (l.until < UNTIL_TIME || l.until > UNTIL_PERMANENT ||
		    (l.until == UNTIL_TIME && !time_ok(l.until_ts))) {
			l.until = UNTIL_PERMANENT;
			l.until_ts = 0;
			fixed = true;
		}
		if (!time_ok(l.since)) {
			l.since = engine_now(e);
			fixed = true;
		}
		if (fixed) {
			bad_row(st, "lockouts", l.account_id, "out of range: kept as a permanent admin lockout");
			snprintf(l.reason, sizeof(l.reason), "restored from a damaged state row; an admin must clear it");
		}
		/* an until_reset lockout from an earlier trading day has ended */
		if (l.until == UNTIL_RESET && l.since < engine_last_reset(e))
			continue;
		engine_restore_lockout(e, &l);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "load lockouts");

	/* the rules' memory of each account (a trailing floor), before any event */
	if (sqlite3_prepare_v2(st->db, "SELECT account_id,rule,version,data FROM rule_memory", -1, &s,
			       NULL) != SQLITE_OK)
		return db_err(st, err, "load rule memory");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t acct = sqlite3_column_int64(s, 0);
		const char *name = col_text(s, 1);
		int rule = -1;

		for (int r = 0; r < RULE_COUNT; r++)
			if (strcmp(rule_block(r)->name, name) == 0)
				rule = r;
		if (acct <= 0 || acct > INT32_MAX || rule < 0) {
			bad_row(st, "rule_memory", acct, "no such account or rule (dropped)");
			continue;
		}
		engine_restore_rule_memory(e, acct, rule, sqlite3_column_int(s, 2),
					   sqlite3_column_blob(s, 3), (size_t)sqlite3_column_bytes(s, 3));
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "load rule memory");

	/* an admin's reset today comes before today's fills: those before it do not count */
	if (sqlite3_prepare_v2(st->db, "SELECT id,reset_at_ms FROM accounts WHERE reset_at_ms > 0",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "load accounts");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t acct = sqlite3_column_int64(s, 0);
		srm_ms at = sqlite3_column_int64(s, 1);

		if (acct > 0 && acct <= INT32_MAX && time_ok(at))
			engine_restore_reset(e, acct, at);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "load accounts");

	if (sqlite3_prepare_v2(st->db,
			       "SELECT id,account_id,at_ms,pnl_cents,fees_cents,closing,voided,srm FROM fills"
			       " WHERE at_ms >= ? ORDER BY at_ms, id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "load fills");
	sqlite3_bind_int64(s, 1, since_ms);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct fill_rec f = {0};

		f.id = sqlite3_column_int64(s, 0);
		f.at = sqlite3_column_int64(s, 2);
		f.pnl = sqlite3_column_int64(s, 3);
		f.fees = sqlite3_column_int64(s, 4);
		f.closing = sqlite3_column_int(s, 5) != 0;
		f.voided = sqlite3_column_int(s, 6) != 0;
		f.srm = sqlite3_column_int(s, 7) != 0;
		int64_t acct = sqlite3_column_int64(s, 1);

		if (f.id == 0 || acct <= 0 || acct > INT32_MAX || !time_ok(f.at) || !cents_ok(f.pnl) ||
		    !cents_ok(f.fees)) {
			bad_row(st, "fills", (long long)f.id, "out of range (the reconcile's Trade/search brings it back)");
			continue;
		}
		engine_restore_fill(e, acct, &f);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "load fills");
	return 0;
}

int store_load_book(struct store *st, struct engine *e, int64_t account_id, srm_ms since_ms,
		    struct srm_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc;
	bool fresh = false;

	/* A book saved before the last reset is not trusted: the reconcile starts it afresh. */
	if (sqlite3_prepare_v2(st->db, "SELECT updated_ms FROM accounts WHERE id=?", -1, &s,
			       NULL) != SQLITE_OK)
		return db_err(st, err, "load account");
	sqlite3_bind_int64(s, 1, account_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		fresh = sqlite3_column_int64(s, 0) >= since_ms;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(st, err, "load account");
	if (!fresh)
		return 0;

	/* oldest growth first, so the engine's grew-last order is the saved one */
	if (sqlite3_prepare_v2(st->db,
			       "SELECT contract_id,id,qty,avg_price,opened_ms FROM positions"
			       " WHERE account_id=? ORDER BY grew_seq, rowid",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "load positions");
	sqlite3_bind_int64(s, 1, account_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct pos p = {0};

		strlcpy_s(p.contract_id, col_text(s, 0), sizeof(p.contract_id));
		p.id = sqlite3_column_int64(s, 1);
		p.qty = sqlite3_column_int(s, 2);
		p.avg_price = sqlite3_column_double(s, 3);
		p.opened = sqlite3_column_int64(s, 4);
		if (p.contract_id[0] == '\0' || p.qty < -PX_SIZE_MAX || p.qty > PX_SIZE_MAX ||
		    !price_ok(p.avg_price) || isnan(p.avg_price)) {
			bad_row(st, "positions", (long long)p.id, "out of range (the reconcile corrects it)");
			continue;
		}
		if (!time_ok(p.opened))
			p.opened = 0;
		engine_restore_position(e, account_id, &p);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "load positions");

	if (sqlite3_prepare_v2(st->db,
			       "SELECT id,contract_id,status,type,side,size,limit_price,stop_price,seen_ms"
			       " FROM orders WHERE account_id=? ORDER BY grew_seq, seen_ms, id",
			       -1, &s, NULL) != SQLITE_OK)
		return db_err(st, err, "load orders");
	sqlite3_bind_int64(s, 1, account_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct ord o = {0};

		o.id = sqlite3_column_int64(s, 0);
		strlcpy_s(o.contract_id, col_text(s, 1), sizeof(o.contract_id));
		o.status = sqlite3_column_int(s, 2);
		o.type = sqlite3_column_int(s, 3);
		o.side = sqlite3_column_int(s, 4);
		o.size = sqlite3_column_int(s, 5);
		o.limit_price = col_price(s, 6);
		o.stop_price = col_price(s, 7);
		o.seen = sqlite3_column_int64(s, 8);
		if (o.contract_id[0] == '\0' || o.size <= 0 || o.size > PX_SIZE_MAX ||
		    o.status < PX_OS_NONE || (o.status > PX_OS_SUSPENDED && o.status != PX_OS_OTHER) || o.type < PX_OT_UNKNOWN ||
		    o.type > PX_OT_JOIN_ASK || (o.side != PX_BID && o.side != PX_ASK) ||
		    !price_ok(o.limit_price) || !price_ok(o.stop_price)) {
			bad_row(st, "orders", (long long)o.id, "out of range (the reconcile corrects it)");
			continue;
		}
		if (!time_ok(o.seen))
			o.seen = 0;
		engine_restore_order(e, account_id, &o);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_err(st, err, "load orders");
	return 0;
}
