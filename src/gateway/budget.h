/*
 * budget.h: the gateway client's pure policy pieces, driven by explicit time (ms): the
 * priority rate budget, the per-endpoint circuit breaker and backoff with jitter.
 * No I/O, no clock reads: rest.c feeds them uv_now(); unit tests feed them numbers.
 */
#ifndef SRM_GATEWAY_BUDGET_H
#define SRM_GATEWAY_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Priority classes of REST calls: lower value goes first. */
enum gw_prio {
	GW_PRIO_ENFORCE = 0, /* close, partial close, cancel, place/modify stop: never waits */
	GW_PRIO_RECONCILE,   /* searches after start / reconnect */
	GW_PRIO_LOOKUP,      /* contract lookups */
	GW_PRIO_COUNT
};

/* Name of a class ("enforce", "reconcile", "lookup"). */
const char *gw_prio_name(enum gw_prio p);

#define GW_BUDGET_RING 2048

/*
 * Sliding-window limiter. The gateway allows 200 requests / 60 s (API reference §8); we
 * keep to `limit` (default 190) and reserve the top of it: RECONCILE may use up to
 * limit - reserve_enforce, LOOKUP up to limit - reserve_enforce - reserve_reconcile.
 * ENFORCE never waits for the budget (it is still counted).
 */
struct gw_budget_cfg {
	int limit;             /* default 190 */
	int64_t window_ms;     /* default 60000 */
	int reserve_enforce;   /* default 30 */
	int reserve_reconcile; /* default 40 */
};

struct gw_budget {
	struct gw_budget_cfg cfg;
	int64_t ring[GW_BUDGET_RING]; /* send times, oldest at head */
	size_t head, count;
	int64_t pause_until;   /* after a server 429: lower classes wait until then */
	uint64_t sent[GW_PRIO_COUNT];
};

/* Initialise; cfg NULL or zero fields take the defaults. */
void gw_budget_init(struct gw_budget *b, const struct gw_budget_cfg *cfg);
/* How long a call of class p must wait before it may be sent (0: now). */
int64_t gw_budget_wait(struct gw_budget *b, enum gw_prio p, int64_t now);
/* Record that a call of class p was sent at now. */
void gw_budget_take(struct gw_budget *b, enum gw_prio p, int64_t now);
/* The server answered 429: pause RECONCILE and LOOKUP for pause_ms. */
void gw_budget_on_429(struct gw_budget *b, int64_t now, int64_t pause_ms);
/* Calls counted in the current window. */
int gw_budget_used(struct gw_budget *b, int64_t now);

/* Circuit breaker states. */
enum gw_breaker_state { GW_BREAKER_CLOSED = 0, GW_BREAKER_OPEN, GW_BREAKER_HALF_OPEN };

struct gw_breaker_cfg {
	int fail_threshold;   /* consecutive failures that open it; default 5 */
	int64_t open_ms;      /* first open period; default 2000 */
	int64_t open_max_ms;  /* the period doubles on each failed probe up to this; default 30000 */
};

struct gw_breaker {
	struct gw_breaker_cfg cfg;
	enum gw_breaker_state state;
	int fails;            /* consecutive failures */
	int64_t open_until;
	int64_t cur_open_ms;
	bool probe_out;       /* half-open: the one probe is in flight */
	uint64_t trips;       /* times it opened */
};

/* Initialise; cfg NULL or zero fields take the defaults. */
void gw_breaker_init(struct gw_breaker *br, const struct gw_breaker_cfg *cfg);
/*
 * May a call go now? Open turns half-open when its period is over; half-open lets exactly
 * one probe through until its outcome is reported.
 */
bool gw_breaker_allow(struct gw_breaker *br, int64_t now);
/* Report an outcome: success closes; failure counts, opens (or re-opens after a probe). */
void gw_breaker_success(struct gw_breaker *br);
void gw_breaker_failure(struct gw_breaker *br, int64_t now);
/* A probe that ended without verdict (cancelled): let another one go. */
void gw_breaker_release(struct gw_breaker *br);
/* Current state, after applying the passage of time. */
enum gw_breaker_state gw_breaker_state_at(const struct gw_breaker *br, int64_t now);
/* "closed", "open", "half-open". */
const char *gw_breaker_state_name(enum gw_breaker_state s);

/* xorshift64* step; state must be non-zero (0 is replaced by a constant). */
uint64_t gw_rand(uint64_t *state);
/*
 * Exponential backoff with "equal jitter": d = min(cap, base * 2^attempt) (attempt from 0),
 * result uniformly in [d/2, d].
 */
int64_t gw_backoff_ms(int64_t base, int64_t cap, int attempt, uint64_t *rng);

#endif
