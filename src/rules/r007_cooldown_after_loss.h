/* r007_cooldown_after_loss.h: RULE-007's config block (cooldown_after_loss). */
#ifndef SRM_RULES_R007_H
#define SRM_RULES_R007_H

#include "rules/common.h"

struct cfg_cooldown_after_loss {
	bool enabled, dry_run;
	struct cfg_warn_at warn_at;   /* alerts at these shares of the limit */
	size_t n_tiers;
	struct cfg_loss_tier tiers[CFG_MAX_TIERS];
	int consecutive_count; /* 0: off */
	struct lockout_spec consecutive_cooldown;
};

#endif
