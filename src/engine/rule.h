/*
 * rule.h: the one small interface every rule implements (src/rules/, one file per rule),
 * and the helpers a rule uses to ask for actions, lockouts and timers. Rules are pure:
 * they read state through engine.h and write only through these helpers.
 */
#ifndef SRM_ENGINE_RULE_H
#define SRM_ENGINE_RULE_H

#include <stdarg.h>
#include <stddef.h>

#include "engine/engine.h"

/* Everything a rule sees for one evaluation. */
struct rule_ctx {
	struct engine *eng;
	struct acct *acct;              /* the account the event concerns */
	const struct rules_cfg *cfg;    /* effective config for this account */
	const struct srm_event *ev;     /* the event (state already updated), or EV_TIMER */
	srm_ms now;
	void *state;                    /* this rule's per-account state (state_size bytes, zeroed) */
	int rule;                       /* this rule's index */
	bool dry_run;                   /* global or per-rule dry_run */
	/* For EV_POSITION / EV_ORDER: the state before the event (size 0 / NULL when new). */
	int prev_qty;
	const struct ord *prev_ord;
};

/* What a rule watches against its limit: `srm rules`, `srm status` and the monitor show it. */
enum measure_unit {
	MEASURE_LOSS = 1,               /* dollars lost (shown as -used/-limit) */
	MEASURE_MONEY,                  /* dollars */
	MEASURE_CONTRACTS,
	MEASURE_FILLS,
};
struct rule_measure {
	const char *label;              /* short: "daily loss", "contracts" */
	enum measure_unit unit;
	double used, limit;             /* used >= 0, limit > 0 */
	bool has_floor;                 /* RULE-013: the floor and equity's distance to it */
	double floor, distance;
	bool has_share;                 /* RULE-015: today's share of the cycle's profit (0..1) */
	double share;
};

struct rule_def {
	const char *id;                 /* "RULE-001" */
	struct rule_block block;        /* config key, summary, option table (rules/list.h) */
	unsigned wakes_on;              /* EVM_* mask */
	size_t state_size;              /* per-account state, zeroed at creation */
	void (*check)(struct rule_ctx *ctx);
	/*
	 * It wakes on trades to judge the account's state (P&L against a limit), not the fill
	 * itself: a recheck (EV_RECHECK, a retry after a refused request) wakes it too, with a
	 * fill of no size. Rules that count fills (frequency, streaks) leave it false.
	 */
	bool recheck_trade;
	/*
	 * What of the per-account state outlives a restart: its first persist_size bytes are
	 * saved with the account (table rule_memory, with persist_version) and put back at
	 * start-up before any event (a trailing floor must not start over). 0: nothing. The
	 * rule calls rule_memory_changed() when those bytes change.
	 */
	size_t persist_size;
	int persist_version;
	/* Daily reset for this account (may be NULL). */
	void (*on_reset)(struct rule_ctx *ctx);
	/*
	 * A closing, non-voided fill of today put back from the state file after a restart, in
	 * fill-time order (may be NULL): rebuild the per-account memory that check() keeps from
	 * fills (ctx->ev is NULL; no action may be asked for). Called only when the rule is on.
	 */
	void (*on_restore_fill)(struct rule_ctx *ctx, const struct fill_rec *f);
	/*
	 * What the rule watches against its limit now, for the views (may be NULL: nothing to
	 * show). cfg is the account's block of this rule. false: nothing to show at the moment.
	 */
	bool (*measure)(const struct engine *e, const struct acct *a, const void *cfg,
			struct rule_measure *m);
	/*
	 * A new config took effect: why the rule no longer wants its lockout l (cfg is the
	 * account's new block of this rule), which ends it; NULL keeps it. The hook may be NULL:
	 * the rule's lockouts then run their course.
	 */
	const char *(*lockout_unwanted)(const void *cfg, const struct lockout *l);
	/*
	 * Where a lockout `until_next_window` of this rule ends: the next opening of its
	 * windows, INT64_MAX when none ever opens (then it is permanent). NULL: the rule does not
	 * offer until_next_window.
	 */
	srm_ms (*next_window)(const struct rule_ctx *ctx);
	/*
	 * For the views: when the rule will act on position p by itself if nothing changes (a
	 * grace ending) and what it will do then ("closes", "gets a stop"). false: no deadline.
	 * cfg is the account's block of this rule. May be NULL.
	 */
	bool (*pos_deadline)(const struct engine *e, const struct acct *a, const void *cfg,
			     const struct pos *p, srm_ms *at, const char **what);
};


extern const struct rule_def *const rule_table[RULE_COUNT];

/* A rule's index in the table (its place in rules/list.h). */
static inline int rule_index_of(const struct rule_def *d)
{
	for (int r = 0; r < RULE_COUNT; r++)
		if (rule_table[r] == d)
			return r;
	return -1;
}

/* The rule's block in an account's config (rule_def.cfg_offset). */
static inline const void *rule_cfg_block(const struct rules_cfg *cfg, int rule)
{
	return (const char *)cfg + rule_table[rule]->block.cfg_offset;
}

/* The rule's warn_at shares in this config (every block has them after enabled, dry_run). */
static inline const struct cfg_warn_at *rule_warn_at(const struct rules_cfg *cfg, int rule)
{
	return (const struct cfg_warn_at *)((const char *)rule_cfg_block(cfg, rule) +
					    rule_table[rule]->block.opts[2].off);
}

/* Is the rule on (its block's `enabled`) / in dry run (its `dry_run`) in this config? */
static inline bool rule_enabled(const struct rules_cfg *cfg, int rule)
{
	return ((const bool *)rule_cfg_block(cfg, rule))[0];
}
static inline bool rule_dry_flag(const struct rules_cfg *cfg, int rule)
{
	return ((const bool *)rule_cfg_block(cfg, rule))[1];
}

/*
 * Ask for an action: returns a zeroed action pre-filled with kind, rule, ts, account,
 * dry_run and the reason (printf-style); the rule fills contract_id/order_id/size/...
 * Identical requests repeated while the first is still pending are suppressed by the
 * engine (the returned action is then scratch space, not emitted).
 */
struct srm_action *rule_act(struct rule_ctx *ctx, enum act_kind kind, const char *contract_id,
			    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Lock the account (symbol NULL/"") or account+symbol per spec (mode none does nothing).
 * flatten: also cancel working orders that open/increase and close the positions in scope.
 * No-op when an equal-or-longer lockout by the same rule already holds.
 */
void rule_lockout(struct rule_ctx *ctx, const struct lockout_spec *spec, const char *symbol,
		  bool flatten, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Cancel every working order of the account that could open or increase a position; the
 * orders that only reduce (a position's protective stop, its target) stay (SPEC §5).
 */
void rule_cancel_opening(struct rule_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * engine_pos_unrealized / engine_acct_unrealized for a rule that values positions: a
 * position that cannot be valued is left out, and said once per position in an alert
 * (the gateway does not know its contract; or no quote for it 30 s after it opened).
 * Returns like them (acct: how many could not be valued).
 */
bool rule_pos_unrealized(struct rule_ctx *ctx, const struct pos *p, bool require_fresh, money_t *out);
int rule_acct_unrealized(struct rule_ctx *ctx, bool require_fresh, money_t *out);

/* The persisted part of this rule's state changed (rule_def.persist_size): save it. */
void rule_memory_changed(struct rule_ctx *ctx);

/* End this rule's lockouts on the account (symbol NULL = all of them). */
void rule_unlock(struct rule_ctx *ctx, const char *symbol, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Wake this rule at deadline with EV_TIMER (key and contract_id are passed back).
 * Timers are not cancelled: on waking, a rule re-checks whether the reason still holds.
 */
void rule_timer(struct rule_ctx *ctx, srm_ms deadline, int64_t key, const char *contract_id);

/* The most positions a size rule's reduce looks at (rules/exposure.h expo_reduce_last_grown). */
#define RULE_MAX_POS 64

/* A working stop order (Stop, StopLimit, TrailingStop) protecting the account's position in
 * contract_id (opposite side), or NULL. */
const struct ord *rule_find_stop(const struct rule_ctx *ctx, const char *contract_id);

/* The end of the current lockout of a spec starting now (UNTIL_TIME/RESET/PERMANENT). */
enum until_kind rule_until(struct rule_ctx *ctx, const struct lockout_spec *spec, srm_ms *until_ts);

/* Is lockout a longer than b? permanent > until_reset / next window > the longer duration > none. */
bool lockout_spec_longer(const struct lockout_spec *a, const struct lockout_spec *b);

/* A rule's id ("RULE-001", from its rule_def), or "ENGINE" for -1 (the engine, an admin). */
const char *rule_id_name(int rule);

#endif
