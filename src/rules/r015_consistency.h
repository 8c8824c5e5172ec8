/* r015_consistency.h: RULE-015's config block (consistency): no day above a share of the cycle. */
#ifndef SRM_RULES_R015_H
#define SRM_RULES_R015_H

#include "rules/common.h"

struct cfg_consistency {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of today's cap */
	int max_day_share;            /* millionths: today's profit at most this share of the cycle's */
	int32_t cycle_start;          /* the cycle's first trading date (days; 0: the first day guarded) */
	money_t cycle_profit;         /* the cycle's profit before SRM's first day in it */
	money_t profit_target;        /* the plan's target: today may always make share x target (0: none) */
	bool flatten;                 /* close everything before locking out, to keep the profit */
	bool include_fees;            /* P&L net of fees */
	struct lockout_spec lockout;
};

#endif
