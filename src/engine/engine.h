/*
 * engine.h: the pure, deterministic risk engine: engine_apply(engine, event, now) -> actions.
 * No I/O, no clock reads, no globals: time arrives as arguments, timers fire in
 * engine_advance. Errors: functions return 0 / -1 and fill struct srm_err.
 */
#ifndef SRM_ENGINE_ENGINE_H
#define SRM_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "model/action.h"
#include "model/event.h"
#include "engine/state.h"
#include "util/err.h"
#include "util/tz.h"

struct engine;

/* The actions decided by one engine_apply / engine_advance call; valid until the next call. */
struct act_list {
	const struct srm_action *v;
	size_t n;
};

/*
 * A new engine using cfg (rules, overrides, reset time, holidays, dry_run) and zone (the
 * exchange time zone, loaded by the caller). Both must outlive the engine (or be replaced
 * by an EV_CONFIG event: a config changes through engine_apply like every other input, so
 * a recorded day with a reload in it replays exactly). now is the start time: it fixes the
 * current trading day.
 */
struct engine *engine_new(const struct srm_config *cfg, const struct tz *zone, srm_ms now);
void engine_free(struct engine *e);

/*
 * Is a close of SRM's own of this contract in flight with the book not showing it landed
 * (the position not yet at its target)? The daemon then looks the position up rather than
 * let the book, if it missed the close's events, be judged again.
 */
bool engine_close_unseen(const struct engine *e, int64_t account_id, const char *contract_id);

/* Fire every timer due at or before now (in deadline order), then set the clock to now. */
struct act_list engine_advance(struct engine *e, srm_ms now);

/*
 * Advance to now, apply the event to state, then evaluate the rules that wake on its kind
 * and the lockout guard. Returns every action decided (including those of fired timers).
 */
struct act_list engine_apply(struct engine *e, const struct srm_event *ev, srm_ms now);

/*
 * Admin acts are events too (EV_ADMIN_LOCKOUT / CLEAR / RESET / ENFORCE), journaled and
 * replayed like the gateway's: a lockout (rule -1) flattens the account; a clear ends every
 * lockout of the account (auth_loss_guard's too); a reset runs the daily reset now (one
 * account, or 0: all); an enforce runs one rule now against the account's state, whether or
 * not it is enabled (dry_run marks its actions). EV_CONTRACT_MISSING says the gateway does
 * not know a contract: rules treat it as unknown (unknown_symbol).
 */

/* ---- restore after a restart (no actions are emitted, no rule wakes) ---- */

/* Put back a persisted lockout (keeps its since/until; schedules its expiry). */
void engine_restore_lockout(struct engine *e, const struct lockout *l);
/* Put back a persisted fill: counted toward today's P&L and trade counts unless voided or
 * older than the last reset; a fill id already known is ignored. */
void engine_restore_fill(struct engine *e, int64_t account_id, const struct fill_rec *f);
/*
 * A rule's persisted memory of an account (rule_def.persist_size bytes) for the store, or
 * NULL when the rule keeps none or the account has none yet; and putting it back at
 * start-up (ignored when len or version does not match the rule's).
 */
const void *engine_rule_memory(const struct engine *e, const struct acct *a, int rule, size_t *len);
void engine_restore_rule_memory(struct engine *e, int64_t account_id, int rule, int version,
				const void *data, size_t len);
/* An admin's reset of the account at `at` (before its fills are restored); an earlier day's is ignored. */
void engine_restore_reset(struct engine *e, int64_t account_id, srm_ms at);
/* Put back cached contract metadata. */
void engine_restore_contract(struct engine *e, const struct px_contract *c);
/*
 * Put back the last saved position / working order of an account (before its first
 * reconcile, which then corrects them like after a hub reconnect). Keeps the saved `opened`
 * (RULE-008's grace runs on across a restart), `seen` and the grew-last order of positions
 * (restore them oldest growth first). Ignored when the book already has that position or
 * order: live state wins.
 */
void engine_restore_position(struct engine *e, int64_t account_id, const struct pos *saved);
void engine_restore_order(struct engine *e, int64_t account_id, const struct ord *saved);

/* ---- read access (for rules, the CLI and persistence) ---- */

srm_ms engine_now(const struct engine *e);
/* Start of the current trading day and the next reset. */
srm_ms engine_last_reset(const struct engine *e);
srm_ms engine_next_reset(const struct engine *e);
const struct srm_config *engine_config(const struct engine *e);
const struct tz *engine_zone(const struct engine *e);
/* The exchange calendar the engine runs on (zone, reset time, holidays of its config). */
const struct calendar *engine_calendar(const struct engine *e);

const struct acct *engine_acct(const struct engine *e, int64_t account_id);
/* Iterate accounts: *i starts at 0; returns NULL at the end. */
const struct acct *engine_acct_next(const struct engine *e, size_t *i);

const struct contract *engine_contract(const struct engine *e, const char *contract_id);
/* Did the gateway say it does not know this contract? (Not merely not looked up yet.) */
bool engine_contract_is_missing(const struct engine *e, const char *contract_id);
const struct quote *engine_quote(const struct engine *e, const char *contract_id);
/* A quote is fresh if applied within daemon.quote_max_age of now. */
bool engine_quote_fresh(const struct engine *e, const struct quote *q);

/* Position/order lookups in an account; NULL when absent. */
struct pos *acct_pos(const struct acct *a, const char *contract_id);
struct ord *acct_ord(const struct acct *a, int64_t order_id);

/* Does an order only reduce the account's position in its contract (opposite side, size <= |qty|)? */
bool acct_ord_is_reducing(const struct acct *a, const struct ord *o);
/* What is left of an order to fill: size - fillVolume, at least 0. */
int ord_remaining(const struct ord *o);
/* Does the order count as working exposure (not a suspended bracket leg, something left)? */
bool ord_is_exposure(const struct ord *o);
/* Could it open or increase a position now: exposure and not reducing. */
bool acct_ord_opens(const struct acct *a, const struct ord *o);
/*
 * Is it a close in progress: a working market order that only reduces its position? SRM's
 * own closeContract makes one (the gateway names neither who sent an order nor which close
 * made it, so a trader's market exit counts too). Never cancelled by a cancel_all, and no
 * further close is asked for beside it (either could close twice or stop a close half way).
 */
bool acct_ord_closing(const struct acct *a, const struct ord *o);

/* The mark price used for P&L: last price, else mid of bid/ask; PX_NULL when none. */
double quote_mark(const struct quote *q);

/*
 * Unrealized P&L of a position in cents: (mark - avg) / tickSize * tickValue * qty.
 * Returns false when the contract's tick size/value or a usable quote is unknown
 * (require_fresh: a stale quote is unusable).
 */
bool engine_pos_unrealized(const struct engine *e, const struct pos *p, bool require_fresh,
			   money_t *out);
/* The working protective stop of the account's position in the contract (other side), or NULL. */
const struct ord *engine_pos_stop(const struct acct *a, const char *contract_id);
/*
 * The earliest time a rule will act on position p by itself if nothing changes (a grace
 * ending: rule_def.pos_deadline), with the rule's index and what it will do; false: none.
 */
bool engine_pos_deadline(const struct engine *e, const struct acct *a, const struct pos *p,
			 srm_ms *at, int *rule, const char **what);
/* Sum over the account's positions; returns how many positions could not be valued. */
int engine_acct_unrealized(const struct engine *e, const struct acct *a, bool require_fresh,
			   money_t *out);

/* Non-voided fills with fill time in (now - window_ms, now]. */
int acct_trades_within(const struct acct *a, srm_ms now, srm_ms window_ms);

/* Trader symbol of a contract ("MNQ"); from the cache, else the id root; "" if neither. */
const char *engine_symbol(const struct engine *e, const char *contract_id);
/* Case-insensitive match of a symbol pattern (exact or glob) against a contract's symbol or id root. */
bool engine_symbol_matches(const struct engine *e, const char *contract_id, const char *pattern);

/* Lockouts: iterate all (NULL at the end); is the account (or account+symbol of contract) locked? */
const struct lockout *engine_lockout_next(const struct engine *e, size_t *i);
const struct lockout *engine_locked(const struct engine *e, int64_t account_id, const char *contract_id);

/* The record of a fill by id (NULL when unknown): what to persist after a trade event. */
const struct fill_rec *engine_fill(const struct engine *e, int64_t fill_id);
/* Fill bookkeeping (persistence): every known fill of today; iterate with *i from 0. */
const struct fill_rec *engine_fill_next(const struct engine *e, int64_t account_id, size_t *i);

/* Engine statistics. */
struct engine_stats {
	uint64_t events, actions, fills_dup, fills_voided, timers_fired;
	uint64_t positions_stale;       /* a size-0 event of a position id no longer open: ignored */
};
struct engine_stats engine_stats(const struct engine *e);

#endif
