/* r014_weekly_limits.h: RULE-014's config block (weekly_limits): the trading week's limits. */
#ifndef SRM_RULES_R014_H
#define SRM_RULES_R014_H

#include "rules/common.h"

struct cfg_weekly_limits {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	money_t loss_limit;        /* the week's P&L at minus this: lockout (0: off) */
	money_t profit_target;     /* the week's P&L at this: lockout, the profit kept (0: off) */
	int max_trades;            /* fills in the week (0: off) */
	bool include_fees;         /* P&L net of fees */
};

#endif
