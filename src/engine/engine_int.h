/* engine_int.h: the engine's private layout, shared by the src/engine/ files only. */
#ifndef SRM_ENGINE_ENGINE_INT_H
#define SRM_ENGINE_ENGINE_INT_H

#include <stdarg.h>

#include "engine/calendar.h"
#include "engine/engine.h"
#include "engine/rule.h"
#include "util/xalloc.h"

/* An account's interest in a contract: positions + working orders there. */
struct watch {
	struct acct *a;
	int refs;
	int pos_refs;            /* of which positions: quotes wake only these accounts */
};

/* Everything known of one contract id: cached metadata, last quote, interested accounts. */
struct cslot {
	struct contract k;
	bool known;              /* metadata present */
	bool alerted_unknown;    /* a "no tick value" alert was emitted */
	bool missing;            /* the gateway does not know this contract */
	struct quote q;
	size_t n_watch, cap_watch;
	struct watch *watch;
};

/* ev_timer.rule of the engine's own timers (rules use 0..RULE_COUNT-1). */
#define TIMER_LOCK_END (-1)   /* key: the lockout's id */
#define TIMER_RECHECK (-2)    /* a close trimmed by one in flight: look again when it lapses */
#define TIMER_RETRY (-3)      /* a request was refused: judge the account again (requests.c) */

/* The retry backoff after refused requests: 250 ms doubling to 5 s, per account. */
#define REQ_RETRY_BASE_MS 250
#define REQ_RETRY_CAP_MS 5000

struct timer {
	srm_ms at;
	uint64_t seq;            /* FIFO among equal deadlines */
	struct ev_timer t;       /* rule < 0: the engine's own (TIMER_LOCK_END, TIMER_RECHECK) */
};

/* A recent request, to suppress exact repeats (docs/ENGINE.md). */
struct recent {
	int64_t account_id;
	int64_t order_id;
	enum act_kind kind;
	int size;
	srm_ms at;
	char contract_id[SRM_ID_MAX];
};

struct fill_slot {
	int64_t account_id;      /* 0: empty */
	struct fill_rec f;
};

/* Lookups by the same string pointer during one evaluation (book unchanged): see book.c. */
#define PTR_CACHE 8
struct ptr_cache {
	const char *key;
	uint32_t slot;
};

/* Odd enum values already alerted (status/type values the reference does not list). */
#define ODD_SEEN_MAX 32

struct engine {
	struct ptr_cache pc[PTR_CACHE];
	int64_t odd_seen[ODD_SEEN_MAX];  /* field << 32 | value */
	size_t n_odd_seen;
	const struct srm_config *cfg;
	const struct tz *zone;
	struct calendar cal;
	srm_ms now;
	srm_ms last_reset, next_reset;
	uint64_t seq;
	uint64_t calls;          /* public calls so far: which lockouts this one started */

	struct acct **accts;
	size_t n_accts, cap_accts;
	uint32_t *acct_map;      /* open addressing: index + 1, 0 empty */
	size_t acct_map_cap;

	struct cslot *cs;
	size_t n_cs, cap_cs;
	uint32_t *cs_map;
	size_t cs_map_cap;

	struct fill_slot *fills; /* open addressing by fill id */
	size_t n_fills, fills_cap;

	struct lockout *locks;
	size_t n_locks, cap_locks;
	uint64_t lock_seq;

	struct timer *heap;
	size_t n_heap, cap_heap;

	struct recent *recent;
	size_t n_recent, cap_recent;

	struct srm_action *out;
	size_t n_out, cap_out;
	size_t done;             /* out[0..done) is final: each timer's batch is final at its time */

	struct engine_stats stats;
};

/* book.c: accounts, positions, orders, contract slots. */
struct acct *book_acct(struct engine *e, int64_t id, bool create);
struct cslot *book_cslot(struct engine *e, const char *contract_id, bool create);
const struct cslot *book_cslot_c(const struct engine *e, const char *contract_id);
void book_watch(struct engine *e, const char *contract_id, struct acct *a, int delta, bool pos);
void book_apply_account(struct engine *e, const struct px_account *pa, struct acct *a);
/* Returns the qty before. */
int book_apply_position(struct engine *e, struct acct *a, const struct px_position *pp);
/*
 * A closing fill of n contracts was counted in realized P&L: it settles what a position event
 * took off before it (struct pos pos_ahead), the rest is fills_ahead (book_apply_position
 * settles the other way).
 */
void book_fill_closed(struct engine *e, struct acct *a, const char *contract_id, int n);
/*
 * A fill at `at` is a print: when it is newer than the contract's quote (which comes on the
 * other hub and may lag it), it is the contract's last price until the next quote.
 */
void market_fill_print(struct engine *e, const char *contract_id, double price, srm_ms at);
/*
 * Is a position event stale: size 0 for a position id that is not the one open in its
 * contract (the old position's late news after a new one opened)? Positions are keyed by
 * contract; a new id with a size is a new position that replaces the old one.
 */
bool book_position_stale(const struct acct *a, const struct px_position *pp);
/* Fills *prev with the order before (returns false when there was none). */
bool book_apply_order(struct engine *e, struct acct *a, const struct px_order *po, struct ord *prev);
void book_free(struct engine *e);
/* Forget cached pointer lookups: the strings behind them may change. */
void book_cache_clear(struct engine *e);
void symbol_from_name(const char *name, char *out, size_t cap);
void root_from_id(const char *id, char *out, size_t cap);

/* fills.c: P&L, dedup, trade counter. Returns true when the fill changed state. */
bool fills_apply(struct engine *e, struct acct *a, const struct px_trade *t);
/* A persisted fill put back (its srm flag as saved). Same return as fills_apply. */
bool fills_restore(struct engine *e, struct acct *a, const struct fill_rec *f);

/* closes.c: SRM's own closes in flight (struct srm_close). */
/* Remember the closes of a final action that goes out. */
void closes_expect(struct engine *e, const struct srm_action *x);
/* Is this new closing fill the answer to one of them? Uses up what it answers. */
bool closes_fill(struct engine *e, struct acct *a, const struct px_trade *t);
/* A position event: closes that got the position where they aimed, or that it outgrew, end. */
void closes_on_position(struct engine *e, struct acct *a, const char *contract_id, int prev_qty);
/* Contracts of this position that closes in flight will still remove. */
int closes_covered(struct engine *e, struct acct *a, const char *contract_id);
/* A market order on the contract ended unfilled (rejected, cancelled, expired): closes end. */
void closes_order_ended(struct engine *e, struct acct *a, const char *contract_id);
/* Is one of SRM's closes in flight on any position of the account? */
bool closes_any(struct engine *e, struct acct *a);
/*
 * Fit a close or partial close asked for now to what closes in flight will not already
 * remove (a close on top of a half-filled one would close twice and flip the position).
 * Returns false when nothing is left to ask.
 */
bool closes_adjust(struct engine *e, struct srm_action *x);
void fills_reset(struct engine *e);
void tc_clear(struct trade_counter *tc);
/*
 * The one place that says which trading day a fill belongs to: the day of its fill time.
 * 0: today's (from the last reset, or the account's admin reset since, to the next reset);
 * -1: an earlier day's; 1: a later day's (stamped past the next reset: kept, and counted by
 * fills_recount when its day comes).
 */
int fills_day(const struct engine *e, const struct acct *a, srm_ms at);
/* After a reset: count the kept fills that belong to the new day. */
void fills_recount(struct engine *e, struct acct *a);

/* lockout.c */
struct lockout *lock_add(struct engine *e, const struct lockout *l);
void lock_remove_at(struct engine *e, size_t i);
srm_ms lock_end(const struct engine *e, enum until_kind u, srm_ms until_ts);

/* timers.c */
void timer_push(struct engine *e, srm_ms at, const struct ev_timer *t);
bool timer_peek(const struct engine *e, srm_ms *at);
void timer_pop(struct engine *e, struct timer *out);

/* requests.c: the engine's requests on the wire (struct srm_req). */
/* Does this kind of action go to the gateway as one request? */
bool reqs_is_request(enum act_kind k);
/* An action about to go out: false when the same request is in flight (the wish is kept). */
bool reqs_claim(struct engine *e, const struct srm_action *a);
/* Its answer: ends the request; a refusal arms the retry timer. Returns true when the
 * account must be judged again (refused, or asked for again while in flight). */
bool reqs_result(struct engine *e, struct acct *a, const struct ev_result *res);
size_t reqs_in_flight(const struct acct *a);
srm_ms reqs_backoff_ms(int streak);

/* closes.c: a close was refused: it is not in flight, the next is asked for whole. */
void closes_drop(struct acct *a, const char *contract_id);

/* output.c: the actions of one public call (docs/ENGINE.md). */
struct srm_action *out_push(struct engine *e);
/* A new action with its reason, stamped now. */
struct srm_action *out_action(struct engine *e, enum act_kind kind, int rule, int64_t account_id,
			      const char *contract_id, bool dry, const char *fmt, va_list ap)
	__attribute__((format(printf, 7, 0)));
struct srm_action *out_act(struct engine *e, enum act_kind kind, int rule, int64_t account_id,
			   const char *contract_id, bool dry, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/*
 * At the end of each public call, and after each timer and reset within it: expand "all",
 * coalesce closes of one contract, fit them to closes in flight, drop exact repeats;
 * out[0..done) is final then.
 */
void out_finalize(struct engine *e);
/* Was the same request emitted within RECENT_MS (with no event answering it since)? */
bool recent_find(struct engine *e, const struct srm_action *a);
/* Remember a request that goes out (for recent_find). */
void recent_note(struct engine *e, const struct srm_action *a);
void recent_forget(struct engine *e, const struct srm_event *ev);
/* Forget the suppression of one request (its answer came: it may be asked again). */
void recent_forget_result(struct engine *e, const struct ev_result *res);

static inline bool global_dry_run(const struct engine *e)
{
	return e->cfg->daemon.dry_run;
}

static inline bool rule_dry(const struct engine *e, const struct rules_cfg *cfg, int rule)
{
	return global_dry_run(e) || (rule >= 0 && rule_dry_flag(cfg, rule));
}

/* Room for 64 more actions, so pointers handed to a rule stay valid while it runs. */
static inline void out_reserve(struct engine *e)
{
	if (e->n_out + 64 > e->cap_out) {
		e->cap_out = (e->n_out + 64) * 2;
		e->out = xreallocarray(e->out, e->cap_out, sizeof(*e->out));
	}
}

/* guard.c: the lockout guard. */
/* What a lockout asks of a position or order event: the guard of that event, then keep flat. */
void guard_apply(struct engine *e, struct acct *a, const struct srm_event *ev, int prev_qty);
/* While locked: cancel an order that opens or adds, close a position that is new or grew. */
void guard_event(struct engine *e, struct acct *a, const struct srm_event *ev, int prev_qty);
/* A lockout that flattened its scope closes what is still open there. */
void guard_keep_flat(struct engine *e, struct acct *a);
/* While locked: close each position that grew since the lockout began. */
void guard_grown(struct engine *e, struct acct *a);

/* lockout.c: start (or extend) a lockout and say so; flatten its scope when asked. */
void lock_start(struct engine *e, struct acct *a, int rule, enum until_kind u, srm_ms until_ts,
		const char *symbol, bool flatten, bool dry, const char *reason);
/* End locks[i] and say so (an unlock action). */
void lock_release_at(struct engine *e, size_t i, bool dry, const char *reason);

/* book.c: a contract's metadata (from REST, or restored). */
void book_apply_contract(struct engine *e, const struct px_contract *pc);

/* engine.c: the daily reset (only NULL: every account), and the events that report the
 * book unchanged so that rules look again. */
void daily_reset(struct engine *e, struct acct *only, bool admin);
void event_of_acct(const struct acct *a, struct srm_event *ev);
void event_of_pos(const struct acct *a, const struct pos *p, struct srm_event *ev);
void event_of_ord(const struct acct *a, const struct ord *o, struct srm_event *ev);
/* The fill of no size that wakes a trade-state rule ("look at today's P&L"). */
void event_nil_trade(const struct engine *e, const struct acct *a, struct srm_event *ev);

/* admin.c: the EV_ADMIN_* events. */
void admin_lockout(struct engine *e, const struct ev_admin *ad);
void admin_clear(struct engine *e, int64_t account_id);
void admin_enforce(struct engine *e, int64_t account_id, int rule, bool dry_run);
void admin_reset(struct engine *e, int64_t account_id);

#endif
