/* r004_daily_unrealized_loss.h: RULE-004's config block (daily_unrealized_loss). */
#ifndef SRM_RULES_R004_H
#define SRM_RULES_R004_H

#include "rules/common.h"

struct cfg_daily_unrealized_loss {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	money_t loss_limit;
	enum scope_mode scope;
	struct lockout_spec lockout;
};

#endif
