/* r005_max_unrealized_profit.h: RULE-005's config block (max_unrealized_profit). */
#ifndef SRM_RULES_R005_H
#define SRM_RULES_R005_H

#include "rules/common.h"

struct cfg_max_unrealized_profit {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	money_t target;
	enum scope_mode scope;
	struct lockout_spec lockout;
};

#endif
