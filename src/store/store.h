/*
 * store.h: the SQLite (WAL) state file of srmd: lockouts, fills, contracts, accounts,
 * positions, orders, daily P&L, the enforcement journal, the admin audit and the dashboard's
 * P&L series, with a schema version and forward migrations. Errors: 0 / -1 + struct srm_err.
 */
#ifndef SRM_STORE_STORE_H
#define SRM_STORE_STORE_H

#include <stdint.h>

#include "engine/engine.h"
#include "util/err.h"

#define STORE_SCHEMA_VERSION 6

struct store;

/* store_open flags */
#define STORE_NEW_OK 1u       /* --new-state: an empty or missing file may start anew */
#define STORE_USED_BEFORE 2u  /* the state directory held a state file before (its lock file) */

/*
 * Open (creating with mode 0600 when absent) and migrate. A file that is not SQLite, is
 * corrupt, or has a newer schema than this program knows is refused and left untouched.
 * A state that would silently start from nothing is refused unless STORE_NEW_OK: a 0-byte
 * file (then kept aside as PATH.bad-SECONDS), an SQLite file without our tables, or a
 * missing file where one was before (STORE_USED_BEFORE).
 */
struct store *store_open_flags(const char *path, unsigned flags, struct srm_err *err);
/* store_open_flags(path, 0, err). */
struct store *store_open(const char *path, struct srm_err *err);
void store_close(struct store *st);

/*
 * One transaction per loop turn: begin, write, commit. WAL with synchronous=NORMAL: a
 * committed transaction survives a crash or kill -9 of srmd (it is in the OS page cache
 * and the WAL); only a power loss can lose the last ones (docs/PERSISTENCE.md).
 */
int store_begin(struct store *st, struct srm_err *err);
int store_commit(struct store *st, struct srm_err *err);
int store_rollback(struct store *st);

/* Replace the active lockouts of every account with the engine's current set. */
int store_save_lockouts(struct store *st, const struct engine *e, struct srm_err *err);
int store_save_fill(struct store *st, int64_t account_id, const char *contract_id,
		    const struct fill_rec *f, struct srm_err *err);
int store_save_contract(struct store *st, const struct px_contract *c, struct srm_err *err);
/* Snapshot of an account: balance, canTrade, positions, working orders, today's P&L. */
int store_save_account(struct store *st, const struct engine *e, const struct acct *a,
		       struct srm_err *err);

/* Journal an action before it is sent; returns the row id (> 0) or -1. */
int64_t store_journal(struct store *st, const struct srm_action *a, struct srm_err *err);
/* Record the outcome of a journaled action ("ok", "failed: …", "dry_run", "skipped"). */
int store_journal_outcome(struct store *st, int64_t id, srm_ms sent, const char *outcome,
			  int64_t latency_us, struct srm_err *err);
/* A journal row whose answer never came (srmd was killed between sending and the answer). */
struct journal_row {
	int64_t id, account_id, order_id;
	char action[24];
	char contract_id[SRM_ID_MAX];
	bool dry_run;
};
/* The oldest rows without an outcome, at most cap of them. */
int store_journal_unanswered(struct store *st, struct journal_row *out, size_t cap, size_t *n,
			     struct srm_err *err);
/* A journal row as `srm history` shows it ("" / 0 / -1 for what is absent). */
struct journal_entry {
	int64_t id, ts_ms, account_id, order_id, size, latency_us;
	char rule[16], action[24], contract_id[SRM_ID_MAX], until[32];
	char reason[200], outcome[200];
	bool dry_run, has_outcome, has_latency;
};
/*
 * The newest `limit` journal rows at or after since_ms (of one account, or 0: all), oldest
 * first, each handed to fn. Returns 0 or -1.
 */
int store_history(struct store *st, srm_ms since_ms, int64_t account_id, int64_t limit,
		  void (*fn)(const struct journal_entry *e, void *ud), void *ud, struct srm_err *err);

/* An account's P&L of one trading day, as last saved. */
struct day_pnl {
	srm_ms day_start_ms;
	int64_t realized_cents, fees_cents, trades;
};
/*
 * The account's latest saved trading day that began in [from_ms, to_ms): 0 with *out
 * filled, 1 when there is none, -1 on error.
 */
int store_day_pnl(struct store *st, int64_t account_id, srm_ms from_ms, srm_ms to_ms,
		  struct day_pnl *out, struct srm_err *err);

/*
 * What SRM did to one account in [from_ms, to_ms): its journal rows of every action kind but
 * alert (closes, cancels, stops, lockouts, unlocks), oldest first. Returns 0 or -1.
 */
int store_enforcements(struct store *st, int64_t account_id, srm_ms from_ms, srm_ms to_ms,
		       void (*fn)(const struct journal_entry *e, void *ud), void *ud, struct srm_err *err);

/*
 * The dashboard's P&L series (docs/DASHBOARD.md): points of a trading day per account, so that
 * a restart keeps the day's chart. At most STORE_PNL_DAY_MAX rows per account and day.
 */
#define STORE_PNL_DAY_MAX 6000
struct pnl_row {
	int64_t account_id;
	srm_ms t_ms;
	double realized, total;     /* realized - fees, and that + unrealized */
};
/*
 * Write points of the trading day that began at day_ms (inside the caller's transaction); a
 * point over the day's cap for its account, or not finite, is not written. *written says how
 * many were. Returns 0 or -1.
 */
int store_pnl_append(struct store *st, srm_ms day_ms, const struct pnl_row *rows, size_t n,
		     size_t *written, struct srm_err *err);
/*
 * Every account's points of the trading day that began at day_ms, by account then time, each
 * to fn. A row out of range is skipped. Returns how many were skipped, or -1.
 */
int store_pnl_day(struct store *st, srm_ms day_ms, void (*fn)(const struct pnl_row *r, void *ud),
		  void *ud, struct srm_err *err);
/* Delete the points of trading days that began before before_ms. */
int store_pnl_prune(struct store *st, srm_ms before_ms, struct srm_err *err);

/* One journal row by id. */
int store_journal_get(struct store *st, int64_t id, struct journal_row *r, struct srm_err *err);
/* Give every row still without an outcome this one. */
int store_journal_settle_all(struct store *st, srm_ms now, const char *outcome, struct srm_err *err);

/* Small persistent facts (key/value): the login backoff, recent starts. get: 0, or -1 absent. */
int store_meta_get(struct store *st, const char *key, char *out, size_t cap);
int store_meta_set(struct store *st, const char *key, const char *value, struct srm_err *err);

/* Journal a free-form event (reconcile differences, alerts): kind + text. */
int store_note(struct store *st, srm_ms ts, int64_t account_id, const char *kind, const char *text,
	       struct srm_err *err);
/* Admin audit: who (uid), what, ok. */
int store_audit(struct store *st, srm_ms ts, long uid, const char *what, bool ok,
		struct srm_err *err);

/*
 * Load lockouts, fills of the current trading day (since since_ms) and contracts into e.
 * Every value is range-checked: a row out of range is skipped (a fill, a contract: the
 * reconcile brings them back) or, for a lockout, kept as a permanent admin lockout (fails
 * closed); store_bad_rows says how many and what the first was.
 */
int store_load(struct store *st, struct engine *e, srm_ms since_ms, struct srm_err *err);
/*
 * Put back one account's last saved positions and working orders (engine_restore_position,
 * engine_restore_order): call before its first reconcile after a start, which then corrects
 * them like after a hub reconnect. Nothing is put back when the account was last saved before
 * since_ms (the last reset): an older book is not trusted.
 */
int store_load_book(struct store *st, struct engine *e, int64_t account_id, srm_ms since_ms,
		    struct srm_err *err);

/* Rows out of range found by the last store_load/store_load_book; first (may be NULL) says what. */
size_t store_bad_rows(const struct store *st, char *first, size_t cap);

/* Fold the WAL into the database file (at a clean shutdown). */
int store_checkpoint(struct store *st, struct srm_err *err);

/* Raw handle for read-only queries (history, logs). */
struct sqlite3 *store_db(struct store *st);

#endif
