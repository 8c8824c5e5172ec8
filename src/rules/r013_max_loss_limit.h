/* r013_max_loss_limit.h: RULE-013's config block (max_loss_limit): the firm's trailing floor. */
#ifndef SRM_RULES_R013_H
#define SRM_RULES_R013_H

#include "rules/common.h"

/* How the floor follows the account (firm-rules.md: Topstep trails the end-of-day balance). */
enum mll_trailing { MLL_END_OF_DAY = 0, MLL_INTRADAY, MLL_STATIC };

struct cfg_max_loss_limit {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	money_t max_loss;          /* the floor sits this far under the high-water mark */
	enum mll_trailing trailing;
	money_t starting_balance;  /* 0: the first balance seen */
	bool lock_at_start;        /* the floor stops trailing at the starting balance */
	money_t buffer;            /* act this far above the floor (0 allowed) */
	money_t floor_seed;        /* an account mid-cycle: its floor now (0: none) */
	money_t high_water_seed;   /* ... and its high-water mark (0: none) */
	struct lockout_spec lockout;
};

struct engine;
struct acct;
/*
 * The account's floor and buffer as RULE-013 keeps them, and its balance at the start of
 * the trading day; false when the rule is off for it or has not seen a balance yet.
 */
bool mll_floor(const struct engine *e, const struct acct *a, money_t *floor, money_t *buffer,
	       money_t *day_start_balance);
/* The starting balance RULE-013 keeps (configured or first seen) and the day's starting one. */
bool mll_start(const struct engine *e, const struct acct *a, money_t *start,
	       money_t *day_start_balance);

#endif
