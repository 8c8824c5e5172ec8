/* r003_daily_realized_loss.h: RULE-003's config block (daily_realized_loss). */
#ifndef SRM_RULES_R003_H
#define SRM_RULES_R003_H

#include "rules/common.h"

struct cfg_daily_realized_loss {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	money_t loss_limit; /* positive, cents */
	bool include_unrealized;
	bool include_fees;
	/* the day's limit is at most what is left above the firm's floor (RULE-013) at the day's start */
	bool cap_to_floor;
	struct lockout_spec lockout;
};

#endif
